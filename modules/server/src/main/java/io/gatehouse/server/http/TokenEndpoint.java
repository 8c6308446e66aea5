package io.gatehouse.server.http;

import io.gatehouse.core.bus.ServiceBus;
import io.gatehouse.core.model.Client;
import io.gatehouse.server.bus.ServiceOperations;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code POST /token} (RFC 6749 §3.2): the request step ({@link ClientRequestStep}) authenticates the
 * client and yields the parameters; the operation the service API serves at {@value ServiceBus#TOKEN}
 * (docs/EVENT-BUS.md) answers: 200 JSON with {@code Cache-Control: no-store} (§5.1), or the error in the
 * one place errors are written. CORS headers are decided by the client the step authenticated ({@link
 * Cors#decorate(RoutingContext, Client)}), never by a client id the request merely names.
 */
public final class TokenEndpoint implements Handler<RoutingContext> {
  private final ClientRequestStep step;
  private final ServiceOperations.Operation token;

  /** @param token the operation at {@value ServiceBus#TOKEN} */
  public TokenEndpoint(ClientRequestStep step, ServiceOperations.Operation token) {
    this.step = step;
    this.token = token;
  }

  @Override
  public void handle(RoutingContext ctx) {
    if (ctx.request().method() == HttpMethod.OPTIONS && Cors.preflight(ctx, "POST")) {
      return;
    }
    Client[] client = new Client[1];
    step.read(ctx, token)
        .compose(request -> {
          client[0] = request.client();
          return token.answer(request);
        })
        .onComplete(ar -> {
          Cors.decorate(ctx, client[0]);
          if (ar.succeeded()) {
            Responses.json(ctx.response().setStatusCode(200), ar.result());
          } else {
            OAuthErrorResponder.respond(ctx, ar.cause());
          }
        });
  }
}
