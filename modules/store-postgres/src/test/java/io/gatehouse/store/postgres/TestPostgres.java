package io.gatehouse.store.postgres;

import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Properties;

/**
 * The PostgreSQL server the tests run against. Defaults to 127.0.0.1:5432, user {@code postgres},
 * database {@code test}, no password; each can be overridden by the environment variables
 * {@code GATEHOUSE_TEST_PG_HOST}, {@code GATEHOUSE_TEST_PG_PORT}, {@code GATEHOUSE_TEST_PG_USER},
 * {@code GATEHOUSE_TEST_PG_DATABASE} and {@code GATEHOUSE_TEST_PG_PASSWORD}.
 */
final class TestPostgres {
  static final String HOST = env("GATEHOUSE_TEST_PG_HOST", "127.0.0.1");
  static final int PORT = Integer.parseInt(env("GATEHOUSE_TEST_PG_PORT", "5432"));
  static final String USER = env("GATEHOUSE_TEST_PG_USER", "postgres");
  static final String DATABASE = env("GATEHOUSE_TEST_PG_DATABASE", "test");
  static final String PASSWORD = env("GATEHOUSE_TEST_PG_PASSWORD", null);

  private static final SecureRandom RANDOM = new SecureRandom();

  private TestPostgres() {}

  /** A schema name no other test run uses. */
  static String randomSchema() {
    byte[] bytes = new byte[8];
    RANDOM.nextBytes(bytes);
    return "gh_test_" + HexFormat.of().formatHex(bytes);
  }

  /**
   * How long a test's store call may take, waiting for a pooled connection included: the default (2 s)
   * is what a node answers 503 after, but twenty concurrent calls on a pool of four on a loaded machine
   * can wait longer than that without anything being wrong. A longer bound only makes a failing test
   * take longer; no test here is about the timeout (those run against a silenced server, StoreFaultsTest).
   */
  static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);

  static PostgresOptions options(String schema) {
    return new PostgresOptions(HOST, PORT, DATABASE, USER, PASSWORD, schema, 4, CALL_TIMEOUT, CALL_TIMEOUT);
  }

  /** A plain JDBC connection for checks and clean-up that the registry itself does not offer. */
  static Connection jdbc() throws SQLException {
    Properties props = new Properties();
    props.setProperty("user", USER);
    if (PASSWORD != null) {
      props.setProperty("password", PASSWORD);
    }
    String host = HOST.contains(":") ? "[" + HOST + "]" : HOST;
    return DriverManager.getConnection("jdbc:postgresql://" + host + ":" + PORT + "/" + DATABASE, props);
  }

  /** Drops {@code schema} and everything in it, if it exists. */
  static void dropSchema(String schema) throws SQLException {
    // schema names come from randomSchema() and are checked by PostgresOptions: a plain identifier
    new PostgresOptions(HOST, PORT, DATABASE, USER, PASSWORD, schema, 1);
    try (Connection c = jdbc();
        Statement s = c.createStatement()) {
      s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
    }
  }

  /** Empties the given tables of {@code schema} (plain identifiers written by the tests themselves). */
  static void truncate(String schema, String... tables) throws SQLException {
    new PostgresOptions(HOST, PORT, DATABASE, USER, PASSWORD, schema, 1);
    StringBuilder sql = new StringBuilder("TRUNCATE ");
    for (int i = 0; i < tables.length; i++) {
      sql.append(i == 0 ? "" : ", ").append(schema).append('.').append(tables[i]);
    }
    try (Connection c = jdbc();
        Statement s = c.createStatement()) {
      s.execute(sql.append(" CASCADE").toString());
    }
  }

  /** Runs a query answering one number (a count) through plain JDBC. */
  static long queryLong(String sql, Object... params) throws SQLException {
    try (Connection c = jdbc();
        PreparedStatement s = c.prepareStatement(sql)) {
      for (int i = 0; i < params.length; i++) {
        s.setObject(i + 1, params[i]);
      }
      try (ResultSet rs = s.executeQuery()) {
        if (!rs.next()) {
          throw new AssertionError("no row from " + sql);
        }
        return rs.getLong(1);
      }
    }
  }

  private static String env(String name, String fallback) {
    String value = System.getenv(name);
    return value == null || value.isBlank() ? fallback : value;
  }
}
