package io.gatehouse.server.http;

import io.gatehouse.core.error.OAuthErrorCode;
import io.gatehouse.core.error.OAuthException;
import io.gatehouse.server.observe.LogSafe;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place an error becomes a wire response (RFC 6749 §5.2): a JSON body with {@code error} and
 * {@code error_description}, {@code Cache-Control: no-store}, and for 401 a {@code WWW-Authenticate}
 * challenge. A failure of the client's connection ({@link ClientIo}) is counted, not logged as an error.
 * An unreachable or silent store ({@link io.gatehouse.core.store.StoreUnavailableException}) is 503
 * {@code temporarily_unavailable} with {@code Retry-After}, logged at WARN without a stack trace.
 * Anything else that is not an {@link OAuthException} is a bug or an outage: it is logged here (classes
 * and stack frames, never an exception's message, which may quote the request) and answered 500
 * {@code server_error} with a generic description, never a stack trace or internal detail.
 */
public final class OAuthErrorResponder {
  private static final Logger LOG = LoggerFactory.getLogger(OAuthErrorResponder.class);
  static final String CHALLENGE = "Basic realm=\"gatehouse\", charset=\"UTF-8\"";

  private OAuthErrorResponder() {}

  /** The context key under which the router puts the node's {@link io.gatehouse.server.observe.Telemetry}. */
  public static final String TELEMETRY = "gatehouse.telemetry";

  public static void respond(RoutingContext ctx, Throwable failure) {
    OAuthException error;
    if (!(failure instanceof OAuthException) && ClientIo.isClientIo(failure)) {
      // the client's connection failed (closed, reset): nothing of the server's to report or answer
      ClientIo.count(ctx, failure);
      error = OAuthException.invalidRequest("the request could not be read");
    } else {
      error = classify(failure, () -> ctx.request().method() + " " + route(ctx));
    }
    count(ctx, error);
    respond(ctx.response(), error);
  }

  /**
   * The OAuth error a failure is answered with, wherever it is answered (an HTTP endpoint, a reply on the
   * event bus): an {@link OAuthException} as it is; an unreachable or silent store 503
   * {@code temporarily_unavailable}, logged at WARN without a stack trace; anything else 500
   * {@code server_error}, logged at ERROR with classes and stack frames only (an exception's message may
   * quote the request).
   *
   * @param where what failed, for the log (a method and route pattern, a bus address): never a request's content
   */
  public static OAuthException classify(Throwable failure, java.util.function.Supplier<String> where) {
    if (failure instanceof OAuthException oauth) {
      return oauth;
    }
    io.gatehouse.core.store.StoreUnavailableException unavailable = io.gatehouse.core.store.StoreUnavailableException.in(failure);
    if (unavailable != null) {
      // an outage, not a bug: no stack trace; the message names the store and the timeout or failure class only
      LOG.warn("request {} failed: {}", where.get(), unavailable.getMessage());
      return OAuthException.temporarilyUnavailable("a backing store is not answering; try again later");
    }
    // a bug or an outage: classes and stack frames only, and the route's pattern rather than the path the client sent
    LOG.error("request {} failed", where.get(), LogSafe.redacted(failure));
    return OAuthException.serverError();
  }

  /**
   * A 4xx the router raised itself ({@code ctx.statusCode()}), with or without an exception: the
   * client's error. Answered as JSON {@code invalid_request} with that status; logged at DEBUG by class only.
   */
  public static void routerFailure(RoutingContext ctx) {
    Throwable failure = ctx.failure();
    if (failure instanceof OAuthException oauth) {
      respond(ctx, oauth);
      return;
    }
    int status = ctx.statusCode() >= 400 && ctx.statusCode() < 500 ? ctx.statusCode()
        : failure instanceof io.vertx.ext.web.handler.HttpException h && h.getStatusCode() >= 400 && h.getStatusCode() < 500 ? h.getStatusCode()
        : 400;
    LOG.debug("the router refused a request with {}: {}", status, failure == null ? "no exception" : failure.getClass().getName());
    ctx.request().resume();
    respond(ctx, new OAuthException(OAuthErrorCode.INVALID_REQUEST, status, "the request could not be processed"));
  }

  /** The matched route's pattern (or the path, as short printable ASCII): never a query. */
  private static String route(RoutingContext ctx) {
    String pattern = ctx.currentRoute() == null ? null : ctx.currentRoute().getPath();
    return pattern != null ? pattern : LogSafe.text(ctx.request().path(), 100);
  }

  private static void count(RoutingContext ctx, OAuthException error) {
    io.gatehouse.server.observe.Telemetry t = ctx.get(TELEMETRY);
    if (t != null && !ctx.response().ended()) {
      t.errorAnswered(error.code().wire());
    }
  }

  public static void respond(HttpServerResponse response, OAuthException error) {
    if (response.ended() || response.headWritten()) {
      return;
    }
    JsonObject body = error.toJson();
    if (error.status() == 401) {
      // RFC 6749 §5.2 and RFC 9110 §15.5.2: a 401 carries the challenge of the scheme to use
      response.putHeader("WWW-Authenticate", CHALLENGE);
    }
    if (error.status() == 413) {
      response.putHeader("Connection", "close");
    }
    if (error.retryAfterSeconds() >= 0) {
      response.putHeader("Retry-After", Long.toString(error.retryAfterSeconds()));
    }
    response.setStatusCode(error.status());
    Responses.json(response, body);
  }

  /**
   * An error at a protected resource (RFC 6750 §3): the {@code WWW-Authenticate: Bearer} challenge
   * names the error; a request without any token gets the bare challenge (§3.1) and a 401.
   */
  public static void respondBearer(RoutingContext ctx, Throwable failure, boolean tokenPresent, String requiredScope) {
    HttpServerResponse response = ctx.response();
    if (response.ended() || response.headWritten()) {
      return;
    }
    if (!tokenPresent) {
      response.putHeader("WWW-Authenticate", "Bearer realm=\"gatehouse\"").setStatusCode(401);
      Responses.json(response, new JsonObject().put("error", "invalid_token").put("error_description", "a bearer access token is required"));
      return;
    }
    if (failure instanceof OAuthException oauth
        && (oauth.code() == OAuthErrorCode.INVALID_TOKEN || oauth.code() == OAuthErrorCode.INSUFFICIENT_SCOPE
            || oauth.code() == OAuthErrorCode.INVALID_REQUEST)) {
      String challenge = "Bearer realm=\"gatehouse\", error=\"" + oauth.code().wire() + "\", error_description=\""
          + oauth.description().replace("\"", "'") + "\"";
      if (oauth.code() == OAuthErrorCode.INSUFFICIENT_SCOPE && requiredScope != null) {
        challenge += ", scope=\"" + requiredScope + "\"";
      }
      count(ctx, oauth);
      response.putHeader("WWW-Authenticate", challenge).setStatusCode(oauth.status());
      Responses.json(response, new JsonObject().put("error", oauth.code().wire()).put("error_description", oauth.description()));
      return;
    }
    respond(ctx, failure);
  }

  /** A JSON answer that must not be cached (for the edges outside this package). */
  public static void json(RoutingContext ctx, int status, JsonObject body) {
    Responses.json(ctx.response().setStatusCode(status), body);
  }

  /** 405 with {@code Allow} (RFC 9110 §15.5.6). */
  public static void methodNotAllowed(RoutingContext ctx, String allow) {
    ctx.response().putHeader("Allow", allow);
    respond(ctx.response(), new OAuthException(OAuthErrorCode.INVALID_REQUEST, 405, "method not allowed; use " + allow));
  }
}
