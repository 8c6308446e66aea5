package io.gatehouse.core.grant;

import io.gatehouse.core.error.OAuthException;
import io.gatehouse.core.model.Client;
import io.gatehouse.core.model.Scopes;

/** Which scopes a request gets (RFC 6749 §3.3). */
final class ScopePolicy {
  private ScopePolicy() {}

  /**
   * The requested scopes ({@code null}: no {@code scope} parameter) when the client may have them all, else {@code invalid_scope}. Without a
   * {@code scope} parameter the client's registered default scopes (empty unless configured: least
   * privilege) are granted, as §3.3 allows.
   */
  static Scopes grant(Client client, Scopes scopes) {
    if (scopes == null) {
      return client.defaultScopes();
    }
    if (!client.scopes().containsAll(scopes)) {
      throw OAuthException.invalidScope("the requested scope exceeds the scope granted to the client");
    }
    return scopes;
  }
}
