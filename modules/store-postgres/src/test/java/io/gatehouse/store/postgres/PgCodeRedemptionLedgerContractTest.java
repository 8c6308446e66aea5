package io.gatehouse.store.postgres;

import static io.gatehouse.testing.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.core.store.CodeRedemptionLedger;
import io.gatehouse.store.contract.CodeRedemptionLedgerContract;
import io.vertx.core.Vertx;
import java.sql.SQLException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Runs the {@link CodeRedemptionLedgerContract} on {@link PgCodeRedemptionLedger} against a real
 * PostgreSQL (see {@link TestPostgres}) as two nodes: the stores of two Vert.x instances, each with a
 * pool of its own, on one fresh random schema. The failure tests use stores whose pool is closed.
 */
class PgCodeRedemptionLedgerContractTest extends CodeRedemptionLedgerContract {
  private static PgFixture pg;
  private static PgStores otherNode;

  @BeforeAll
  static void setUp() {
    pg = PgFixture.start();
    otherNode = pg.otherNode(v -> PgStores.create(v, pg.options()), PgStores::close);
  }

  @AfterAll
  static void tearDown() throws SQLException {
    pg.close();
  }

  @BeforeEach
  void empty() throws SQLException {
    pg.truncate("redeemed_codes");
  }

  @Override
  protected CodeRedemptionLedger ledger() {
    return pg.stores.redeemedCodes();
  }

  @Override
  protected CodeRedemptionLedger otherNode() {
    return otherNode.redeemedCodes();
  }

  @Override
  protected CodeRedemptionLedger unavailableLedger() {
    return pg.closed.redeemedCodes();
  }

  @Override
  protected Vertx vertx() {
    return pg.vertx;
  }

  @Test
  void claimStoresTheHashAndItsKeepUntilOnly() throws SQLException {
    String hash = uniqueId("code");
    await(ledger().claim(hash, T0 + 42));

    assertThat(TestPostgres.queryLong("SELECT count(*) FROM " + pg.schema + ".redeemed_codes WHERE code_hash = ? AND keep_until = ?",
        hash, T0 + 42)).isEqualTo(1);
  }
}
