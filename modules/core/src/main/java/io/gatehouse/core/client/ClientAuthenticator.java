package io.gatehouse.core.client;

import io.gatehouse.core.error.OAuthException;
import io.gatehouse.core.model.AuthMethod;
import io.gatehouse.core.model.Client;
import io.gatehouse.core.model.ClientCredentials;
import io.gatehouse.core.store.ClientRegistry;
import io.vertx.core.Future;
import java.util.Optional;

/**
 * Authenticates the client of a token request (RFC 6749 §2.3). Every failure answers the same
 * {@code invalid_client} with the same description, so an unknown client, a wrong secret and a method
 * the client is not registered for cannot be told apart (no client enumeration).
 */
public final class ClientAuthenticator {
  static final String FAILED = "client authentication failed";
  private final ClientRegistry clients;

  public ClientAuthenticator(ClientRegistry clients) {
    this.clients = clients;
  }

  public Future<Client> authenticate(Optional<ClientCredentials> presented) {
    if (presented.isEmpty()) {
      // RFC 6749 §5.2: invalid_client when no client authentication is included
      return Future.failedFuture(OAuthException.invalidClient("client authentication is required"));
    }
    ClientCredentials creds = presented.get();
    return io.gatehouse.core.model.Identifiers.checked("client_id", creds.clientId(),
        () -> clients.find(creds.clientId()).map(found -> verify(found, creds)));
  }

  private static Client verify(Optional<Client> found, ClientCredentials creds) {
    Client client = found.orElse(null);
    if (creds.method() == AuthMethod.NONE) {
      // a public client identifies itself with client_id only; a confidential one must authenticate
      if (client == null || !client.isPublic() || !client.authMethods().contains(AuthMethod.NONE)) {
        throw OAuthException.invalidClient(FAILED);
      }
      return client;
    }
    // Always run the constant-time comparison, against a dummy hash when the client is unknown or
    // public, so the response time does not reveal whether the client exists.
    boolean secretOk = SecretHasher.matches(creds.secret(), client == null ? null : client.secretHash());
    if (client == null || !secretOk || !client.authMethods().contains(creds.method())) {
      throw OAuthException.invalidClient(FAILED);
    }
    return client;
  }
}
