package io.gatehouse.core.grant;

import io.gatehouse.core.error.OAuthException;
import io.gatehouse.core.model.Client;
import io.gatehouse.core.model.GrantTypes;
import io.gatehouse.core.model.RefreshFamily;
import io.gatehouse.core.model.Scopes;
import io.gatehouse.core.model.TokenResponse;
import io.gatehouse.core.revocation.Revocation;
import io.gatehouse.core.revocation.Revoker;
import io.gatehouse.core.store.RefreshTokenStore;
import io.gatehouse.core.token.AccessTokenIssuer;
import io.gatehouse.core.token.AccessTokenIssuer.AccessToken;
import io.gatehouse.core.token.IdTokenIssuer;
import io.gatehouse.core.token.TokenHashes;
import io.vertx.core.Future;
import java.time.Clock;
import java.time.Duration;

/**
 * Issues the tokens of a user's grant: a JWT access token, a refresh token (for clients allowed the
 * refresh_token grant: 256 random bits, stored by hash as a member of the grant's family) and, when
 * {@code openid} was granted, an ID token.
 *
 * <p>A refresh token does not need {@code offline_access}: OIDC Core §11 lets a server issue refresh
 * tokens in other contexts, and a client allowed the refresh_token grant gets one with every code. What
 * {@code offline_access} changes is the token's tie to the login session: granted, the family outlives the
 * session's logout; not granted, a logout that ends the session (for clients registered with
 * {@code logout_revokes_refresh_tokens}) revokes it.
 */
public final class UserTokenMinter {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(UserTokenMinter.class);
  /**
   * Lifetimes of the tokens of a user's grant. {@code maxAccessToken} is the longest lifetime any
   * access token can have (a client's override is capped at it): every revocation is kept that long.
   */
  public record Lifetimes(Duration accessToken, Duration refreshIdle, Duration refreshAbsolute, Duration maxAccessToken) {
    public Lifetimes {
      if (maxAccessToken.compareTo(accessToken) < 0) {
        throw new IllegalArgumentException("the longest access token lifetime is shorter than the default");
      }
    }

    /** The longest access token lifetime is {@link #LONGEST_ACCESS_TOKEN} (or the default when longer). */
    public Lifetimes(Duration accessToken, Duration refreshIdle, Duration refreshAbsolute) {
      this(accessToken, refreshIdle, refreshAbsolute, accessToken.compareTo(LONGEST_ACCESS_TOKEN) > 0 ? accessToken : LONGEST_ACCESS_TOKEN);
    }
  }

  private final AccessTokenIssuer accessTokens;
  private final IdTokenIssuer idTokens;
  private final RefreshTokenStore refreshTokens;
  private final Clock clock;
  private final Lifetimes lifetimes;
  private final Revoker revoker;

  /** OIDC Core §11: the scope that asks for a refresh token that outlives the login session. */
  public static final String OFFLINE_ACCESS = "offline_access";

  /** The upper bound of every configurable access token lifetime. */
  public static final Duration LONGEST_ACCESS_TOKEN = Duration.ofHours(24);

  /** Extra time a grant's revocation is kept beyond its tokens' lifetime (clock skew between nodes, tokens in flight). */
  public static final long REVOCATION_MARGIN_SECONDS = 60;

  public UserTokenMinter(AccessTokenIssuer accessTokens, IdTokenIssuer idTokens, RefreshTokenStore refreshTokens, Clock clock,
      Lifetimes lifetimes, Revoker revoker) {
    this.revoker = revoker;
    this.accessTokens = accessTokens;
    this.idTokens = idTokens;
    this.refreshTokens = refreshTokens;
    this.clock = clock;
    this.lifetimes = lifetimes;
  }

  public RefreshTokenStore refreshTokens() {
    return refreshTokens;
  }

  /** How long a revoked grant's tombstone must be kept: as long as any of its tokens could live. */
  public long keepRevokedUntil() {
    return clock.instant().getEpochSecond() + Math.max(lifetimes.refreshAbsolute.toSeconds(), lifetimes.accessToken.toSeconds());
  }

  /**
   * Revokes the grant {@code grantId} of {@code client}: its refresh family in the store every node
   * shares, and its access tokens through the revocation list (until the last of them has expired).
   */
  public Future<Void> revokeGrant(Client client, String grantId) {
    long now = now();
    return refreshTokens.revokeFamily(grantId, keepRevokedUntil())
        .compose(v -> revoker.revoke(new Revocation(Revocation.Kind.GRANT, grantId, now, revokedUntil(now))));
  }

