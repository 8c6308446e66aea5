package io.gatehouse.store.postgres;

import io.gatehouse.core.store.Page;
import io.gatehouse.core.store.PageRequest;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgException;
import io.vertx.core.net.NetClientOptions;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/** Opens the connection pools the stores share, and reads PostgreSQL's errors. */
final class PgPools {
  /** SQLSTATE of {@code unique_violation}. */
  static final String UNIQUE_VIOLATION = "23505";

  /** Calls that may wait for a pooled connection before further ones fail fast. */
  static final int MAX_WAITING = 1024;

  private PgPools() {}

  /**
   * A pool of {@link PostgresOptions#poolSize()} connections whose {@code search_path} is the
   * configured schema, every call bounded by the options' timeouts. Opening it connects nothing yet:
   * connections are made on first use.
   */
  static BoundedPool open(Vertx vertx, PostgresOptions options) {
    PgConnectOptions connect =
        new PgConnectOptions()
            .setHost(options.host())
            .setPort(options.port())
            .setDatabase(options.database())
            .setUser(options.user());
    // the server cancels a statement that outlives the query timeout (SQLSTATE 57014), so a slow query does
    // not keep holding a connection after its caller gave up
    connect.addProperty("statement_timeout", Long.toString(options.queryTimeout().toMillis()));
    if (options.password() != null) {
      connect.setPassword(options.password());
    }
    // added to (not replacing) the client's default startup properties such as client_encoding
    connect.addProperty("search_path", options.schema());
    PoolOptions pool = new PoolOptions()
        .setMaxSize(options.poolSize())
        // bounded: calls beyond this many waiting for a connection fail at once (unauthenticated requests cause calls)
        .setMaxWaitQueueSize(MAX_WAITING)
        // a call waits at most the query timeout for a connection (StoreCalls bounds the whole call as well)
        .setConnectionTimeout((int) options.queryTimeout().toMillis())
        .setConnectionTimeoutUnit(TimeUnit.MILLISECONDS);
    NetClientOptions net = new NetClientOptions()
        // a server that does not accept the TCP connection fails the call after this, not the OS's minutes
        .setConnectTimeout((int) options.connectTimeout().toMillis())
        // a peer that vanished without a FIN (a partition, a frozen host) is found by the kernel eventually
        .setTcpKeepAlive(true);
    return new BoundedPool(PgBuilder.pool().with(pool).with(net).connectingTo(connect).using(vertx).build(), options.queryTimeout());
  }

  /** Whether {@code failure} is a unique violation of the named constraint (or index). */
  static boolean isUniqueViolation(Throwable failure, String constraint) {
    return failure instanceof PgException pg
        && UNIQUE_VIOLATION.equals(pg.getSqlState())
        && constraint.equals(pg.getConstraint());
  }

  /**
   * A page of a listing ({@code ClientRegistry.list}, {@code UserStore.list}) by a text key in code point order:
   * {@code listAll} takes ($1) the key after which the page starts ("" for the first: no key is empty), ($2) the
   * prefix, ($3) the limit + 1 (the extra row tells whether more follow); {@code listPrefix} also ($4) the
   * prefix's {@link PageRequest#upperBound}, so that the page is one range scan of the key's {@code COLLATE "C"}
   * index.
   */
  static <T> Future<Page<T>> page(BoundedPool pool, String listAll, String listPrefix, PageRequest request,
      Function<Row, T> fromRow, Function<T, String> key) {
    Tuple params = Tuple.of(request.after() == null ? "" : request.after(), request.prefix(), request.limit() + 1L);
    Optional<String> upper = request.upperBound();
    upper.ifPresent(params::addString);
    return pool.execute(upper.isPresent() ? listPrefix : listAll, params).map(rows -> {
      List<T> candidates = new ArrayList<>();
      rows.forEach(row -> candidates.add(fromRow.apply(row)));
      return Page.of(candidates, request, key);
    });
  }
}
