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
  private static Vertx vertx;
  private static Vertx otherVertx;
  private static String schema;
  private static PgStores stores;
  private static PgStores otherNode;
  private static PgStores closed;

  @BeforeAll
  static void setUp() {
    vertx = Vertx.vertx();
    otherVertx = Vertx.vertx();
    schema = TestPostgres.randomSchema();
    stores = await(PgStores.create(vertx, TestPostgres.options(schema)));
    otherNode = await(PgStores.create(otherVertx, TestPostgres.options(schema)));
    closed = await(PgStores.create(vertx, TestPostgres.options(schema)));
    await(closed.close());
  }

  @AfterAll
  static void tearDown() throws SQLException {
    try {
      for (PgStores s : new PgStores[] {stores, otherNode}) {
        if (s != null) {
          await(s.close());
        }
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

  @BeforeEach
  void empty() throws SQLException {
    TestPostgres.truncate(schema, "redeemed_codes");
  }

  @Override
  protected CodeRedemptionLedger ledger() {
    return stores.redeemedCodes();
  }

  @Override
  protected CodeRedemptionLedger otherNode() {
    return otherNode.redeemedCodes();
  }

  @Override
  protected CodeRedemptionLedger unavailableLedger() {
    return closed.redeemedCodes();
  }

  @Override
  protected Vertx vertx() {
    return vertx;
  }

  @Test
  void claimStoresTheHashAndItsKeepUntilOnly() throws SQLException {
    String hash = uniqueId("code");
    await(ledger().claim(hash, T0 + 42));

    assertThat(TestPostgres.queryLong("SELECT count(*) FROM " + schema + ".redeemed_codes WHERE code_hash = ? AND keep_until = ?",
        hash, T0 + 42)).isEqualTo(1);
  }
}