  /**
   * Until when a revocation made at {@code now} must be kept: the longest lifetime any token it names
   * can have, never the client's current setting (which may have been lowered since the token was
   * issued), plus the margin.
   */
  public long revokedUntil(long now) {
    return now + lifetimes.maxAccessToken.toSeconds() + REVOCATION_MARGIN_SECONDS;
  }

  /** The lifetime of {@code client}'s access tokens: its override or the default, never beyond the longest. */
  public Duration accessTokenTtl(Client client) {
    return cap(client.accessTokenTtlOverride().orElse(lifetimes.accessToken), lifetimes.maxAccessToken);
  }

  /** {@code ttl}, at most {@code max} (a stored client may predate a lowered maximum). */
  public static Duration cap(Duration ttl, Duration max) {
    return ttl.compareTo(max) > 0 ? max : ttl;
  }

  /** Tokens for a freshly redeemed code: a new grant family. */
  public Future<TokenResponse> mintNew(Client client, String grantId, String subject, Scopes scopes, String sessionId, long authTime,
      String nonce) {
    AccessToken at = access(client, subject, scopes, grantId);
    String idToken = scopes.values().contains("openid") ? idTokens.issue(client.idTokenSignedResponseAlg(), subject, client.clientId(), authTime, nonce, at.jwt()) : null;
    if (!client.allowsGrant(GrantTypes.REFRESH_TOKEN)) {
      return Future.succeededFuture(new TokenResponse(at.jwt(), "Bearer", at.expiresAt() - at.issuedAt(), scopes, null, idToken));
    }
    long now = clock.instant().getEpochSecond();
    long absolute = now + lifetimes.refreshAbsolute.toSeconds();
    // OIDC Core §11: offline_access asks for access "even when the End-User is not present (not logged in)":
    // such a refresh family is bound to no login session, so the logout of that session does not end it
    // (for clients with logout_revokes_refresh_tokens); without it the family ends with its session
    String boundSession = scopes.values().contains(OFFLINE_ACCESS) ? null : sessionId;
    RefreshFamily family = new RefreshFamily(grantId, client.clientId(), subject, scopes, boundSession, authTime,
        Math.min(absolute, now + lifetimes.refreshIdle.toSeconds()), absolute);
    String refresh = TokenHashes.random(32);
    return refreshTokens.create(family, TokenHashes.hash(refresh)).map(created -> {
      if (!created) {
        // The grant id was already known to the store: a concurrent replay of this code revoked the
        // grant (a tombstone) before its refresh token was stored, or the code was redeemed twice and
        // the other redemption created the family. The store does not say which, so the log says
        // both. Either way no second refresh token goes out for the grant (RFC 6749 §4.1.2).
        LOG.warn("grant {} already existed when its refresh token was stored (revoked by a replay of its code, or the code was redeemed"
            + " twice); answering without a refresh token", grantId);
        return new TokenResponse(at.jwt(), "Bearer", at.expiresAt() - at.issuedAt(), scopes, null, idToken);
      }
      return new TokenResponse(at.jwt(), "Bearer", at.expiresAt() - at.issuedAt(), scopes, refresh, idToken);
    });
  }

  /** Tokens for a refresh: access (and ID) token with {@code scopes}, and the rotated refresh token. */
  TokenResponse mintRefreshed(Client client, RefreshFamily family, Scopes scopes, String newRefreshToken) {
    AccessToken at = access(client, family.subject(), scopes, family.grantId());
    // OIDC Core §12.2: an ID token may be returned on refresh; it carries no nonce
    String idToken = scopes.values().contains("openid")
        ? idTokens.issue(client.idTokenSignedResponseAlg(), family.subject(), client.clientId(), family.authTime(), null, at.jwt()) : null;
    return new TokenResponse(at.jwt(), "Bearer", at.expiresAt() - at.issuedAt(), scopes, newRefreshToken, idToken);
  }

  long newIdleExpiry() {
    return clock.instant().getEpochSecond() + lifetimes.refreshIdle.toSeconds();
  }

  long now() {
    return clock.instant().getEpochSecond();
  }

  private AccessToken access(Client client, String subject, Scopes scopes, String grantId) {
    return accessTokens.issue(subject, client.clientId(), scopes, accessTokenTtl(client), grantId);
  }
}
