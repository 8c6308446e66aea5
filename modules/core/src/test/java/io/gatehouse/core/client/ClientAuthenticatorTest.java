package io.gatehouse.core.client;

import static io.gatehouse.core.testing.Futures.awaitOAuthError;
import static io.gatehouse.testing.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.core.error.OAuthErrorCode;
import io.gatehouse.core.error.OAuthException;
import io.gatehouse.core.model.AuthMethod;
import io.gatehouse.core.model.Client;
import io.gatehouse.core.model.ClientCredentials;
import io.gatehouse.core.model.GrantTypes;
import io.gatehouse.core.model.Scopes;
import io.gatehouse.core.store.memory.InMemoryClientRegistry;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ClientAuthenticatorTest {
  private static final String CONFIDENTIAL_SECRET = SecretHasher.generateSecret();
  private static final String POST_ONLY_SECRET = SecretHasher.generateSecret();

  private ClientAuthenticator authenticator;

  @BeforeEach
  void setUp() {
    InMemoryClientRegistry registry = new InMemoryClientRegistry();
    await(registry.upsert(client("confidential", SecretHasher.hash(CONFIDENTIAL_SECRET),
        Set.of(AuthMethod.CLIENT_SECRET_BASIC, AuthMethod.CLIENT_SECRET_POST))));
    await(registry.upsert(client("public", null, Set.of(AuthMethod.NONE))));
    await(registry.upsert(client("post-only", SecretHasher.hash(POST_ONLY_SECRET), Set.of(AuthMethod.CLIENT_SECRET_POST))));
    authenticator = new ClientAuthenticator(registry);
  }

  private static Client client(String id, String secretHash, Set<AuthMethod> methods) {
    return new Client(id, secretHash, Set.of(GrantTypes.CLIENT_CREDENTIALS), Scopes.parse("read write"), Scopes.EMPTY,
        methods, List.of(), null);
  }

  private static Optional<ClientCredentials> creds(AuthMethod method, String id, String secret) {
    return Optional.of(new ClientCredentials(method, id, secret));
  }

  @Test
  void authenticateWhenRightBasicSecretThenClient() {
    Client client = await(authenticator.authenticate(creds(AuthMethod.CLIENT_SECRET_BASIC, "confidential", CONFIDENTIAL_SECRET)));
    assertThat(client.clientId()).isEqualTo("confidential");
  }

  @Test
  void authenticateWhenRightPostSecretThenClient() {
    Client client = await(authenticator.authenticate(creds(AuthMethod.CLIENT_SECRET_POST, "confidential", CONFIDENTIAL_SECRET)));
    assertThat(client.clientId()).isEqualTo("confidential");
  }

  @Test
  void authenticateWhenWrongSecretThenInvalidClient() {
    OAuthException e = awaitOAuthError(
        authenticator.authenticate(creds(AuthMethod.CLIENT_SECRET_BASIC, "confidential", CONFIDENTIAL_SECRET + "x")),
        OAuthErrorCode.INVALID_CLIENT);
    assertThat(e.status()).isEqualTo(401);
    assertThat(e.description()).doesNotContain(CONFIDENTIAL_SECRET);
  }

  @Test
  void authenticateWhenOtherClientsSecretThenInvalidClient() {
    awaitOAuthError(authenticator.authenticate(creds(AuthMethod.CLIENT_SECRET_POST, "confidential", POST_ONLY_SECRET)),
        OAuthErrorCode.INVALID_CLIENT);
  }

  @Test
  void authenticateWhenUnknownClientThenInvalidClientWithSameDescriptionAsWrongSecret() {
    OAuthException unknown = awaitOAuthError(
        authenticator.authenticate(creds(AuthMethod.CLIENT_SECRET_BASIC, "nobody", CONFIDENTIAL_SECRET)),
        OAuthErrorCode.INVALID_CLIENT);
    OAuthException wrongSecret = awaitOAuthError(
        authenticator.authenticate(creds(AuthMethod.CLIENT_SECRET_BASIC, "confidential", "wrong")),
        OAuthErrorCode.INVALID_CLIENT);
    assertThat(unknown.description()).isEqualTo(wrongSecret.description()).isEqualTo(ClientAuthenticator.FAILED);
    assertThat(unknown.status()).isEqualTo(wrongSecret.status());
  }

  @Test
  void authenticateWhenClientIdDiffersInCaseThenInvalidClient() {
    awaitOAuthError(authenticator.authenticate(creds(AuthMethod.CLIENT_SECRET_BASIC, "Confidential", CONFIDENTIAL_SECRET)),
        OAuthErrorCode.INVALID_CLIENT);
  }

  @Test
  void authenticateWhenMethodNotRegisteredThenInvalidClientWithSameDescription() {
    OAuthException e = awaitOAuthError(
        authenticator.authenticate(creds(AuthMethod.CLIENT_SECRET_BASIC, "post-only", POST_ONLY_SECRET)),
        OAuthErrorCode.INVALID_CLIENT);
    assertThat(e.description()).isEqualTo(ClientAuthenticator.FAILED);
    // the registered method works
    assertThat(await(authenticator.authenticate(creds(AuthMethod.CLIENT_SECRET_POST, "post-only", POST_ONLY_SECRET))).clientId())
        .isEqualTo("post-only");
  }

  @Test
  void authenticateWhenNoneForConfidentialClientThenInvalidClient() {
    OAuthException e = awaitOAuthError(authenticator.authenticate(creds(AuthMethod.NONE, "confidential", null)),
        OAuthErrorCode.INVALID_CLIENT);
    assertThat(e.description()).isEqualTo(ClientAuthenticator.FAILED);
  }

  @Test
  void authenticateWhenNoneForUnknownClientThenInvalidClient() {
    OAuthException e = awaitOAuthError(authenticator.authenticate(creds(AuthMethod.NONE, "nobody", null)),
        OAuthErrorCode.INVALID_CLIENT);
    assertThat(e.description()).isEqualTo(ClientAuthenticator.FAILED);
  }

  @Test
  void authenticateWhenNoneForPublicClientThenClient() {
    Client client = await(authenticator.authenticate(creds(AuthMethod.NONE, "public", null)));
    assertThat(client.clientId()).isEqualTo("public");
    assertThat(client.isPublic()).isTrue();
  }

  @Test
  void authenticateWhenSecretPresentedForPublicClientThenInvalidClient() {
    awaitOAuthError(authenticator.authenticate(creds(AuthMethod.CLIENT_SECRET_BASIC, "public", "anything")),
        OAuthErrorCode.INVALID_CLIENT);
    awaitOAuthError(authenticator.authenticate(creds(AuthMethod.CLIENT_SECRET_POST, "public", "anything")),
        OAuthErrorCode.INVALID_CLIENT);
    awaitOAuthError(authenticator.authenticate(creds(AuthMethod.CLIENT_SECRET_POST, "public", "")),
        OAuthErrorCode.INVALID_CLIENT);
  }

  @Test
  void authenticateWhenSecretMethodWithNullSecretThenInvalidClient() {
    awaitOAuthError(authenticator.authenticate(creds(AuthMethod.CLIENT_SECRET_BASIC, "confidential", null)),
        OAuthErrorCode.INVALID_CLIENT);
  }

  @Test
  void authenticateWhenNoCredentialsThenInvalidClient() {
    OAuthException e = awaitOAuthError(authenticator.authenticate(Optional.empty()), OAuthErrorCode.INVALID_CLIENT);
    assertThat(e.status()).isEqualTo(401);
  }
}
