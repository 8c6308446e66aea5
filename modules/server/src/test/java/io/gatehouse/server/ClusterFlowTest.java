package io.gatehouse.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.core.token.TokenHashes;
import io.gatehouse.testing.Await;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two Gatehouse nodes in one Hazelcast cluster over loopback, sharing the real PostgreSQL (own schema)
 * and one signing key set, as a deployment runs them: a login started on one node continues on the
 * other, and a code issued by one node is redeemed exactly once across both.
 */
class ClusterFlowTest {
  static final String RP_SECRET = AuthorizationCodeFlowTest.RP_SECRET;
  static final String RP_CB = AuthorizationCodeFlowTest.RP_CB;
  static TwoNodes nodes;
  static TestServer a;
  static TestServer b;

  @BeforeAll
  static void start() throws Exception {
    nodes = TwoNodes.start("gh_cluster_", "30s");
    a = nodes.a();
    b = nodes.b();
  }

  @AfterAll
  static void stop() throws Exception {
    if (nodes != null) {
      nodes.close();
    }
  }

  @Test
  void loginStartedOnOneNodeContinuesOnTheOtherAndTheCodeIsRedeemedExactlyOnceAcrossNodes() throws Exception {
    assertThat(a.vertx.isClustered()).isTrue();
    String verifier = TokenHashes.random(32);
    Browser browser = new Browser();
    // node A: the authorization request and the login page
    String authorize = a.base + "/authorize?" + Browser.encode(Map.of("response_type", "code", "client_id", "rp",
        "redirect_uri", RP_CB, "scope", "openid read:users", "state", "st", "code_challenge", TokenHashes.s256(verifier),
        "code_challenge_method", "S256"));
    HttpResponse<String> first = browser.get(authorize);
    String loginPath = first.headers().firstValue("Location").orElseThrow();
    HttpResponse<String> page = browser.get(a.base + loginPath);
    // node B: the login form is posted to the other node (the session lives in the cluster)
    HttpResponse<String> posted = browser.post(b.base + "/login", Map.of("rid", Browser.hidden(page.body(), "rid"),
        "csrf", Browser.hidden(page.body(), "csrf"), "username", "alice", "password", "alice-password-123"));
    assertThat(posted.statusCode()).isEqualTo(303);
    String consentPath = browser.get(b.base + posted.headers().firstValue("Location").orElseThrow()).headers().firstValue("Location").orElseThrow();
    assertThat(consentPath).startsWith("/consent?rid=");
    // back on node A: consent
    HttpResponse<String> consent = browser.get(a.base + consentPath);
    HttpResponse<String> approved = browser.post(a.base + "/consent", Map.of("rid", Browser.hidden(consent.body(), "rid"),
        "csrf", Browser.hidden(consent.body(), "csrf"), "decision", "approve"));
    String done = Browser.location(approved, a.base);
    assertThat(done).startsWith(RP_CB + "?code=");
    assertThat(Browser.query(done)).containsEntry("iss", a.base).containsEntry("state", "st");
    String code = Browser.query(done).get("code");

    String body = "grant_type=authorization_code&code=" + code + "&redirect_uri=" + java.net.URLEncoder.encode(RP_CB, "UTF-8")
        + "&code_verifier=" + verifier;
    String auth = TestServer.basic("rp", RP_SECRET);
    // node B redeems the code node A issued
    HttpResponse<String> redeemed = b.form(body, "Authorization", auth);
    assertThat(redeemed.statusCode()).isEqualTo(200);
    JsonObject tokens = new JsonObject(redeemed.body());
    assertThat(a.verify(tokens.getString("access_token")).getSubject()).isEqualTo("248289761001");
    // node A sees it used: invalid_grant, and the grant's refresh token (in Postgres) is revoked
    HttpResponse<String> replay = a.form(body, "Authorization", auth);
    assertThat(replay.statusCode()).isEqualTo(400);
    assertThat(new JsonObject(replay.body()).getString("error")).isEqualTo("invalid_grant");
    HttpResponse<String> refresh = b.form("grant_type=refresh_token&refresh_token=" + tokens.getString("refresh_token"), "Authorization", auth);
    assertThat(new JsonObject(refresh.body()).getString("error")).isEqualTo("invalid_grant");
  }

