package io.gatehouse.store.postgres;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.flywaydb.core.Flyway;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * Brings the schema named in {@link PostgresOptions#schema()} up to date with the Flyway migrations
 * under {@value #LOCATION}, creating the schema when it is missing. Running it again on an
 * up-to-date schema changes nothing.
 */
public final class PostgresMigrations {
  /** Where the SQL migrations live on the classpath. */
  public static final String LOCATION = "classpath:db/migration/postgres";

  private PostgresMigrations() {}

  /**
   * Runs the migrations on a worker thread (Flyway and JDBC block), never on the event loop.
   *
   * @return a future that succeeds once the schema is current, or fails with Flyway's error
   */
  public static Future<Void> migrate(Vertx vertx, PostgresOptions options) {
    return vertx.executeBlocking(
        () -> {
          migrateBlocking(options);
          return null;
        });
  }

  private static void migrateBlocking(PostgresOptions options) {
    PGSimpleDataSource dataSource = new PGSimpleDataSource();
    dataSource.setServerNames(new String[] {options.host()});
    dataSource.setPortNumbers(new int[] {options.port()});
    dataSource.setDatabaseName(options.database());
    dataSource.setUser(options.user());
    if (options.password() != null) {
      dataSource.setPassword(options.password());
    }
    Flyway.configure(PostgresMigrations.class.getClassLoader())
        .dataSource(dataSource)
        .locations(LOCATION)
        .schemas(options.schema())
        .createSchemas(true)
        .defaultSchema(options.schema())
        // the SQL holds no placeholders; keep Flyway from reading "${" in it as one
        .placeholderReplacement(false)
        .load()
        .migrate();
  }
}
