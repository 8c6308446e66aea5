package io.gatehouse.store.postgres;

import static io.gatehouse.testing.Await.await;

import io.gatehouse.core.store.ConsentStore;
import io.gatehouse.store.contract.ConsentStoreContract;
import io.vertx.core.Vertx;
import java.sql.SQLException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Runs the {@link ConsentStoreContract} on the {@link PgConsentStore} that {@link PgStores} hands out
 * (on the pool it shares) against a real PostgreSQL (see {@link TestPostgres}). The class uses one
 * fresh random schema, dropped afterwards.
 */
class PgConsentStoreContractTest extends ConsentStoreContract {
  private static Vertx vertx;
  private static String schema;
  private static PgStores stores;
  private static PgStores closed;

  @BeforeAll
  static void setUp() {
    vertx = Vertx.vertx();
    schema = TestPostgres.randomSchema();
    stores = await(PgStores.create(vertx, TestPostgres.options(schema)));
    closed = await(PgStores.create(vertx, TestPostgres.options(schema)));
    await(closed.close());
  }

  @AfterAll
  static void tearDown() throws SQLException {
    try {
      if (stores != null) {
        await(stores.close());
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
  protected ConsentStore consents() {
    return stores.consents();
  }

  @Override
  protected ConsentStore unavailableConsents() {
    return closed.consents();
  }

  @Override
  protected Vertx vertx() {
    return vertx;
  }
}
