package io.gatehouse.server;

import static io.gatehouse.testing.Await.await;

import com.nimbusds.jose.jwk.JWKSet;
import io.gatehouse.core.token.SigningAlgorithm;
import io.gatehouse.core.token.SigningKeys;
import io.gatehouse.store.cluster.HazelcastCluster;
import io.gatehouse.store.cluster.HazelcastClusterOptions;
import io.gatehouse.testing.FreePort;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Two Gatehouse nodes in one Hazelcast cluster over loopback (a random cluster name), sharing the real
 * PostgreSQL in a schema of their own and one signing key set, as a deployment runs them. Node A's
 * address is the issuer. Closing stops both and drops the schema.
 */
record TwoNodes(TestServer a, TestServer b, String schema, String cluster, String memberA) implements AutoCloseable {
  /** @param clientCacheTtl {@code store.client_cache_ttl} of both nodes */
  static TwoNodes start(String schemaPrefix, String clientCacheTtl) throws Exception {
    return start(schemaPrefix, clientCacheTtl, 0);
  }

  /** @param expectedMembers {@code cluster.expected_members} of both members (0: no split-brain protection) */
  static TwoNodes start(String schemaPrefix, String clientCacheTtl, int expectedMembers) throws Exception {
    System.setProperty("hazelcast.wait.seconds.before.join", "0");
    System.setProperty("hazelcast.logging.type", "slf4j");
    String schema = schemaPrefix + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
    Path keys = Files.createTempDirectory("gatehouse-cluster-keys").resolve("jwks.json");
    Files.writeString(keys, new JWKSet(List.of(SigningKeys.generate(SigningAlgorithm.ES256), SigningKeys.generate(SigningAlgorithm.RS256)))
        .toString(false));
    String cluster = "gatehouse-test-" + UUID.randomUUID();
    int hzA = FreePort.loopback();
    int hzB = FreePort.loopback();
    List<String> members = List.of("127.0.0.1:" + hzA, "127.0.0.1:" + hzB);
    int portA = FreePort.loopback();
    Map<String, String> env = new HashMap<>(PostgresTokenEndpointTest.postgresEnv(schema, clientCacheTtl));
    env.put("GATEHOUSE_KEYS_JWKS_FILE", keys.toString());
    env.put("GATEHOUSE_ISSUER", "http://127.0.0.1:" + portA);
    Vertx vertxA = await(HazelcastCluster.clusteredVertx(new VertxOptions(),
        HazelcastClusterOptions.tcpIp(cluster, "127.0.0.1", hzA, members).withExpectedMembers(expectedMembers)));
    Vertx vertxB = await(HazelcastCluster.clusteredVertx(new VertxOptions(),
        HazelcastClusterOptions.tcpIp(cluster, "127.0.0.1", hzB, members).withExpectedMembers(expectedMembers)));
    Map<String, String> envA = new HashMap<>(env);
    envA.put("GATEHOUSE_HTTP_PORT", String.valueOf(portA));
    TestServer a = TestServer.start(envA, vertxA);
    TestServer b;
    try {
      b = TestServer.start(env, vertxB);
    } catch (Exception e) {
      a.close();
      PostgresTokenEndpointTest.sql("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
      throw e;
    }
    return new TwoNodes(a, b, schema, cluster, members.get(0));
  }

  @Override
  public void close() throws Exception {
    try {
      try {
        b.close();
      } finally {
        a.close();
      }
    } finally {
      PostgresTokenEndpointTest.sql("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
    }
  }
}
