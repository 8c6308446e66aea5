package io.gatehouse.resource;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.core.revocation.Revocation;
import io.gatehouse.core.revocation.RevocationChannel;
import io.gatehouse.core.revocation.RevocationEvent;
import io.gatehouse.core.token.SigningAlgorithm;
import io.gatehouse.store.redis.RedisRevocationCache;
import io.gatehouse.store.redis.RedisRevocationChannel;
import io.gatehouse.store.redis.RedisStoreOptions;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The deny-set's catch-ups after a channel error and after a pause (issue 12, fault findings 1 and 2),
 * and, for an API that hears Redis only, when Redis comes back (chaos finding K8) and when it is slow
 * (K9): against the real Redis with a {@link CuttableProxy} in front of the library's connections.
 */
class RevocationCatchUpTest {
  Vertx vertx;
  TestIssuer issuer;
  TestIssuer.Key key;
  CuttableProxy proxy;
  RedisStoreOptions direct;
  RedisStoreOptions proxied;
  RedisRevocationCache writer;
  GatehouseJwtHandler handler;
  RedisRevocationChannel publisher;
  /** The clock (staleness) of the Redis-only API tests; their ticker (the settle time) moves on its own, so that a move of the clock is not a pause. */
  ManualTime time;
  AtomicLong ticker;
  static final Duration SETTLE = Duration.ofMillis(300);

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    issuer = TestIssuer.start(vertx);
    key = issuer.publishNewKey(SigningAlgorithm.ES256);
    proxy = CuttableProxy.to(vertx, 6379);
    String run = "rs-catch-up-" + UUID.randomUUID();
    direct = new RedisStoreOptions("redis://127.0.0.1:6379", run + ":", run, 2);
    proxied = new RedisStoreOptions("redis://127.0.0.1:" + proxy.port(), run + ":", run, 2);
    writer = RedisRevocationCache.create(vertx, direct);
    publisher = RedisRevocationChannel.create(vertx, direct);
    Http.await(writer.fill(List.of()));
    time = new ManualTime();
    ticker = new AtomicLong(System.nanoTime());
  }

  @AfterEach
  void stop() throws Exception {
    if (handler != null) {
      Http.await(handler.close());
    }
    Http.await(publisher.close());
    Http.await(writer.close());
    proxy.close();
    RevocationWarmStartTest.deleteKeys(direct.keyPrefix());
    issuer.close();
    Http.await(vertx.close());
  }

  String api(ResourceServerOptions options) throws Exception {
    handler = GatehouseJwtHandler.create(vertx, options.setIssuer(issuer.issuer).setAudience(TestIssuer.AUDIENCE));
    Http.await(handler.start());
    return Http.base(Http.serve(vertx, ExampleApi.router(vertx, handler))) + "/user";
  }

  static long now() {
    return System.currentTimeMillis() / 1000;
  }

  int status(String api, String token) {
    try {
      return Http.bearer(api, token).statusCode();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  /**
   * Gatehouse writes again (cache first, then the channel) what its Redis missed once Redis answers it,
   * which can be after this library's reconnect catch-up: the short catch-ups that follow a reconnect
   * find it, long before the 5-minute resync.
   */
  @Test
  void userWhenTheCacheGetsARevocationAfterTheReconnectCatchUpThenTheShortCatchUpsFindIt() throws Exception {
    String api = api(new ResourceServerOptions().setRevocationCache(RedisRevocationCache.create(vertx, direct))
        .addRevocationChannel(RedisRevocationChannel.create(vertx, proxied)).setRevocationCatchUpInterval(Duration.ofMillis(100)));
    JsonObject claims = issuer.claims();
    String token = issuer.mint(key, claims);
    assertThat(Http.bearer(api, token).statusCode()).isEqualTo(200);
    long syncedBefore = handler.revocations().lastSyncMillis();

    proxy.cut();
    Http.eventually(() -> !handler.revocations().connected());
    proxy.restore();
    // resubscribed, and the catch-up the reconnect starts has run (and found nothing new)
    Http.eventually(() -> handler.revocations().connected() && handler.revocations().lastSyncMillis() > syncedBefore);

    Http.await(writer.add(new Revocation(Revocation.Kind.TOKEN, claims.getString("jti"), now(), now() + 600)));

    Http.eventually(() -> status(api, token) == 401);
  }

  /**
   * A pause longer than revocationMaxPause (the ticker moved, no real pause): refused until a sync that
   * began after the resume succeeds, although the channel is up and the last sync is recent by the clock.
   */
  @Test
  void userWhenTheProcessWasPausedThen503UntilASyncAfterTheResume() throws Exception {
    AtomicLong ticker = new AtomicLong();
    String api = api(new ResourceServerOptions().setRevocationCache(RedisRevocationCache.create(vertx, proxied))
        .addRevocationChannel(RedisRevocationChannel.create(vertx, direct)).setTicker(ticker::get)
        .setRevocationMaxPause(Duration.ofSeconds(2)).setJwksMinRefetchInterval(Duration.ZERO)
        // the settle after the cache answers again is measured on the ticker this test holds still (the Redis-only tests below cover it)
        .setRevocationRecoverySettle(Duration.ZERO));
    String token = issuer.mint(key);
    assertThat(Http.bearer(api, token).statusCode()).isEqualTo(200);

    ticker.addAndGet(Duration.ofMillis(1_900).toNanos());
    assertThat(Http.bearer(api, token).statusCode()).as("a gap within revocationMaxPause").isEqualTo(200);

    proxy.cut(); // the sync the resume starts cannot succeed yet
    ticker.addAndGet(Duration.ofSeconds(25).toNanos());
    assertThat(handler.revocations().vouched()).isFalse();
    io.vertx.core.json.JsonObject refused = new io.vertx.core.json.JsonObject(Http.bearer(api, token).body());
    assertThat(refused).isEqualTo(new io.vertx.core.json.JsonObject().put("error", "temporarily_unavailable")
        .put("error_description", "the revocation list is stale"));
    assertThat(handler.revocations().connected()).as("the channel never dropped").isTrue();

    proxy.restore();
    Http.eventually(() -> status(api, token) == 200);
  }

  /** The Redis-only API: cache and channel through {@code redis}, staleness ten minutes. */
  String redisOnlyApi(RedisStoreOptions redis) throws Exception {
    return redisOnlyApi(redis, RedisRevocationChannel.create(vertx, redis));
  }

  String redisOnlyApi(RedisStoreOptions redis, RevocationChannel channel) throws Exception {
    return api(new ResourceServerOptions().setRevocationCache(RedisRevocationCache.create(vertx, redis)).addRevocationChannel(channel)
        .setRevocationMaxStaleness(Duration.ofMinutes(10)).setRevocationRecoverySettle(SETTLE).setRevocationCatchUpInterval(Duration.ofMillis(100))
        .setJwksMinRefetchInterval(Duration.ZERO).setClock(time.clock()).setTicker(ticker::get));
  }

  /** A token valid past every move of the clock here (its exp is read on the same clock). */
  JsonObject claims() {
    return issuer.claims().put("iat", time.clock().instant().getEpochSecond()).put("exp", time.clock().instant().getEpochSecond() + 3600);
  }

  long nowSeconds() {
    return time.clock().instant().getEpochSecond();
  }

  static void assertStale(String body) {
    assertThat(new JsonObject(body)).isEqualTo(new JsonObject().put("error", "temporarily_unavailable")
        .put("error_description", "the revocation list is stale"));
  }

  /**
   * K8: Redis answers again before the nodes have re-written what they kept while it failed. The sync
   * right after it is applied but vouches for nothing; the one after the settle time finds the rewrite.
   */
  @Test
  void userWhenRedisReturnsThenTheCacheVouchesOnlyAfterTheNodesHadTimeToRewriteIt() throws Exception {
    String api = redisOnlyApi(proxied);
    JsonObject revokedClaims = claims();
    String revoked = issuer.mint(key, revokedClaims);
    String fresh = issuer.mint(key, claims());
    assertThat(status(api, revoked)).isEqualTo(200);

    proxy.cut();
    Http.eventually(() -> !handler.revocations().connected());
    time.advance(Duration.ofMinutes(11));
    assertStale(Http.bearer(api, fresh).body());
    // the catch-ups fail while Redis is away
    long failed = handler.revocations().syncsFailed();
    Http.eventually(() -> handler.revocations().syncsFailed() > failed);

    long syncs = handler.revocations().syncsSucceeded();
    proxy.restore();
    Http.eventually(() -> handler.revocations().connected() && handler.revocations().syncsSucceeded() > syncs);
    // the cache answered (and lacks the revocation a node kept): still not vouched for
    java.net.http.HttpResponse<String> refused = Http.bearer(api, revoked);
    assertThat(refused.statusCode()).isEqualTo(503);
    assertStale(refused.body());
    assertThat(handler.revocations().vouched()).isFalse();

    // the node re-writes what it kept; then the settle time passes
    Http.await(writer.add(new Revocation(Revocation.Kind.TOKEN, revokedClaims.getString("jti"), nowSeconds(), nowSeconds() + 3600)));
    ticker.addAndGet(SETTLE.toNanos() + 1);
    Http.eventually(() -> status(api, fresh) == 200);
    assertThat(status(api, revoked)).isEqualTo(401);
  }

  /**
   * K9: an event that arrives much later than its node's events usually do: the channel is slow, and
   * what it has not yet delivered may be later still. Vouched only by the last sync until the settle
   * time has passed with no late event and a sync has succeeded.
   */
  @Test
  void userWhenAnEventArrivesLateThenVouchedOnlyByTheLastSyncUntilEventsAreTimelyAgain() throws Exception {
    String api = redisOnlyApi(direct);
    String token = issuer.mint(key, claims());
    assertThat(status(api, token)).isEqualTo(200);

    publish("node-a", 0);
    Http.eventually(() -> handler.revocations().eventsReceived() == 1);
    publish("node-a", 5_000);
    Http.eventually(() -> handler.revocations().eventsReceived() == 2);
    assertThat(handler.revocations().lateEventsReceived()).isEqualTo(1);
    assertThat(status(api, token)).as("within the staleness bound of the last sync").isEqualTo(200);

    time.advance(Duration.ofMinutes(11));
    assertThat(handler.revocations().connected()).isTrue();
    assertStale(Http.bearer(api, token).body());

    ticker.addAndGet(SETTLE.toNanos() + 1);
    Http.eventually(() -> status(api, token) == 200);
  }

  /**
   * K9 without an event: a channel that reports itself slow (its PINGs take long) stops vouching like a
   * late event, for as long as it stays slow.
   */
  @Test
  void userWhenTheChannelIsSlowThenVouchedOnlyByTheLastSyncUntilItIsPromptAgain() throws Exception {
    SlowSwitch channel = new SlowSwitch(RedisRevocationChannel.create(vertx, direct));
    String api = redisOnlyApi(direct, channel);
    String token = issuer.mint(key, claims());
    assertThat(status(api, token)).isEqualTo(200);

    channel.slow = true;
    time.advance(Duration.ofMinutes(11));
    Http.eventually(() -> status(api, token) == 503);
    assertStale(Http.bearer(api, token).body());

    channel.slow = false;
    ticker.addAndGet(SETTLE.toNanos() + 1);
    Http.eventually(() -> status(api, token) == 200);
  }

  /** A real channel whose {@link #slow()} the test sets. */
  static final class SlowSwitch implements RevocationChannel {
    final RevocationChannel real;
    volatile boolean slow;

    SlowSwitch(RevocationChannel real) {
      this.real = real;
    }

    @Override
    public io.vertx.core.Future<Void> publish(RevocationEvent event) {
      return real.publish(event);
    }

    @Override
    public io.vertx.core.Future<Void> subscribe(java.util.function.Consumer<RevocationEvent> events, Runnable reconnected) {
      return real.subscribe(events, reconnected);
    }

    @Override
    public boolean connected() {
      return real.connected();
    }

    @Override
    public boolean slow() {
      return slow;
    }

    @Override
    public String name() {
      return real.name();
    }

    @Override
    public io.vertx.core.Future<Void> close() {
      return real.close();
    }
  }

  /** A node whose clock is behind this host's by a steady 20 s: its events are not late, the channel vouches. */
  @Test
  void userWhenANodesClockIsSteadilyBehindThenItsEventsAreNotLate() throws Exception {
    String api = redisOnlyApi(direct);
    String token = issuer.mint(key, claims());
    for (int i = 1; i <= 3; i++) {
      publish("node-b", 20_000);
      int n = i;
      Http.eventually(() -> handler.revocations().eventsReceived() == n);
    }
    assertThat(handler.revocations().lateEventsReceived()).isZero();
    time.advance(Duration.ofMinutes(11));
    assertThat(status(api, token)).isEqualTo(200);
  }

  /** Publishes a revocation of a random jti from {@code origin}, stamped {@code behindMillis} before the clock's now. */
  void publish(String origin, long behindMillis) throws Exception {
    Revocation r = new Revocation(Revocation.Kind.TOKEN, UUID.randomUUID().toString(), nowSeconds(), nowSeconds() + 3600);
    Http.await(publisher.publish(new RevocationEvent(r, origin, time.clock().millis() - behindMillis)));
  }
}
