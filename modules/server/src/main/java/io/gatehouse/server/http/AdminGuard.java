package io.gatehouse.server.http;

import io.gatehouse.core.error.OAuthException;
import io.gatehouse.core.service.BearerAuthorizer;
import io.vertx.core.Future;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.Locale;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * What every {@code /admin/...} request goes through: a Gatehouse access token with the admin scope
 * (RFC 6750: exactly one {@code Authorization: Bearer} header; 401 {@code invalid_token} or 403
 * {@code insufficient_scope} with a {@code WWW-Authenticate: Bearer} challenge), checked before the
 * body is read; then an {@code application/json} body holding one JSON object, at most
 * {@code http.max_body_bytes}. Errors are answered by {@link OAuthErrorResponder} only.
 */
public final class AdminGuard {
  private final BearerAuthorizer authorizer;
  private final String adminScope;
  private final int maxBodyBytes;

  public AdminGuard(BearerAuthorizer authorizer, String adminScope, int maxBodyBytes) {
    this.authorizer = authorizer;
    this.adminScope = adminScope;
    this.maxBodyBytes = maxBodyBytes;
  }

  /** A request without a body: {@code action} gets the admin token's claims; {@code ok} answers its result. */
  public <T> void handle(RoutingContext ctx, Function<JsonObject, Future<T>> action, Consumer<T> ok) {
    JsonObject admin = admit(ctx);
    if (admin != null) {
      ctx.request().resume();
      run(ctx, () -> action.apply(admin), ok);
    }
  }

  /** A request with a JSON object body: {@code action} gets the admin token's claims and the body. */
  public <T> void handleJson(RoutingContext ctx, BiFunction<JsonObject, JsonObject, Future<T>> action, Consumer<T> ok) {
    JsonObject admin = admit(ctx);
    if (admin != null) {
      run(ctx, () -> body(ctx).compose(body -> action.apply(admin, body)), ok);
    }
  }

  private static <T> void run(RoutingContext ctx, java.util.function.Supplier<Future<T>> action, Consumer<T> ok) {
    Future<T> result;
    try {
      result = action.get();
    } catch (RuntimeException e) {
      result = Future.failedFuture(e);
    }
    result.onSuccess(ok::accept).onFailure(e -> OAuthErrorResponder.respond(ctx, e));
  }

  /** The admin token's claims, or null when the request was refused (and answered). */
  private JsonObject admit(RoutingContext ctx) {
    try {
      return authorize(ctx);
    } catch (OAuthException e) {
      ctx.request().resume();
      OAuthErrorResponder.respondBearer(ctx, e, !ctx.request().headers().getAll(HttpHeaders.AUTHORIZATION).isEmpty(), adminScope);
      return null;
    }
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

  private Future<JsonObject> body(RoutingContext ctx) {
    String type = ctx.request().getHeader(HttpHeaders.CONTENT_TYPE);
    if (type == null || !type.toLowerCase(Locale.ROOT).startsWith("application/json")) {
      ctx.request().resume();
      return Future.failedFuture(OAuthException.invalidRequest("the body must be application/json"));
    }
    return ClientIo.body(ctx, maxBodyBytes).map(body -> {
      JsonObject request;
      try {
        request = body.toJsonObject();
      } catch (DecodeException | ClassCastException e) {
        // never the decoder's message: it quotes the body, which may hold a password
        throw OAuthException.invalidRequest("the body must be a JSON object");
      }
      if (request == null) {
        throw OAuthException.invalidRequest("the body must be a JSON object");
      }
      return request;
    });
  }
}
