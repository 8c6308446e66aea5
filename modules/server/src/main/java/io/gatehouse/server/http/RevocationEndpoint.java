package io.gatehouse.server.http;

import io.gatehouse.core.bus.ServiceBus;
import io.gatehouse.server.bus.ServiceOperations;
import io.gatehouse.core.model.Client;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code POST /revoke} (RFC 7009 §2): the request step ({@link ClientRequestStep}) authenticates the
 * client as at {@code /token}; the operation the service API serves at {@value ServiceBus#REVOKE}
 * (docs/EVENT-BUS.md) revokes: {@code token} required, {@code token_type_hint} optional. Success is 200
 * with an empty body (§2.2). CORS as at {@code /token} (issue 14 item 3: a browser app revokes at sign-out):
 * a preflight is answered, and an answer is readable from an origin the authenticated client allows
 * ({@link Cors#decorate(RoutingContext, io.gatehouse.core.model.Client)}), never by a client id the request
 * merely names.
 */
public final class RevocationEndpoint implements Handler<RoutingContext> {
  private final ClientRequestStep step;
  private final ServiceOperations.Operation revoke;

  /** @param revoke the operation at {@value ServiceBus#REVOKE} */
  public RevocationEndpoint(ClientRequestStep step, ServiceOperations.Operation revoke) {
    this.step = step;
    this.revoke = revoke;
  }

  @Override
  public void handle(RoutingContext ctx) {
    if (ctx.request().method() == HttpMethod.OPTIONS && Cors.preflight(ctx, "POST")) {
      return;
    }
    Client[] client = new Client[1];
    step.read(ctx, revoke)
        .compose(request -> {
          client[0] = request.client();
          return revoke.answer(request);
        })
        .onComplete(ar -> {
          Cors.decorate(ctx, client[0]);
          if (ar.succeeded()) {
            ctx.response().setStatusCode(200).putHeader("Cache-Control", "no-store").end();
          } else {
            OAuthErrorResponder.respond(ctx, ar.cause());
          }
        });
  }
}
