package io.gatehouse.core.service;

import io.gatehouse.core.error.OAuthException;
import io.gatehouse.core.grant.UserTokenMinter;
import io.gatehouse.core.model.Client;
import io.gatehouse.core.model.Identifiers;
import io.gatehouse.core.revocation.Revocation;
import io.gatehouse.core.revocation.Revoker;
import io.gatehouse.core.store.RefreshTokenStore;
import io.gatehouse.core.token.AccessTokenVerifier;
import io.gatehouse.core.token.TokenHashes;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.util.Optional;

/**
 * Revocation: RFC 7009 for an authenticated client, and the admin revocations by subject, client or
 * grant. {@code token_type_hint} is not needed: both kinds are looked for, so a wrong hint still
 * works (RFC 7009 §2.1).
 *
 * <ul>
 *   <li>A refresh token (current or already rotated) revokes its whole grant: the family in the
 *       refresh-token store every node shares, and the grant's access tokens through the revocation
 *       list ({@code gid}).
 *   <li>A valid access token revokes its {@code jti} until its {@code exp}.
 *   <li>Another client's token is refused with {@code unauthorized_client} and not revoked.
 *   <li>An unknown, expired or malformed token: success, nothing to do (§2.2).
 *   <li>When the revocation cannot be durably recorded, {@code temporarily_unavailable} (503), never
 *       success.
 * </ul>
 */
public final class RevocationService {
  private final RefreshTokenStore refreshTokens;
  private final AccessTokenVerifier verifier;
  private final UserTokenMinter minter;
  private final Revoker revoker;
  private final Clock clock;

  /** Every revocation is kept as long as {@code minter} says any access token can live ({@link UserTokenMinter#revokedUntil}). */
  public RevocationService(RefreshTokenStore refreshTokens, AccessTokenVerifier verifier, UserTokenMinter minter, Revoker revoker,
      Clock clock) {
    this.refreshTokens = refreshTokens;
    this.verifier = verifier;
    this.minter = minter;
    this.revoker = revoker;
    this.clock = clock;
  }

  /** RFC 7009 §2.1: revokes {@code token} for the client that asks. */
  public Future<Void> revoke(Client caller, String token) {
    long now = clock.instant().getEpochSecond();
    // a JWT is checked first, with no store round trip (refresh tokens are random base64url: no dots)
    Optional<JsonObject> claims = token.indexOf('.') > 0 ? verifier.verify(token) : Optional.empty();
    if (claims.isPresent()) {
      return Future.<Void>succeededFuture().compose(v -> {
        if (!caller.clientId().equals(claims.get().getString("client_id"))) {
          throw OAuthException.unauthorizedClient("the token was not issued to this client");
        }
        String jti = claims.get().getString("jti");
        return revoker.revoke(new Revocation(Revocation.Kind.TOKEN, jti, now, claims.get().getLong("exp") + UserTokenMinter.REVOCATION_MARGIN_SECONDS));
      }).recover(RevocationService::unavailableUnlessOAuth);
    }
    return refreshTokens.find(TokenHashes.hash(token), now).compose(member -> {
      if (member.isEmpty()) {
        return Future.<Void>succeededFuture(); // RFC 7009 §2.2: an invalid token is no error
      }
      // RFC 7009 §2.1: the token must have been issued to the client asking
      if (!member.get().family().clientId().equals(caller.clientId())) {
        throw OAuthException.unauthorizedClient("the token was not issued to this client");
      }
      return minter.revokeGrant(caller, member.get().family().grantId());
    }).recover(RevocationService::unavailableUnlessOAuth);
  }

  /**
   * Admin revocation of every token of {@code subject} issued until now, on every client: its refresh
   * families and its access tokens.
   */
  public Future<Revocation> revokeSubject(String subject) {
    long now = clock.instant().getEpochSecond();
    Revocation r = new Revocation(Revocation.Kind.SUBJECT, subject, now, until(now));
    return refreshTokens.revokeBySubject(subject).compose(n -> revoker.revoke(r)).map(r).recover(RevocationService::unavailableUnlessOAuth);
  }

