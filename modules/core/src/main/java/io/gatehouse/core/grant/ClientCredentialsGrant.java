package io.gatehouse.core.grant;

import io.gatehouse.core.error.OAuthException;
import io.gatehouse.core.model.Client;
import io.gatehouse.core.model.GrantTypes;
import io.gatehouse.core.model.Scopes;
import io.gatehouse.core.model.Params;
import io.gatehouse.core.model.TokenResponse;
import io.gatehouse.core.token.AccessTokenIssuer;
import io.gatehouse.core.token.AccessTokenIssuer.AccessToken;
import io.vertx.core.Future;
import java.time.Duration;

/** RFC 6749 §4.4: the client credentials grant. No network I/O: the client is already authenticated. */
public final class ClientCredentialsGrant implements GrantHandler<ClientCredentialsParams> {
  private final AccessTokenIssuer issuer;
  private final Duration defaultTtl;
  private final Duration maxTtl;

  public ClientCredentialsGrant(AccessTokenIssuer issuer, Duration defaultTtl) {
    this(issuer, defaultTtl, UserTokenMinter.LONGEST_ACCESS_TOKEN);
  }

  /** @param maxTtl the longest lifetime any access token may have: a client's override is capped at it */
  public ClientCredentialsGrant(AccessTokenIssuer issuer, Duration defaultTtl, Duration maxTtl) {
    this.issuer = issuer;
    this.defaultTtl = defaultTtl;
    this.maxTtl = maxTtl;
  }

  @Override
  public String grantType() {
    return GrantTypes.CLIENT_CREDENTIALS;
  }

  @Override
  public ClientCredentialsParams parameters(Params params) {
    return ClientCredentialsParams.of(params);
  }

  @Override
  public Future<TokenResponse> handle(Client client, ClientCredentialsParams params) {
    // RFC 6749 §4.4: the client credentials grant MUST only be used by confidential clients
    if (client.isPublic()) {
      throw OAuthException.unauthorizedClient("public clients may not use the client_credentials grant");
    }
    Scopes scope = ScopePolicy.grant(client, params.scope());
    // every revocation is kept for maxTtl: no token may outlive it
    Duration ttl = UserTokenMinter.cap(client.accessTokenTtlOverride().orElse(defaultTtl), maxTtl);
    // RFC 9068 §2.2: for client credentials the subject is the client itself
    AccessToken token = issuer.issue(client.clientId(), client.clientId(), scope, ttl);
    // RFC 6749 §4.4.3: a refresh token SHOULD NOT be included
    return Future.succeededFuture(new TokenResponse(token.jwt(), "Bearer", ttl.toSeconds(), scope, null));
  }
}
