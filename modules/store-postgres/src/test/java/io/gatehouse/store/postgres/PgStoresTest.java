package io.gatehouse.store.postgres;

import static io.gatehouse.testing.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.core.model.RefreshFamily;
import io.gatehouse.core.model.Scopes;
import io.gatehouse.core.model.User;
import io.gatehouse.testing.FreePort;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link PgStores} and what the PostgreSQL stores have beyond the contracts: the V2 migration, one
 * shared pool, indexes that serve the hot and the housekeeping queries, and database failures that
 * fail the future rather than answer empty.
 */
class PgStoresTest {
  private static final long T0 = 1_700_000_000L;

  private static Vertx vertx;

  @BeforeAll
  static void setUp() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void tearDown() {
    await(vertx.close());
  }

  @Test
  void createMigratesEveryTableIntoTheConfiguredSchemaOnce() throws SQLException {
    String schema = TestPostgres.randomSchema();
    try {
      PgStores stores = await(PgStores.create(vertx, TestPostgres.options(schema)));
      await(stores.close());
      await(PgStores.create(vertx, TestPostgres.options(schema)).compose(PgStores::close));

      for (String table : List.of("clients", "users", "consents", "refresh_families", "refresh_tokens")) {
        assertThat(
                TestPostgres.queryLong(
                    "SELECT count(*) FROM information_schema.tables WHERE table_schema = ? AND table_name = ?",
                    schema, table))
            .as("table %s", table)
            .isEqualTo(1);
      }
      assertThat(
              TestPostgres.queryLong(
                  "SELECT count(*) FROM " + schema + ".flyway_schema_history WHERE version IN ('1', '2') AND success"))
          .isEqualTo(2);
    } finally {
      TestPostgres.dropSchema(schema);
    }
  }

