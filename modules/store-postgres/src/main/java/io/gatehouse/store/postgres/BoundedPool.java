package io.gatehouse.store.postgres;

import io.gatehouse.core.store.StoreCalls;
import io.vertx.core.Future;
import io.vertx.core.VertxException;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.io.IOException;
import java.time.Duration;

/**
 * The stores' one way to PostgreSQL: every statement is a prepared query on the shared pool, bounded
 * by {@link StoreCalls} (the query timeout, the wait for a pooled connection included), so a silent
 * or unreachable server fails the call with {@link io.gatehouse.core.store.StoreUnavailableException}
 * within the timeout instead of hanging the request.
 */
final class BoundedPool {
  private final Pool pool;
  private final StoreCalls calls;

  BoundedPool(Pool pool, Duration queryTimeout) {
    this.pool = pool;
    this.calls = new StoreCalls("postgres", queryTimeout, BoundedPool::unreachable);
  }

  Future<RowSet<Row>> execute(String sql, Tuple params) {
    return calls.bounded(pool.preparedQuery(sql).execute(params));
  }

  Future<RowSet<Row>> execute(String sql) {
    return calls.bounded(pool.preparedQuery(sql).execute());
  }

  Future<Void> close() {
    return pool.close();
  }

  /**
   * Whether {@code failure} means the server cannot be used now: the connection could not be made or
   * was lost (the client's I/O and connection failures), or the server refused for a transient reason
   * (SQLSTATE class 08 connection exception, 53 insufficient resources, 57 operator intervention, which
   * includes {@code statement_timeout}'s query_canceled). A statement the server refused for any other
   * reason is a bug or a constraint, and passes unchanged.
   */
  static boolean unreachable(Throwable failure) {
    if (failure instanceof PgException pg) {
      String state = pg.getSqlState();
      return state != null && (state.startsWith("08") || state.startsWith("53") || state.startsWith("57"));
    }
    return failure instanceof IOException || failure instanceof VertxException;
  }
}
