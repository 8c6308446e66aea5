package io.gatehouse.server;

import static io.gatehouse.testing.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.jwk.JWKSet;
import io.gatehouse.core.revocation.RevocationEvent;
import io.gatehouse.core.token.SigningAlgorithm;
import io.gatehouse.core.token.SigningKeys;
import io.gatehouse.store.cluster.HazelcastCluster;
import io.gatehouse.store.cluster.HazelcastClusterOptions;
import io.gatehouse.store.redis.RedisRevocationChannel;
import io.gatehouse.store.redis.RedisStoreOptions;
import io.gatehouse.testing.Await;
import io.gatehouse.testing.FreePort;
import io.gatehouse.testing.MutableClock;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Revocation across a deployment: two clustered nodes on the real PostgreSQL (own schema) and a Redis
 * server of this test's own (a real {@code redis-server} on a free port, so that it can be restarted
 * without touching anyone else's data), plus nodes started later.
 */
class RevocationPropagationTest {
  static final String SCHEMA = "gh_revprop_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
  static final String PREFIX = "gh-revprop:" + UUID.randomUUID().toString().substring(0, 8) + ":";
  static final String CHANNEL = "gh-revprop-" + UUID.randomUUID();
  static int redisPort;
  static Process redis;
  static Path keys;
  static TestServer a;
  static TestServer b;
  static final List<TestServer> late = new ArrayList<>();

  static void startRedis() throws Exception {
    redis = new ProcessBuilder("redis-server", "--port", String.valueOf(redisPort), "--bind", "127.0.0.1", "--save", "",
        "--appendonly", "no", "--maxmemory-policy", "noeviction").redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .start();
    Await.until("redis-server listening", Duration.ofSeconds(10), () -> {
      try (java.net.Socket s = new java.net.Socket("127.0.0.1", redisPort)) {
        return true;
      } catch (java.io.IOException e) {
        return false;
      }
    });
  }

  static void stopRedis() throws Exception {
    redis.destroy();
    assertThat(redis.waitFor(10, TimeUnit.SECONDS)).isTrue();
  }

  static Map<String, String> env() {
    Map<String, String> env = new HashMap<>(PostgresTokenEndpointTest.postgresEnv(SCHEMA, "30s"));
    env.put("GATEHOUSE_KEYS_JWKS_FILE", keys.toString());
    env.put("GATEHOUSE_REDIS_ENABLED", "true");
    env.put("GATEHOUSE_REDIS_URI", "redis://127.0.0.1:" + redisPort);
    env.put("GATEHOUSE_REDIS_KEY_PREFIX", PREFIX);
    env.put("GATEHOUSE_REDIS_CHANNEL", CHANNEL);
    env.put("GATEHOUSE_REVOCATION_RESYNC_INTERVAL", "200ms");
    env.put("GATEHOUSE_REVOCATION_MAX_STALENESS", "2s");
    return env;
  }

  @BeforeAll
  static void start() throws Exception {
    System.setProperty("hazelcast.wait.seconds.before.join", "0");
    System.setProperty("hazelcast.logging.type", "slf4j");
    redisPort = FreePort.loopback();
    startRedis();
    keys = Files.createTempDirectory("gatehouse-revprop-keys").resolve("jwks.json");
    Files.writeString(keys, new JWKSet(List.of(SigningKeys.generate(SigningAlgorithm.ES256), SigningKeys.generate(SigningAlgorithm.RS256)))
        .toString(false));
    String cluster = "gatehouse-revprop-" + UUID.randomUUID();
    int hzA = FreePort.loopback();
    int hzB = FreePort.loopback();
    List<String> members = List.of("127.0.0.1:" + hzA, "127.0.0.1:" + hzB);
    int portA = FreePort.loopback();
    Vertx vertxA = await(HazelcastCluster.clusteredVertx(new VertxOptions(),
        HazelcastClusterOptions.tcpIp(cluster, "127.0.0.1", hzA, members)));
    Vertx vertxB = await(HazelcastCluster.clusteredVertx(new VertxOptions(),
        HazelcastClusterOptions.tcpIp(cluster, "127.0.0.1", hzB, members)));
    Map<String, String> envA = env();
    envA.put("GATEHOUSE_HTTP_PORT", String.valueOf(portA));
    envA.put("GATEHOUSE_ISSUER", "http://127.0.0.1:" + portA);
    a = TestServer.start(envA, vertxA);
    Map<String, String> envB = env();
    envB.put("GATEHOUSE_ISSUER", a.base);
    b = TestServer.start(envB, vertxB);
  }

