package io.gatehouse.core.revocation;

import io.vertx.core.Future;
import java.util.List;
import java.util.Optional;

/**
 * A shared cache of the revocation list (Redis) that a starting node loads its deny-set from. A
 * cache can lose everything (a restart without persistence), so it tells whether what it holds is
 * the whole list: it is complete only after {@link #fill} and until it loses its data.
 *
 * <h2>Contract</h2> (in addition to {@link RevocationList}'s)
 * <ul>
 *   <li>{@link #snapshot} answers the entries {@link #active} would, or empty when the cache is not
 *       known to be complete: it was never filled, or it lost its data since (an {@link #add} alone
 *       never makes it complete).
 *   <li>{@link #fill} adds every entry (merging, as {@link #add}) and then marks the cache complete.
 *   <li>Entries are dropped by the cache itself once {@code expiresAt} has passed.
 * </ul>
 */
public interface RevocationCache extends RevocationList {
  Future<Optional<List<Revocation>>> snapshot(long now);

  Future<Void> fill(List<Revocation> revocations);
}
