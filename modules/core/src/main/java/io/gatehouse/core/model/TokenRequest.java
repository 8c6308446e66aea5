package io.gatehouse.core.model;

import java.util.Map;
import java.util.Optional;

/**
 * A token request as the edge parsed it: the form parameters (each present at most once; the edge has
 * already refused repeats) and the client credentials it found, if any.
 */
public record TokenRequest(Map<String, String> parameters, ClientCredentials credentials) {
  public TokenRequest {
    parameters = Map.copyOf(parameters);
  }

  /** The parameters alone, as the operation reads them once its client has authenticated. */
  public Params params() {
    return new Params(parameters);
  }

  public Optional<String> parameter(String name) {
    return Optional.ofNullable(parameters.get(name));
  }

  public Optional<ClientCredentials> clientCredentials() {
    return Optional.ofNullable(credentials);
  }

  public String grantType() {
    return parameters.get("grant_type");
  }

  @Override
  public String toString() {
    return "TokenRequest[" + grantType() + ", " + credentials + "]";
  }
}
