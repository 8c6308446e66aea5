package io.gatehouse.store.postgres;

import io.gatehouse.core.time.ReferenceClock;
import io.vertx.core.Future;
import java.time.Instant;
import java.time.OffsetDateTime;

/**
 * PostgreSQL's clock: {@code clock_timestamp()} (the time when the statement reads it, not the
 * transaction's start), on the shared pool and within {@code postgres.query_timeout}.
 */
final class PgReferenceClock implements ReferenceClock {
  private static final String NOW = "SELECT clock_timestamp()";

  private final BoundedPool pool;

  PgReferenceClock(BoundedPool pool) {
    this.pool = pool;
  }

  @Override
  public Future<Instant> now() {
    return pool.execute(NOW).map(rows -> rows.iterator().next().getOffsetDateTime(0)).map(OffsetDateTime::toInstant);
  }
}
