package io.gatehouse.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.jwk.JWKSet;
import io.gatehouse.core.token.SigningAlgorithm;
import io.gatehouse.core.token.SigningKeys;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 12, chaos finding K1: a revocation recorded in the durable list by a node that died before it
 * could write the cache or publish the event. Two nodes on one PostgreSQL schema share no event bus and
 * no Redis, and resync only every ten minutes: only the change feed ({@code revocation.catch_up_interval})
 * can bring them what was written straight into the durable list.
 */
class RevocationCatchUpTest {
  static final String SCHEMA = "gh_catchup_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
  static TestServer a;
  static TestServer b;

  static Map<String, String> env(Path keys) {
    Map<String, String> env = new HashMap<>(PostgresTokenEndpointTest.postgresEnv(SCHEMA, "30s"));
    env.put("GATEHOUSE_KEYS_JWKS_FILE", keys.toString());
    env.put("GATEHOUSE_REVOCATION_RESYNC_INTERVAL", "10m");
    env.put("GATEHOUSE_REVOCATION_MAX_STALENESS", "30m");
    env.put("GATEHOUSE_REVOCATION_CATCH_UP_INTERVAL", "200ms");
    return env;
  }

  @BeforeAll
  static void start() throws Exception {
    Path keys = Files.createTempDirectory("gatehouse-catchup-keys").resolve("jwks.json");
    Files.writeString(keys, new JWKSet(List.of(SigningKeys.generate(SigningAlgorithm.ES256), SigningKeys.generate(SigningAlgorithm.RS256)))
        .toString(false));
    int portA = io.gatehouse.testing.FreePort.loopback();
    Map<String, String> envA = env(keys);
    envA.put("GATEHOUSE_HTTP_PORT", String.valueOf(portA));
    envA.put("GATEHOUSE_ISSUER", "http://127.0.0.1:" + portA);
    a = TestServer.start(envA);
    Map<String, String> envB = env(keys);
    envB.put("GATEHOUSE_ISSUER", a.base);
    b = TestServer.start(envB);
  }

  @AfterAll
  static void stop() throws Exception {
    try {
      if (b != null) {
        b.close();
      }
      if (a != null) {
        a.close();
      }
    } finally {
      PostgresTokenEndpointTest.sql("DROP SCHEMA IF EXISTS " + SCHEMA + " CASCADE");
    }
  }

  @Test
  void introspectWhenARevocationReachedOnlyTheDurableListThenEveryNodeAnswersInactiveWithinTheCatchUpInterval() throws Exception {
    String token = new JsonObject(a.form("grant_type=client_credentials&scope=read%3Ausers", "Authorization", TokenEndpointTest.BILLING).body())
        .getString("access_token");
    JsonObject claims = new JsonObject(new String(Base64.getUrlDecoder().decode(token.split("\\.")[1]), StandardCharsets.UTF_8));
    assertThat(ClusterFlowTest.introspectOn(a, token).getBoolean("active")).isTrue();
    assertThat(ClusterFlowTest.introspectOn(b, token).getBoolean("active")).isTrue();

    // what the revoking node's durable write leaves when it dies before its cache write and publish
    PostgresTokenEndpointTest.sql("INSERT INTO " + SCHEMA + ".revocations (kind, value, revoked_at, expires_at) VALUES ('token', '"
        + claims.getString("jti") + "', " + claims.getLong("iat") + ", " + claims.getLong("exp") + ")");

    // each fails past 5 s; the resync alone would take ten minutes
    long started = System.nanoTime();
    ClusterFlowTest.millisUntilInactive(b, token, started);
    ClusterFlowTest.millisUntilInactive(a, token, started);
  }
}
