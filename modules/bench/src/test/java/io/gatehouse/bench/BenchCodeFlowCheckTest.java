package io.gatehouse.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/** The W4 and W5 answer checks on their own: a wrong answer is an error of a telling kind, never a success. */
class BenchCodeFlowCheckTest {
  static final String CB = "https://rp.example/cb?";
  static final String AT = Base64.getUrlEncoder().withoutPadding().encodeToString("{\"alg\":\"ES256\",\"typ\":\"at+jwt\"}"
      .getBytes(StandardCharsets.UTF_8)) + ".e30.c2ln";

  static String tokens(String refresh, String idToken) {
    return "{\"access_token\":\"" + AT + "\",\"token_type\":\"Bearer\",\"expires_in\":600"
        + (refresh == null ? "" : ",\"refresh_token\":\"" + refresh + "\"")
        + (idToken == null ? "" : ",\"id_token\":\"" + idToken + "\"") + "}";
  }

  @Test
  void authorizeRedirectMustComeBackToTheClientWithOurStateAndACode() {
    assertThat(CodeFlow.checkAuthorizeRedirect(302, CB + "code=abc&state=s1&iss=http%3A%2F%2Fh", CB, "s1"))
        .isEqualTo(new CodeFlow.Checked(null, "abc"));
    assertThat(CodeFlow.checkAuthorizeRedirect(302, CB + "code=abc&state=s2", CB, "s1").error()).isEqualTo("authorize_state_mismatch");
    assertThat(CodeFlow.checkAuthorizeRedirect(302, CB + "state=s1", CB, "s1").error()).isEqualTo("authorize_no_code");
    assertThat(CodeFlow.checkAuthorizeRedirect(302, CB + "error=login_required&state=s1", CB, "s1").error())
        .isEqualTo("authorize_error_login_required");
    assertThat(CodeFlow.checkAuthorizeRedirect(302, "/login?rid=r", CB, "s1").error()).isEqualTo("authorize_to_login");
    assertThat(CodeFlow.checkAuthorizeRedirect(302, "http://127.0.0.1:8080/consent?rid=r", CB, "s1").error()).isEqualTo("authorize_to_consent");
    assertThat(CodeFlow.checkAuthorizeRedirect(302, "https://rp.example/cb2?code=abc&state=s1", CB, "s1").error())
        .isEqualTo("authorize_wrong_redirect");
    assertThat(CodeFlow.checkAuthorizeRedirect(200, null, CB, "s1").error()).isEqualTo("authorize_status_200");
    assertThat(CodeFlow.checkAuthorizeRedirect(302, null, CB, "s1").error()).isEqualTo("authorize_no_location");
  }

  @Test
  void redemptionMustCarryWhatTheClientIsOwed() {
    String id = "eyJhbGciOiJSUzI1NiJ9.e30.c2ln";
    assertThat(CodeFlow.checkCodeTokens(200, tokens("r1", id), true, true)).isNull();
    assertThat(CodeFlow.checkCodeTokens(200, tokens(null, null), false, false)).isNull();
    assertThat(CodeFlow.checkCodeTokens(200, tokens(null, id), true, true)).isEqualTo("token_no_refresh_token");
    assertThat(CodeFlow.checkCodeTokens(200, tokens("r1", null), false, false)).isEqualTo("token_unexpected_refresh_token");
    assertThat(CodeFlow.checkCodeTokens(200, tokens("r1", null), true, true)).isEqualTo("token_no_id_token");
    assertThat(CodeFlow.checkCodeTokens(200, "{\"access_token\":\"opaque\",\"token_type\":\"Bearer\"}", false, false))
        .isEqualTo("token_invalid_body");
    assertThat(CodeFlow.checkCodeTokens(400, "{\"error\":\"invalid_grant\",\"error_description\":\"x\"}", true, true))
        .isEqualTo("token_400_invalid_grant");
    assertThat(CodeFlow.checkCodeTokens(500, "oops", true, true)).isEqualTo("token_500");
  }

  @Test
  void refreshMustRotateAndReuseOfARotatedTokenIsAnError() {
    assertThat(CodeFlow.checkRefresh(200, tokens("r2", null), "r1")).isEqualTo(new CodeFlow.Checked(null, "r2"));
    // the server refusing a token already rotated away (reuse detection): rotation broke for this user
    assertThat(CodeFlow.checkRefresh(400, "{\"error\":\"invalid_grant\",\"error_description\":\"refresh token is not valid\"}", "r1").error())
        .isEqualTo("refresh_400_invalid_grant");
    // the same token back: no rotation at all
    assertThat(CodeFlow.checkRefresh(200, tokens("r1", null), "r1").error()).isEqualTo("refresh_token_not_rotated");
    assertThat(CodeFlow.checkRefresh(200, tokens(null, null), "r1").error()).isEqualTo("refresh_no_refresh_token");
    assertThat(CodeFlow.checkRefresh(200, "{\"token_type\":\"Bearer\",\"refresh_token\":\"r2\"}", "r1").error())
        .isEqualTo("refresh_invalid_body");
    assertThat(CodeFlow.checkRefresh(401, "{\"error\":\"invalid_client\"}", "r1").error()).isEqualTo("refresh_401_invalid_client");
  }

  @Test
  void pkceAndPageHelpersFollowTheRfcsAndTheRenderedPages() {
    // RFC 7636 Appendix B
    assertThat(CodeFlow.s256("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")).isEqualTo("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
    assertThat(CodeFlow.randomToken(32)).hasSize(43).matches("[A-Za-z0-9_-]+").isNotEqualTo(CodeFlow.randomToken(32));
    String page = "<p class=\"error\" role=\"alert\" id=\"login-error\">The username or password is not correct.</p>"
        + "<input type=\"hidden\" name=\"rid\" value=\"a&#x3D;b&amp;c\">";
    assertThat(CodeFlow.alert(page)).isEqualTo("The username or password is not correct.");
    assertThat(CodeFlow.hidden(page, "rid")).isEqualTo("a=b&c");
    assertThat(CodeFlow.hidden(page, "csrf")).isNull();
    assertThat(CodeFlow.jsonString("{\"a\": \"x\", \"refresh_token\" : \"r\\/1\"}", "refresh_token")).isEqualTo("r/1");
    assertThat(CodeFlow.jsonString("{\"a\":\"refresh_token\"}", "refresh_token")).isNull();
    assertThat(CodeFlow.query("code=a%2Bb&state=x+y#frag")).containsEntry("code", "a+b").containsEntry("state", "x y");
  }
}
