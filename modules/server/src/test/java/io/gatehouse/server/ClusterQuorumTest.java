package io.gatehouse.server;

import static io.gatehouse.testing.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.core.token.TokenHashes;
import io.gatehouse.store.cluster.HazelcastCluster;
import io.gatehouse.store.cluster.HazelcastClusterOptions;
import io.gatehouse.testing.Await;
import io.gatehouse.testing.FreePort;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Codes exactly once under splits ({@code cluster.expected_members}): with three members expected
 * (quorum 2), a node left alone is a minority. It answers code redemption 503
 * {@code temporarily_unavailable} with {@code Retry-After} and reports not ready, and serves again
 * (exactly once) as soon as a second member joins it.
 */
class ClusterQuorumTest {
  private static final Duration DEADLINE = Duration.ofSeconds(30);

  @Test
  void tokenWhenNodeLeftWithoutMajorityThen503TemporarilyUnavailableAndNotReadyUntilAMemberJoins() throws Exception {
    TwoNodes nodes = TwoNodes.start("gh_quorum_", "30s", 3);
    TestServer a = nodes.a();
    Vertx joined = null;
    try {
      awaitReady(a, 200);
      awaitReady(nodes.b(), 200);
      String verifier = TokenHashes.random(32);
      Browser browser = new Browser();
      String done = browser.signInAndConsent(a.base + "/authorize?" + Browser.encode(Map.of("response_type", "code",
          "client_id", "rp", "redirect_uri", ClusterFlowTest.RP_CB, "scope", "read:users", "state", "s",
          "code_challenge", TokenHashes.s256(verifier), "code_challenge_method", "S256")), a.base, "alice", "alice-password-123");
      String code = Browser.query(done).get("code");
      String body = "grant_type=authorization_code&code=" + code + "&redirect_uri="
          + java.net.URLEncoder.encode(ClusterFlowTest.RP_CB, "UTF-8") + "&code_verifier=" + verifier;
      String auth = TestServer.basic("rp", ClusterFlowTest.RP_SECRET);

      // B leaves: A alone is 1 of 3 expected, below the quorum of 2
      nodes.b().close();
      HttpResponse<String> notReady = awaitReady(a, 503);
      assertThat(new JsonObject(notReady.body())).isEqualTo(new JsonObject().put("status", "DOWN").put("checks", new JsonObject()
          .put("store", "UP").put("cluster", "DOWN").put("revocations", "UP").put("accepting", "UP").put("clock", "UP")));

      HttpResponse<String> refused = a.form(body, "Authorization", auth);
      assertThat(refused.statusCode()).isEqualTo(503);
      assertThat(refused.headers().firstValue("Retry-After")).hasValue("5");
      assertThat(refused.headers().firstValue("Cache-Control")).hasValue("no-store");
      assertThat(new JsonObject(refused.body())).isEqualTo(new JsonObject().put("error", "temporarily_unavailable")
          .put("error_description", "this node is cut off from most of its cluster and cannot use authorization codes now; try again"));

      // nor does it read the sign-in session (a sign-out there would be lost when the sides merge)
      HttpResponse<String> session = browser.get(a.base + "/authorize?" + Browser.encode(Map.of("response_type", "code",
          "client_id", "rp", "redirect_uri", ClusterFlowTest.RP_CB, "scope", "read:users", "state", "s2",
          "code_challenge", TokenHashes.s256(verifier), "code_challenge_method", "S256")));
      assertThat(session.statusCode()).isEqualTo(503);
      assertThat(session.headers().firstValue("Retry-After")).hasValue("5");
      assertThat(new JsonObject(session.body())).isEqualTo(new JsonObject().put("error", "temporarily_unavailable")
          .put("error_description", "this node is cut off from most of its cluster and cannot use sign-in sessions now; try again"));

      // a member joins: A has its majority again, is ready, and the code (untouched by the refusal) is redeemed once
      joined = await(HazelcastCluster.clusteredVertx(new VertxOptions(), HazelcastClusterOptions.tcpIp(nodes.cluster(),
          "127.0.0.1", FreePort.loopback(), List.of(nodes.memberA())).withExpectedMembers(3)));
      awaitReady(a, 200);
      HttpResponse<String> redeemed = a.form(body, "Authorization", auth);
      assertThat(redeemed.statusCode()).isEqualTo(200);
      // the redemption was claimed in the durable ledger (cluster.code_ledger): the arbiter a split map cannot get past
      assertThat(PostgresTokenEndpointTest.sqlCount("SELECT count(*) FROM " + nodes.schema() + ".redeemed_codes WHERE code_hash = '"
          + TokenHashes.hash(code) + "'")).isEqualTo(1);
      HttpResponse<String> replay = a.form(body, "Authorization", auth);
      assertThat(replay.statusCode()).isEqualTo(400);
      assertThat(new JsonObject(replay.body()).getString("error")).isEqualTo("invalid_grant");
    } finally {
      try {
        if (joined != null) {
          await(joined.close());
        }
        a.close();
      } finally {
        PostgresTokenEndpointTest.sql("DROP SCHEMA IF EXISTS " + nodes.schema() + " CASCADE");
      }
    }
  }

  /** Polls {@code /health/ready} until it answers {@code status}, within a bounded deadline. */
  private static HttpResponse<String> awaitReady(TestServer node, int status) {
    return Await.until("/health/ready answering " + status, DEADLINE, () -> node.get("/health/ready"), r -> r.statusCode() == status);
  }
}
