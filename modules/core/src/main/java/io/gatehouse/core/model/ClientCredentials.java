package io.gatehouse.core.model;

/**
 * The client credentials an edge extracted from a request, before they are checked.
 *
 * @param method how the client presented them
 * @param clientId the claimed client id (decoded)
 * @param secret the presented secret, or null for {@link AuthMethod#NONE}; never logged or stored
 */
public record ClientCredentials(AuthMethod method, String clientId, String secret) {
  @Override
  public String toString() {
    return "ClientCredentials[" + method.wire() + ", " + clientId + "]";
  }
}
