package io.gatehouse.resource;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.core.revocation.Revocation;
import io.gatehouse.store.redis.RedisRevocationCache;
import io.gatehouse.store.redis.RedisRevocationChannel;
import io.gatehouse.store.redis.RedisStoreOptions;
import io.vertx.core.Vertx;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A revocation whose Redis cache write and publish failed reaches a resource server that listens on
 * Redis only, once Gatehouse's Redis answers again (issue 12, fault finding 1): a real Gatehouse whose
 * Redis connections go through a {@link CuttableProxy}, and the resource-server library subscribed to
 * the real Redis directly, so its own channel never notices anything and only Gatehouse can heal it.
 */
class RevocationRepublishTest {
  Vertx vertx;
  CuttableProxy proxy;
  RealGatehouse gatehouse;
  GatehouseJwtHandler handler;
  RedisStoreOptions redis;
  RedisRevocationCache reader;

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    proxy = CuttableProxy.to(vertx, 6379);
    String run = "rs-republish-" + UUID.randomUUID();
    redis = new RedisStoreOptions("redis://127.0.0.1:6379", run + ":", run, 2);
    gatehouse = RealGatehouse.start(Map.of(
        "GATEHOUSE_REDIS_ENABLED", "true",
        "GATEHOUSE_REDIS_URI", "redis://127.0.0.1:" + proxy.port(),
        "GATEHOUSE_REDIS_KEY_PREFIX", redis.keyPrefix(),
        "GATEHOUSE_REDIS_CHANNEL", redis.channel(),
        "GATEHOUSE_REDIS_CONNECT_TIMEOUT", "500ms",
        "GATEHOUSE_REDIS_COMMAND_TIMEOUT", "500ms"));
    // the library's defaults: a resync only every 5 minutes, so nothing but Gatehouse heals the gap here
    handler = GatehouseJwtHandler.create(vertx, new ResourceServerOptions().setIssuer(gatehouse.issuer).setAudience("gatehouse-api")
        .addRevocationChannel(RedisRevocationChannel.create(vertx, redis)));
    Http.await(handler.start());
    reader = RedisRevocationCache.create(vertx, redis);
  }

  @AfterEach
  void stop() throws Exception {
    if (handler != null) {
      Http.await(handler.close());
    }
    if (reader != null) {
      Http.await(reader.close());
    }
    if (gatehouse != null) {
      gatehouse.close();
    }
    proxy.close();
    RevocationWarmStartTest.deleteKeys(redis.keyPrefix());
    Http.await(vertx.close());
  }

  @Test
  void revokeWhenGatehouseCannotReachRedisThenRedisOnlyResourceServerDeniesOnceRedisAnswersAgain() throws Exception {
    String api = Http.base(Http.serve(vertx, ExampleApi.router(vertx, handler))) + "/user";
    String token = gatehouse.token(RealGatehouse.BILLING, RealGatehouse.BILLING_SECRET, "read:users");
    assertThat(Http.bearer(api, token).statusCode()).isEqualTo(200);

    proxy.cut();
    HttpResponse<String> revoked = Http.post(gatehouse.issuer + "/revoke", "token=" + URLEncoder.encode(token, StandardCharsets.UTF_8),
        "Authorization", RealGatehouse.basic(RealGatehouse.BILLING, RealGatehouse.BILLING_SECRET));
    assertThat(revoked.statusCode()).isEqualTo(200);
    // both the cache write and the publish on the Redis channel failed
    Http.eventually(() -> notPropagated("cache") >= 1 && notPropagated("redis") >= 1);
    assertThat(Http.bearer(api, token).statusCode()).as("the API missed the event").isEqualTo(200);

    proxy.restore();

    Http.eventually(() -> status(api, token) == 401);
    HttpResponse<String> r = Http.bearer(api, token);
    assertThat(r.headers().allValues("WWW-Authenticate")).containsExactly("Bearer error=\"invalid_token\", error_description=\"token revoked\"");
    // and the cache has it, so a resource server warm-starting from it now denies it too
    String jti = RealGatehouse.payload(token).getString("jti");
    // (Gatehouse writes the cache and publishes on the channel independently: the write may land just after the event)
    Http.eventually(() -> {
      try {
        Optional<List<Revocation>> snapshot = Http.await(reader.snapshot(System.currentTimeMillis() / 1000));
        return snapshot.isPresent() && snapshot.get().stream().anyMatch(e -> e.key().equals(Revocation.Kind.TOKEN.wire() + ":" + jti));
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
  }

  int status(String api, String token) {
    try {
      return Http.bearer(api, token).statusCode();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  /** gatehouse_revocations_not_propagated_total{target=...} from Gatehouse's /metrics. */
  double notPropagated(String target) {
    try {
      String metrics = Http.get(gatehouse.issuer + "/metrics").body();
      return metrics.lines().filter(l -> l.startsWith("gatehouse_revocations_not_propagated_total{") && l.contains("target=\"" + target + "\""))
          .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
