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
  private static PgFixture pg;

  @BeforeAll
  static void setUp() {
    pg = PgFixture.start();
  }

  @AfterAll
  static void tearDown() throws SQLException {
    pg.close();
  }

  @Override
  protected ConsentStore consents() {
    return pg.stores.consents();
  }

  @Override
  protected ConsentStore unavailableConsents() {
    return pg.closed.consents();
  }

  @Override
  protected Vertx vertx() {
    return pg.vertx;
  }
}
