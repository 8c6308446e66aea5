package io.gatehouse.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.testing.Await;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Store faults played by a {@link FaultProxy} this test owns, between Gatehouse and the shared
 * PostgreSQL and Redis (issue 12): a silent store is answered 503 {@code temporarily_unavailable} with
 * {@code Retry-After} within its timeout, never 500 and never a hang; a silent Redis neither holds
 * {@code /revoke} nor stops the node vouching for its deny-set (its resync falls back to PostgreSQL).
 */
class StoreFaultsTest {
  static final String SCHEMA = "gh_faults_" + HexFormat.of().formatHex(PostgresTokenEndpointTest.longBytes(ThreadLocalRandom.current().nextLong()));
  static final String RS = TestServer.basic("resource-server", "resource-server-secret-0123456789-abc");
  /**
   * The store timeouts of these tests: short, so a fault is answered quickly (PostgreSQL's long enough
   * for the start's migration and seeding through the proxy on a machine whose cores are all busy: at
   * 1 s the start itself failed there; Redis's short so a resync falls back fast).
   */
  static final Duration PG_TIMEOUT = Duration.ofSeconds(2);
  static final Duration REDIS_TIMEOUT = Duration.ofMillis(300);
  /** What "within the bound" means here: the timeout plus generous room for a busy machine, far below a hang. */
  static final Duration BOUND = PG_TIMEOUT.plusSeconds(4);

  FaultProxy postgres;
  FaultProxy redis;
  TestServer server;

  /** A server on PostgreSQL (no client cache) and Redis, both through proxies; {@code env} adds to it. */
  TestServer start(Map<String, String> extra) throws Exception {
    postgres = FaultProxy.to(PostgresTokenEndpointTest.HOST, Integer.parseInt(PostgresTokenEndpointTest.PORT));
    redis = FaultProxy.to("127.0.0.1", 6379);
    Map<String, String> env = new HashMap<>(PostgresTokenEndpointTest.postgresEnv(SCHEMA, "0s"));
    env.put("GATEHOUSE_POSTGRES_PORT", String.valueOf(postgres.port()));
    env.put("GATEHOUSE_POSTGRES_HOST", "127.0.0.1");
    env.put("GATEHOUSE_POSTGRES_CONNECT_TIMEOUT", PG_TIMEOUT.toMillis() + "ms");
    env.put("GATEHOUSE_POSTGRES_QUERY_TIMEOUT", PG_TIMEOUT.toMillis() + "ms");
    env.put("GATEHOUSE_REDIS_ENABLED", "true");
    env.put("GATEHOUSE_REDIS_URI", "redis://127.0.0.1:" + redis.port());
    env.put("GATEHOUSE_REDIS_KEY_PREFIX", "gh-faults:" + UUID.randomUUID().toString().substring(0, 8) + ":");
    env.put("GATEHOUSE_REDIS_CHANNEL", "gh-faults-" + UUID.randomUUID());
    env.put("GATEHOUSE_REDIS_CONNECT_TIMEOUT", REDIS_TIMEOUT.toMillis() + "ms");
    env.put("GATEHOUSE_REDIS_COMMAND_TIMEOUT", REDIS_TIMEOUT.toMillis() + "ms");
    env.put("GATEHOUSE_REVOCATION_RESYNC_INTERVAL", "200ms");
    env.put("GATEHOUSE_REVOCATION_MAX_STALENESS", "2s");
    env.putAll(extra);
    server = TestServer.start(env);
    return server;
  }

  @AfterEach
  void stop() throws Exception {
    try {
      if (server != null) {
        server.close();
      }
    } finally {
      if (postgres != null) {
        postgres.close();
      }
      if (redis != null) {
        redis.close();
      }
    }
  }

  @AfterAll
  static void dropSchema() throws Exception {
    PostgresTokenEndpointTest.sql("DROP SCHEMA IF EXISTS " + SCHEMA + " CASCADE");
  }

  static void assertUnavailable(HttpResponse<String> r) {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(503);
    JsonObject body = new JsonObject(r.body());
    assertThat(body.getString("error")).isEqualTo("temporarily_unavailable");
    assertThat(body.getString("error_description")).matches("[\\x20-\\x7e&&[^\"\\\\]]+").doesNotContainIgnoringCase("postgres");
    assertThat(r.headers().firstValue("Retry-After")).hasValue("5");
    assertThat(r.headers().firstValue("Cache-Control")).hasValue("no-store");
  }

