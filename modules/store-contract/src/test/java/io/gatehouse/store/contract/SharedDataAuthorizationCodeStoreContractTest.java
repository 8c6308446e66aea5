package io.gatehouse.store.contract;

import static io.gatehouse.testing.Await.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gatehouse.core.store.AuthorizationCodeStore;
import io.gatehouse.core.store.SharedDataAuthorizationCodeStore;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Runs the {@link AuthorizationCodeStoreContract} on {@link SharedDataAuthorizationCodeStore} over a
 * plain (not clustered) Vert.x, the embedded default: both nodes are stores over the same process-local
 * SharedData map. The clustered run is in the store-cluster module.
 */
class SharedDataAuthorizationCodeStoreContractTest extends AuthorizationCodeStoreContract {
  private static Vertx vertx;

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
    return SharedDataAuthorizationCodeStore.create(vertx, clock, usedMarkerLifetime);
  }

  @Override
  protected Vertx vertx(Node node) {
    return vertx;
  }

  // ---------------------------------------------------------------- this adapter only

  /**
   * A used-marker lifetime under a millisecond would reach the map as TTL 0: "keep forever" to
   * Hazelcast (markers pile up), "cannot schedule" to the local map (every consume fails).
   */
  @Test
  void createWithUsedMarkerLifetimeUnderOneMillisecondIsRefused() {
    for (Duration lifetime : new Duration[] {Duration.ZERO, Duration.ofNanos(999_999), Duration.ofSeconds(-1)}) {
      assertThatThrownBy(() -> SharedDataAuthorizationCodeStore.create(vertx, Clock.systemUTC(), lifetime))
          .as("used-marker lifetime %s", lifetime)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("usedMarkerTtl");
    }
  }

  @Test
  void createWithOneMillisecondUsedMarkerLifetimeConsumes() {
    AuthorizationCodeStore store = SharedDataAuthorizationCodeStore.create(vertx, Clock.systemUTC(), Duration.ofMillis(1));
    String hash = uniqueHash();
    await(store.put(hash, fullCode(inMinutes(10))));

    assertThat(await(store.consume(hash))).isTrue();
  }

  /** Stores made by different creators share the one map of the Vert.x instance. */
  @Test
  void storesCreatedOnDifferentEventLoopsShareTheMap() {
    String hash = uniqueHash();
    AuthorizationCodeStore createdOnEventLoop = await(vertx.executeBlocking(
        () -> SharedDataAuthorizationCodeStore.create(vertx, Clock.systemUTC(), USED_MARKER_LIFETIME)));

    await(createdOnEventLoop.put(hash, fullCode(inMinutes(10))));

    assertThat(await(store(Node.A).consume(hash))).isTrue();
    assertThat(await(createdOnEventLoop.consume(hash))).isFalse();
  }
}
