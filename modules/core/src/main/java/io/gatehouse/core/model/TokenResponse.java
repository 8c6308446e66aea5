package io.gatehouse.core.model;

/**
 * A successful token response (RFC 6749 §5.1).
 *
 * @param refreshToken null when none is issued
 * @param scope the granted scopes (may be empty)
 */
public record TokenResponse(String accessToken, String tokenType, long expiresIn, Scopes scope, String refreshToken) {
  @Override
  public String toString() {
    return "TokenResponse[" + tokenType + ", expires_in=" + expiresIn + ", scope=" + scope + "]";
  }
}
