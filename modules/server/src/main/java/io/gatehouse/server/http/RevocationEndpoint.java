package io.gatehouse.server.http;

import io.gatehouse.core.bus.ServiceBus;
import io.gatehouse.server.bus.ServiceClient;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code POST /revoke} (RFC 7009 §2): parses the request ({@link ClientForm}) and hands it to the
 * operation the service API serves at {@value ServiceBus#REVOKE} (docs/EVENT-BUS.md): client authentication as at
 * {@code /token}; {@code token} required, {@code token_type_hint} optional. Success is 200 with an empty
 * body (§2.2).
 */
public final class RevocationEndpoint implements Handler<RoutingContext> {
  private final ServiceClient service;
  private final int maxBodyBytes;

  public RevocationEndpoint(ServiceClient service, int maxBodyBytes) {
    this.service = service;
    this.maxBodyBytes = maxBodyBytes;
  }

  @Override
  public void handle(RoutingContext ctx) {
    ClientForm.read(ctx, maxBodyBytes)
        .compose(request -> service.call(ServiceBus.REVOKE, request))
        .onSuccess(v -> ctx.response().setStatusCode(200).putHeader("Cache-Control", "no-store").end())
        .onFailure(failure -> OAuthErrorResponder.respond(ctx, failure));
  }
}
