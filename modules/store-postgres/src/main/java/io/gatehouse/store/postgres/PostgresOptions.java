package io.gatehouse.store.postgres;

import java.time.Duration;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Where the PostgreSQL store lives.
 *
 * <p>{@code schema} must be a plain lower-case SQL identifier ({@code [a-z_][a-z0-9_]*}, at most 63
 * characters): it is used unquoted as the connection's {@code search_path} and in DDL, so anything
 * else is refused here rather than quoted later.
 *
 * @param host server host name or address
 * @param port server port, 1 to 65535
 * @param database database name
 * @param user role to connect as
 * @param password the role's password, or null when the server does not ask for one
 * @param schema schema holding Gatehouse's tables; created by the migrations when missing
 * @param poolSize maximum number of connections in the pool, at least 1
 * @param connectTimeout how long opening a connection (TCP) may take, at least 1 ms
 * @param queryTimeout how long one call may take, waiting for a pooled connection included, at least 1 ms;
 *     the server cancels a statement running longer too ({@code statement_timeout})
 */
public record PostgresOptions(
    String host, int port, String database, String user, String password, String schema, int poolSize,
    Duration connectTimeout, Duration queryTimeout) {

  /** The default {@link #connectTimeout} and {@link #queryTimeout}. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(2);

  /** With the default timeouts. */
  public PostgresOptions(String host, int port, String database, String user, String password, String schema, int poolSize) {
    this(host, port, database, user, password, schema, poolSize, DEFAULT_TIMEOUT, DEFAULT_TIMEOUT);
  }

  private static final Pattern SCHEMA = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

  public PostgresOptions {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(database, "database");
    Objects.requireNonNull(user, "user");
    Objects.requireNonNull(schema, "schema");
    if (host.isBlank()) {
      throw new IllegalArgumentException("host must not be blank");
    }
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port must be between 1 and 65535, was " + port);
    }
    if (!SCHEMA.matcher(schema).matches()) {
      throw new IllegalArgumentException(
          "schema must be a lower-case identifier matching [a-z_][a-z0-9_]* (at most 63 characters), was '"
              + schema + "'");
    }
    if (poolSize < 1) {
      throw new IllegalArgumentException("poolSize must be at least 1, was " + poolSize);
    }
    Objects.requireNonNull(connectTimeout, "connectTimeout");
    Objects.requireNonNull(queryTimeout, "queryTimeout");
    if (connectTimeout.toMillis() < 1 || queryTimeout.toMillis() < 1 || connectTimeout.toMillis() > Integer.MAX_VALUE
        || queryTimeout.toMillis() > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("connectTimeout and queryTimeout must be between 1 ms and " + Integer.MAX_VALUE + " ms");
    }
  }

  /** Like the record's own, but never shows the password; only whether one is set. */
  @Override
  public String toString() {
    return "PostgresOptions[host=" + host
        + ", port=" + port
        + ", database=" + database
        + ", user=" + user
        + ", password=" + (password == null ? "<none>" : "<set>")
        + ", schema=" + schema
        + ", poolSize=" + poolSize
        + ", connectTimeout=" + connectTimeout
        + ", queryTimeout=" + queryTimeout
        + "]";
  }
}
