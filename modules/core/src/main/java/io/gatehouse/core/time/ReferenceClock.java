package io.gatehouse.core.time;

import io.vertx.core.Future;
import java.time.Instant;

/**
 * The clock of the store every node shares (PostgreSQL's), which a node compares its own with.
 *
 * <p>Contract: {@link #now} answers the store's current time as it reads it when it serves the call
 * (not a transaction's start time), or fails within the store's call bound when the store does not
 * answer. It never blocks the caller.
 */
public interface ReferenceClock {
  /** The store's current time. */
  Future<Instant> now();
}
