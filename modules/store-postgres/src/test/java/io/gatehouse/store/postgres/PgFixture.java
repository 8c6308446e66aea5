package io.gatehouse.store.postgres;

import static io.gatehouse.testing.Await.await;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * What the PostgreSQL adapters' contract tests stand on: one fresh random schema on the test PostgreSQL
 * (see {@link TestPostgres}), {@link #stores} on it, a second Vert.x instance {@link #otherVertx} for
 * stores of a second node (each with a pool of its own), and {@link #closed} stores whose pool is closed,
 * for the failure tests. {@link #close} closes everything and drops the schema.
 */
final class PgFixture {
  final Vertx vertx = Vertx.vertx();
  final Vertx otherVertx = Vertx.vertx();
  final String schema = TestPostgres.randomSchema();
  final PgStores stores;
  final PgStores closed;
  private final List<Supplier<Future<Void>>> closers = new ArrayList<>();

  private PgFixture() {
    stores = closing(await(PgStores.create(vertx, options())), PgStores::close);
    closed = await(PgStores.create(vertx, options()));
    await(closed.close());
  }

  static PgFixture start() {
    return new PgFixture();
  }

  PostgresOptions options() {
    return TestPostgres.options(schema);
  }

  /** Stores of the second node, made by {@code create} on {@link #otherVertx}; closed by {@link #close}. */
  <T> T otherNode(Function<Vertx, Future<T>> create, Function<T, Future<Void>> close) {
    return closing(await(create.apply(otherVertx)), close);
  }

  private <T> T closing(T resource, Function<T, Future<Void>> close) {
    closers.add(() -> close.apply(resource));
    return resource;
  }

  /** Empties {@code tables} of the schema (between tests). */
  void truncate(String... tables) throws SQLException {
    TestPostgres.truncate(schema, tables);
  }

  void close() throws SQLException {
    try {
      for (Supplier<Future<Void>> c : closers) {
        await(c.get());
      }
    } finally {
      try {
        TestPostgres.dropSchema(schema);
      } finally {
        await(otherVertx.close());
        await(vertx.close());
      }
    }
  }
}
