package io.gatehouse.core.grant;

import io.gatehouse.core.error.OAuthException;
import io.gatehouse.core.model.Params;
import io.gatehouse.core.model.Scopes;

/**
 * The parameters of the refresh token grant (RFC 6749 §6).
 *
 * @param refreshToken the token (required)
 * @param scope the scopes asked for, or null when {@code scope} is absent (then: those originally granted)
 */
public record RefreshTokenParams(String refreshToken, Scopes scope) {
  public static RefreshTokenParams of(Params params) {
    String token = params.get("refresh_token").orElseThrow(() -> OAuthException.invalidRequest("refresh_token is required"));
    return new RefreshTokenParams(token, params.get("scope").map(Scopes::parse).orElse(null));
  }

  @Override
  public String toString() {
    // never the token
    return "RefreshTokenParams[scope=" + scope + "]";
  }
}
