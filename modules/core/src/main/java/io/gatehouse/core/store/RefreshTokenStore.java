package io.gatehouse.core.store;

import io.gatehouse.core.model.RefreshFamily;
import io.vertx.core.Future;
import java.util.Optional;

/**
 * Refresh tokens, as members of grant families, keyed by the SHA-256 of the token (the token itself is
 * never stored). Times are epoch seconds.
 *
 * <h2>Contract</h2>
 * <ul>
 *   <li>{@link #create} makes a family whose current token is {@code tokenHash}. It answers false and
 *       creates nothing when the grant id is already known, including one {@link #revokeFamily revoked}
 *       before it was created (a replayed authorization code can revoke a grant whose tokens are still
 *       being issued).
 *   <li>{@link #find} answers the family a token belongs to and whether the token is its current
 *       member; empty when the token is unknown, its family revoked, or the family expired at
 *       {@code now} (past {@code absoluteExpiresAt}, or past {@code idleExpiresAt} for the current
 *       token).
 *   <li>{@link #rotate} atomically makes {@code newHash} the current member and moves the idle expiry,
 *       if and only if {@code oldHash} is still current in a live family; it answers true for exactly
 *       one of any number of concurrent callers with the same {@code oldHash} (on every node: the
 *       backing service decides, not a lock in one JVM). Earlier members stay known as rotated.
 *   <li>{@link #rotateIfCurrent} is {@link #rotate} in one round trip for the refresh grant's common
 *       case: it rotates under the same conditions and, in addition, only when the family was issued
 *       to {@code clientId} and its scopes contain every one of {@code required}; it answers the family
 *       as it is after the rotation, or empty having changed nothing (the caller then looks the token
 *       up to tell why). The same exactly-one-winner guarantee holds, with {@link #rotate} too.
 *   <li>{@link #revokeFamily} makes every member of the family unusable, and is remembered (as a
 *       tombstone) at least until {@code keepUntil} even when the family did not exist yet.
 *   <li>{@link #revokeBySession} revokes every family created from that login session, answering the
 *       grant ids it revoked now (so their access tokens can be revoked too).
 *   <li>{@link #revokeBySubjectAndClient} revokes every family of that subject issued to that client
 *       (subject and client id compared exactly), answering the grant ids it revoked now.
 *   <li>{@link #revokeBySubject} revokes every family of that subject (any client), and
 *       {@link #revokeByClient} every family issued to that client (any subject), each answering how
 *       many it revoked now (the admin revocations by subject and the client kill switch).
 *   <li>{@link #purgeExpired} deletes families (and tombstones) whose every member has expired at
 *       {@code now}, so storage stays bounded; it answers how many families it deleted.
 *   <li>A failure of the backing service fails the future. Methods never block the event loop.
 * </ul>
 */
public interface RefreshTokenStore {
  Future<Boolean> create(RefreshFamily family, String tokenHash);

  Future<Optional<Member>> find(String tokenHash, long now);

  Future<Boolean> rotate(String oldHash, String newHash, long newIdleExpiresAt, long now);

  Future<Optional<RefreshFamily>> rotateIfCurrent(String oldHash, String newHash, long newIdleExpiresAt, long now, String clientId,
      io.gatehouse.core.model.Scopes required);

  Future<Void> revokeFamily(String grantId, long keepUntil);

  Future<java.util.List<String>> revokeBySession(String sessionId);

  Future<java.util.List<String>> revokeBySubjectAndClient(String subject, String clientId);

  Future<Integer> revokeBySubject(String subject);

  Future<Integer> revokeByClient(String clientId);

  Future<Integer> purgeExpired(long now);

  /** The family a token belongs to, and whether that token is the family's current member. */
  record Member(RefreshFamily family, boolean current) {}
}
