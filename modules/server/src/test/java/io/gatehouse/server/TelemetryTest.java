package io.gatehouse.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.testing.Await;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Metrics through HTTP ({@code /metrics}, Prometheus text) and the audit stream on the event bus. */
class TelemetryTest {
  static TestServer server;
  static final List<JsonObject> audit = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    server = TestServer.start(Map.of());
    server.vertx.eventBus().<JsonObject>consumer("gatehouse.audit", m -> audit.add(m.body()));
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
  }

  static String metrics() throws Exception {
    HttpResponse<String> r = server.get("/metrics");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain");
    return r.body();
  }

  static double value(String metrics, String series) {
    for (String line : metrics.split("\n")) {
      if (line.startsWith(series + " ")) {
        return Double.parseDouble(line.substring(series.length() + 1).trim());
      }
    }
    return 0;
  }

  @Test
  void tokensIssuedAreCountedByGrantAndClientAndAudited() throws Exception {
    String series = "gatehouse_tokens_issued_total{client_id=\"billing-service\",grant_type=\"client_credentials\"}";
    double before = value(metrics(), series);

    assertThat(server.form("grant_type=client_credentials&scope=read%3Ausers", "Authorization", TokenEndpointTest.BILLING).statusCode())
        .isEqualTo(200);

    assertThat(value(metrics(), series)).isEqualTo(before + 1);
    Await.until("a token_issued audit event", () -> audit.stream().anyMatch(e -> "token_issued".equals(e.getString("event")) && "billing-service".equals(e.getString("client_id"))));
  }

  @Test
  void errorsAreCountedByCodeAndARefusedTokenIsAuditedWithoutTheSecret() throws Exception {
    String wrongSecret = "wrong-secret-0123456789-0123456789-xyz";
    double before = value(metrics(), "gatehouse_errors_total{error=\"invalid_client\"}");

    HttpResponse<String> r = server.form("grant_type=client_credentials", "Authorization", TestServer.basic("billing-service", wrongSecret));

    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(value(metrics(), "gatehouse_errors_total{error=\"invalid_client\"}")).isEqualTo(before + 1);
    Await.until("a token_refused audit event", () -> audit.stream().anyMatch(e -> "token_refused".equals(e.getString("event")) && "invalid_client".equals(e.getString("error"))));
    assertThat(audit).noneMatch(e -> e.encode().contains(wrongSecret) || e.encode().contains(TokenEndpointTest.BILLING_SECRET));
  }

  /** The token_refused event whose error is {@code error} and that arrived after {@code since} events. */
  static JsonObject refused(int since, String error) throws Exception {
    Await.until("a token_refused audit event", () -> audit.stream().skip(since).anyMatch(e -> "token_refused".equals(e.getString("event")) && error.equals(e.getString("error"))));
    return audit.stream().skip(since).filter(e -> "token_refused".equals(e.getString("event")) && error.equals(e.getString("error")))
        .findFirst().orElseThrow();
  }

  @Test
  void tokenRefusedWhenGrantTypeUnknownAndClientIdHugeThenAuditedAsUnknownAndTruncated() throws Exception {
    int since = audit.size();
    String hugeId = "c".repeat(30_000);

    HttpResponse<String> r = server.form("grant_type=" + "g".repeat(30_000) + "&client_id=" + hugeId);

    // a client id no client can have is refused before any lookup (400 invalid_request)
    assertThat(r.statusCode()).isEqualTo(400);
    JsonObject e = refused(since, "invalid_request");
    assertThat(e.getString("grant_type")).isEqualTo("unknown");
    assertThat(e.getString("client_id")).isEqualTo("c".repeat(64) + "...");
    assertThat(e.encode().length()).isLessThan(300);
  }

  @Test
  void tokenRefusedWhenClientIdIsNotPrintableAsciiThenAuditedAsInvalidAndKnownGrantTypeKept() throws Exception {
    int since = audit.size();

    HttpResponse<String> r = server.form("grant_type=client_credentials&client_id=evil%0A%7B%22event%22%3A%22forged%22%7D&client_secret="
        + "s3cr3t-in-the-wrong-place");

    assertThat(r.statusCode()).isEqualTo(400);
    JsonObject e = refused(since, "invalid_request");
    assertThat(e.getString("grant_type")).isEqualTo("client_credentials");
    assertThat(e.getString("client_id")).isEqualTo("invalid");
    assertThat(e.encode()).doesNotContain("forged").doesNotContain("s3cr3t");
  }

  @Test
  void introspectionsAreCountedByResultAndRevocationsByKindAndAudited() throws Exception {
    String token = new JsonObject(server.form("grant_type=client_credentials&scope=read%3Ausers", "Authorization", TokenEndpointTest.BILLING)
        .body()).getString("access_token");
    String m0 = metrics();
    double active = value(m0, "gatehouse_introspections_total{result=\"active\"}");
    double inactive = value(m0, "gatehouse_introspections_total{result=\"inactive\"}");
    double revocations = value(m0, "gatehouse_revocations_total{kind=\"token\"}");

    server.post("/introspect", "application/x-www-form-urlencoded", "token=" + token, "Authorization", RevocationTest.RS);
    server.post("/revoke", "application/x-www-form-urlencoded", "token=" + token, "Authorization", TokenEndpointTest.BILLING);
    server.post("/introspect", "application/x-www-form-urlencoded", "token=" + token, "Authorization", RevocationTest.RS);

    String m1 = metrics();
    assertThat(value(m1, "gatehouse_introspections_total{result=\"active\"}")).isEqualTo(active + 1);
    assertThat(value(m1, "gatehouse_introspections_total{result=\"inactive\"}")).isEqualTo(inactive + 1);
    assertThat(value(m1, "gatehouse_revocations_total{kind=\"token\"}")).isEqualTo(revocations + 1);
    assertThat(value(m1, "gatehouse_denyset_entries")).isGreaterThanOrEqualTo(1);
    assertThat(value(m1, "gatehouse_cluster_members")).isEqualTo(1);
    Await.until("a revoked audit event", () -> audit.stream().anyMatch(e -> "revoked".equals(e.getString("event")) && "token".equals(e.getString("kind"))));
    // the audit stream never carries a token, nor the revoked token's jti
    String jti = server.verify(token).getJwtId();
    assertThat(audit).noneMatch(e -> e.encode().contains(token) || e.encode().contains(jti));
  }

  @Test
  void loginsAreCountedAndAuditedWithoutThePassword() throws Exception {
    double failures = value(metrics(), "gatehouse_logins_total{result=\"failure\"}");
    double successes = value(metrics(), "gatehouse_logins_total{result=\"success\"}");
    String verifier = io.gatehouse.core.token.TokenHashes.random(32);

    new Browser().signInAndConsent(server.base + "/authorize?" + Browser.encode(Map.of("response_type", "code", "client_id", "rp",
        "redirect_uri", AuthorizationCodeFlowTest.RP_CB, "scope", "read:users", "state", "s",
        "code_challenge", io.gatehouse.core.token.TokenHashes.s256(verifier), "code_challenge_method", "S256")), server.base, "bob",
        "bob-password-12345");

    String m = metrics();
    assertThat(value(m, "gatehouse_logins_total{result=\"success\"}")).isEqualTo(successes + 1);
    assertThat(value(m, "gatehouse_logins_total{result=\"failure\"}")).isEqualTo(failures);
    Await.until("a login_succeeded audit event", () -> audit.stream().anyMatch(e -> "login_succeeded".equals(e.getString("event"))));
    Await.until("a consent_given audit event", () -> audit.stream().anyMatch(e -> "consent_given".equals(e.getString("event")) && "rp".equals(e.getString("client_id"))));
    assertThat(audit).noneMatch(e -> e.encode().contains("bob-password-12345"));
  }

  @Test
  void metricsEndpointCanBeTurnedOff() throws Exception {
    assertThat(metrics()).contains("gatehouse_store_latency_seconds");
    // the signing provider chosen at start (ACCP on Linux x86-64, else the JDK's)
    assertThat(metrics()).containsPattern("gatehouse_signing_provider_info\\{algorithm=\"ES256\",kid=\"[^\"]+\",provider=\"[A-Za-z]+\"\\} 1(\\.0)?\n");
    try (TestServer off = TestServer.start(Map.of("GATEHOUSE_METRICS_ENABLED", "false"))) {
      assertThat(off.get("/metrics").statusCode()).isEqualTo(404);
    }
  }
}
