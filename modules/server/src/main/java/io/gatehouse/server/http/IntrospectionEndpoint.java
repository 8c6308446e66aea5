package io.gatehouse.server.http;

import io.gatehouse.core.client.ClientAuthenticator;
import io.gatehouse.core.error.OAuthException;
import io.gatehouse.core.service.IntrospectionService;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code POST /introspect} (RFC 7662 §2): the caller authenticates as a client exactly as at
 * {@code /token} (401 {@code invalid_client} otherwise); {@code token} is required and
 * {@code token_type_hint} is only a hint (a wrong one changes nothing). The answer is always 200 JSON
 * for an authenticated caller, never cached.
 */
public final class IntrospectionEndpoint implements Handler<RoutingContext> {
  private final ClientAuthenticator authenticator;
  private final IntrospectionService introspection;
  private final int maxBodyBytes;

  private final io.gatehouse.server.observe.Telemetry telemetry;

  public IntrospectionEndpoint(ClientAuthenticator authenticator, IntrospectionService introspection, int maxBodyBytes,
      io.gatehouse.server.observe.Telemetry telemetry) {
    this.telemetry = telemetry;
    this.authenticator = authenticator;
    this.introspection = introspection;
    this.maxBodyBytes = maxBodyBytes;
  }

  @Override
  public void handle(RoutingContext ctx) {
    ClientForm.read(ctx, maxBodyBytes)
        .compose(request -> authenticator.authenticate(request.clientCredentials()).compose(caller -> {
          String token = request.parameter("token")
              .orElseThrow(() -> OAuthException.invalidRequest("token is required"));
          return introspection.introspect(caller, token);
        }))
        .onSuccess(answer -> {
          telemetry.introspected(Boolean.TRUE.equals(answer.getValue("active")) ? "active" : "inactive");
          Responses.json(ctx.response().setStatusCode(200), answer);
        })
        .onFailure(failure -> {
          telemetry.introspected(failure instanceof OAuthException o ? o.code().wire() : "server_error");
          OAuthErrorResponder.respond(ctx, failure);
        });
  }
}
