package io.gatehouse.core.service;

import static io.gatehouse.core.testing.Futures.awaitOAuthError;
import static io.gatehouse.testing.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jwt.SignedJWT;
import io.gatehouse.core.client.ClientAuthenticator;
import io.gatehouse.core.client.SecretHasher;
import io.gatehouse.core.error.OAuthErrorCode;
import io.gatehouse.core.error.OAuthException;
import io.gatehouse.core.grant.ClientCredentialsGrant;
import io.gatehouse.core.grant.GrantHandlers;
import io.gatehouse.core.model.AuthMethod;
import io.gatehouse.core.model.Client;
import io.gatehouse.core.model.ClientCredentials;
import io.gatehouse.core.model.GrantTypes;
import io.gatehouse.core.model.Scopes;
import io.gatehouse.core.model.TokenRequest;
import io.gatehouse.core.model.TokenResponse;
import io.gatehouse.core.store.memory.InMemoryClientRegistry;
import io.gatehouse.core.testing.Jwts;
import io.gatehouse.core.token.AccessTokenIssuer;
import io.gatehouse.core.token.SigningAlgorithm;
import io.gatehouse.core.token.SigningKeys;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class TokenServiceTest {
  private static final String ISSUER = "https://issuer.example";
  private static final String AUDIENCE = "https://api.example";
  private static final Instant NOW = Instant.parse("2025-03-04T05:06:07Z");
  private static final Duration DEFAULT_TTL = Duration.ofMinutes(15);
  private static final Duration CLIENT_TTL = Duration.ofSeconds(90);

  private static final String SECRET = SecretHasher.generateSecret();

  private static JWK jwk;
  private static SigningKeys keys;

  private TokenService service;
  private InMemoryClientRegistry registry;

  @BeforeAll
  static void generateKey() {
    jwk = SigningKeys.generate(SigningAlgorithm.ES256);
    keys = SigningKeys.fromJwkSet(new JWKSet(jwk), SigningAlgorithm.ES256);
  }

  @BeforeEach
  void setUp() {
    registry = new InMemoryClientRegistry();
    await(registry.upsert(new Client("service", SecretHasher.hash(SECRET), Set.of(GrantTypes.CLIENT_CREDENTIALS),
        Scopes.parse("read write admin"), Scopes.parse("read"), Set.of(AuthMethod.CLIENT_SECRET_BASIC), List.of(), null)));
    await(registry.upsert(new Client("no-defaults", SecretHasher.hash(SECRET), Set.of(GrantTypes.CLIENT_CREDENTIALS),
        Scopes.parse("read"), Scopes.EMPTY, Set.of(AuthMethod.CLIENT_SECRET_BASIC), List.of(), null)));
    await(registry.upsert(new Client("short-lived", SecretHasher.hash(SECRET), Set.of(GrantTypes.CLIENT_CREDENTIALS),
        Scopes.parse("read"), Scopes.EMPTY, Set.of(AuthMethod.CLIENT_SECRET_BASIC), List.of(), CLIENT_TTL)));
    await(registry.upsert(new Client("web-app", SecretHasher.hash(SECRET), Set.of(GrantTypes.AUTHORIZATION_CODE),
        Scopes.parse("read"), Scopes.EMPTY, Set.of(AuthMethod.CLIENT_SECRET_BASIC), List.of("https://app.example/cb"), null)));
    await(registry.upsert(new Client("public", null, Set.of(GrantTypes.CLIENT_CREDENTIALS),
        Scopes.parse("read"), Scopes.EMPTY, Set.of(AuthMethod.NONE), List.of(), null)));

    // wired as Gatehouse.deploy() does, with a fixed clock
    AccessTokenIssuer issuer = new AccessTokenIssuer(ISSUER, AUDIENCE, keys.signer(), Clock.fixed(NOW, ZoneOffset.UTC));
    GrantHandlers grants = new GrantHandlers(List.of(new ClientCredentialsGrant(issuer, DEFAULT_TTL)));
    service = new TokenService(new ClientAuthenticator(registry), grants);
  }

  private static TokenRequest request(String clientId, Map<String, String> params) {
    return new TokenRequest(params, new ClientCredentials(AuthMethod.CLIENT_SECRET_BASIC, clientId, SECRET));
  }

  private static TokenRequest clientCredentials(String clientId, String scope) {
    Map<String, String> params = new HashMap<>();
    params.put("grant_type", GrantTypes.CLIENT_CREDENTIALS);
    if (scope != null) {
      params.put("scope", scope);
    }
    return request(clientId, params);
  }

  @Test
  void exchangeWhenGrantTypeMissingThenInvalidRequest() {
    OAuthException e = awaitOAuthError(service.exchange(request("service", Map.of("scope", "read"))), OAuthErrorCode.INVALID_REQUEST);
    assertThat(e.description()).contains("grant_type");
  }

  @Test
  void exchangeWhenGrantTypeEmptyThenInvalidRequest() {
    awaitOAuthError(service.exchange(request("service", Map.of("grant_type", ""))), OAuthErrorCode.INVALID_REQUEST);
  }

  @Test
  void exchangeWhenGrantTypeUnknownThenUnsupportedGrantType() {
    awaitOAuthError(service.exchange(request("service", Map.of("grant_type", "urn:example:magic"))),
        OAuthErrorCode.UNSUPPORTED_GRANT_TYPE);
  }

  @Test
  void exchangeWhenPasswordGrantThenUnsupportedGrantType() {
    awaitOAuthError(service.exchange(request("service",
        Map.of("grant_type", "password", "username", "alice", "password", "hunter2"))), OAuthErrorCode.UNSUPPORTED_GRANT_TYPE);
  }

  @Test
  void exchangeWhenClientAuthenticationFailsThenInvalidClient() {
    TokenRequest wrongSecret = new TokenRequest(Map.of("grant_type", GrantTypes.CLIENT_CREDENTIALS),
        new ClientCredentials(AuthMethod.CLIENT_SECRET_BASIC, "service", SECRET + "x"));
    awaitOAuthError(service.exchange(wrongSecret), OAuthErrorCode.INVALID_CLIENT);
    TokenRequest noCredentials = new TokenRequest(Map.of("grant_type", GrantTypes.CLIENT_CREDENTIALS), null);
    awaitOAuthError(service.exchange(noCredentials), OAuthErrorCode.INVALID_CLIENT);
  }

  @Test
  void exchangeWhenClientNotRegisteredForClientCredentialsThenUnauthorizedClient() {
    awaitOAuthError(service.exchange(clientCredentials("web-app", null)), OAuthErrorCode.UNAUTHORIZED_CLIENT);
  }

  @Test
  void exchangeWhenPublicClientRegisteredForClientCredentialsThenUnauthorizedClient() {
    TokenRequest request = new TokenRequest(Map.of("grant_type", GrantTypes.CLIENT_CREDENTIALS),
        new ClientCredentials(AuthMethod.NONE, "public", null));
    awaitOAuthError(service.exchange(request), OAuthErrorCode.UNAUTHORIZED_CLIENT);
  }

  @Test
  void exchangeWhenScopeOutsideClientScopesThenInvalidScope() {
    awaitOAuthError(service.exchange(clientCredentials("service", "read delete")), OAuthErrorCode.INVALID_SCOPE);
  }

  @Test
  void exchangeWhenScopeMalformedThenInvalidScope() {
    awaitOAuthError(service.exchange(clientCredentials("service", "read  write")), OAuthErrorCode.INVALID_SCOPE);
    awaitOAuthError(service.exchange(clientCredentials("service", "")), OAuthErrorCode.INVALID_SCOPE);
  }

  @Test
  void exchangeWhenScopeWithinClientScopesThenExactlyTheRequestedScopes() {
    TokenResponse response = await(service.exchange(clientCredentials("service", "write admin write")));
    assertThat(response.scope().values()).containsExactly("write", "admin");
    assertThat(Jwts.claims(response.accessToken()).getString("scope")).isEqualTo("write admin");
  }

  @Test
  void exchangeWhenScopeOmittedThenClientDefaultScopes() {
    TokenResponse response = await(service.exchange(clientCredentials("service", null)));
    assertThat(response.scope()).isEqualTo(Scopes.parse("read"));
    assertThat(Jwts.claims(response.accessToken()).getString("scope")).isEqualTo("read");
  }

  @Test
  void exchangeWhenScopeOmittedAndNoDefaultScopesThenNoScopeClaim() {
    TokenResponse response = await(service.exchange(clientCredentials("no-defaults", null)));
    assertThat(response.scope().isEmpty()).isTrue();
    assertThat(Jwts.claims(response.accessToken()).containsKey("scope")).isFalse();
  }

  @Test
  void exchangeWhenClientHasTtlOverrideThenItReplacesTheDefault() {
    TokenResponse response = await(service.exchange(clientCredentials("short-lived", null)));
    assertThat(response.expiresIn()).isEqualTo(90);
    JsonObject claims = Jwts.claims(response.accessToken());
    assertThat(claims.getLong("exp") - claims.getLong("iat")).isEqualTo(90);
  }

  @Test
  void exchangeWhenClientCredentialsSucceedThenBearerWithoutRefreshTokenAndDefaultTtl() {
    TokenResponse response = await(service.exchange(clientCredentials("service", "read")));
    assertThat(response.tokenType()).isEqualTo("Bearer");
    assertThat(response.refreshToken()).isNull();
    assertThat(response.expiresIn()).isEqualTo(DEFAULT_TTL.toSeconds());
    assertThat(response.accessToken()).isNotBlank();
  }

  @Test
  void accessTokenHeaderHasAlgTypAtJwtAndKid() {
    TokenResponse response = await(service.exchange(clientCredentials("service", "read")));
    JsonObject header = Jwts.header(response.accessToken());
    assertThat(header.getString("alg")).isEqualTo("ES256");
    assertThat(header.getString("typ")).isEqualTo("at+jwt");
    assertThat(header.getString("kid")).isEqualTo(jwk.getKeyID()).isEqualTo(keys.signer().kid());
    assertThat(header.fieldNames()).containsExactlyInAnyOrder("alg", "typ", "kid");
  }

  @Test
  void accessTokenClaimsFollowRfc9068ForClientCredentials() {
    TokenResponse response = await(service.exchange(clientCredentials("service", "read write")));
    JsonObject claims = Jwts.claims(response.accessToken());
    assertThat(claims.getString("iss")).isEqualTo(ISSUER);
    assertThat(claims.getString("sub")).isEqualTo("service");
    assertThat(claims.getString("aud")).isEqualTo(AUDIENCE);
    assertThat(claims.getString("client_id")).isEqualTo("service");
    assertThat(claims.getString("scope")).isEqualTo("read write");
    assertThat(claims.getLong("iat")).isEqualTo(NOW.getEpochSecond());
    assertThat(claims.getLong("exp")).isEqualTo(NOW.getEpochSecond() + DEFAULT_TTL.toSeconds());
    assertThat(claims.getString("jti")).hasSize(22).matches("[A-Za-z0-9_-]{22}");
    assertThat(claims.fieldNames()).containsExactlyInAnyOrder("iss", "sub", "aud", "client_id", "scope", "iat", "exp", "jti");
  }

  @Test
  void twoAccessTokensHaveDifferentJti() {
    String a = await(service.exchange(clientCredentials("service", null))).accessToken();
    String b = await(service.exchange(clientCredentials("service", null))).accessToken();
    assertThat(Jwts.claims(a).getString("jti")).isNotEqualTo(Jwts.claims(b).getString("jti"));
    assertThat(a).isNotEqualTo(b);
  }

  @Test
  void accessTokenSignatureVerifiesWithThePublishedKey() throws Exception {
    String jwt = await(service.exchange(clientCredentials("service", null))).accessToken();
    JWK published = JWKSet.parse(keys.publicJwks().encode()).getKeyByKeyId(Jwts.header(jwt).getString("kid"));
    assertThat(published).isNotNull();
    assertThat(SignedJWT.parse(jwt).verify(new ECDSAVerifier((ECKey) published))).isTrue();
  }

  @Test
  void accessTokenDoesNotContainTheClientSecret() {
    TokenResponse response = await(service.exchange(clientCredentials("service", null)));
    assertThat(Jwts.claims(response.accessToken()).encode()).doesNotContain(SECRET);
    assertThat(response.toString()).doesNotContain(response.accessToken());
  }

  @Test
  void authenticateWhenCredentialsValidThenTheClientAndTheParameters() {
    io.gatehouse.core.model.ClientRequest authenticated = await(service.authenticate(clientCredentials("service", "read")));
    assertThat(authenticated.client().clientId()).isEqualTo("service");
    assertThat(authenticated.params().values()).containsExactlyInAnyOrderEntriesOf(
        Map.of("grant_type", GrantTypes.CLIENT_CREDENTIALS, "scope", "read"));
  }

  @Test
  void authenticateWhenGrantTypeMissingThenInvalidRequestBeforeTheClientIsChecked() {
    TokenRequest noGrantWrongSecret = new TokenRequest(Map.of("scope", "read"),
        new ClientCredentials(AuthMethod.CLIENT_SECRET_BASIC, "service", "wrong"));
    awaitOAuthError(service.authenticate(noGrantWrongSecret), OAuthErrorCode.INVALID_REQUEST);
  }

  @Test
  void exchangeWhenClientAlreadyAuthenticatedThenTheRegistryIsNotAskedAgain() {
    io.gatehouse.core.model.ClientRequest authenticated = await(service.authenticate(clientCredentials("service", "read")));
    // the client is gone from the registry: the grant still runs on the client the request step authenticated
    await(registry.delete("service"));
    TokenResponse response = await(service.exchange(authenticated));
    assertThat(response.scope()).isEqualTo(Scopes.parse("read"));
  }
}
