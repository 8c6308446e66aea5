package io.gatehouse.core.grant;

import io.gatehouse.core.model.Client;
import io.gatehouse.core.model.TokenRequest;
import io.gatehouse.core.model.TokenResponse;
import io.vertx.core.Future;

/**
 * One grant type of the token endpoint. It runs after the client has authenticated and has been found
 * allowed to use this grant; it validates the grant's own parameters and issues tokens, failing with
 * an {@link io.gatehouse.core.error.OAuthException} where one of its rules refuses the request.
 */
public interface GrantHandler {
  /** The {@code grant_type} value this handler serves. */
  String grantType();

  Future<TokenResponse> handle(Client client, TokenRequest request);
}
