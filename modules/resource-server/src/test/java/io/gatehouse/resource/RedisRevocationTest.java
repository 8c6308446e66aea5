package io.gatehouse.resource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gatehouse.core.revocation.Revocation;
import io.gatehouse.core.revocation.RevocationEvent;
import io.gatehouse.core.token.SigningAlgorithm;
import io.gatehouse.store.redis.RedisRevocationCache;
import io.gatehouse.store.redis.RedisRevocationChannel;
import io.gatehouse.store.redis.RedisStoreOptions;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The deny-set fed from Redis (gatehouse-store-redis against the real Redis on 127.0.0.1:6379): the
 * pub/sub channel, the warm start from the cache, and failing closed when Redis cannot be subscribed.
 * Every test uses its own key prefix and channel, and deletes its keys.
 */
class RedisRevocationTest {
  static final String REDIS = "redis://127.0.0.1:6379";
  static Vertx vertx;
  static TestIssuer issuer;
  static TestIssuer.Key key;
  RedisStoreOptions redis;
  final List<GatehouseJwtHandler> handlers = new ArrayList<>();
  final List<AutoCloseable> closing = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    issuer = TestIssuer.start(vertx);
    key = issuer.publishNewKey(SigningAlgorithm.ES256);
  }

  @AfterAll
  static void stop() throws Exception {
    issuer.close();
    Http.await(vertx.close());
  }

  @BeforeEach
  void names() {
    String run = "rs-test-" + UUID.randomUUID();
    redis = new RedisStoreOptions(REDIS, run + ":", run, 2);
  }

  @AfterEach
  void cleanUp() throws Exception {
    for (GatehouseJwtHandler h : handlers) {
      Http.await(h.close());
    }
    for (AutoCloseable c : closing) {
      c.close();
    }
    Redis client = Redis.createClient(vertx, REDIS);
    try {
      Http.await(client.send(Request.cmd(Command.DEL).arg(redis.keyPrefix() + "revs").arg(redis.keyPrefix() + "rev:complete")));
    } finally {
      client.close();
    }
  }

  String api(ResourceServerOptions options) throws Exception {
    GatehouseJwtHandler h = GatehouseJwtHandler.create(vertx, options);
    handlers.add(h);
    return Http.base(Http.serve(vertx, ExampleApi.router(vertx, h))) + "/user";
  }

  ResourceServerOptions options() {
    return new ResourceServerOptions().setIssuer(issuer.issuer).setAudience(TestIssuer.AUDIENCE);
  }

  RedisRevocationCache cache() {
    RedisRevocationCache cache = RedisRevocationCache.create(vertx, redis);
    closing.add(() -> Http.await(cache.close()));
    return cache;
  }

  static long now() {
    return System.currentTimeMillis() / 1000;
  }

  static void assertRevoked(HttpResponse<String> r) {
    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(r.headers().allValues("WWW-Authenticate"))
        .containsExactly("Bearer error=\"invalid_token\", error_description=\"token revoked\"");
  }

  @Test
  void userWhenRevocationIsPublishedOnTheRedisChannelThenNextRequest401AndOtherTokens200() throws Exception {
    GatehouseJwtHandler h = GatehouseJwtHandler.create(vertx, options().addRevocationChannel(RedisRevocationChannel.create(vertx, redis)));
    handlers.add(h);
    String api = Http.base(Http.serve(vertx, ExampleApi.router(vertx, h))) + "/user";
    Http.await(h.start());
    assertThat(h.revocations().connected()).isTrue();
    JsonObject claims = issuer.claims();
    String revoked = issuer.mint(key, claims);
    String other = issuer.mint(key);
    assertThat(Http.bearer(api, revoked).statusCode()).isEqualTo(200);
    RedisRevocationChannel publisher = RedisRevocationChannel.create(vertx, redis);
    closing.add(() -> Http.await(publisher.close()));
    Http.await(publisher.publish(new RevocationEvent(new Revocation(Revocation.Kind.TOKEN, claims.getString("jti"), now(), now() + 60),
        "gatehouse-node-1", System.currentTimeMillis())));
    Http.eventually(() -> h.revocations().eventsReceived() == 1);
    assertRevoked(Http.bearer(api, revoked));
    assertThat(Http.bearer(api, other).statusCode()).isEqualTo(200);
    assertThat(h.revocations().lastPropagationLagMillis()).hasValueSatisfying(lag -> assertThat(lag).isBetween(0L, 5_000L));
  }

  @Test
  void userWhenTokenWasRevokedBeforeTheApiStartedThenTheWarmStartFromTheCacheDeniesIt() throws Exception {
    JsonObject claims = issuer.claims();
    RedisRevocationCache filled = cache();
    Http.await(filled.fill(List.of(new Revocation(Revocation.Kind.TOKEN, claims.getString("jti"), now(), now() + 60))));
    GatehouseJwtHandler h = GatehouseJwtHandler.create(vertx, options().setRevocationCache(cache()));
    handlers.add(h);
    String api = Http.base(Http.serve(vertx, ExampleApi.router(vertx, h))) + "/user";
    assertRevoked(Http.bearer(api, issuer.mint(key, claims)));
    assertThat(Http.bearer(api, issuer.mint(key)).statusCode()).isEqualTo(200);
    assertThat(h.revocations().warmStartComplete()).isTrue();
    assertThat(h.revocations().size()).isEqualTo(1);
  }

  @Test
  void warmStartWhenTheCacheIsNotKnownCompleteThenItsEntriesAreLoadedAsAPartialList() throws Exception {
    JsonObject claims = issuer.claims();
    RedisRevocationCache cache = cache();
    Http.await(cache.add(new Revocation(Revocation.Kind.SUBJECT, claims.getString("sub"), now(), now() + 60)));
    GatehouseJwtHandler h = GatehouseJwtHandler.create(vertx, options().setRevocationCache(cache));
    handlers.add(h);
    String api = Http.base(Http.serve(vertx, ExampleApi.router(vertx, h))) + "/user";
    assertRevoked(Http.bearer(api, issuer.mint(key, claims)));
    assertThat(h.revocations().warmStartComplete()).isFalse();
  }

  @Test
  void userWhenTheRedisChannelCannotBeSubscribedThen503FailClosedAndStartSaysWhy() throws Exception {
    RedisStoreOptions nowhere = new RedisStoreOptions("redis://127.0.0.1:" + Http.freePort(), redis.keyPrefix(), redis.channel(), 1);
    GatehouseJwtHandler h = GatehouseJwtHandler.create(vertx, options().addRevocationChannel(RedisRevocationChannel.create(vertx, nowhere))
        .setJwksMinRefetchInterval(Duration.ofSeconds(30)));
    handlers.add(h);
    String api = Http.base(Http.serve(vertx, ExampleApi.router(vertx, h))) + "/user";
    assertThatThrownBy(() -> Http.await(h.start())).isInstanceOf(ExecutionException.class)
        .hasMessageContaining("subscribing to revocation channel redis failed");
    HttpResponse<String> r = Http.bearer(api, issuer.mint(key));
    assertThat(r.statusCode()).isEqualTo(503);
    assertThat(new JsonObject(r.body())).isEqualTo(new JsonObject().put("error", "temporarily_unavailable")
        .put("error_description", "the revocation list is not available"));
  }
}
