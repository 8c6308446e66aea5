package io.gatehouse.core.grant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.jwk.JWKSet;
import io.gatehouse.core.error.OAuthErrorCode;
import io.gatehouse.core.error.OAuthException;
import io.gatehouse.core.model.GrantTypes;
import io.gatehouse.core.token.AccessTokenIssuer;
import io.gatehouse.core.token.SigningAlgorithm;
import io.gatehouse.core.token.SigningKeys;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class GrantHandlersTest {
  private static AccessTokenIssuer issuer;

  @BeforeAll
  static void keys() {
    SigningKeys keys = SigningKeys.fromJwkSet(new JWKSet(SigningKeys.generate(SigningAlgorithm.ES256)), SigningAlgorithm.ES256);
    issuer = new AccessTokenIssuer("https://issuer.example", "https://api.example", keys.signer(), Clock.systemUTC());
  }

  private static ClientCredentialsGrant clientCredentials() {
    return new ClientCredentialsGrant(issuer, Duration.ofMinutes(5));
  }

  @Test
  void requireWhenGrantKnownThenItsHandler() {
    ClientCredentialsGrant handler = clientCredentials();
    GrantHandlers grants = new GrantHandlers(List.of(handler));
    assertThat(grants.require(GrantTypes.CLIENT_CREDENTIALS)).isSameAs(handler);
  }

  @ParameterizedTest
  @ValueSource(strings = {"urn:ietf:params:oauth:grant-type:device_code", "authorization_code", "refresh_token",
      "CLIENT_CREDENTIALS", "client_credentials ", "x"})
  void requireWhenGrantUnknownThenUnsupportedGrantType(String grantType) {
    GrantHandlers grants = new GrantHandlers(List.of(clientCredentials()));
    assertThatThrownBy(() -> grants.require(grantType))
        .isInstanceOf(OAuthException.class)
        .satisfies(e -> assertThat(((OAuthException) e).code()).isEqualTo(OAuthErrorCode.UNSUPPORTED_GRANT_TYPE))
        .satisfies(e -> assertThat(((OAuthException) e).status()).isEqualTo(400));
  }

  @ParameterizedTest
  @ValueSource(strings = {"password", "implicit"})
  void requireWhenGrantRefusedByDesignThenUnsupportedGrantType(String grantType) {
    GrantHandlers grants = new GrantHandlers(List.of(clientCredentials()));
    assertThatThrownBy(() -> grants.require(grantType))
        .isInstanceOf(OAuthException.class)
        .satisfies(e -> assertThat(((OAuthException) e).code()).isEqualTo(OAuthErrorCode.UNSUPPORTED_GRANT_TYPE))
        .satisfies(e -> assertThat(((OAuthException) e).description()).contains(grantType).contains("by design"));
  }

  @Test
  void requireWhenNoHandlersThenUnsupportedGrantType() {
    GrantHandlers grants = new GrantHandlers(List.of());
    assertThatThrownBy(() -> grants.require(GrantTypes.CLIENT_CREDENTIALS))
        .isInstanceOf(OAuthException.class)
        .satisfies(e -> assertThat(((OAuthException) e).code()).isEqualTo(OAuthErrorCode.UNSUPPORTED_GRANT_TYPE));
  }

  @Test
  void supportedListsTheGrantTypesServed() {
    assertThat(new GrantHandlers(List.of(clientCredentials())).supported()).containsExactly(GrantTypes.CLIENT_CREDENTIALS);
    assertThat(new GrantHandlers(List.of()).supported()).isEmpty();
  }

  @Test
  void supportedIsUnmodifiable() {
    GrantHandlers grants = new GrantHandlers(List.of(clientCredentials()));
    assertThatThrownBy(() -> grants.supported().add("password")).isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void constructorWhenTwoHandlersForOneGrantTypeThenRefused() {
    assertThatThrownBy(() -> new GrantHandlers(List.of(clientCredentials(), clientCredentials())))
        .isInstanceOf(IllegalStateException.class);
  }
}
