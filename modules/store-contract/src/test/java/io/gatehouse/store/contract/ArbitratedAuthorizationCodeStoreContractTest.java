package io.gatehouse.store.contract;

import static io.gatehouse.testing.Await.await;

import io.gatehouse.core.store.ArbitratedCodeStore;
import io.gatehouse.core.store.AuthorizationCodeStore;
import io.gatehouse.core.store.CodeRedemptionLedger;
import io.gatehouse.core.store.SharedDataAuthorizationCodeStore;
import io.gatehouse.core.store.memory.InMemoryCodeRedemptionLedger;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Runs the {@link AuthorizationCodeStoreContract} on an {@link ArbitratedCodeStore} (a code map
 * arbitrated by a redemption ledger, as a cluster runs it): the arbiter keeps every promise of the
 * code store it wraps.
 */
class ArbitratedAuthorizationCodeStoreContractTest extends AuthorizationCodeStoreContract {
  private static Vertx vertx;
  private static final CodeRedemptionLedger LEDGER = new InMemoryCodeRedemptionLedger();

  @BeforeAll
  static void startVertx() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void closeVertx() {
    if (vertx != null) {
      await(vertx.close());
    }
  }

  @Override
  protected AuthorizationCodeStore newStore(Node node, Clock clock, Duration usedMarkerLifetime) {
    return new ArbitratedCodeStore(SharedDataAuthorizationCodeStore.create(vertx, clock, usedMarkerLifetime), LEDGER,
        clock, Duration.ofMinutes(1), Duration.ofMinutes(5));
  }

  @Override
  protected Vertx vertx(Node node) {
    return vertx;
  }
}
