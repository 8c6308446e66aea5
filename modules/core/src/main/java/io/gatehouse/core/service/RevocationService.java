package io.gatehouse.core.service;

import io.gatehouse.core.error.OAuthErrorCode;
import io.gatehouse.core.error.OAuthException;
import io.gatehouse.core.model.Client;
import io.gatehouse.core.store.RefreshTokenStore;
import io.gatehouse.core.token.AccessTokenVerifier;
import io.gatehouse.core.token.TokenHashes;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.util.Optional;

/**
 * RFC 7009 token revocation for an authenticated client. {@code token_type_hint} is not needed: both
 * kinds are looked for, so a wrong hint still works (§2.1).
 *
 * <ul>
 *   <li>A refresh token (current or already rotated) revokes its whole grant family, durably in the
 *       refresh-token store, which every node shares.
 *   <li>A valid access token of this issuer: refused with {@code unsupported_token_type} (§2.2.1) until
 *       the revocation list and deny-sets exist; it expires at its {@code exp}.
 *   <li>Another client's token is refused with {@code unauthorized_client} and not revoked.
 *   <li>An unknown, expired or malformed token: success, nothing to do (§2.2).
 *   <li>When the revocation cannot be recorded, {@code temporarily_unavailable} (503), never success.
 * </ul>
 */
public final class RevocationService {
  private final RefreshTokenStore refreshTokens;
  private final AccessTokenVerifier verifier;
  private final Clock clock;
  private final long keepRevokedSeconds;

  /** @param keepRevokedSeconds how long a revoked family is remembered (the refresh tokens' absolute lifetime) */
  public RevocationService(RefreshTokenStore refreshTokens, AccessTokenVerifier verifier, Clock clock, long keepRevokedSeconds) {
    this.refreshTokens = refreshTokens;
    this.verifier = verifier;
    this.clock = clock;
    this.keepRevokedSeconds = keepRevokedSeconds;
  }

  public Future<Void> revoke(Client caller, String token) {
    long now = clock.instant().getEpochSecond();
    return refreshTokens.find(TokenHashes.hash(token), now).compose(member -> {
      if (member.isPresent()) {
        // RFC 7009 §2.1: the token must have been issued to the client asking
        if (!member.get().family().clientId().equals(caller.clientId())) {
          throw OAuthException.unauthorizedClient("the token was not issued to this client");
        }
        return refreshTokens.revokeFamily(member.get().family().grantId(), now + keepRevokedSeconds);
      }
      Optional<JsonObject> claims = token.indexOf('.') > 0 ? verifier.verify(token) : Optional.empty();
      if (claims.isPresent()) {
        if (!caller.clientId().equals(claims.get().getString("client_id"))) {
          throw OAuthException.unauthorizedClient("the token was not issued to this client");
        }
        throw OAuthException.of(OAuthErrorCode.UNSUPPORTED_TOKEN_TYPE,
            "access tokens cannot be revoked yet; this one expires at " + claims.get().getLong("exp"));
      }
      return Future.<Void>succeededFuture();
    }).recover(e -> Future.failedFuture(e instanceof OAuthException ? e
        : OAuthException.temporarilyUnavailable("the revocation could not be recorded; try again")));
  }
}
