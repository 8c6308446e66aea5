package io.gatehouse.core.revocation;

import io.vertx.core.Future;
import java.util.List;

/**
 * The durable {@link RevocationList} (memory for the embedded default, Postgres): the record of truth a
 * revocation is written to first, with a change feed so that a node catches up with what other nodes
 * recorded without reading the whole list (issue 12, chaos finding K1: a node that dies between its
 * durable write and its publish).
 *
 * <h2>Contract</h2>
 * Everything {@link RevocationList} promises, and:
 * <ul>
 *   <li>A cursor taken by {@link #changeCursor}
 *       before a read of {@link #active} (or of {@link #changesSince}) names a point such that every
 *       {@link #add} whose future had succeeded before the cursor was taken is answered by that read,
 *       and every {@link #add} that completes later is answered by {@code changesSince(cursor, ...)}.
 *       A change may be answered more than once (re-applying a revocation is harmless); none is ever
 *       skipped. Cursors only grow. {@code changesSince} answers at most {@code limit} entries, in no
 *       particular order, none expired at {@code now}; with more, it answers {@link Changes#truncated()}
 *       and the caller reads {@link #active} instead.
 * </ul>
 */
public interface DurableRevocationList extends RevocationList {
  /** What changed since a cursor: the entries (at most the limit asked for), or {@code truncated} when there were more. */
  record Changes(List<Revocation> revocations, boolean truncated) {
    public Changes {
      revocations = List.copyOf(revocations);
    }
  }

  /** The current position of the change feed (see the class comment), to pass to {@link #changesSince} later. */
  Future<Long> changeCursor();

  /** The entries added or merged at or after {@code cursor}, not expired at {@code now} (see the class comment). */
  Future<Changes> changesSince(long cursor, int limit, long now);
}
