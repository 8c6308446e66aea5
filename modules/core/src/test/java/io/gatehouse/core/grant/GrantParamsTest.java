package io.gatehouse.core.grant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gatehouse.core.error.OAuthErrorCode;
import io.gatehouse.core.error.OAuthException;
import io.gatehouse.core.model.Params;
import io.gatehouse.core.model.Scopes;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Each grant's typed parameters, read once from the request's (RFC 6749 §4.1.3, §4.4.2, §6; RFC 7636 §4.5). */
class GrantParamsTest {
  private static final String VERIFIER = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";

  private static OAuthErrorCode refusal(Runnable parse) {
    try {
      parse.run();
    } catch (OAuthException e) {
      return e.code();
    }
    throw new AssertionError("not refused");
  }

  @Test
  void authorizationCodeWhenAllPresentThenTyped() {
    AuthorizationCodeParams p = AuthorizationCodeParams.of(new Params(Map.of("grant_type", "authorization_code", "code", "c-1",
        "redirect_uri", "https://app.example/cb", "code_verifier", VERIFIER)));
    assertThat(p).isEqualTo(new AuthorizationCodeParams("c-1", "https://app.example/cb", VERIFIER));
  }

  @Test
  void authorizationCodeWhenOptionalOnesAbsentThenNull() {
    assertThat(AuthorizationCodeParams.of(new Params(Map.of("code", "c-1")))).isEqualTo(new AuthorizationCodeParams("c-1", null, null));
  }

  @Test
  void authorizationCodeWhenCodeMissingThenInvalidRequest() {
    assertThatThrownBy(() -> AuthorizationCodeParams.of(new Params(Map.of("code_verifier", VERIFIER))))
        .isInstanceOf(OAuthException.class).hasMessageContaining("code is required");
    assertThat(refusal(() -> AuthorizationCodeParams.of(new Params(Map.of())))).isEqualTo(OAuthErrorCode.INVALID_REQUEST);
  }

  @Test
  void authorizationCodeWhenVerifierMalformedThenInvalidRequest() {
    assertThat(refusal(() -> AuthorizationCodeParams.of(new Params(Map.of("code", "c", "code_verifier", "short")))))
        .isEqualTo(OAuthErrorCode.INVALID_REQUEST);
    assertThat(refusal(() -> AuthorizationCodeParams.of(new Params(Map.of("code", "c", "code_verifier", VERIFIER.replace('-', '+'))))))
        .isEqualTo(OAuthErrorCode.INVALID_REQUEST);
  }

  @Test
  void refreshTokenWhenScopeAbsentThenNullElseParsed() {
    assertThat(RefreshTokenParams.of(new Params(Map.of("refresh_token", "r")))).isEqualTo(new RefreshTokenParams("r", null));
    assertThat(RefreshTokenParams.of(new Params(Map.of("refresh_token", "r", "scope", "b a"))).scope()).isEqualTo(Scopes.parse("a b"));
  }

  @Test
  void refreshTokenWhenTokenMissingThenInvalidRequestBeforeTheScopeIsRead() {
    assertThat(refusal(() -> RefreshTokenParams.of(new Params(Map.of("scope", "a  b"))))).isEqualTo(OAuthErrorCode.INVALID_REQUEST);
  }

  @Test
  void refreshTokenWhenScopeMalformedThenInvalidScope() {
    assertThat(refusal(() -> RefreshTokenParams.of(new Params(Map.of("refresh_token", "r", "scope", "a  b")))))
        .isEqualTo(OAuthErrorCode.INVALID_SCOPE);
  }

  @Test
  void clientCredentialsWhenScopeAbsentThenNullElseParsed() {
    assertThat(ClientCredentialsParams.of(new Params(Map.of())).scope()).isNull();
    assertThat(ClientCredentialsParams.of(new Params(Map.of("scope", "read"))).scope()).isEqualTo(Scopes.parse("read"));
    assertThat(refusal(() -> ClientCredentialsParams.of(new Params(Map.of("scope", "read\u0000"))))).isEqualTo(OAuthErrorCode.INVALID_SCOPE);
  }

  @Test
  void toStringNeverShowsTheCodeTheVerifierOrTheRefreshToken() {
    assertThat(new AuthorizationCodeParams("secret-code", null, VERIFIER).toString()).doesNotContain("secret-code").doesNotContain(VERIFIER);
    assertThat(new RefreshTokenParams("secret-refresh", null).toString()).doesNotContain("secret-refresh");
  }
}
