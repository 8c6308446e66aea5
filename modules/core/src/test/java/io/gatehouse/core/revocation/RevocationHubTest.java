package io.gatehouse.core.revocation;

import static io.gatehouse.core.testing.Futures.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.core.revocation.Revocation.Kind;
import io.gatehouse.core.store.memory.InMemoryRevocationList;
import io.gatehouse.core.testing.MutableClock;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Two hubs on one Vert.x stand for two nodes on one event bus, sharing one durable list (the
 * in-memory one, flagged as shared, so vouching depends on syncs).
 */
class RevocationHubTest {
  static final RevocationHub.Settings SETTINGS = new RevocationHub.Settings(Duration.ofHours(1), Duration.ofSeconds(30));
  final Vertx vertx = Vertx.vertx();
  final MutableClock clock = new MutableClock(Instant.now());
  final InMemoryRevocationList shared = new InMemoryRevocationList();
  final AtomicBoolean down = new AtomicBoolean();
  /** The shared list, failing every call while {@link #down}. */
  final RevocationList durable = new RevocationList() {
    @Override
    public Future<Void> add(Revocation r) {
      return down.get() ? Future.failedFuture(new IllegalStateException("down")) : shared.add(r);
    }

    @Override
    public Future<List<Revocation>> active(long now) {
      return down.get() ? Future.failedFuture(new IllegalStateException("down")) : shared.active(now);
    }

    @Override
    public Future<Integer> purgeExpired(long now) {
      return shared.purgeExpired(now);
    }
  };
  final List<RevocationHub> hubs = new ArrayList<>();

  RevocationHub node(String id) {
    RevocationHub hub = new RevocationHub(vertx, new DenySet(), durable, false, null, List.of(new EventBusRevocationChannel(vertx)), clock,
        SETTINGS, id);
    hubs.add(hub);
    await(hub.start());
    return hub;
  }

  @AfterEach
  void close() {
    hubs.forEach(RevocationHub::close);
    await(vertx.close());
  }

  long now() {
    return clock.instant().getEpochSecond();
  }

  static void eventually(java.util.function.BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + 5_000_000_000L;
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("condition within 5 s").isLessThan(deadline);
      Thread.sleep(2);
    }
  }

  @Test
  void revokeOnOneNodeCoversAtOnceThereAndReachesTheOtherByTheBus() throws Exception {
    RevocationHub a = node("a");
    RevocationHub b = node("b");
    Revocation r = new Revocation(Kind.TOKEN, "jti-1", now(), now() + 600);

    await(a.revoke(r));

    assertThat(a.denySet().denies("jti-1", null, null, null, now())).isTrue();
    eventually(() -> b.denySet().denies("jti-1", null, null, null, now()));
    assertThat(b.lastLagMillis()).isGreaterThanOrEqualTo(0);
    assertThat(await(shared.active(now()))).containsExactly(r);
  }

  @Test
  void revokeWhenTheCacheNeverAnswersThenRecordedAtOnceAndPublishedAnyway() throws Exception {
    // a silent Redis: the cache's calls never complete (the adapter's timeout fails them later)
    RevocationCache silent = new RevocationCache() {
      @Override
      public Future<Void> add(Revocation r) {
        return io.vertx.core.Promise.<Void>promise().future();
      }

      @Override
      public Future<List<Revocation>> active(long now) {
        return io.vertx.core.Promise.<List<Revocation>>promise().future();
      }

      @Override
      public Future<Integer> purgeExpired(long now) {
        return Future.succeededFuture(0);
      }

      @Override
      public Future<java.util.Optional<List<Revocation>>> snapshot(long now) {
        return Future.succeededFuture(java.util.Optional.empty());
      }

      @Override
      public Future<Void> fill(List<Revocation> all) {
        return Future.succeededFuture();
      }
    };
    RevocationHub a = new RevocationHub(vertx, new DenySet(), durable, false, silent, List.of(new EventBusRevocationChannel(vertx)), clock,
        SETTINGS, "a");
    hubs.add(a);
    await(a.start());
    RevocationHub b = node("b");

    Future<Void> revoked = a.revoke(new Revocation(Kind.TOKEN, "jti-s", now(), now() + 600));

    eventually(revoked::succeeded);
    assertThat(a.denySet().denies("jti-s", null, null, null, now())).isTrue();
    eventually(() -> b.denySet().denies("jti-s", null, null, null, now()));
  }

  @Test
  void aNodeStartedAfterARevocationLoadsItBeforeServing() {
    RevocationHub a = node("a");
    await(a.revoke(new Revocation(Kind.SUBJECT, "alice", now(), now() + 600)));

    RevocationHub late = node("late");

    assertThat(late.denySet().denies(null, null, "alice", null, now())).isTrue();
    assertThat(late.vouched()).isTrue();
  }

  @Test
  void whenTheDurableListFailsThenTheRevocationFailsAndNothingIsCoveredOrPublished() throws Exception {
    RevocationHub a = node("a");
    RevocationHub b = node("b");
    down.set(true);

    assertThat(a.revoke(new Revocation(Kind.TOKEN, "jti-x", now(), now() + 600)).failed()).isTrue();

    Thread.sleep(100);
    assertThat(a.denySet().size()).isZero();
    assertThat(b.denySet().size()).isZero();
  }

  @Test
  void aNodeStopsVouchingWhenItCannotSyncPastTheBoundAndVouchesAgainAfterASync() {
    RevocationHub a = node("a");
    assertThat(a.vouched()).isTrue();
    down.set(true);

    clock.advance(Duration.ofSeconds(29));
    assertThat(a.resync().failed()).isTrue();
    assertThat(a.vouched()).as("within the bound").isTrue();
    clock.advance(Duration.ofSeconds(2));
    assertThat(a.vouched()).isFalse();

    down.set(false);
    await(a.resync());
    assertThat(a.vouched()).isTrue();
  }

  @Test
  void aResyncOnlyAddsSoAnEntryTheListNoLongerAnswersStaysCoveredUntilItExpires() {
    RevocationHub a = node("a");
    await(a.revoke(new Revocation(Kind.TOKEN, "jti-k", now(), now() + 600)));
    await(shared.purgeExpired(now() + 10_000)); // the durable list lost it (as a cache would)

    await(a.resync());

    assertThat(a.denySet().denies("jti-k", null, null, null, now())).isTrue();
  }

  @Test
  void aMalformedMessageOnTheAddressIsDroppedAndLaterEventsStillArrive() throws Exception {
    RevocationHub a = node("a");
    vertx.eventBus().publish(RevocationEvent.ADDRESS, "{\"v\":1,\"kind\":\"nope\"}");
    vertx.eventBus().publish(RevocationEvent.ADDRESS, new RevocationEvent(new Revocation(Kind.CLIENT, "web", now(), now() + 60), "x",
        clock.millis()).toJson());

    eventually(() -> a.denySet().denies(null, null, null, "web", now()));
    assertThat(a.denySet().size()).isEqualTo(1);
  }

  @Test
  void theEmbeddedDefaultAlwaysVouchesSinceEveryRevocationPassesThroughIt() {
    RevocationHub local = new RevocationHub(vertx, new DenySet(), shared, true, null, List.of(), clock, SETTINGS, "solo");
    hubs.add(local);
    await(local.start());
    clock.advance(Duration.ofDays(1));

    assertThat(local.vouched()).isTrue();
  }
}
