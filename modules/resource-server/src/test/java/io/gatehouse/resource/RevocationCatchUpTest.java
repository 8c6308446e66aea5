package io.gatehouse.resource;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.core.revocation.Revocation;
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
 * against the real Redis with a {@link CuttableProxy} in front of one of the library's connections.
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
    Http.await(writer.fill(List.of()));
  }

  @AfterEach
  void stop() throws Exception {
    if (handler != null) {
      Http.await(handler.close());
    }
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
        .setRevocationMaxPause(Duration.ofSeconds(2)).setJwksMinRefetchInterval(Duration.ZERO));
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
}