  /**
   * Chaos finding K4: a session cookie the cluster does not hold (signed out, expired or forged) is
   * answered at once with the login page. vertx-web's clustered store re-read a missing session for 5 s
   * by default; the request here is bounded well below that.
   */
  @Test
  void authorizeWhenTheSessionCookieIsUnknownToTheClusterThenTheLoginPageWithoutWaiting() throws Exception {
    String unknownSession = TokenHashes.random(32) + TokenHashes.random(32);
    String authorize = a.base + "/authorize?" + Browser.encode(Map.of("response_type", "code", "client_id", "rp",
        "redirect_uri", RP_CB, "scope", "openid", "state", "st", "code_challenge", TokenHashes.s256(TokenHashes.random(32)),
        "code_challenge_method", "S256"));
    java.net.http.HttpClient http = java.net.http.HttpClient.newBuilder()
        .followRedirects(java.net.http.HttpClient.Redirect.NEVER).build();

    for (TestServer node : List.of(a, b)) {
      HttpResponse<String> r = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(authorize.replace(a.base, node.base)))
          .header("Cookie", "gatehouse_session=" + unknownSession).timeout(Duration.ofSeconds(3)).GET().build(),
          HttpResponse.BodyHandlers.ofString());

      assertThat(r.statusCode()).isEqualTo(302);
      assertThat(r.headers().firstValue("Location").orElseThrow()).startsWith("/login?");
    }
  }

  @Test
  void readinessOfAClusteredNodeChecksTheClusterAndTheDatabase() throws Exception {
    HttpResponse<String> ready = b.get("/health/ready");
    assertThat(ready.statusCode()).isEqualTo(200);
    assertThat(new JsonObject(ready.body()).getJsonObject("checks"))
        .isEqualTo(new JsonObject().put("store", "UP").put("cluster", "UP").put("revocations", "UP").put("accepting", "UP")
            .put("clock", "UP"));
  }

  @Test
  void refreshRotatedOnOneNodeThenReuseOnTheOtherRevokesTheFamily() throws Exception {
    String verifier = TokenHashes.random(32);
    String done = new Browser().signInAndConsent(a.base + "/authorize?" + Browser.encode(Map.of("response_type", "code",
        "client_id", "rp", "redirect_uri", RP_CB, "scope", "read:users", "state", "s", "code_challenge", TokenHashes.s256(verifier),
        "code_challenge_method", "S256")), a.base, "alice", "alice-password-123");
    String auth = TestServer.basic("rp", RP_SECRET);
    JsonObject tokens = new JsonObject(a.form("grant_type=authorization_code&code=" + Browser.query(done).get("code")
        + "&redirect_uri=" + java.net.URLEncoder.encode(RP_CB, "UTF-8") + "&code_verifier=" + verifier, "Authorization", auth).body());
    String r1 = tokens.getString("refresh_token");
    HttpResponse<String> rotated = a.form("grant_type=refresh_token&refresh_token=" + r1, "Authorization", auth);
    assertThat(rotated.statusCode()).isEqualTo(200);
    String r2 = new JsonObject(rotated.body()).getString("refresh_token");
    HttpResponse<String> reuse = b.form("grant_type=refresh_token&refresh_token=" + r1, "Authorization", auth);
    assertThat(new JsonObject(reuse.body()).getString("error")).isEqualTo("invalid_grant");
    HttpResponse<String> current = a.form("grant_type=refresh_token&refresh_token=" + r2, "Authorization", auth);
    assertThat(new JsonObject(current.body()).getString("error")).isEqualTo("invalid_grant");
  }

  @Test
  void fiftyConcurrentRedemptionsOfOneCodeSpreadOverBothNodesThenExactlyOne200() throws Exception {
    String verifier = TokenHashes.random(32);
    String done = new Browser().signInAndConsent(a.base + "/authorize?" + Browser.encode(Map.of("response_type", "code",
        "client_id", "rp", "redirect_uri", RP_CB, "scope", "openid read:users", "state", "s", "code_challenge", TokenHashes.s256(verifier),
        "code_challenge_method", "S256")), a.base, "alice", "alice-password-123");
    String body = "grant_type=authorization_code&code=" + Browser.query(done).get("code") + "&redirect_uri="
        + java.net.URLEncoder.encode(RP_CB, "UTF-8") + "&code_verifier=" + verifier;
    List<java.util.concurrent.CompletableFuture<HttpResponse<String>>> inFlight = new java.util.ArrayList<>();
    for (int i = 0; i < 50; i++) {
      TestServer node = i % 2 == 0 ? a : b;
      inFlight.add(node.http.sendAsync(java.net.http.HttpRequest.newBuilder(java.net.URI.create(node.base + "/token"))
          .header("Content-Type", "application/x-www-form-urlencoded").header("Authorization", TestServer.basic("rp", RP_SECRET))
          .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString()));
    }
    int ok = 0;
    String refresh = null;
    for (var f : inFlight) {
      HttpResponse<String> r = f.get(60, java.util.concurrent.TimeUnit.SECONDS);
      if (r.statusCode() == 200) {
        ok++;
        refresh = new JsonObject(r.body()).getString("refresh_token");
      } else {
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(new JsonObject(r.body()).getString("error")).isEqualTo("invalid_grant");
      }
    }
    assertThat(ok).isEqualTo(1);
    // the replays revoked the grant: whatever refresh token the winner got no longer works
    if (refresh != null) {
      HttpResponse<String> r = b.form("grant_type=refresh_token&refresh_token=" + refresh, "Authorization", TestServer.basic("rp", RP_SECRET));
      assertThat(new JsonObject(r.body()).getString("error")).isEqualTo("invalid_grant");
    }
  }

  static JsonObject introspectOn(TestServer node, String token) throws Exception {
    HttpResponse<String> r = node.post("/introspect", "application/x-www-form-urlencoded", "token=" + token, "Authorization", RevocationTest.RS);
    assertThat(r.statusCode()).isEqualTo(200);
    return new JsonObject(r.body());
  }

  /** Polls {@code node}'s introspection of {@code token} until inactive; answers the milliseconds it took. */
  static long millisUntilInactive(TestServer node, String token, long startNanos) {
    Await.until("inactive on the other node", Duration.ofSeconds(5), () -> !introspectOn(node, token).getBoolean("active"));
    return (System.nanoTime() - startNanos) / 1_000_000;
  }

  @Test
  void accessTokenRevokedOnOneNodeIsInactiveOnTheOtherWithinMilliseconds() throws Exception {
    String access = new JsonObject(a.form("grant_type=client_credentials&scope=read%3Ausers", "Authorization", TokenEndpointTest.BILLING)
        .body()).getString("access_token");
    // B has verified and cached it
    assertThat(introspectOn(b, access).getBoolean("active")).isTrue();

    long start = System.nanoTime();
    HttpResponse<String> revoked = a.post("/revoke", "application/x-www-form-urlencoded", "token=" + access, "Authorization",
        TokenEndpointTest.BILLING);
    assertThat(revoked.statusCode()).isEqualTo(200);
    long took = millisUntilInactive(b, access, start);

    // the event bus carries it: far below B's 5 s resync interval
    assertThat(took).isLessThan(1_000);
    assertThat(introspectOn(a, access)).isEqualTo(new JsonObject().put("active", false));
  }

  @Test
  void codeReplayedOnOneNodeRevokesTheGrantsAccessTokenOnTheOther() throws Exception {
    String verifier = TokenHashes.random(32);
    String done = new Browser().signInAndConsent(a.base + "/authorize?" + Browser.encode(Map.of("response_type", "code",
        "client_id", "rp", "redirect_uri", RP_CB, "scope", "read:users", "state", "s", "code_challenge", TokenHashes.s256(verifier),
        "code_challenge_method", "S256")), a.base, "alice", "alice-password-123");
    String body = "grant_type=authorization_code&code=" + Browser.query(done).get("code") + "&redirect_uri="
        + java.net.URLEncoder.encode(RP_CB, "UTF-8") + "&code_verifier=" + verifier;
    String auth = TestServer.basic("rp", RP_SECRET);
    String access = new JsonObject(a.form(body, "Authorization", auth).body()).getString("access_token");
    assertThat(introspectOn(b, access).getBoolean("active")).isTrue();

    long start = System.nanoTime();
    assertThat(a.form(body, "Authorization", auth).statusCode()).isEqualTo(400);

    assertThat(millisUntilInactive(b, access, start)).isLessThan(1_000);
  }
}