  @AfterAll
  static void stop() throws Exception {
    try {
      for (TestServer s : late) {
        s.close();
      }
      if (b != null) {
        b.close();
      }
      if (a != null) {
        a.close();
      }
    } finally {
      try {
        PostgresTokenEndpointTest.sql("DROP SCHEMA IF EXISTS " + SCHEMA + " CASCADE");
      } finally {
        if (redis != null) {
          redis.destroy();
        }
      }
    }
  }

  /** A node that joins no cluster (only Redis and Postgres tie it to the others), with A's issuer and keys. */
  static TestServer lateNode() throws Exception {
    Map<String, String> env = env();
    env.put("GATEHOUSE_ISSUER", a.base);
    TestServer s = TestServer.start(env);
    late.add(s);
    return s;
  }

  static String token() throws Exception {
    return new JsonObject(a.form("grant_type=client_credentials&scope=read%3Ausers", "Authorization", TokenEndpointTest.BILLING).body())
        .getString("access_token");
  }

  static void revokeOnA(String token) throws Exception {
    HttpResponse<String> r = a.post("/revoke", "application/x-www-form-urlencoded", "token=" + token, "Authorization", TokenEndpointTest.BILLING);
    assertThat(r.statusCode()).isEqualTo(200);
  }

  static boolean active(TestServer node, String token) throws Exception {
    return ClusterFlowTest.introspectOn(node, token).getBoolean("active");
  }

  @Test
  void revokedOnAThenRejectedOnBAndPublishedOnTheRedisChannelInTheDocumentedSchema() throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      RedisRevocationChannel subscriber = RedisRevocationChannel.create(vertx,
          new RedisStoreOptions("redis://127.0.0.1:" + redisPort, PREFIX, CHANNEL, 2));
      LinkedBlockingQueue<RevocationEvent> events = new LinkedBlockingQueue<>();
      await(subscriber.subscribe(events::add, () -> {}));
      String token = token();
      String jti = a.verify(token).getJwtId();
      assertThat(active(b, token)).isTrue();

      long start = System.nanoTime();
      revokeOnA(token);