  /** Admin kill switch: every token issued to {@code clientId} until now (refresh families and access tokens). */
  public Future<Revocation> revokeClient(String clientId) {
    long now = clock.instant().getEpochSecond();
    // the client's tokens may have been issued under a longer lifetime than its current one: the
    // longest lifetime any token can have, never today's setting
    Revocation r = new Revocation(Revocation.Kind.CLIENT, clientId, now, until(now));
    return refreshTokens.revokeByClient(clientId).compose(n -> revoker.revoke(r)).map(r).recover(RevocationService::unavailableUnlessOAuth);
  }

  /** Admin revocation of one grant: its refresh family and its access tokens. */
  public Future<Revocation> revokeGrant(String grantId) {
    long now = clock.instant().getEpochSecond();
    Revocation r = new Revocation(Revocation.Kind.GRANT, grantId, now, until(now));
    return refreshTokens.revokeFamily(grantId, minter.keepRevokedUntil()).compose(v -> revoker.revoke(r)).map(r)
        .recover(RevocationService::unavailableUnlessOAuth);
  }

  /**
   * Revokes the access tokens of grants whose refresh families were just revoked (logout, consent
   * withdrawn), until the last of them has expired.
   */
  public Future<Void> revokeGrantTokens(Client client, java.util.List<String> grantIds) {
    return revokeGrantTokens(client.clientId(), grantIds);
  }

  /**
   * {@link #revokeGrantTokens(Client, java.util.List)} for a client known by id: kept for the longest
   * lifetime any access token can have (the client's may have been longer when they were issued).
   */
  public Future<Void> revokeGrantTokens(String clientId, java.util.List<String> grantIds) {
    long now = clock.instant().getEpochSecond();
    long until = until(now);
    return Future.all(grantIds.stream().map(id -> revoker.revoke(new Revocation(Revocation.Kind.GRANT, id, now, until))).toList())
        .<Void>mapEmpty().recover(RevocationService::unavailableUnlessOAuth);
  }

  private long until(long now) {
    return minter.revokedUntil(now);
  }

  /**
   * An admin revocation request {@code {"kind": "subject|client|grant|token", "value": "..."}}: the
   * revocation recorded, or {@code invalid_request} naming what is wrong.
   */
  public Future<Revocation> adminRevoke(JsonObject request) {
    Object kind = request.getValue("kind");
    Object value = request.getValue("value");
    if (!(kind instanceof String k) || !ADMIN_KINDS.contains(k)) {
      return Future.failedFuture(OAuthException.invalidRequest("kind must be one of subject, client, grant, token"));
    }
    if (!(value instanceof String v) || v.isBlank() || v.length() > Revocation.MAX_VALUE_LENGTH) {
      return Future.failedFuture(OAuthException.invalidRequest("value must be a non-blank string of at most " + Revocation.MAX_VALUE_LENGTH + " characters"));
    }
    if (!Identifiers.isValid(v)) {
      return Future.failedFuture(OAuthException.invalidRequest("value must not hold control characters"));
    }
    for (String name : request.fieldNames()) {
      if (!name.equals("kind") && !name.equals("value")) {
        // echo the name only as printable ASCII, at most 64 characters: the body is attacker-controlled
        String shown = name.chars().allMatch(c -> c >= 0x20 && c < 0x7f) && name.length() <= 64 ? name : "(not shown)";
        return Future.failedFuture(OAuthException.invalidRequest("unknown member " + shown));
      }
    }
    return switch (Revocation.Kind.fromWire(k)) {
      case SUBJECT -> revokeSubject(v);
      case CLIENT -> revokeClient(v);
      case GRANT -> revokeGrant(v);
      case TOKEN -> revokeJti(v);
    };
  }

  private static final java.util.Set<String> ADMIN_KINDS = java.util.Set.of("subject", "client", "grant", "token");

  /** Admin revocation of one access token by its {@code jti} (its expiry unknown here: the longest lifetime). */
  public Future<Revocation> revokeJti(String jti) {
    long now = clock.instant().getEpochSecond();
    Revocation r = new Revocation(Revocation.Kind.TOKEN, jti, now, until(now));
    return revoker.revoke(r).map(r).recover(RevocationService::unavailableUnlessOAuth);
  }

  private static <T> Future<T> unavailableUnlessOAuth(Throwable e) {
    return Future.failedFuture(e instanceof OAuthException ? e
        : OAuthException.temporarilyUnavailable("the revocation could not be recorded; try again"));
  }
}
