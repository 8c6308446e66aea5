package io.gatehouse.core.service;

import io.gatehouse.core.client.ClientAuthenticator;
import io.gatehouse.core.error.OAuthException;
import io.gatehouse.core.grant.GrantHandler;
import io.gatehouse.core.grant.GrantHandlers;
import io.gatehouse.core.model.ClientRequest;
import io.gatehouse.core.model.TokenRequest;
import io.gatehouse.core.model.TokenResponse;
import io.vertx.core.Future;

/**
 * The token endpoint's rules (RFC 6749 §3.2), as named steps: {@link #authenticate} (grant_type
 * present, then the client authenticated), then {@link #exchange(ClientRequest)} (grant supported,
 * client allowed the grant, the grant's typed parameters, the grant's own handler).
 */
public final class TokenService {
  private final ClientAuthenticator authenticator;
  private final GrantHandlers grants;

  public TokenService(ClientAuthenticator authenticator, GrantHandlers grants) {
    this.authenticator = authenticator;
    this.grants = grants;
  }

  /** Both steps: a request whose client has not authenticated yet. */
  public Future<TokenResponse> exchange(TokenRequest request) {
    return authenticate(request).compose(this::exchange);
  }

  /**
   * The request's one authentication step: {@code grant_type} is required before anything is looked
   * up (RFC 6749 §4.1.3, §4.4.2, §6), then the client authenticates (§2.3, §3.2.1).
   */
  public Future<ClientRequest> authenticate(TokenRequest request) {
    String grantType = request.grantType();
    if (grantType == null || grantType.isEmpty()) {
      return Future.failedFuture(OAuthException.invalidRequest("grant_type is required"));
    }
    return authenticator.authenticate(request.clientCredentials()).map(client -> new ClientRequest(client, request.params()));
  }

  /** The grant, for a client that has authenticated: a request that names no grant_type is refused. */
  public Future<TokenResponse> exchange(ClientRequest request) {
    String grantType = request.params().grantType();
    try {
      if (grantType == null) {
        throw OAuthException.invalidRequest("grant_type is required");
      }
      GrantHandler<?> handler = grants.require(grantType);
      // RFC 6749 §5.2: unauthorized_client when the client may not use this grant type
      if (!request.client().allowsGrant(grantType)) {
        throw OAuthException.unauthorizedClient("the client is not allowed the " + grantType + " grant");
      }
      return handler.exchange(request.client(), request.params());
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }
}
