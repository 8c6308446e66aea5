package io.gatehouse.core.revocation;

import io.vertx.core.Future;
import java.util.List;

/**
 * A store of {@link Revocation}s: the durable list (memory for the embedded default, Postgres) and,
 * through {@link RevocationCache}, the Redis cache. Times are epoch seconds.
 *
 * <h2>Contract</h2>
 * <ul>
 *   <li>{@link #add} records the entry; when its future succeeds the entry is kept (durably, for a
 *       durable store) until its {@code expiresAt}. An entry with the {@link Revocation#key() key} of
 *       one already kept is {@link Revocation#merge merged} with it: one entry per key, the later
 *       {@code revokedAt} and the later {@code expiresAt}, whatever order concurrent adds (on any
 *       node) arrive in.
 *   <li>{@link #active} answers every kept entry with {@code expiresAt > now}, one per key, in no
 *       particular order; never an entry with {@code expiresAt <= now}.
 *   <li>{@link #purgeExpired} deletes entries with {@code expiresAt <= now} so storage stays bounded,
 *       answering how many it deleted (a store that expires entries by itself may answer 0).
 *   <li>A failure of the backing service fails the future, and a failed {@link #add} must be taken as
 *       not recorded. Methods never block the event loop.
 * </ul>
 */
public interface RevocationList {
  Future<Void> add(Revocation revocation);

  Future<List<Revocation>> active(long now);

  Future<Integer> purgeExpired(long now);
}
