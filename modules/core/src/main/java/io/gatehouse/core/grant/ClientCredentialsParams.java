package io.gatehouse.core.grant;

import io.gatehouse.core.model.Params;
import io.gatehouse.core.model.Scopes;

/**
 * The parameters of the client credentials grant (RFC 6749 §4.4.2).
 *
 * @param scope the scopes asked for, or null when {@code scope} is absent (then: the client's defaults)
 */
public record ClientCredentialsParams(Scopes scope) {
  public static ClientCredentialsParams of(Params params) {
    return new ClientCredentialsParams(params.get("scope").map(Scopes::parse).orElse(null));
  }
}
