package io.gatehouse.server.http;

import io.gatehouse.core.bus.ServiceBus;
import io.gatehouse.server.bus.ServiceOperations;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code POST /introspect} (RFC 7662 §2): the request step ({@link ClientRequestStep}) authenticates the
 * caller as a client exactly as at {@code /token} (401 {@code invalid_client} otherwise); the operation the
 * service API serves at {@value ServiceBus#INTROSPECT} (docs/EVENT-BUS.md) answers: {@code token} is
 * required and {@code token_type_hint} is only a hint. The answer is always 200 JSON for an
 * authenticated caller, never cached.
 */
public final class IntrospectionEndpoint implements Handler<RoutingContext> {
  private final ClientRequestStep step;
  private final ServiceOperations.Operation introspect;

  /** @param introspect the operation at {@value ServiceBus#INTROSPECT} */
  public IntrospectionEndpoint(ClientRequestStep step, ServiceOperations.Operation introspect) {
    this.step = step;
    this.introspect = introspect;
  }

  @Override
  public void handle(RoutingContext ctx) {
    step.read(ctx, introspect)
        .compose(introspect::answer)
        .onSuccess(answer -> Responses.json(ctx.response().setStatusCode(200), answer))
        .onFailure(failure -> OAuthErrorResponder.respond(ctx, failure));
  }
}
