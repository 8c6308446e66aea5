package io.gatehouse.server.http;

import io.gatehouse.core.error.OAuthException;
import io.gatehouse.core.model.ClientCredentials;
import io.gatehouse.core.model.TokenRequest;
import io.gatehouse.core.model.TokenResponse;
import io.gatehouse.core.service.TokenService;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.Locale;
import java.util.Map;

/**
 * {@code POST /token} (RFC 6749 §3.2): parses and answers, nothing else. Only the form body is read;
 * query parameters are ignored (vertx-web would merge them), so none can smuggle in a parameter.
 */
public final class TokenEndpoint implements Handler<RoutingContext> {
  private final TokenService tokens;
  private final int maxBodyBytes;
  private final Cors cors;

  private final io.gatehouse.server.observe.Telemetry telemetry;

  private final java.util.function.Function<TokenRequest, Future<TokenResponse>> exchange;

  /** @param viaBus send each exchange over the event bus ({@link io.gatehouse.server.bus.TokenBus}) instead of calling the service */
  public TokenEndpoint(TokenService tokens, int maxBodyBytes, Cors cors, io.gatehouse.server.observe.Telemetry telemetry,
      io.vertx.core.Vertx vertx, boolean viaBus) {
    this.exchange = viaBus ? request -> io.gatehouse.server.bus.TokenBus.exchange(vertx, request) : tokens::exchange;
    this.telemetry = telemetry;
    this.tokens = tokens;
    this.maxBodyBytes = maxBodyBytes;
    this.cors = cors;
  }

  @Override
  public void handle(RoutingContext ctx) {
    if (ctx.request().method() == HttpMethod.OPTIONS && Cors.preflight(ctx, "POST")) {
      return;
    }
    String[] clientId = new String[1];
    String[] grantType = new String[1];
    ClientForm.read(ctx, maxBodyBytes)
        .compose(tokenRequest -> {
          clientId[0] = tokenRequest.clientCredentials().map(ClientCredentials::clientId).orElse(null);
          grantType[0] = tokenRequest.grantType();
          return exchange.apply(tokenRequest);
        })
        .andThen(ar -> {
          if (ar.succeeded()) {
            // the client authenticated: its id is a registered one
            telemetry.tokenIssued(grantType[0], clientId[0]);
          } else {
            telemetry.tokenRefused(grantType[0], clientId[0], ar.cause() instanceof OAuthException o ? o.code().wire() : "server_error");
          }
        })
        .transform(ar -> cors.decorate(ctx, clientId[0]).transform(v -> ar.succeeded() ? Future.succeededFuture(ar.result()) : Future.failedFuture(ar.cause())))
        .onSuccess(response -> answer(ctx, (TokenResponse) response))
        .onFailure(failure -> OAuthErrorResponder.respond(ctx, failure));
  }

  // RFC 6749 §5.1
  private static void answer(RoutingContext ctx, TokenResponse token) {
    JsonObject body = new JsonObject()
        .put("access_token", token.accessToken())
        .put("token_type", token.tokenType())
        .put("expires_in", token.expiresIn());
    if (!token.scope().isEmpty()) {
      body.put("scope", token.scope().wire());
    }
    if (token.refreshToken() != null) {
      body.put("refresh_token", token.refreshToken());
    }
    if (token.idToken() != null) {
      body.put("id_token", token.idToken());
    }
    Responses.json(ctx.response().setStatusCode(200), body);
  }
}
