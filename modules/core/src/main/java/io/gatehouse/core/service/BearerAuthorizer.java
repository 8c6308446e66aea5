package io.gatehouse.core.service;

import io.gatehouse.core.error.OAuthException;
import io.gatehouse.core.model.Scopes;
import io.gatehouse.core.revocation.DenySet;
import io.gatehouse.core.token.AccessTokenVerifier;
import io.vertx.core.json.JsonObject;

/**
 * Authorizes a request to one of Gatehouse's own protected resources (the admin API) by a Gatehouse
 * access token (RFC 6750): valid (signature, {@code typ}, {@code iss}, {@code aud}, {@code exp}), not revoked
 * (this node's deny-set), and carrying the required scope.
 */
public final class BearerAuthorizer {
  private final AccessTokenVerifier verifier;
  private final DenySet denySet;
  private final String audience;

  /** @param audience the {@code aud} a token must name to be accepted here (the admin API's own) */
  public BearerAuthorizer(AccessTokenVerifier verifier, DenySet denySet, String audience) {
    this.verifier = verifier;
    this.denySet = denySet;
    this.audience = audience;
  }

  /**
   * The token's claims; {@code invalid_token} when it is invalid, expired or revoked,
   * {@code insufficient_scope} when it lacks {@code scope} (RFC 6750 §3.1).
   */
  public JsonObject require(String token, String scope) {
    JsonObject claims = verifier.verify(token).orElseThrow(() -> OAuthException.invalidToken("the access token is invalid or expired"));
    // RFC 9068 §4: a token for another audience (an ordinary API token) is invalid here
    if (!AccessTokenVerifier.hasAudience(claims, audience)) {
      throw OAuthException.invalidToken("the access token is not for this resource");
    }
    if (denySet.denies(claims)) {
      throw OAuthException.invalidToken("the access token has been revoked");
    }
    Object granted = claims.getValue("scope");
    if (!(granted instanceof String s) || !Scopes.parse(s).values().contains(scope)) {
      throw OAuthException.insufficientScope("the access token lacks the scope " + scope);
    }
    return claims;
  }
}
