package io.gatehouse.resource;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.core.revocation.Revocation;
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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 12 item 3: a resource server never forgets revocations. It warm-starts its deny-set before it
 * serves (from Gatehouse's {@code GET /revocations}, or from the Redis cache), refuses with 503 until it
 * has, and fails closed once its channels are down and its last sync is older than
 * {@code revocationMaxStaleness}. The API is {@link ExampleApi}'s, configured from its environment.
 */
class RevocationWarmStartTest {
  static final String REDIS = "redis://127.0.0.1:6379";
  static final int REVOCATIONS = 190;

  final List<AutoCloseable> closing = new ArrayList<>();

  @AfterEach
  void cleanUp() throws Exception {
    for (int i = closing.size() - 1; i >= 0; i--) {
      closing.get(i).close();
    }
  }

  /** An API process of its own (its own, unclustered Vert.x), configured as {@link ExampleApi#main} is. */
  String api(Map<String, String> env) throws Exception {
    Vertx vertx = Vertx.vertx();
    closing.add(() -> Http.await(vertx.close()));
    GatehouseJwtHandler h = GatehouseJwtHandler.create(vertx, ExampleApi.options(vertx, env));
    closing.add(() -> Http.await(h.close()));
    return Http.base(Http.serve(vertx, ExampleApi.router(vertx, h))) + "/user";
  }

  RealGatehouse gatehouse(Map<String, String> env) throws Exception {
    RealGatehouse g = RealGatehouse.start(env);
    closing.add(g);
    return g;
  }

  /** Issues {@value #REVOCATIONS} tokens and revokes each at {@code /revoke} (RFC 7009). */
  static List<String> revokedTokens(RealGatehouse g) throws Exception {
    List<String> revoked = new ArrayList<>();
    for (int i = 0; i < REVOCATIONS; i++) {
      String token = g.token(RealGatehouse.BILLING, RealGatehouse.BILLING_SECRET, "read:users");
      HttpResponse<String> r = Http.post(g.issuer + "/revoke", "token=" + token, "Authorization",
          RealGatehouse.basic(RealGatehouse.BILLING, RealGatehouse.BILLING_SECRET));
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      revoked.add(token);
    }
    return revoked;
  }

  static void assertEveryOneRefusedAndAFreshTokenAccepted(RealGatehouse g, String api, List<String> revoked) throws Exception {
    for (String token : revoked) {
      HttpResponse<String> r = Http.bearer(api, token);
      assertThat(r.statusCode()).isEqualTo(401);
      assertThat(r.headers().allValues("WWW-Authenticate")).containsExactly("Bearer error=\"invalid_token\", error_description=\"token revoked\"");
    }
    assertThat(Http.bearer(api, g.token(RealGatehouse.BILLING, RealGatehouse.BILLING_SECRET, "read:users")).statusCode()).isEqualTo(200);
  }

  static void assertUnavailable(HttpResponse<String> r, String description) {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(503);
    assertThat(r.headers().firstValue("Retry-After")).hasValue("1");
    assertThat(r.headers().firstValue("Cache-Control")).hasValue("no-store");
    assertThat(new JsonObject(r.body())).isEqualTo(new JsonObject().put("error", "temporarily_unavailable").put("error_description", description));
  }

  @Test
  void apiRestartedAfterRevocationsThenRevokedTokensStillRefused() throws Exception {
    RealGatehouse g = gatehouse(Map.of());
    Map<String, String> env = Map.of("GATEHOUSE_ISSUER", g.issuer, "API_REVOCATIONS_CLIENT_ID", RealGatehouse.RESOURCE_SERVER,
        "API_REVOCATIONS_CLIENT_SECRET", RealGatehouse.RESOURCE_SERVER_SECRET);
    String before = api(env);
    assertThat(Http.bearer(before, g.token(RealGatehouse.BILLING, RealGatehouse.BILLING_SECRET, "read:users")).statusCode()).isEqualTo(200);
    List<String> revoked = revokedTokens(g);
    // the API "restarts": a new process with nothing in memory, warm-started from Gatehouse's GET /revocations
    String restarted = api(env);
    assertEveryOneRefusedAndAFreshTokenAccepted(g, restarted, revoked);
  }

  @Test
  void apiRestartedAfterRevocationsThenRevokedTokensStillRefusedWarmStartedFromRedis() throws Exception {
    String run = "rs-warm-" + UUID.randomUUID();
    closing.add(() -> deleteKeys(run + ":"));
    RealGatehouse g = gatehouse(Map.of("GATEHOUSE_REDIS_ENABLED", "true", "GATEHOUSE_REDIS_URI", REDIS, "GATEHOUSE_REDIS_KEY_PREFIX", run + ":",
        "GATEHOUSE_REDIS_CHANNEL", run));
    List<String> revoked = revokedTokens(g);
    String restarted = api(Map.of("GATEHOUSE_ISSUER", g.issuer, "API_REDIS_URI", REDIS, "API_REDIS_KEY_PREFIX", run + ":", "API_REDIS_CHANNEL", run));
    assertEveryOneRefusedAndAFreshTokenAccepted(g, restarted, revoked);
  }

  @Test
  void apiBeforeWarmStartThen503() throws Exception {
    int port = Http.freePort();
    String issuer = "http://127.0.0.1:" + port;
    Map<String, String> env = Map.of("GATEHOUSE_ISSUER", issuer, "API_REVOCATIONS_CLIENT_ID", RealGatehouse.RESOURCE_SERVER,
        "API_REVOCATIONS_CLIENT_SECRET", RealGatehouse.RESOURCE_SERVER_SECRET);
    Vertx vertx = Vertx.vertx();
    closing.add(() -> Http.await(vertx.close()));
    // retry the warm start at every request (the default waits 30 s between attempts)
    GatehouseJwtHandler h = GatehouseJwtHandler.create(vertx, ExampleApi.options(vertx, env).setJwksMinRefetchInterval(Duration.ZERO));
    closing.add(() -> Http.await(h.close()));
    String api = Http.base(Http.serve(vertx, ExampleApi.router(vertx, h))) + "/user";
    // Gatehouse is not there yet: the deny-set cannot be loaded, so nothing is let through
    assertUnavailable(Http.bearer(api, "eyJhbGciOiJFUzI1NiJ9.e30.c2ln"), "the revocation list is not available");
    assertThat(h.revocations().vouched()).isFalse();

    Map<String, String> gatehouseEnv = Map.of("GATEHOUSE_HTTP_PORT", String.valueOf(port), "GATEHOUSE_ISSUER", issuer);
    RealGatehouse g = gatehouse(gatehouseEnv);
    String token = g.token(RealGatehouse.BILLING, RealGatehouse.BILLING_SECRET, "read:users");
    Http.eventually(() -> {
      try {
        return Http.bearer(api, token).statusCode() == 200;
      } catch (Exception e) {
        return false;
      }
    });
    assertThat(h.revocations().warmStartComplete()).isTrue();
  }

  @Test
  void apiWhenChannelsDownBeyondStalenessThen503() throws Exception {
    Vertx vertx = Vertx.vertx();
    closing.add(() -> Http.await(vertx.close()));
    TestIssuer issuer = TestIssuer.start(vertx);
    closing.add(issuer::close);
    TestIssuer.Key key = issuer.publishNewKey(SigningAlgorithm.ES256);
    OwnRedis redis = OwnRedis.start();
    closing.add(redis::stop);
    RedisStoreOptions options = new RedisStoreOptions(redis.uri(), "rs-stale:", "rs-stale", 2);
    RedisRevocationCache cache = RedisRevocationCache.create(vertx, options);
    closing.add(() -> Http.await(cache.close()));
    Http.await(cache.fill(List.of()));
    ManualTime time = new ManualTime(); // the clock only: its ticker would see the moves as a pause
    GatehouseJwtHandler h = GatehouseJwtHandler.create(vertx, new ResourceServerOptions().setIssuer(issuer.issuer).setAudience(TestIssuer.AUDIENCE)
        .addRevocationChannel(RedisRevocationChannel.create(vertx, options)).setRevocationCache(cache)
        .setRevocationMaxStaleness(Duration.ofMinutes(10)).setJwksMinRefetchInterval(Duration.ZERO).setClock(time.clock()));
    closing.add(() -> Http.await(h.close()));
    String api = Http.base(Http.serve(vertx, ExampleApi.router(vertx, h))) + "/user";
    Http.await(h.start());
    // valid past the 11 minutes the clock moves (the token's exp is read on the same clock)
    String token = issuer.mint(key, issuer.claims().put("exp", time.clock().instant().getEpochSecond() + 3600));
    assertThat(Http.bearer(api, token).statusCode()).isEqualTo(200);

    // Redis (channel and cache) goes away: the deny-set is still vouched for within the staleness bound
    redis.stop();
    Http.eventually(() -> !h.revocations().connected());
    assertThat(Http.bearer(api, token).statusCode()).isEqualTo(200);
    time.advance(Duration.ofMinutes(9));
    assertThat(Http.bearer(api, token).statusCode()).isEqualTo(200);
    // past it, with no sync possible: fail closed
    time.advance(Duration.ofMinutes(2));
    assertUnavailable(Http.bearer(api, token), "the revocation list is stale");

    // Redis is back: the channel reconnects, the deny-set catches up, requests pass again
    redis.restart();
    Http.eventually(() -> {
      try {
        return Http.bearer(api, token).statusCode() == 200;
      } catch (Exception e) {
        return false;
      }
    });
  }

  static void deleteKeys(String prefix) throws Exception {
    Vertx vertx = Vertx.vertx();
    Redis client = Redis.createClient(vertx, REDIS);
    try {
      Http.await(client.send(Request.cmd(Command.DEL).arg(prefix + "revs").arg(prefix + "rev:complete")));
    } finally {
      client.close();
      Http.await(vertx.close());
    }
  }

  /** A redis-server process of this test's own, on its own port: stopping it is a Redis outage for this test alone. */
  static final class OwnRedis {
    private final int port;
    private Process process;

    private OwnRedis(int port) {
      this.port = port;
    }

    static OwnRedis start() throws Exception {
      OwnRedis r = new OwnRedis(Http.freePort());
      r.restart();
      return r;
    }

    String uri() {
      return "redis://127.0.0.1:" + port;
    }

    void restart() throws Exception {
      process = new ProcessBuilder("redis-server", "--port", String.valueOf(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no")
          .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      Http.eventually(() -> {
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
          return true;
        } catch (java.io.IOException e) {
          return false;
        }
      });
    }

    void stop() throws Exception {
      if (process != null && process.isAlive()) {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
          process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
      }
    }
  }
}
