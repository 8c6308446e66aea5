package io.gatehouse.core.grant;

import io.gatehouse.core.error.OAuthException;
import io.gatehouse.core.model.Client;
import io.gatehouse.core.model.Scopes;
import io.gatehouse.core.model.TokenRequest;

/** Which scopes a request gets (RFC 6749 §3.3). */
final class ScopePolicy {
  private ScopePolicy() {}

  /**
   * The requested scopes when the client may have them all, else {@code invalid_scope}. Without a
   * {@code scope} parameter the client's registered default scopes (empty unless configured: least
   * privilege) are granted, as §3.3 allows.
   */
  static Scopes grant(Client client, TokenRequest request) {
    String requested = request.parameter("scope").orElse(null);
    if (requested == null) {
      return client.defaultScopes();
    }
    Scopes scopes = Scopes.parse(requested);
    if (!client.scopes().containsAll(scopes)) {
      throw OAuthException.invalidScope("the requested scope exceeds the scope granted to the client");
    }
    return scopes;
  }
}
