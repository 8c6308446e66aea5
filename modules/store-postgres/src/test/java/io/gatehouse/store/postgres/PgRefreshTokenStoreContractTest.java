package io.gatehouse.store.postgres;

import static io.gatehouse.testing.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.core.model.RefreshFamily;
import io.gatehouse.core.store.RefreshTokenStore;
import io.gatehouse.store.contract.RefreshTokenStoreContract;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Runs the {@link RefreshTokenStoreContract} on {@link PgRefreshTokenStore} against a real PostgreSQL
 * (see {@link TestPostgres}), as two nodes: the store {@link PgStores} hands out on one Vert.x
 * instance, and a store made by {@link PgRefreshTokenStore#create} (a pool of its own) on a second
 * Vert.x instance, both on one fresh random schema that is emptied before each test and dropped
 * afterwards. Each node's pool has {@code TestPostgres.options}' four connections, so a race of
 * twenty callers runs over up to eight connections at once.
 */
class PgRefreshTokenStoreContractTest extends RefreshTokenStoreContract {
  private static PgFixture pg;
  private static PgRefreshTokenStore otherNode;

  @BeforeAll
  static void setUp() {
    pg = PgFixture.start();
    otherNode = pg.otherNode(v -> PgRefreshTokenStore.create(v, pg.options()), PgRefreshTokenStore::close);
  }

  @AfterAll
  static void tearDown() throws SQLException {
    pg.close();
  }

  @BeforeEach
  void empty() throws SQLException {
    pg.truncate("refresh_tokens", "refresh_families");
  }

  @Override
  protected RefreshTokenStore refreshTokens() {
    return pg.stores.refreshTokens();
  }

  @Override
  protected RefreshTokenStore otherNode() {
    return otherNode;
  }

  @Override
  protected RefreshTokenStore unavailableRefreshTokens() {
    return pg.closed.refreshTokens();
  }

  @Override
  protected Vertx vertx() {
    return pg.vertx;
  }

  @Test
  void rotateRaceRunsOverSeveralConnectionsAtOnce() throws SQLException {
    // open every connection of both pools first, so the race is not served by whichever opened first
    List<Future<?>> warmUp = new ArrayList<>();
    for (int i = 0; i < 16; i++) {
      warmUp.add(node(i).find(newHash(), T0));
    }
    await(Future.all(warmUp));
    RefreshFamily family = family(uniqueId("grant"), "s", T0 + 600, T0 + 86_400);
    String old = newHash();
    await(refreshTokens().create(family, old));
    List<String> next = newHashes(CONCURRENT_CALLERS);

    int winner = soleWinner(concurrently(CONCURRENT_CALLERS, i -> node(i).rotate(old, next.get(i), T0 + 900, T0)));

    // an idle backend shows the last statement it ran: count those that ran a rotation
    long backends =
        TestPostgres.queryLong(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND query = ?",
            PgRefreshTokenStore.ROTATE);
    assertThat(backends).as("connections that ran a rotation").isGreaterThanOrEqualTo(2);
    assertThat(await(otherNode().find(next.get(winner), T0))).isPresent();
  }

  @Test
  void revokeFamilyOfUnknownGrantWritesATombstoneRow() throws SQLException {
    String grantId = uniqueId("grant");

    await(refreshTokens().revokeFamily(grantId, T0 + 3_600));

    assertThat(
            TestPostgres.queryLong(
                "SELECT count(*) FROM " + pg.schema + ".refresh_families WHERE grant_id = ? AND client_id IS NULL"
                    + " AND revoked AND keep_until = ? AND purge_at = ?",
                grantId, T0 + 3_600, T0 + 3_600))
        .isEqualTo(1);
  }

  @Test
  void purgeExpiredAlsoDeletesTheFamiliesTokens() throws SQLException {
    RefreshFamily dead = family(uniqueId("dead"), "s", T0 + 10, T0 + 20);
    RefreshFamily live = family(uniqueId("live"), "s", T0 + 600, T0 + 86_400);
    String deadFirst = newHash();
    await(refreshTokens().create(dead, deadFirst));
    await(refreshTokens().rotate(deadFirst, newHash(), T0 + 15, T0 + 1));
    await(refreshTokens().create(live, newHash()));
    assertThat(TestPostgres.queryLong("SELECT count(*) FROM " + pg.schema + ".refresh_tokens")).isEqualTo(3);

    assertThat(await(refreshTokens().purgeExpired(T0 + 20))).isEqualTo(1);

    assertThat(TestPostgres.queryLong("SELECT count(*) FROM " + pg.schema + ".refresh_tokens")).isEqualTo(1);
    assertThat(
            TestPostgres.queryLong(
                "SELECT count(*) FROM " + pg.schema + ".refresh_tokens WHERE grant_id = ?", live.grantId()))
        .isEqualTo(1);
  }
}
