package io.gatehouse.core.model;

import java.util.Objects;

/**
 * What an authorization code stands for (RFC 6749 §4.1.2): everything the token endpoint must check
 * and carry into the tokens. The code itself is never stored; stores key this by the code's hash.
 *
 * @param grantId the id of the grant (refresh token family) the tokens issued from this code belong
 *     to; a replayed code revokes it (RFC 6749 §4.1.2)
 * @param redirectUri the redirect URI the response went to
 * @param redirectUriSent whether {@code redirect_uri} was in the authorization request (then the token
 *     request must repeat it, RFC 6749 §4.1.3)
 * @param codeChallenge the S256 PKCE challenge (RFC 7636 §4.2), or null when none was sent
 * @param nonce the OIDC nonce, or null
 * @param sessionId the login session that approved it, for RP-initiated logout
 * @param authTime when the user authenticated (epoch seconds), for {@code auth_time}
 * @param expiresAt epoch seconds after which the code is dead
 */
public record AuthorizationCode(
    String grantId,
    String clientId,
    String subject,
    String redirectUri,
    boolean redirectUriSent,
    Scopes scopes,
    String codeChallenge,
    String nonce,
    String sessionId,
    long authTime,
    long expiresAt) {

  public AuthorizationCode {
    Objects.requireNonNull(grantId, "grantId");
    Objects.requireNonNull(clientId, "clientId");
    Objects.requireNonNull(subject, "subject");
    Objects.requireNonNull(redirectUri, "redirectUri");
    Objects.requireNonNull(scopes, "scopes");
  }

  @Override
  public String toString() {
    return "AuthorizationCode[grant=" + grantId + ", client=" + clientId + "]";
  }
}
