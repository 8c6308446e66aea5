package io.gatehouse.core.revocation;

import static io.gatehouse.testing.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.core.revocation.Revocation.Kind;
import io.gatehouse.core.store.memory.InMemoryRevocationList;
import io.gatehouse.testing.MutableClock;
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
  /** No timers that matter: the resync every hour, no periodic catch-up (tests call {@link RevocationHub#catchUp} themselves). */
  static final RevocationHub.Settings SETTINGS = new RevocationHub.Settings(Duration.ofHours(1), Duration.ofSeconds(30),
      RevocationHub.DEFAULT_MAX_PAUSE, System::nanoTime, Duration.ZERO);
  final Vertx vertx = Vertx.vertx();
  final MutableClock clock = new MutableClock(Instant.now());
  final InMemoryRevocationList shared = new InMemoryRevocationList();
  final AtomicBoolean down = new AtomicBoolean();
  /** The shared list, failing every call while {@link #down}. */
  final DurableRevocationList durable = new DurableRevocationList() {
    @Override
    public Future<Void> add(Revocation r) {
      return down.get() ? Future.failedFuture(new IllegalStateException("down")) : shared.add(r);
    }

    @Override
    public Future<Long> changeCursor() {
      return down.get() ? Future.failedFuture(new IllegalStateException("down")) : shared.changeCursor();
    }

    @Override
    public Future<Changes> changesSince(long cursor, int limit, long now) {
      return down.get() ? Future.failedFuture(new IllegalStateException("down")) : shared.changesSince(cursor, limit, now);
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

  static void eventually(java.util.function.BooleanSupplier condition) {
    io.gatehouse.testing.Await.until("the condition", Duration.ofSeconds(5), condition::getAsBoolean);
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

    // a later revocation that does reach b: had the failed one been published, b would have it by then
    down.set(false);
    await(a.revoke(new Revocation(Kind.TOKEN, "jti-marker", now(), now() + 600)));
    eventually(() -> b.denySet().denies("jti-marker", null, null, null, now()));
    assertThat(a.denySet().denies("jti-x", null, null, null, now())).isFalse();
    assertThat(b.denySet().denies("jti-x", null, null, null, now())).isFalse();
    assertThat(b.denySet().size()).isOne();
  }

  @Test
  void catchUpWhenANodeRecordedARevocationAndDiedBeforePublishingThenTheOthersCoverItAndPropagateIt() throws Exception {
    // chaos finding K1: the revoking node's durable write succeeded, its cache write and publish never happened
    SwitchableCache cache = new SwitchableCache();
    SwitchableChannel redis = new SwitchableChannel();
    RevocationHub b = new RevocationHub(vertx, new DenySet(), durable, false, cache, List.of(new EventBusRevocationChannel(vertx), redis),
        clock, SETTINGS, "b");
    hubs.add(b);
    await(b.start());
    RevocationHub c = node("c");
    java.util.concurrent.atomic.AtomicLong caughtUp = new java.util.concurrent.atomic.AtomicLong();
    b.onCaughtUp(caughtUp::addAndGet);
    await(b.catchUp());
    assertThat(caughtUp.get()).as("nothing to catch up at first").isZero();
    Revocation lost = new Revocation(Kind.TOKEN, "jti-lost", now(), now() + 600);

    await(shared.add(lost));
    await(b.catchUp());

    assertThat(b.denySet().denies("jti-lost", null, null, null, now())).isTrue();
    assertThat(caughtUp.get()).isEqualTo(1);
    assertThat(redis.published).extracting(RevocationEvent::revocation).containsExactly(lost);
    eventually(() -> cache.holds("jti-lost"));
    eventually(() -> c.denySet().denies("jti-lost", null, null, null, now()));
  }

  /** A hub on two test channels (standing for the event bus and Redis) and a cache. */
  RevocationHub twoChannels(SwitchableChannel bus, SwitchableChannel redis, SwitchableCache cache, String id) {
    RevocationHub hub = new RevocationHub(vertx, new DenySet(), durable, false, cache, List.of(bus, redis), clock, SETTINGS, id);
    hubs.add(hub);
    await(hub.start());
    return hub;
  }

  @Test
  void relayWhenAnotherNodesEventCameOnOneChannelOnlyThenAfterASecondItIsPublishedOnTheOtherAndCached() {
    // chaos finding K6: node a died after its event-bus publish and before its Redis publish
    SwitchableChannel bus = new SwitchableChannel("event-bus");
    SwitchableChannel redis = new SwitchableChannel("redis");
    SwitchableCache cache = new SwitchableCache();
    RevocationHub b = twoChannels(bus, redis, cache, "b");
    java.util.concurrent.atomic.AtomicLong relayed = new java.util.concurrent.atomic.AtomicLong();
    b.onRelayed(relayed::addAndGet);
    RevocationEvent event = new RevocationEvent(new Revocation(Kind.TOKEN, "jti-bus-only", now(), now() + 600), "a", clock.millis());

    bus.subscriber.accept(event);
    b.relayUnheard();
    assertThat(redis.published).as("not before a second has passed").isEmpty();
    clock.advance(Duration.ofMillis(RevocationHub.RELAY_AFTER_MILLIS));
    b.relayUnheard();

    assertThat(b.denySet().denies("jti-bus-only", null, null, null, now())).isTrue();
    assertThat(redis.published).containsExactly(event);
    assertThat(bus.published).as("the channel that carried it").isEmpty();
    assertThat(relayed.get()).isEqualTo(1);
    eventually(() -> cache.holds("jti-bus-only"));
    // the relayed copy comes back on Redis, and another node's relay on the bus: neither is relayed again
    redis.subscriber.accept(event);
    bus.subscriber.accept(event);
    clock.advance(Duration.ofSeconds(5));
    b.relayUnheard();
    assertThat(redis.published).as("relayed once").hasSize(1);
    assertThat(bus.published).isEmpty();
  }

  @Test
  void relayWhenTheEventCameOnEveryChannelOrIsThisNodesOwnThenNothingIsRelayed() {
    SwitchableChannel bus = new SwitchableChannel("event-bus");
    SwitchableChannel redis = new SwitchableChannel("redis");
    RevocationHub b = twoChannels(bus, redis, new SwitchableCache(), "b");
    RevocationEvent both = new RevocationEvent(new Revocation(Kind.TOKEN, "jti-both", now(), now() + 600), "a", clock.millis());
    RevocationEvent own = new RevocationEvent(new Revocation(Kind.TOKEN, "jti-own", now(), now() + 600), "b", clock.millis());

    bus.subscriber.accept(both);
    redis.subscriber.accept(both);
    bus.subscriber.accept(own);
    clock.advance(Duration.ofSeconds(5));
    await(b.catchUp());

    assertThat(redis.published).isEmpty();
    assertThat(bus.published).isEmpty();
  }

  @Test
  void catchUpWhenTheEventAlreadyCameThenNothingIsPropagatedAgain() throws Exception {
    RevocationHub a = node("a");
    RevocationHub b = node("b");
    java.util.concurrent.atomic.AtomicLong caughtUp = new java.util.concurrent.atomic.AtomicLong();
    b.onCaughtUp(caughtUp::addAndGet);
    await(b.catchUp());

    await(a.revoke(new Revocation(Kind.GRANT, "gid-1", now(), now() + 600)));
    eventually(() -> b.denySet().denies(null, "gid-1", null, null, now()));
    await(b.catchUp());

    assertThat(caughtUp.get()).isZero();
  }

  @Test
  void catchUpFirstReadsTheWholeListSoWhatTheCacheMissedBeforeTheStartIsCovered() {
    // a node that starts from a cache still marked complete, which missed a write (K1 before this node started)
    SwitchableCache cache = new SwitchableCache();
    cache.complete = true;
    Revocation missed = new Revocation(Kind.SUBJECT, "alice", now(), now() + 600);
    await(shared.add(missed));
    RevocationHub b = new RevocationHub(vertx, new DenySet(), durable, false, cache, List.of(new EventBusRevocationChannel(vertx)), clock,
        SETTINGS, "b");
    hubs.add(b);
    await(b.start());
    assertThat(b.denySet().denies(null, null, "alice", null, now() - 1)).as("the cache's snapshot lacks it").isFalse();

    await(b.catchUp());

    assertThat(b.denySet().denies(null, null, "alice", null, now() - 1)).isTrue();
    assertThat(cache.holds("alice")).as("written to the cache again").isTrue();
  }

  @Test
  void catchUpCountsAsASyncAndAFailedOneChangesNothing() {
    RevocationHub a = node("a");
    clock.advance(Duration.ofSeconds(31));
    assertThat(a.vouched()).isFalse();

    down.set(true);
    assertThat(a.catchUp().failed()).isTrue();
    assertThat(a.vouched()).isFalse();

    down.set(false);
    await(a.catchUp());
    assertThat(a.vouched()).isTrue();
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

  /** An in-memory cache that fails every call while {@code down}, and counts fills. */
  static final class SwitchableCache implements RevocationCache {
    final InMemoryRevocationList entries = new InMemoryRevocationList();
    final AtomicBoolean down = new AtomicBoolean();
    final java.util.concurrent.atomic.AtomicInteger fills = new java.util.concurrent.atomic.AtomicInteger();
    volatile boolean complete;
    /** When set, each add appends {@code cache:<value>}. */
    volatile List<String> log;

    private <T> Future<T> unlessDown(java.util.function.Supplier<Future<T>> call) {
      return down.get() ? Future.failedFuture(new IllegalStateException("cache down")) : call.get();
    }

    @Override
    public Future<Void> add(Revocation r) {
      return unlessDown(() -> {
        List<String> l = log;
        if (l != null) {
          l.add("cache:" + r.value());
        }
        return entries.add(r);
      });
    }

    @Override
    public Future<List<Revocation>> active(long now) {
      return unlessDown(() -> entries.active(now));
    }

    @Override
    public Future<Integer> purgeExpired(long now) {
      return entries.purgeExpired(now);
    }

    @Override
    public Future<java.util.Optional<List<Revocation>>> snapshot(long now) {
      return unlessDown(() -> complete ? entries.active(now).map(java.util.Optional::of) : Future.succeededFuture(java.util.Optional.empty()));
    }

    @Override
    public Future<Void> fill(List<Revocation> all) {
      return unlessDown(() -> {
        all.forEach(entries::add);
        complete = true;
        fills.incrementAndGet();
        return Future.succeededFuture();
      });
    }

    boolean holds(String jti) {
      return await(entries.active(0)).stream().anyMatch(r -> r.value().equals(jti));
    }
  }

  /** A channel (standing for Redis pub/sub) that fails every publish while {@code down} and records what it published. */
  static final class SwitchableChannel implements RevocationChannel {
    final AtomicBoolean down = new AtomicBoolean();
    final List<RevocationEvent> published = new java.util.concurrent.CopyOnWriteArrayList<>();
    final String name;
    /** When set, each publish appends {@code publish:<value>}. */
    volatile List<String> log;
    /** What the hub subscribed with: a test delivers events on this channel through it. */
    volatile java.util.function.Consumer<RevocationEvent> subscriber = e -> {};

    SwitchableChannel() {
      this("redis");
    }

    SwitchableChannel(String name) {
      this.name = name;
    }

    @Override
    public Future<Void> publish(RevocationEvent event) {
      if (down.get()) {
        return Future.failedFuture(new IllegalStateException("channel down"));
      }
      published.add(event);
      List<String> l = log;
      if (l != null) {
        l.add("publish:" + event.revocation().value());
      }
      return Future.succeededFuture();
    }

    @Override
    public Future<Void> subscribe(java.util.function.Consumer<RevocationEvent> events, Runnable reconnected) {
      subscriber = events;
      return Future.succeededFuture();
    }

    @Override
    public boolean connected() {
      return !down.get();
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public Future<Void> close() {
      return Future.succeededFuture();
    }
  }

  RevocationHub withRedis(SwitchableCache cache, SwitchableChannel channel, int pendingCap) {
    RevocationHub hub = new RevocationHub(vertx, new DenySet(), durable, false, cache, List.of(channel), clock, SETTINGS, "r")
        .pendingCap(pendingCap);
    hubs.add(hub);
    await(hub.start());
    return hub;
  }

  @Test
  void revokeWhenTheCacheWriteAndThePublishFailThenBothAreRetriedOnceRedisAnswersAgain() throws Exception {
    SwitchableCache cache = new SwitchableCache();
    SwitchableChannel channel = new SwitchableChannel();
    RevocationHub hub = withRedis(cache, channel, RevocationHub.PENDING_CAP);
    cache.down.set(true);
    channel.down.set(true);

    await(hub.revoke(new Revocation(Kind.TOKEN, "jti-lost", now(), now() + 600)));

    eventually(() -> hub.pendingFor("cache") == 1 && hub.pendingFor("redis") == 1);
    assertThat(channel.published).isEmpty();
    cache.down.set(false);
    channel.down.set(false);
    // the retry timer (backoff at most MAX_RETRY_MILLIS) writes and publishes it again, the original event
    eventually(() -> hub.pendingFor("cache") == 0 && hub.pendingFor("redis") == 0);
    assertThat(cache.holds("jti-lost")).isTrue();
    assertThat(channel.published).singleElement().satisfies(e -> {
      assertThat(e.revocation().value()).isEqualTo("jti-lost");
      assertThat(e.origin()).isEqualTo("r");
    });
  }

  /**
   * A backlog longer than one window: each event is written to the cache before it is published, and each
   * window is published before the next is written, so subscribers hear a long backlog while it is still
   * being written (chaos finding K8: a Redis-only resource server settles while late events arrive).
   */
  @Test
  void revokeWhenALongBacklogIsRetriedThenEachWindowIsPublishedRightAfterItIsWritten() throws Exception {
    SwitchableCache cache = new SwitchableCache();
    SwitchableChannel channel = new SwitchableChannel();
    RevocationHub hub = withRedis(cache, channel, RevocationHub.PENDING_CAP);
    cache.down.set(true);
    channel.down.set(true);
    int n = RevocationHub.FLUSH_WINDOW * 2 + 10;
    for (int i = 0; i < n; i++) {
      await(hub.revoke(new Revocation(Kind.TOKEN, "jti-" + i, now(), now() + 600)));
    }
    eventually(() -> hub.pendingFor("cache") == n && hub.pendingFor("redis") == n);

    List<String> log = new java.util.concurrent.CopyOnWriteArrayList<>();
    cache.log = log;
    channel.log = log;
    cache.down.set(false);
    channel.down.set(false);
    eventually(() -> hub.pendingFor("cache") == 0 && hub.pendingFor("redis") == 0);

    assertThat(log).hasSize(2 * n);
    for (int i = 0; i < n; i++) {
      assertThat(log.indexOf("cache:jti-" + i)).as("jti-%d written before it is published", i).isLessThan(log.indexOf("publish:jti-" + i));
    }
    int firstPublish = java.util.stream.IntStream.range(0, log.size()).filter(i -> log.get(i).startsWith("publish:")).findFirst().orElseThrow();
    int lastWrite = java.util.stream.IntStream.range(0, log.size()).filter(i -> log.get(i).startsWith("cache:")).max().orElseThrow();
    assertThat(firstPublish).as("the first window is published before the last is written").isLessThan(lastWrite);
  }

  @Test
  void revokeWhenMoreThanTheCapWaitForTheCacheThenTheOldestAreDroppedAndTheCacheIsRefilledFromTheDurableList() throws Exception {
    SwitchableCache cache = new SwitchableCache();
    SwitchableChannel channel = new SwitchableChannel();
    RevocationHub hub = withRedis(cache, channel, 2);
    int fillsBefore = cache.fills.get();
    cache.down.set(true);
    channel.down.set(true);

    for (int i = 0; i < 3; i++) {
      await(hub.revoke(new Revocation(Kind.TOKEN, "jti-" + i, now(), now() + 600)));
    }

    // two kept for the channel (the oldest dropped); the cache's dropped write is a refill to do
    eventually(() -> hub.pendingFor("redis") == 2 && hub.pendingFor("cache") == 3);
    cache.down.set(false);
    channel.down.set(false);
    eventually(() -> hub.pendingFor("cache") == 0 && hub.pendingFor("redis") == 0);
    assertThat(cache.fills.get()).isGreaterThan(fillsBefore);
    assertThat(cache.holds("jti-0")).as("the dropped one came back with the refill").isTrue();
    assertThat(channel.published).extracting(e -> e.revocation().value()).containsExactly("jti-1", "jti-2");
  }

  @Test
  void vouchedWhenPausedLongerThanMaxPauseThenNotUntilAResyncBegunAfterTheResumeSucceeds() throws Exception {
    java.util.concurrent.atomic.AtomicLong ticker = new java.util.concurrent.atomic.AtomicLong();
    RevocationHub a = new RevocationHub(vertx, new DenySet(), durable, false, null, List.of(), clock,
        new RevocationHub.Settings(Duration.ofHours(1), Duration.ofSeconds(30), Duration.ofSeconds(2), ticker::get), "a");
    hubs.add(a);
    await(a.start());
    assertThat(a.vouched()).isTrue();

    ticker.addAndGet(Duration.ofMillis(1_900).toNanos());
    assertThat(a.vouched()).as("a gap within revocation.max_pause").isTrue();

    down.set(true); // the resync the resume starts cannot succeed yet
    ticker.addAndGet(Duration.ofSeconds(25).toNanos());
    // noticed by the first check after the resume, before any timer ran: the wall clock says the last
    // sync is recent, but events published during the pause may be lost
    assertThat(a.vouched()).isFalse();
    assertThat(a.vouched()).as("still, after the failed resync").isFalse();

    down.set(false);
    await(a.resync());
    assertThat(a.vouched()).isTrue();
  }

  @Test
  void vouchedAfterAPauseWhenTheResyncSucceedsAtOnceThenVouchedAgain() {
    java.util.concurrent.atomic.AtomicLong ticker = new java.util.concurrent.atomic.AtomicLong();
    RevocationHub a = new RevocationHub(vertx, new DenySet(), durable, false, null, List.of(), clock,
        new RevocationHub.Settings(Duration.ofHours(1), Duration.ofSeconds(30), Duration.ofSeconds(2), ticker::get), "a");
    hubs.add(a);
    await(a.start());
    await(shared.add(new Revocation(Kind.TOKEN, "jti-during-pause", now(), now() + 600)));

    ticker.addAndGet(Duration.ofSeconds(25).toNanos());

    // the resync the pause started (the durable list answers at once here) has brought in what was missed
    assertThat(a.vouched()).isTrue();
    assertThat(a.denySet().denies("jti-during-pause", null, null, null, now())).isTrue();
  }
}