  HttpResponse<String> timed(ThrowingCall call) throws Exception {
    long started = System.nanoTime();
    HttpResponse<String> r = call.run();
    assertThat(Duration.ofNanos(System.nanoTime() - started)).as("answered within the bound").isLessThan(BOUND);
    return r;
  }

  interface ThrowingCall {
    HttpResponse<String> run() throws Exception;
  }

  HttpResponse<String> bearerGet(String path, String token) throws Exception {
    return server.http.send(HttpRequest.newBuilder(URI.create(server.base + path)).timeout(Duration.ofSeconds(10))
        .header("Authorization", "Bearer " + token).GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  static String introspect(TestServer s, String token) throws Exception {
    HttpResponse<String> r = s.post("/introspect", "application/x-www-form-urlencoded", "token=" + token, "Authorization", RS);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return String.valueOf(new JsonObject(r.body()).getBoolean("active"));
  }

  // --- PostgreSQL ---

  @Test
  void tokenWhenPostgresSilentThen503TemporarilyUnavailableWithinBound() throws Exception {
    start(Map.of());
    assertThat(server.form("grant_type=client_credentials", "Authorization", TokenEndpointTest.BILLING).statusCode()).isEqualTo(200);
    postgres.silence();

    assertUnavailable(timed(() -> server.form("grant_type=client_credentials", "Authorization", TokenEndpointTest.BILLING)));
    // the next one too: hung connections held by the pool do not turn the answer into a hang
    assertUnavailable(timed(() -> server.form("grant_type=client_credentials", "Authorization", TokenEndpointTest.BILLING)));
  }

  @Test
  void adminWhenPostgresSilentThen503TemporarilyUnavailableWithinBound() throws Exception {
    start(Map.of());
    String admin = AdminApiTest.adminToken(server);
    postgres.silence();

    assertUnavailable(timed(() -> bearerGet("/admin/clients/billing-service", admin)));
    assertUnavailable(timed(() -> bearerGet("/admin/revocations", admin)));
  }

  @Test
  void readinessWhenPostgresSilentThenDown() throws Exception {
    start(Map.of());
    assertThat(server.get("/health/ready").statusCode()).isEqualTo(200);
    postgres.silence();

    HttpResponse<String> r = timed(() -> server.get("/health/ready"));
    assertThat(r.statusCode()).isEqualTo(503);
  }

  // --- Redis ---

  @Test
  void introspectionWhenRedisSilentThenStillAnswersFromDurableResync() throws Exception {
    start(Map.of());
    String kept = AdminApiTest.clientToken(server, TokenEndpointTest.BILLING, "read:users");
    String revoked = AdminApiTest.clientToken(server, TokenEndpointTest.BILLING, "read:users");
    long silencedAt = System.currentTimeMillis();
    redis.silence();
    assertThat(server.post("/revoke", "application/x-www-form-urlencoded", "token=" + revoked, "Authorization", TokenEndpointTest.BILLING)
        .statusCode()).isEqualTo(200);

    // a resync that started after max_staleness (2 s) of silence has succeeded: from the durable list
    var hub = server.gatehouse.parts().revocationHub();
    Await.until("a successful resync from the durable list", Duration.ofSeconds(15), () -> hub.lastSyncMillis() > silencedAt + 2_000);
    assertThat(hub.vouched()).isTrue();
    assertThat(introspect(server, kept)).isEqualTo("true");
    assertThat(introspect(server, revoked)).isEqualTo("false");
    assertThat(server.get("/health/ready").statusCode()).isEqualTo(200);
  }

  @Test
  void revokeWhenRedisSilentThenAnswersWithinBound() throws Exception {
    // a Redis command may take 30 s here: /revoke must not wait for it (nor for its timeout)
    start(Map.of("GATEHOUSE_REDIS_COMMAND_TIMEOUT", "30s"));
    String token = AdminApiTest.clientToken(server, TokenEndpointTest.BILLING, "read:users");
    redis.silence();

    HttpResponse<String> r = timed(() -> server.post("/revoke", "application/x-www-form-urlencoded", "token=" + token,
        "Authorization", TokenEndpointTest.BILLING));

    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(introspect(server, token)).isEqualTo("false");
  }
}