      assertThat(ClusterFlowTest.millisUntilInactive(b, token, start)).isLessThan(1_000);
      RevocationEvent event = events.poll(5, TimeUnit.SECONDS);
      assertThat(event).isNotNull();
      assertThat(event.revocation().kind().wire()).isEqualTo("token");
      assertThat(event.revocation().value()).isEqualTo(jti);
      assertThat(event.toJson().fieldNames()).containsExactlyInAnyOrder("v", "kind", "value", "revoked_at", "expires_at", "origin",
          "published_at_ms");
      await(subscriber.close());
    } finally {
      vertx.close();
    }
  }

  @Test
  void aNodeStartedAfterTheRevocationRejectsTheTokenLoadingItFromRedis() throws Exception {
    String token = token();
    revokeOnA(token);
    // Postgres forgets it: only Redis can tell the new node now
    PostgresTokenEndpointTest.sql("DELETE FROM " + SCHEMA + ".revocations WHERE kind = 'token' AND value = '"
        + a.verify(token).getJwtId().replace("'", "''") + "'");

    TestServer c = lateNode();

    assertThat(active(c, token)).isFalse();
    assertThat(active(c, token())).as("another token").isTrue();
  }

  @Test
  void afterRedisRestartsNothingRevokedComesBackToLifeOnOldOrNewNodes() throws Exception {
    String token = token();
    revokeOnA(token);
    assertThat(ClusterFlowTest.millisUntilInactive(b, token, System.nanoTime())).isLessThan(1_000);

    stopRedis();
    startRedis(); // empty: no persistence
    // old nodes resync and keep what they know: one resync each that began after the restart (a call
    // joins a resync already running, which may have begun before it; the second call's began after)
    for (TestServer old : List.of(a, b)) {
      var hub = old.gatehouse.parts().revocationHub();
      await(hub.resync());
      await(hub.resync());
    }
    assertThat(active(a, token)).isFalse();
    assertThat(active(b, token)).isFalse();
    // a new node finds Redis incomplete, loads from Postgres, and refills Redis
    TestServer d = lateNode();
    assertThat(active(d, token)).isFalse();
    Vertx vertx = Vertx.vertx();
    try {
      Redis client = Redis.createClient(vertx, "redis://127.0.0.1:" + redisPort);
      String key = PREFIX + "rev:token:" + a.verify(token).getJwtId();
      Await.until("Redis refilled from Postgres", Duration.ofSeconds(5),
          () -> await(client.send(Request.cmd(Command.EXISTS).arg(key))).toInteger() == 1);
      client.close();
    } finally {
      vertx.close();
    }
    // and a revocation after the restart still propagates by the bus and the new Redis
    String after = token();
    revokeOnA(after);
    assertThat(ClusterFlowTest.millisUntilInactive(b, after, System.nanoTime())).isLessThan(1_000);
  }

  @Test
  void whenRedisAndTheDurableListAreBothLostPastTheBoundThenIntrospectionFailsClosedAndReadinessSaysSo() throws Exception {
    String schema = SCHEMA + "_fc";
    Map<String, String> env = env();
    env.putAll(PostgresTokenEndpointTest.postgresEnv(schema, "1h"));
    env.put("GATEHOUSE_KEYS_JWKS_FILE", keys.toString());
    env.put("GATEHOUSE_REDIS_URI", "redis://127.0.0.1:1"); // nothing listens: Redis is lost from the start
    env.put("GATEHOUSE_REDIS_KEY_PREFIX", PREFIX + "fc:");
    // the node's clock: past the staleness bound by moving it, not by waiting
    MutableClock clock = MutableClock.fromSystemTime();
    try (TestServer lonely = TestServer.start(env, clock)) {
      String token = new JsonObject(lonely.form("grant_type=client_credentials&scope=read%3Aus" + "ers", "Authorization",
          TokenEndpointTest.BILLING).body()).getString("access_token");
      // Postgres alone vouches for the deny-set
      assertThat(ClusterFlowTest.introspectOn(lonely, token).getBoolean("active")).isTrue();
      assertThat(lonely.get("/health/ready").statusCode()).isEqualTo(200);

      PostgresTokenEndpointTest.sql("DROP TABLE " + schema + ".revocations");
      // every resync from now on fails; the last successful one began at the clock's time, and the
      // clock moves past revocation.max_staleness (2 s) from there
      clock.advance(Duration.ofMillis(2_001));

      HttpResponse<String> r = lonely.post("/introspect", "application/x-www-form-urlencoded", "token=" + token, "Authorization",
          RevocationTest.RS);
      assertThat(r.statusCode()).isEqualTo(503);
      assertThat(new JsonObject(r.body())).isEqualTo(new JsonObject().put("error", "temporarily_unavailable")
          .put("error_description", "this node cannot vouch for its revocation list; try again"));
      HttpResponse<String> ready = lonely.get("/health/ready");
      assertThat(ready.statusCode()).isEqualTo(503);
      assertThat(new JsonObject(ready.body()).getJsonObject("checks").getString("revocations")).isEqualTo("DOWN");
    } finally {
      PostgresTokenEndpointTest.sql("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
    }
  }
}
