package io.gatehouse.core.model;

/**
 * A successful token response (RFC 6749 §5.1, OIDC Core §3.1.3.3).
 *
 * @param refreshToken null when none is issued
 * @param scope the granted scopes (may be empty)
 * @param idToken the OIDC ID token, or null when {@code openid} was not granted
 */
public record TokenResponse(String accessToken, String tokenType, long expiresIn, Scopes scope, String refreshToken, String idToken) {
  public TokenResponse(String accessToken, String tokenType, long expiresIn, Scopes scope, String refreshToken) {
    this(accessToken, tokenType, expiresIn, scope, refreshToken, null);
  }

  @Override
  public String toString() {
    return "TokenResponse[" + tokenType + ", expires_in=" + expiresIn + ", scope=" + scope + "]";
  }
}
