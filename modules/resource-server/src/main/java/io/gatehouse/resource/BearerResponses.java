package io.gatehouse.resource;

import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * The one place error answers are written (RFC 6750 §3): a {@code WWW-Authenticate: Bearer} challenge
 * for 400/401/403, a small JSON body {@code {"error":..., "error_description":...}} (never a stack
 * trace, never the token), {@code Cache-Control: no-store}.
 */
final class BearerResponses {
  private BearerResponses() {}

  /** 401 with a bare challenge: the request had no bearer token (RFC 6750 §3.1: no error code then). */
  static void missingToken(RoutingContext ctx, String realm) {
    HttpServerResponse r = ctx.response();
    if (r.ended()) {
      return;
    }
    r.setStatusCode(401)
        .putHeader("WWW-Authenticate", realm == null ? "Bearer" : "Bearer realm=\"" + realm + "\"")
        .putHeader("Cache-Control", "no-store")
        .end();
  }

  static void error(RoutingContext ctx, BearerTokenException e, String realm) {
    HttpServerResponse r = ctx.response();
    if (r.ended()) {
      return;
    }
    r.setStatusCode(e.code().status());
    String description = QuotedStrings.sanitize(e.description());
    if (e.code() != BearerTokenException.Code.TEMPORARILY_UNAVAILABLE) {
      StringBuilder challenge = new StringBuilder("Bearer ");
      if (realm != null) {
        challenge.append("realm=\"").append(realm).append("\", ");
      }
      challenge.append("error=\"").append(e.code().wire()).append('"');
      if (e.code() == BearerTokenException.Code.INSUFFICIENT_SCOPE) {
        // RFC 6750 §3: the scope needed to access the resource
        challenge.append(", scope=\"").append(QuotedStrings.sanitize(e.scope())).append('"');
      } else {
        challenge.append(", error_description=\"").append(description).append('"');
      }
      r.putHeader("WWW-Authenticate", challenge.toString());
    }
    if (e.retryAfterSeconds() >= 0) {
      r.putHeader("Retry-After", Long.toString(e.retryAfterSeconds()));
    }
    json(r, e.code().wire(), description);
  }

  /** 500 for a bug (a validator failing with something unexpected, a scope check without claims). */
  static void serverError(RoutingContext ctx) {
    HttpServerResponse r = ctx.response();
    if (r.ended()) {
      return;
    }
    r.setStatusCode(500);
    json(r, "server_error", "the token could not be checked");
  }

  private static void json(HttpServerResponse r, String error, String description) {
    r.putHeader("Content-Type", "application/json")
        .putHeader("Cache-Control", "no-store")
        .end(new JsonObject().put("error", error).put("error_description", description).encode());
  }
}
