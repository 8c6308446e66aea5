package io.gatehouse.bench;

import static io.gatehouse.testing.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.jwk.JWKSet;
import io.gatehouse.core.token.SigningAlgorithm;
import io.gatehouse.core.token.SigningKeys;
import io.gatehouse.server.Gatehouse;
import io.gatehouse.server.config.ConfigLoader;
import io.gatehouse.store.cluster.HazelcastCluster;
import io.gatehouse.store.cluster.HazelcastClusterOptions;
import io.gatehouse.testing.FreePort;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * R1 as the tool runs it against a deployment: two Gatehouse nodes in one Hazelcast cluster on
 * loopback, sharing the real PostgreSQL (a schema of its own) and one key set, and a resource server
 * (the resource-server library's example API) whose Vert.x joined the same cluster; revocations on
 * node A, introspection polled on node B (and A), {@code GET /user} polled at the API.
 */
class BenchPropagationClusterTest {
  static final String SECRET = BenchTest.SECRET;
  static final String RS_SECRET = BenchTest.RS_SECRET;
  static final String SCHEMA = "gh_bench_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
  static Vertx vertxA;
  static Vertx vertxB;
  static Vertx vertxApi;
  static io.gatehouse.resource.GatehouseJwtHandler apiAuth;
  static int apiPort;
  static Vertx clientVertx;
  static Gatehouse a;
  static Gatehouse b;

  static Gatehouse node(Vertx vertx, Path dir, Path keys, int port, String issuer) throws Exception {
    Path seed = dir.resolve("seed.yaml");
    Files.writeString(seed, "clients:\n  - client_id: bench-cc\n    client_secret: \"" + SECRET + "\"\n"
        + "    grant_types: [client_credentials]\n    scopes: [read, \"read:users\"]\n"
        + "  - client_id: bench-rs\n    client_secret: \"" + RS_SECRET + "\"\n"
        + "    grant_types: [client_credentials]\n    scopes: []\n    can_introspect: true\n");
    Map<String, String> env = new HashMap<>(Map.of("GATEHOUSE_HTTP_PORT", String.valueOf(port), "GATEHOUSE_ISSUER", issuer,
        "GATEHOUSE_KEYS_JWKS_FILE", keys.toString(), "GATEHOUSE_DEMO_ENABLED", "false", "GATEHOUSE_HTTP_INSTANCES", "1",
        "GATEHOUSE_RATE_LIMIT_ENABLED", "false",
        "GATEHOUSE_STORE_TYPE", "postgres", "GATEHOUSE_POSTGRES_USER", "postgres", "GATEHOUSE_POSTGRES_DATABASE", "test",
        "GATEHOUSE_POSTGRES_SCHEMA", SCHEMA));
    env.put("GATEHOUSE_SHUTDOWN_DRAIN_DELAY", "0s");
    return await(Gatehouse.start(vertx, ConfigLoader.load(List.of("--seed", seed.toString()), env)));
  }

  @BeforeAll
  static void start() throws Exception {
    System.setProperty("hazelcast.wait.seconds.before.join", "0");
    System.setProperty("hazelcast.logging.type", "slf4j");
    Path dir = Files.createTempDirectory("gatehouse-bench-r1");
    Path keys = dir.resolve("jwks.json");
    Files.writeString(keys, new JWKSet(List.of(SigningKeys.generate(SigningAlgorithm.ES256), SigningKeys.generate(SigningAlgorithm.RS256)))
        .toString(false));
    String cluster = "gatehouse-bench-" + UUID.randomUUID();
    int hzA = FreePort.loopback();
    int hzB = FreePort.loopback();
    int hzApi = FreePort.loopback();
    List<String> members = List.of("127.0.0.1:" + hzA, "127.0.0.1:" + hzB, "127.0.0.1:" + hzApi);
    vertxA = await(HazelcastCluster.clusteredVertx(new VertxOptions(), HazelcastClusterOptions.tcpIp(cluster, "127.0.0.1", hzA, members)));
    vertxB = await(HazelcastCluster.clusteredVertx(new VertxOptions(), HazelcastClusterOptions.tcpIp(cluster, "127.0.0.1", hzB, members)));
    int portA = FreePort.loopback();
    String issuer = "http://127.0.0.1:" + portA;
    a = node(vertxA, dir, keys, portA, issuer);
    b = node(vertxB, dir, keys, FreePort.loopback(), issuer);
    // the API: its own Vert.x in the same cluster, revocations from the event bus
    // as ExampleApi joins: a peer (lite member, not counted towards the quorum) that still gets the bus events
    vertxApi = await(HazelcastCluster.clusteredPeerVertx(new VertxOptions(), HazelcastClusterOptions.tcpIp(cluster, "127.0.0.1", hzApi, members)));
    apiAuth = io.gatehouse.resource.GatehouseJwtHandler.create(vertxApi, new io.gatehouse.resource.ResourceServerOptions().setIssuer(issuer)
        .setAudience("gatehouse-api").addRevocationChannel(new io.gatehouse.core.revocation.EventBusRevocationChannel(vertxApi)));
    io.vertx.core.http.HttpServer api = await(vertxApi.createHttpServer()
        .requestHandler(io.gatehouse.resource.ExampleApi.router(vertxApi, apiAuth)).listen(0, "127.0.0.1"));
    apiPort = api.actualPort();
    await(apiAuth.start());
    clientVertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() throws Exception {
    try {
      await(clientVertx.close());
      if (vertxApi != null) {
        await(apiAuth.close().eventually(() -> vertxApi.close()));
      }
      if (b != null) {
        await(b.close().eventually(() -> vertxB.close()));
      }
      if (a != null) {
        await(a.close().eventually(() -> vertxA.close()));
      }
    } finally {
      try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/test", "postgres", null)) {
        c.createStatement().execute("DROP SCHEMA IF EXISTS " + SCHEMA + " CASCADE");
      }
    }
  }

  @Test
  void r1RevokedOnNodeAThenNodeBAndTheResourceServerOnTheBusRejectEveryToken() throws Exception {
    String nodeA = "http://127.0.0.1:" + a.port();
    String nodeB = "http://127.0.0.1:" + b.port();
    String user = "http://127.0.0.1:" + apiPort + "/user";
    Map<String, String> opts = Bench.parse(List.of("--workload", "R1", "--target", nodeA, "--observe", nodeB + "," + nodeA,
        "--resource", user, "--client-id", "bench-cc", "--client-secret", SECRET, "--scope", "read:users", "--rs-client-id", "bench-rs",
        "--rs-client-secret", RS_SECRET, "--revocations", "50"));
    Propagation p = new Propagation(clientVertx, Bench.propagationSettings(opts));
    Propagation.Result r = p.run().toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS);
    p.close();
    System.out.println(Propagation.table(r));

    assertThat(r.errors()).isEmpty();
    assertThat(r.measured()).isEqualTo(50);
    assertThat(r.perObserver()).containsOnlyKeys("introspect 127.0.0.1:" + b.port(), "introspect 127.0.0.1:" + a.port(),
        "resource 127.0.0.1:" + apiPort + "/user");
    assertThat(r.perObserver().get("resource 127.0.0.1:" + apiPort + "/user").getTotalCount()).isEqualTo(50);
    // the event bus carries it, not B's periodic resync (every 5 s): a loose bound for a shared CI machine
    assertThat(r.all().getMaxValue() / 1000).isLessThan(1_000);
  }
}
