package io.gatehouse.core.grant;

import io.gatehouse.core.model.Client;
import io.gatehouse.core.model.Params;
import io.gatehouse.core.model.TokenResponse;
import io.vertx.core.Future;

/**
 * One grant type of the token endpoint. It runs after the client has authenticated and has been found
 * allowed to use this grant: first its own parameters are read into a typed record {@code P}, once,
 * refusing a missing or malformed one with {@code invalid_request} (RFC 6749 §5.2); then the grant
 * issues tokens, failing with an {@link io.gatehouse.core.error.OAuthException} where one of its rules
 * refuses the request.
 *
 * @param <P> the grant's parameters
 */
public interface GrantHandler<P> {
  /** The {@code grant_type} value this handler serves. */
  String grantType();

  /** The grant's parameters from the request's, validated; throws the {@code OAuthException} to send. */
  P parameters(Params params);

  Future<TokenResponse> handle(Client client, P parameters);

  /** Reads the parameters, then handles the grant (a rule that throws is thrown to the caller). */
  default Future<TokenResponse> exchange(Client client, Params params) {
    return handle(client, parameters(params));
  }
}