  /** The reference clock reads the database's clock as it serves each call, not the transaction's start time. */
  @Test
  void referenceClockWhenReadTwiceThenTheDatabasesClockMovesOnAndAgreesWithThisMachines() throws SQLException {
    String schema = TestPostgres.randomSchema();
    try {
      PgStores stores = await(PgStores.create(vertx, TestPostgres.options(schema)));
      try {
        long before = System.currentTimeMillis();
        java.time.Instant first = await(stores.referenceClock().now());
        java.time.Instant second = await(stores.referenceClock().now());
        long after = System.currentTimeMillis();
        // the database runs on this machine, on the same clock
        assertThat(first.toEpochMilli()).isBetween(before - 1, after + 1);
        assertThat(second).isAfter(first);
      } finally {
        await(stores.close());
      }
      // a closed pool: the call fails, it does not answer a time
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> await(stores.referenceClock().now())).isNotNull();
    } finally {
      TestPostgres.dropSchema(schema);
    }
  }

  @Test
  void everyStoreWorksOnTheSharedPoolAndClosingOneLeavesItOpen() throws SQLException {
    String schema = TestPostgres.randomSchema();
    try {
      PgStores stores = await(PgStores.create(vertx, TestPostgres.options(schema)));
      await(stores.ping());
      await(stores.users().close());
      await(stores.consents().close());
      await(stores.refreshTokens().close());
      await(stores.clients().close());

      User user = new User("sub-1", "Una", "h", new JsonObject());
      await(stores.users().upsert(user));
      assertThat(await(stores.users().findByUsername("una"))).contains(user);
      await(stores.consents().grant("sub-1", "client-a", Scopes.of(List.of("openid")), T0));
      assertThat(await(stores.consents().list("sub-1"))).hasSize(1);
      assertThat(await(stores.refreshTokens().create(family("g-1"), "hash-1"))).isTrue();
      assertThat(await(stores.clients().find("nobody"))).isEmpty();

      await(stores.close());
      assertThat(failure(() -> stores.users().findBySubject("sub-1"))).isNotNull();
      assertThat(failure(() -> stores.consents().list("sub-1"))).isNotNull();
      assertThat(failure(() -> stores.refreshTokens().find("hash-1", T0))).isNotNull();
      assertThat(failure(() -> stores.clients().find("nobody"))).isNotNull();
      assertThat(failure(stores::ping)).isNotNull();
    } finally {
      TestPostgres.dropSchema(schema);
    }
  }

  @Test
  void whenTheSchemaIsDroppedThenEveryCallFailsWithTheDatabaseError() throws SQLException {
    String schema = TestPostgres.randomSchema();
    PgStores stores = await(PgStores.create(vertx, TestPostgres.options(schema)));
    try {
      await(stores.users().upsert(new User("sub-1", "una", "h", new JsonObject())));
      await(stores.refreshTokens().create(family("g-1"), "hash-1"));
      TestPostgres.dropSchema(schema);

      Map<String, Supplier<Future<?>>> calls = new LinkedHashMap<>();
      calls.put("users.findBySubject", () -> stores.users().findBySubject("sub-1"));
      calls.put("users.findByUsername", () -> stores.users().findByUsername("una"));
      calls.put("users.upsert", () -> stores.users().upsert(new User("sub-2", "vic", "h", new JsonObject())));
      calls.put("users.delete", () -> stores.users().delete("sub-1"));
      calls.put("consents.find", () -> stores.consents().find("sub-1", "client-a"));
      calls.put("consents.grant", () -> stores.consents().grant("sub-1", "client-a", Scopes.EMPTY, T0));
      calls.put("consents.withdraw", () -> stores.consents().withdraw("sub-1", "client-a"));
      calls.put("consents.list", () -> stores.consents().list("sub-1"));
      calls.put("refresh.create", () -> stores.refreshTokens().create(family("g-2"), "hash-2"));
      calls.put("refresh.find", () -> stores.refreshTokens().find("hash-1", T0));
      calls.put("refresh.rotate", () -> stores.refreshTokens().rotate("hash-1", "hash-3", T0 + 600, T0));
      calls.put("refresh.revokeFamily", () -> stores.refreshTokens().revokeFamily("g-1", T0 + 600));
      calls.put("refresh.revokeBySession", () -> stores.refreshTokens().revokeBySession("session-1"));
      calls.put("refresh.purgeExpired", () -> stores.refreshTokens().purgeExpired(T0));
      calls.put("clients.find", () -> stores.clients().find("client-a"));
      for (Map.Entry<String, Supplier<Future<?>>> call : calls.entrySet()) {
        Throwable failure = failure(call.getValue());
        assertThat(failure).as(call.getKey()).isInstanceOf(PgException.class);
        assertThat(((PgException) failure).getSqlState()).as(call.getKey() + ": undefined_table").isEqualTo("42P01");
      }
    } finally {
      await(stores.close());
      TestPostgres.dropSchema(schema);
    }
  }

  @Test
  void createWhenServerUnreachableThenFails() throws Exception {
    int unusedPort = FreePort.loopback();
    PostgresOptions unreachable =
        new PostgresOptions(
            "127.0.0.1", unusedPort, TestPostgres.DATABASE, TestPostgres.USER, null, TestPostgres.randomSchema(), 1);

    assertThat(failure(() -> PgStores.create(vertx, unreachable))).isNotNull();
    assertThat(failure(() -> PgUserStore.create(vertx, unreachable))).isNotNull();
    assertThat(failure(() -> PgConsentStore.create(vertx, unreachable))).isNotNull();
    assertThat(failure(() -> PgRefreshTokenStore.create(vertx, unreachable))).isNotNull();
  }

  @Test
  void indexesServeEveryLookupRevokeBySessionAndPurgeExpired() throws SQLException {
    String schema = TestPostgres.randomSchema();
    try {
      await(PgStores.create(vertx, TestPostgres.options(schema)).compose(PgStores::close));
      Map<String, String> expected = new LinkedHashMap<>();
      expected.put(plan(schema, "text", PgRefreshTokenStore.REVOKE_BY_SESSION), "refresh_families_session_idx");
      expected.put(plan(schema, "bigint", PgRefreshTokenStore.PURGE_EXPIRED), "refresh_families_purge_at_idx");
      expected.put(plan(schema, "text, bigint", PgRefreshTokenStore.FIND), "refresh_tokens_pkey");
      expected.put(plan(schema, "text, text, bigint, bigint", PgRefreshTokenStore.ROTATE), "refresh_families_pkey");
      expected.put(plan(schema, "text", PgUserStore.FIND_BY_USERNAME), "users_username_key_unique");
      expected.put(plan(schema, "text", PgConsentStore.LIST), "consents_pkey");
      for (Map.Entry<String, String> e : expected.entrySet()) {
        assertThat(e.getKey()).as("generic plan").contains(e.getValue()).doesNotContain("Sort");
      }
    } finally {
      TestPostgres.dropSchema(schema);
    }
  }

  @Test
  void cascadeDeletesOfPurgeExpiredUseTheTokensGrantIndex() throws SQLException {
    String schema = TestPostgres.randomSchema();
    try {
      await(PgStores.create(vertx, TestPostgres.options(schema)).compose(PgStores::close));
      assertThat(
              TestPostgres.queryLong(
                  "SELECT count(*) FROM pg_indexes WHERE schemaname = ? AND tablename = 'refresh_tokens'"
                      + " AND indexdef LIKE '%(grant_id)%'",
                  schema))
          .isEqualTo(1);
    } finally {
      TestPostgres.dropSchema(schema);
    }
  }

  /** The generic plan (as a prepared statement gets) with sequential and bitmap scans discouraged. */
  private static String plan(String schema, String types, String sql) throws SQLException {
    try (Connection c = TestPostgres.jdbc();
        Statement s = c.createStatement()) {
      s.execute("SET search_path = " + schema);
      s.execute("SET enable_seqscan = off");
      s.execute("SET enable_bitmapscan = off");
      s.execute("SET plan_cache_mode = force_generic_plan");
      s.execute("PREPARE probe (" + types + ") AS " + sql);
      StringBuilder args = new StringBuilder();
      for (String type : types.split(",\\s*")) {
        args.append(args.length() == 0 ? "" : ", ").append(type.equals("text") ? "'x'" : "1");
      }
      List<String> lines = new ArrayList<>();
      try (ResultSet rs = s.executeQuery("EXPLAIN EXECUTE probe (" + args + ")")) {
        while (rs.next()) {
          lines.add(rs.getString(1));
        }
      }
      return String.join("\n", lines);
    }
  }

  private static RefreshFamily family(String grantId) {
    return new RefreshFamily(
        grantId, "client-a", "sub-1", Scopes.of(List.of("openid")), "session-1", T0, T0 + 600, T0 + 86_400);
  }

  private static Throwable failure(Supplier<? extends Future<?>> call) {
    try {
      call.get().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      return e.getCause();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
    throw new AssertionError("the call should have failed");
  }
}
