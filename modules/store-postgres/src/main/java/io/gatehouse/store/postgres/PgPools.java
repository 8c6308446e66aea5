package io.gatehouse.store.postgres;

import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;

/** Opens the connection pools the stores share, and reads PostgreSQL's errors. */
final class PgPools {
  /** SQLSTATE of {@code unique_violation}. */
  static final String UNIQUE_VIOLATION = "23505";

  private PgPools() {}

  /**
   * A pool of {@link PostgresOptions#poolSize()} connections whose {@code search_path} is the
   * configured schema. Opening it connects nothing yet: connections are made on first use.
   */
  static Pool open(Vertx vertx, PostgresOptions options) {
    PgConnectOptions connect =
        new PgConnectOptions()
            .setHost(options.host())
            .setPort(options.port())
            .setDatabase(options.database())
            .setUser(options.user());
    if (options.password() != null) {
      connect.setPassword(options.password());
    }
    // added to (not replacing) the client's default startup properties such as client_encoding
    connect.addProperty("search_path", options.schema());
    return PgBuilder.pool()
        .with(new PoolOptions().setMaxSize(options.poolSize()))
        .connectingTo(connect)
        .using(vertx)
        .build();
  }

  /** Whether {@code failure} is a unique violation of the named constraint (or index). */
  static boolean isUniqueViolation(Throwable failure, String constraint) {
    return failure instanceof PgException pg
        && UNIQUE_VIOLATION.equals(pg.getSqlState())
        && constraint.equals(pg.getConstraint());
  }
}
