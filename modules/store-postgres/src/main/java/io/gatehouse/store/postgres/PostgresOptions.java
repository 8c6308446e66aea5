package io.gatehouse.store.postgres;

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
 */
public record PostgresOptions(
    String host, int port, String database, String user, String password, String schema, int poolSize) {

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
        + "]";
  }
}
