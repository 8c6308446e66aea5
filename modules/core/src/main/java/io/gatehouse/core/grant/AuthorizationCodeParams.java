package io.gatehouse.core.grant;

import io.gatehouse.core.error.OAuthException;
import io.gatehouse.core.model.Params;
import java.util.regex.Pattern;

/**
 * The parameters of the authorization code grant (RFC 6749 §4.1.3, RFC 7636 §4.5).
 *
 * @param code the code (required)
 * @param redirectUri null when absent
 * @param codeVerifier null when absent; else 43 to 128 unreserved characters
 */
public record AuthorizationCodeParams(String code, String redirectUri, String codeVerifier) {
  // RFC 7636 §4.1: code-verifier = 43*128unreserved
  private static final Pattern VERIFIER = Pattern.compile("[A-Za-z0-9._~-]{43,128}");

  public static AuthorizationCodeParams of(Params params) {
    String code = params.get("code").orElseThrow(() -> OAuthException.invalidRequest("code is required"));
    String verifier = params.get("code_verifier").orElse(null);
    if (verifier != null && !VERIFIER.matcher(verifier).matches()) {
      // RFC 7636 §4.1: 43 to 128 characters of [A-Z] / [a-z] / [0-9] / "-" / "." / "_" / "~"
      throw OAuthException.invalidRequest("code_verifier must be 43 to 128 unreserved characters (RFC 7636 section 4.1)");
    }
    return new AuthorizationCodeParams(code, params.get("redirect_uri").orElse(null), verifier);
  }

  @Override
  public String toString() {
    // never the code or the verifier
    return "AuthorizationCodeParams[redirectUri=" + redirectUri + "]";
  }
}
