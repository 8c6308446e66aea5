package io.gatehouse.server.http;

import io.gatehouse.core.client.ClientAuthenticator;
import io.gatehouse.core.error.OAuthException;
import io.gatehouse.core.service.RevocationService;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code POST /revoke} (RFC 7009 §2): client authentication as at {@code /token}; {@code token}
 * required, {@code token_type_hint} optional. Success is 200 with an empty body (§2.2).
 */
public final class RevocationEndpoint implements Handler<RoutingContext> {
  private final ClientAuthenticator authenticator;
  private final RevocationService revocations;
  private final int maxBodyBytes;

  public RevocationEndpoint(ClientAuthenticator authenticator, RevocationService revocations, int maxBodyBytes) {
    this.authenticator = authenticator;
    this.revocations = revocations;
    this.maxBodyBytes = maxBodyBytes;
  }

  @Override
  public void handle(RoutingContext ctx) {
    ClientForm.read(ctx, maxBodyBytes)
        .compose(request -> authenticator.authenticate(request.clientCredentials()).compose(caller -> {
          String token = request.parameter("token").orElseThrow(() -> OAuthException.invalidRequest("token is required"));
          return revocations.revoke(caller, token);
        }))
        .onSuccess(v -> ctx.response().setStatusCode(200).putHeader("Cache-Control", "no-store").end())
        .onFailure(failure -> OAuthErrorResponder.respond(ctx, failure));
  }
}
