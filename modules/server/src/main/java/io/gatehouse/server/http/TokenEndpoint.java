package io.gatehouse.server.http;

import io.gatehouse.core.bus.ServiceBus;
import io.gatehouse.core.error.OAuthException;
import io.gatehouse.core.model.ClientCredentials;
import io.gatehouse.server.bus.ServiceClient;
import io.gatehouse.server.observe.Telemetry;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code POST /token} (RFC 6749 §3.2): parses the request ({@link ClientForm}) and hands it to the
 * operation the service API serves at {@value ServiceBus#TOKEN} (docs/EVENT-BUS.md), then writes its answer: 200 JSON with
 * {@code Cache-Control: no-store} (§5.1), or the error in the one place errors are written. Only the
 * form body is read; query parameters are ignored (vertx-web would merge them), so none can smuggle in a
 * parameter.
 */
public final class TokenEndpoint implements Handler<RoutingContext> {
  private final ServiceClient service;
  private final int maxBodyBytes;
  private final Cors cors;
  private final Telemetry telemetry;

  public TokenEndpoint(ServiceClient service, int maxBodyBytes, Cors cors, Telemetry telemetry) {
    this.service = service;
    this.telemetry = telemetry;
    this.maxBodyBytes = maxBodyBytes;
    this.cors = cors;
  }

  @Override
  public void handle(RoutingContext ctx) {
    if (ctx.request().method() == HttpMethod.OPTIONS && Cors.preflight(ctx, "POST")) {
      return;
    }
    String[] clientId = new String[1];
    boolean[] served = new boolean[1];
    ClientForm.read(ctx, maxBodyBytes)
        .compose(tokenRequest -> {
          clientId[0] = tokenRequest.clientCredentials().map(ClientCredentials::clientId).orElse(null);
          served[0] = true;
          return service.call(ServiceBus.TOKEN, tokenRequest);
        })
        .andThen(ar -> {
          if (ar.failed() && !served[0]) {
            // refused here, before the service (which counts what it answers)
            telemetry.tokenRefused(null, null, ar.cause() instanceof OAuthException o ? o.code().wire() : "server_error");
          }
        })
        .transform(ar -> cors.decorate(ctx, clientId[0]).transform(v -> ar.succeeded() ? Future.succeededFuture(ar.result()) : Future.failedFuture(ar.cause())))
        .onSuccess(body -> Responses.json(ctx.response().setStatusCode(200), (JsonObject) body))
        .onFailure(failure -> OAuthErrorResponder.respond(ctx, failure));
  }
}
