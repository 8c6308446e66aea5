package io.gatehouse.server.http;

import io.gatehouse.core.bus.ServiceBus;
import io.gatehouse.core.error.OAuthException;
import io.gatehouse.server.bus.ServiceClient;
import io.gatehouse.server.observe.Telemetry;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code POST /introspect} (RFC 7662 §2): parses the request ({@link ClientForm}) and hands it to the
 * operation the service API serves at {@value ServiceBus#INTROSPECT} (docs/EVENT-BUS.md), where the caller
 * authenticates as a client exactly as at {@code /token} (401 {@code invalid_client} otherwise);
 * {@code token} is required and {@code token_type_hint} is only a hint. The answer is always 200 JSON for
 * an authenticated caller, never cached.
 */
public final class IntrospectionEndpoint implements Handler<RoutingContext> {
  private final ServiceClient service;
  private final int maxBodyBytes;
  private final Telemetry telemetry;

  public IntrospectionEndpoint(ServiceClient service, int maxBodyBytes, Telemetry telemetry) {
    this.service = service;
    this.maxBodyBytes = maxBodyBytes;
    this.telemetry = telemetry;
  }

  @Override
  public void handle(RoutingContext ctx) {
    boolean[] served = new boolean[1];
    ClientForm.read(ctx, maxBodyBytes)
        .compose(request -> {
          served[0] = true;
          return service.call(ServiceBus.INTROSPECT, request);
        })
        .onSuccess(answer -> Responses.json(ctx.response().setStatusCode(200), answer))
        .onFailure(failure -> {
          if (!served[0]) {
            // refused here, before the service (which counts what it answers)
            telemetry.introspected(failure instanceof OAuthException o ? o.code().wire() : "server_error");
          }
          OAuthErrorResponder.respond(ctx, failure);
        });
  }
}
