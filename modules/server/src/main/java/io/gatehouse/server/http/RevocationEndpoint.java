package io.gatehouse.server.http;

import io.gatehouse.core.bus.ServiceBus;
import io.gatehouse.server.bus.ServiceOperations;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code POST /revoke} (RFC 7009 §2): the request step ({@link ClientRequestStep}) authenticates the
 * client as at {@code /token}; the operation the service API serves at {@value ServiceBus#REVOKE}
 * (docs/EVENT-BUS.md) revokes: {@code token} required, {@code token_type_hint} optional. Success is 200
 * with an empty body (§2.2).
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
    step.read(ctx, revoke)
        .compose(revoke::answer)
        .onSuccess(v -> ctx.response().setStatusCode(200).putHeader("Cache-Control", "no-store").end())
        .onFailure(failure -> OAuthErrorResponder.respond(ctx, failure));
  }
}
