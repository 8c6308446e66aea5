package io.gatehouse.server;

import static io.gatehouse.server.AdminApiTest.call;
import static io.gatehouse.testing.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.core.revocation.RevocationHub;
import io.gatehouse.testing.MutableClock;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A revocation covers every token it names until the last of them has expired, whatever the client's
 * lifetime is when it is made: lowering a client's {@code access_token_ttl} during an incident and then
 * pulling the kill switch must not let an older, longer-lived token become active again.
 */
class RevocationLifetimeTest {
  static final String BILLING = TestServer.basic("billing-service", "billing-secret-0123456789-abcdefghijkl");

  @ParameterizedTest
  @ValueSource(strings = {"memory", "postgres"})
  void killSwitchAfterClientTtlLoweredThenOlderTokenStaysInactiveUntilItExpires(String store) throws Exception {
    String schema = PostgresTokenEndpointTest.SCHEMA + "_lt";
    Map<String, String> env = new HashMap<>(store.equals("postgres") ? PostgresTokenEndpointTest.postgresEnv(schema, "0s") : Map.of());
    MutableClock clock = MutableClock.fromSystemTime();
    try (TestServer server = TestServer.start(env, clock)) {
      String admin = AdminApiTest.adminToken(server);
      // issued under the default lifetime, 10 minutes
      String old = AdminApiTest.clientToken(server, BILLING, "read:users");
      assertThat(AdminApiTest.introspect(server, old).getLong("exp")).isEqualTo(clock.epochSecond() + 600);

      HttpResponse<String> lowered = call(server, "PUT", "/admin/clients/billing-service", admin, "{\"grant_types\":[\"client_credentials\"],"
          + "\"scopes\":[\"read:users\",\"write:users\"],\"access_token_ttl\":\"5s\"}");
      assertThat(lowered.statusCode()).as(lowered.body()).isEqualTo(200);
      HttpResponse<String> killed = call(server, "POST", "/admin/revocations", admin, "{\"kind\":\"client\",\"value\":\"billing-service\"}");
      assertThat(killed.statusCode()).as(killed.body()).isEqualTo(201);
      assertThat(AdminApiTest.introspect(server, old)).isEqualTo(new JsonObject().put("active", false));

      // 66 s later (past the lowered lifetime and the margin), after the node's periodic purge and resync
      clock.advance(Duration.ofSeconds(66));
      purgeAndResync(server, clock);
      assertThat(AdminApiTest.introspect(server, old)).isEqualTo(new JsonObject().put("active", false));

      // and still just before the old token's own expiry
      clock.advance(Duration.ofSeconds(600 - 66 - 1));
      purgeAndResync(server, clock);
      assertThat(AdminApiTest.introspect(server, old)).isEqualTo(new JsonObject().put("active", false));
    } finally {
      if (store.equals("postgres")) {
        PostgresTokenEndpointTest.sql("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
      }
    }
  }

  @org.junit.jupiter.api.Test
  void startWhenASeededClientOutlivesTheMaximumThenRefusedNamingIt() {
    // the test seed gives short-lived an access_token_ttl of 5m
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> TestServer.start(Map.of("GATEHOUSE_TOKEN_MAX_ACCESS_TOKEN_TTL", "4m", "GATEHOUSE_TOKEN_ACCESS_TOKEN_TTL", "1m")).close())
        .isInstanceOf(io.gatehouse.server.config.ConfigException.class).hasMessageContaining("short-lived").hasMessageContaining("access_token_ttl")
        .hasMessageContaining("must not exceed token.max_access_token_ttl (4m)");
  }

  /** What the hub's periodic timer does: drop the deny-set entries expired by now, then reload from the durable list. */
  static void purgeAndResync(TestServer server, MutableClock clock) throws Exception {
    RevocationHub hub = server.gatehouse.parts().revocationHub();
    hub.denySet().purgeExpired(clock.epochSecond());
    await(hub.resync());
  }
}
