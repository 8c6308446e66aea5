package io.gatehouse.core.service;

import io.gatehouse.core.client.ClientAuthenticator;
import io.gatehouse.core.error.OAuthException;
import io.gatehouse.core.grant.GrantHandler;
import io.gatehouse.core.grant.GrantHandlers;
import io.gatehouse.core.model.TokenRequest;
import io.gatehouse.core.model.TokenResponse;
import io.vertx.core.Future;

/**
 * The token endpoint's rules (RFC 6749 §3.2): grant_type present, client authenticated, grant
 * supported, client allowed the grant, then the grant's own handler.
 */
public final class TokenService {
  private final ClientAuthenticator authenticator;
  private final GrantHandlers grants;

  public TokenService(ClientAuthenticator authenticator, GrantHandlers grants) {
    this.authenticator = authenticator;
    this.grants = grants;
  }

  public Future<TokenResponse> exchange(TokenRequest request) {
    String grantType = request.grantType();
    if (grantType == null || grantType.isEmpty()) {
      return Future.failedFuture(OAuthException.invalidRequest("grant_type is required"));
    }
    return authenticator.authenticate(request.clientCredentials()).compose(client -> {
      GrantHandler handler = grants.require(grantType);
      // RFC 6749 §5.2: unauthorized_client when the client may not use this grant type
      if (!client.allowsGrant(grantType)) {
        throw OAuthException.unauthorizedClient("the client is not allowed the " + grantType + " grant");
      }
      return handler.handle(client, request);
    });
  }
}
