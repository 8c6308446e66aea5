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

  /** The RFC 6749 §5.1 JSON body: the one mapping, for the HTTP edge and the event bus alike. */
  public io.vertx.core.json.JsonObject toJson() {
    io.vertx.core.json.JsonObject body = new io.vertx.core.json.JsonObject()
        .put("access_token", accessToken)
        .put("token_type", tokenType)
        .put("expires_in", expiresIn);
    if (!scope.isEmpty()) {
      body.put("scope", scope.wire());
    }
    if (refreshToken != null) {
      body.put("refresh_token", refreshToken);
    }
    if (idToken != null) {
      body.put("id_token", idToken);
    }
    return body;
  }

  @Override
  public String toString() {
    return "TokenResponse[" + tokenType + ", expires_in=" + expiresIn + ", scope=" + scope + "]";
  }
}
