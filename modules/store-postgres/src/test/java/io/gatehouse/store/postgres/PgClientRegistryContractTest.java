package io.gatehouse.store.postgres;

import static io.gatehouse.testing.Await.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gatehouse.core.model.Client;
import io.gatehouse.core.store.ClientRegistry;
import io.gatehouse.store.contract.ClientRegistryContract;
import io.gatehouse.testing.FreePort;
import io.vertx.core.Vertx;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Runs the {@link ClientRegistryContract} on {@link PgClientRegistry} against a real PostgreSQL (see
 * {@link TestPostgres}), plus what only this adapter has: migrations, closing, database failures.
 * The whole class uses one fresh random schema, dropped afterwards.
 */
class PgClientRegistryContractTest extends ClientRegistryContract {
  private static Vertx vertx;
  private static String schema;
  private static PgClientRegistry registry;

  @BeforeAll
  static void setUp() {
    vertx = Vertx.vertx();
    schema = TestPostgres.randomSchema();
    registry = await(PgClientRegistry.create(vertx, TestPostgres.options(schema)));
  }

  @AfterAll
  static void tearDown() throws SQLException {
    try {
      if (registry != null) {
        await(registry.close());
      }
    } finally {
      try {
        TestPostgres.dropSchema(schema);
      } finally {
        await(vertx.close());
      }
    }
  }

  @Override
  protected ClientRegistry registry() {
    return registry;
  }

  @Test
  void createPutsTheTableInTheConfiguredSchema() throws SQLException {
    assertThat(countTables(schema, "clients")).isEqualTo(1);
  }

  @Test
  void migratingAgainIsHarmless() throws SQLException {
    Client client = confidentialClient(uniqueId("before-remigration"));
    await(registry.upsert(client));

    await(PostgresMigrations.migrate(vertx, TestPostgres.options(schema)));
    await(PostgresMigrations.migrate(vertx, TestPostgres.options(schema)));

    assertSameClient(await(registry.find(client.clientId())), client);
    assertThat(successfulMigrations(schema, "1")).isEqualTo(1);
  }

  @Test
  void migratingAFreshSchemaTwiceIsHarmless() throws SQLException {
    String fresh = TestPostgres.randomSchema();
    try {
      await(PostgresMigrations.migrate(vertx, TestPostgres.options(fresh)));
      await(PostgresMigrations.migrate(vertx, TestPostgres.options(fresh)));

      assertThat(countTables(fresh, "clients")).isEqualTo(1);
      assertThat(successfulMigrations(fresh, "1")).isEqualTo(1);
    } finally {
      TestPostgres.dropSchema(fresh);
    }
  }

  @Test
  void pingWhenUpThenSucceeds() {
    await(registry.ping());
  }

  @Test
  void callsAfterCloseFailInsteadOfAnsweringNotFound() {
    PgClientRegistry closed = await(PgClientRegistry.create(vertx, TestPostgres.options(schema)));
    await(closed.close());

    assertThatThrownBy(() -> await(closed.find(uniqueId("any")))).isInstanceOf(Exception.class);
    assertThatThrownBy(() -> await(closed.delete(uniqueId("any")))).isInstanceOf(Exception.class);
    assertThatThrownBy(() -> await(closed.ping())).isInstanceOf(Exception.class);
  }

  @Test
  void createWhenServerUnreachableThenFails() throws Exception {
    int unusedPort = FreePort.loopback();
    PostgresOptions unreachable =
        new PostgresOptions("127.0.0.1", unusedPort, TestPostgres.DATABASE, TestPostgres.USER, null, schema, 1);

    assertThatThrownBy(() -> await(PgClientRegistry.create(vertx, unreachable))).isInstanceOf(Exception.class);
  }

  @Test
  void upsertWithFractionalSecondTtlFailsAndStoresNothing() {
    Client client = withTtl(confidentialClient(uniqueId("fraction")), Duration.ofMillis(1500));

    assertThatThrownBy(() -> await(registry.upsert(client)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("whole seconds");
    assertThat(await(registry.find(client.clientId()))).isEmpty();
  }

  @Test
  void replaceKeepsCreatedAtAndAdvancesUpdatedAt() throws Exception {
    Client client = confidentialClient(uniqueId("timestamps"));
    await(registry.upsert(client));
    // an hour back, rather than waiting for the database's clock to move on between the two writes
    backdateTimestamps(client.clientId(), Duration.ofHours(1));
    Timestamp[] first = timestamps(client.clientId());

    await(registry.upsert(withTtl(client, Duration.ofSeconds(42))));
    Timestamp[] second = timestamps(client.clientId());

    assertThat(second[0]).as("created_at").isEqualTo(first[0]);
    assertThat(second[1]).as("updated_at").isAfter(first[1]);
  }

  private static int countTables(String inSchema, String table) throws SQLException {
    try (Connection c = TestPostgres.jdbc();
        PreparedStatement s =
            c.prepareStatement(
                "SELECT count(*) FROM information_schema.tables WHERE table_schema = ? AND table_name = ?")) {
      s.setString(1, inSchema);
      s.setString(2, table);
      try (ResultSet rs = s.executeQuery()) {
        rs.next();
        return rs.getInt(1);
      }
    }
  }

  private static int successfulMigrations(String inSchema, String version) throws SQLException {
    try (Connection c = TestPostgres.jdbc();
        PreparedStatement s =
            c.prepareStatement(
                "SELECT count(*) FROM " + inSchema + ".flyway_schema_history WHERE version = ? AND success")) {
      s.setString(1, version);
      try (ResultSet rs = s.executeQuery()) {
        rs.next();
        return rs.getInt(1);
      }
    }
  }

  private static void backdateTimestamps(String clientId, Duration by) throws SQLException {
    try (Connection c = TestPostgres.jdbc();
        PreparedStatement s =
            c.prepareStatement("UPDATE " + schema + ".clients SET created_at = created_at - ?::interval,"
                + " updated_at = updated_at - ?::interval WHERE client_id = ?")) {
      s.setString(1, by.toSeconds() + " seconds");
      s.setString(2, by.toSeconds() + " seconds");
      s.setString(3, clientId);
      assertThat(s.executeUpdate()).as("rows backdated").isEqualTo(1);
    }
  }

  private static Timestamp[] timestamps(String clientId) throws SQLException {
    try (Connection c = TestPostgres.jdbc();
        PreparedStatement s =
            c.prepareStatement("SELECT created_at, updated_at FROM " + schema + ".clients WHERE client_id = ?")) {
      s.setString(1, clientId);
      try (ResultSet rs = s.executeQuery()) {
        assertThat(rs.next()).as("row for %s", clientId).isTrue();
        return new Timestamp[] {rs.getTimestamp(1), rs.getTimestamp(2)};
      }
    }
  }
}
