package io.gatehouse.store.postgres;

import static io.gatehouse.testing.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.core.revocation.Revocation;
import io.gatehouse.core.revocation.Revocation.Kind;
import io.gatehouse.core.revocation.DurableRevocationList;
import io.gatehouse.store.contract.DurableRevocationListContract;
import io.vertx.core.Vertx;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Runs the {@link DurableRevocationListContract} on {@link PgRevocationList} against a real PostgreSQL (see
 * {@link TestPostgres}), as two nodes: the list {@link PgStores} hands out on one Vert.x instance, and
 * a list made by {@link PgRevocationList#create} (a pool of its own) on a second Vert.x instance, both
 * on one fresh random schema that is emptied before each test and dropped afterwards. The failure
 * test uses stores whose pool has been closed.
 */
class PgRevocationListContractTest extends DurableRevocationListContract {
  private static PgFixture pg;
  private static PgRevocationList otherNode;

  @BeforeAll
  static void setUp() {
    pg = PgFixture.start();
    otherNode = pg.otherNode(v -> PgRevocationList.create(v, pg.options()), PgRevocationList::close);
  }

  @AfterAll
  static void tearDown() throws SQLException {
    pg.close();
  }

  @BeforeEach
  void empty() throws SQLException {
    pg.truncate("revocations");
  }

  @Override
  protected DurableRevocationList revocations() {
    return pg.stores.revocations();
  }

  @Override
  protected DurableRevocationList otherNode() {
    return otherNode;
  }

  @Override
  protected DurableRevocationList unavailableRevocations() {
    return pg.closed.revocations();
  }

  @Override
  protected Vertx vertx() {
    return pg.vertx;
  }

  @Test
  void addKeepsOneRowPerKeyHoldingTheMergedTimes() throws SQLException {
    String client = uniqueId("client");
    await(revocations().add(new Revocation(Kind.CLIENT, client, T0 + 10, T0 + 900)));
    await(otherNode().add(new Revocation(Kind.CLIENT, client, T0 + 20, T0 + 600)));

    assertThat(
            TestPostgres.queryLong(
                "SELECT count(*) FROM " + pg.schema + ".revocations WHERE kind = 'client' AND value = ?"
                    + " AND revoked_at = ? AND expires_at = ?",
                client, T0 + 20, T0 + 900))
        .isEqualTo(1);
    assertThat(TestPostgres.queryLong("SELECT count(*) FROM " + pg.schema + ".revocations")).isEqualTo(1);
  }

  @Test
  void purgeExpiredAnswersHowManyRowsItDeleted() throws SQLException {
    await(revocations().add(new Revocation(Kind.TOKEN, uniqueId("jti"), T0, T0 + 10)));
    await(revocations().add(new Revocation(Kind.GRANT, uniqueId("grant"), T0, T0 + 20)));
    Revocation live = new Revocation(Kind.TOKEN, uniqueId("jti"), T0, T0 + 21);
    await(revocations().add(live));

    assertThat(await(revocations().purgeExpired(T0 + 20))).isEqualTo(2);

    assertThat(TestPostgres.queryLong("SELECT count(*) FROM " + pg.schema + ".revocations")).isEqualTo(1);
    assertThat(await(otherNode().active(T0))).containsExactly(live);
  }

  @Test
  void changesSinceAnswersAnAddThatBeganBeforeTheCursorAndCommittedAfterIt() throws SQLException {
    // the order a sequence would get wrong: transaction A takes its stamp first and commits last
    Revocation slow = new Revocation(Kind.TOKEN, uniqueId("jti"), T0, T0 + 600);
    Revocation fast = new Revocation(Kind.TOKEN, uniqueId("jti"), T0, T0 + 600);
    try (Connection a = TestPostgres.jdbc()) {
      a.setAutoCommit(false);
      try (var add = a.prepareStatement(PgRevocationList.ADD.replace("INTO revocations", "INTO " + pg.schema + ".revocations")
          .replace("$1", "?").replace("$2", "?").replace("$3", "?").replace("$4", "?"))) {
        add.setString(1, slow.kind().wire());
        add.setString(2, slow.value());
        add.setLong(3, slow.revokedAt());
        add.setLong(4, slow.expiresAt());
        add.executeUpdate();
      }
      await(otherNode().add(fast));
      long cursor = await(revocations().changeCursor());
      assertThat(changesOf(revocations(), cursor, T0 + 1, slow.value())).as("not committed yet").isEmpty();

      a.commit();

      assertThat(changesOf(revocations(), cursor, T0 + 1, slow.value(), fast.value())).contains(slow);
    }
  }

  @Test
  void activePurgeExpiredAndRevokeByClientAreServedByIndexes() throws SQLException {
    assertThat(plan("bigint", PgRevocationList.ACTIVE)).contains("revocations_expires_at_idx");
    assertThat(plan("bigint", PgRevocationList.PURGE_EXPIRED)).contains("revocations_expires_at_idx");
    assertThat(plan("text", PgRefreshTokenStore.REVOKE_BY_CLIENT)).contains("refresh_families_client");
    assertThat(plan("text, bigint, int", PgRevocationList.CHANGES_SINCE)).contains("revocations_changed_xid_idx");
  }

  /** The generic plan (as a prepared statement gets) with sequential and bitmap scans discouraged. */
  private static String plan(String type, String sql) throws SQLException {
    try (Connection c = TestPostgres.jdbc();
        Statement s = c.createStatement()) {
      s.execute("SET search_path = " + pg.schema);
      s.execute("SET enable_seqscan = off");
      s.execute("SET enable_bitmapscan = off");
      s.execute("SET plan_cache_mode = force_generic_plan");
      s.execute("PREPARE probe (" + type + ") AS " + sql);
      List<String> lines = new ArrayList<>();
      String args = switch (type) {
        case "text" -> "'x'";
        case "bigint" -> "1";
        default -> "'1', 1, 10";
      };
      try (ResultSet rs = s.executeQuery("EXPLAIN EXECUTE probe (" + args + ")")) {
        while (rs.next()) {
          lines.add(rs.getString(1));
        }
      }
      return String.join("\n", lines);
    }
  }
}
