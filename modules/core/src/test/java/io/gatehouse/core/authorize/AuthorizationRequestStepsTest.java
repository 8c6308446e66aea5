package io.gatehouse.core.authorize;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gatehouse.core.error.OAuthErrorCode;
import io.gatehouse.core.error.OAuthException;
import io.gatehouse.core.model.AuthMethod;
import io.gatehouse.core.model.AuthorizationRequest;
import io.gatehouse.core.model.Client;
import io.gatehouse.core.model.GrantTypes;
import io.gatehouse.core.model.Scopes;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The authorization request's rules as named steps: their order is part of the contract (the first
 * broken rule names the error), and each step can be tried alone. The end-to-end behaviour is in
 * {@link AuthorizationServiceValidateTest}.
 */
class AuthorizationRequestStepsTest {
  private static final String CB = "https://app.example/cb";
  private static final Client CONFIDENTIAL = new Client("web", "hash", Set.of(GrantTypes.AUTHORIZATION_CODE),
      Scopes.parse("openid read"), Scopes.parse("read"), Set.of(AuthMethod.CLIENT_SECRET_BASIC), List.of(CB), null);
  private static final String CHALLENGE = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

  private static AuthorizationRequestSteps.Draft draft(Map<String, String> params) {
    return new AuthorizationRequestSteps.Draft(CONFIDENTIAL, params, CB, true);
  }

  @Test
  void stepsRunInTheOrderTheirSpecificationsAreChecked() {
    assertThat(AuthorizationRequestSteps.steps(true).stream().map(AuthorizationRequestSteps.Step::name).toList())
        .containsExactly("no_request_object", "response_type", "response_mode", "client_allows_code_grant", "scope",
            "openid_redirect_uri", "pkce", "prompt", "max_age");
  }

  @Test
  void runWhenEveryRuleHoldsThenTheRequestCarriesWhatEachStepDecided() {
    AuthorizationRequest request = AuthorizationRequestSteps.run(AuthorizationRequestSteps.steps(true), draft(Map.of(
        "response_type", "code", "state", "s", "nonce", "n", "code_challenge", CHALLENGE, "code_challenge_method", "S256",
        "prompt", "login consent", "max_age", "300")));

    assertThat(request).isEqualTo(new AuthorizationRequest("web", CB, true, Scopes.parse("read"), "s", "n", CHALLENGE,
        Set.of("login", "consent"), 300));
  }

  @Test
  void runWhenTwoRulesAreBrokenThenTheEarlierStepNamesTheError() {
    // both a request object and an implicit response type: no_request_object runs first
    assertThatThrownBy(() -> AuthorizationRequestSteps.run(AuthorizationRequestSteps.steps(true),
        draft(Map.of("request", "x", "response_type", "token"))))
        .isInstanceOfSatisfying(OAuthException.class, e -> assertThat(e.code()).isEqualTo(OAuthErrorCode.REQUEST_NOT_SUPPORTED));
  }

  @Test
  void pkceWhenConfidentialClientOmitsItAndPkceIsNotRequiredForAllThenAccepted() {
    AuthorizationRequestSteps.Draft d = draft(Map.of("response_type", "code"));

    AuthorizationRequestSteps.pkce(d, false);

    assertThat(d.codeChallenge).isNull();
    assertThatThrownBy(() -> AuthorizationRequestSteps.pkce(draft(Map.of()), true))
        .isInstanceOfSatisfying(OAuthException.class, e -> assertThat(e.description()).isEqualTo("code_challenge (PKCE, S256) is required"));
  }

  @Test
  void maxAgeWhenNotADecimalNumberThenInvalidRequest() {
    for (String bad : new String[] {"", "-1", "1e3", "12345678901", " 5"}) {
      assertThatThrownBy(() -> AuthorizationRequestSteps.maxAge(draft(Map.of("max_age", bad))))
          .as("max_age %s", bad)
          .isInstanceOfSatisfying(OAuthException.class, e -> assertThat(e.code()).isEqualTo(OAuthErrorCode.INVALID_REQUEST));
    }
  }
}
