package io.gatehouse.server.http;

import io.gatehouse.core.error.OAuthException;
import io.gatehouse.core.revocation.Revocation;
import io.gatehouse.core.revocation.RevocationHub;
import io.gatehouse.core.service.BearerAuthorizer;
import io.gatehouse.core.service.RevocationService;
import io.vertx.core.Future;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.Comparator;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin revocation API, protected by a Gatehouse access token with the admin scope (RFC 6750
 * bearer; errors as at {@code /userinfo}).
 *
 * <ul>
 *   <li>{@code POST /admin/revocations} with {@code {"kind": "subject|client|grant|token", "value":
 *       "..."}}: revokes, publishes the same events as {@code /revoke}, and answers 201 with the
 *       revocation ({@code kind}, {@code value}, {@code revoked_at}, {@code expires_at}).
 *   <li>{@code GET /admin/revocations}: the active revocations of the durable list.
 * </ul>
 */
public final class AdminRevocationsEndpoint {
  private static final Logger LOG = LoggerFactory.getLogger(AdminRevocationsEndpoint.class);

  private final BearerAuthorizer authorizer;
  private final RevocationService revocations;
  private final RevocationHub hub;
  private final String adminScope;
  private final int maxBodyBytes;

  public AdminRevocationsEndpoint(BearerAuthorizer authorizer, RevocationService revocations, RevocationHub hub, String adminScope,
      int maxBodyBytes) {
    this.authorizer = authorizer;
    this.revocations = revocations;
    this.hub = hub;
    this.adminScope = adminScope;
    this.maxBodyBytes = maxBodyBytes;
  }

  public void create(RoutingContext ctx) {
    JsonObject admin;
    try {
      admin = authorize(ctx);
    } catch (OAuthException e) {
      ctx.request().resume();
      OAuthErrorResponder.respondBearer(ctx, e, bearerPresent(ctx), adminScope);
      return;
    }
    String type = ctx.request().getHeader(HttpHeaders.CONTENT_TYPE);
    if (type == null || !type.toLowerCase(java.util.Locale.ROOT).startsWith("application/json")) {
      ctx.request().resume();
      OAuthErrorResponder.respond(ctx, OAuthException.invalidRequest("the body must be application/json"));
      return;
    }
    BodyReader.read(ctx.request(), maxBodyBytes)
        .compose(body -> {
          JsonObject request;
          try {
            request = body.toJsonObject();
          } catch (DecodeException | ClassCastException e) {
            throw OAuthException.invalidRequest("the body must be a JSON object");
          }
          if (request == null) {
            throw OAuthException.invalidRequest("the body must be a JSON object");
          }
          return revocations.adminRevoke(request);
        })
        .onSuccess(r -> {
          LOG.info("admin {} (client {}) revoked {} {}", admin.getString("sub"), admin.getString("client_id"), r.kind().wire(),
              r.kind() == Revocation.Kind.TOKEN ? "(a jti)" : r.value());
          ctx.response().setStatusCode(201);
          Responses.json(ctx.response(), r.toJson());
        })
        .onFailure(e -> OAuthErrorResponder.respond(ctx, e));
  }

  public void list(RoutingContext ctx) {
    try {
      authorize(ctx);
    } catch (OAuthException e) {
      OAuthErrorResponder.respondBearer(ctx, e, bearerPresent(ctx), adminScope);
      return;
    }
    hub.active().recover(e -> Future.failedFuture(OAuthException.temporarilyUnavailable("the revocation list cannot be read; try again")))
        .onSuccess(all -> {
          List<Revocation> sorted = all.stream().sorted(Comparator.comparingLong(Revocation::revokedAt).thenComparing(Revocation::key)).toList();
          JsonArray out = new JsonArray();
          sorted.forEach(r -> out.add(r.toJson()));
          Responses.json(ctx.response().setStatusCode(200), new JsonObject().put("revocations", out));
        })
        .onFailure(e -> OAuthErrorResponder.respond(ctx, e));
  }

  private static boolean bearerPresent(RoutingContext ctx) {
    return !ctx.request().headers().getAll(HttpHeaders.AUTHORIZATION).isEmpty();
  }

  // RFC 6750 §2.1: exactly one Authorization: Bearer header
  private JsonObject authorize(RoutingContext ctx) {
    List<String> headers = ctx.request().headers().getAll(HttpHeaders.AUTHORIZATION);
    if (headers.isEmpty()) {
      throw OAuthException.invalidToken("a bearer access token is required");
    }
    String header = headers.get(0);
    if (headers.size() > 1 || header.length() < 8 || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      throw OAuthException.invalidRequest("expected one Authorization: Bearer header");
    }
    return authorizer.require(header.substring(7).trim(), adminScope);
  }
}
