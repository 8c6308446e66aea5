package io.gatehouse.bench;

import static io.gatehouse.testing.Await.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gatehouse.server.Gatehouse;
import io.gatehouse.server.config.ConfigLoader;
import io.gatehouse.testing.FreePort;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The load tool against a real Gatehouse: it counts successes, and it counts every wrong answer as an error. */
class BenchTest {
  static final String SECRET = "bench-secret-0123456789-abcdefghijklmn";
  static final String RP_SECRET = "bench-rp-secret-0123456789-abcdefghijk";
  static final String RS_SECRET = "bench-rs-secret-0123456789-abcdefghijk";
  static final String CB = "https://rp.bench.example/cb";
  static final String ALICE_PASSWORD = "alice-password-123";
  static Vertx serverVertx;
  static Vertx clientVertx;
  static Gatehouse gatehouse;
  static String target;

  @BeforeAll
  static void start() throws Exception {
    Path dir = Files.createTempDirectory("gatehouse-bench");
    Path seed = dir.resolve("seed.yaml");
    Files.writeString(seed, "clients:\n  - client_id: bench-cc\n    client_secret: \"" + SECRET + "\"\n"
        + "    grant_types: [client_credentials]\n    scopes: [read]\n"
        // W2: the resource server that introspects bench-cc's tokens
        + "  - client_id: bench-rs\n    client_secret: \"" + RS_SECRET + "\"\n"
        + "    grant_types: [client_credentials]\n    scopes: []\n    can_introspect: true\n"
        // W4 and W5: a confidential relying party with refresh tokens, and a public one without them
        + "  - client_id: bench-rp\n    client_secret: \"" + RP_SECRET + "\"\n"
        + "    grant_types: [authorization_code, refresh_token]\n    scopes: [openid, profile, read]\n"
        + "    redirect_uris: [\"" + CB + "\"]\n"
        + "  - client_id: bench-spa\n    grant_types: [authorization_code]\n    token_endpoint_auth_methods: [none]\n"
        + "    scopes: [openid, read]\n    redirect_uris: [\"http://127.0.0.1/callback\"]\n"
        + "users:\n  - username: alice\n    password: \"" + ALICE_PASSWORD + "\"\n"
        // only ever used with a wrong password, so that its throttle counters touch no other test
        + "  - username: carol\n    password: \"carol-password-123\"\n");
    int port = FreePort.loopback();
    target = "http://127.0.0.1:" + port;
    var config = ConfigLoader.load(List.of("--seed", seed.toString()), Map.of("GATEHOUSE_HTTP_PORT", String.valueOf(port),
        "GATEHOUSE_ISSUER", target, "GATEHOUSE_KEYS_DATA_DIR", dir.resolve("data").toString(), "GATEHOUSE_DEMO_ENABLED", "false",
        "GATEHOUSE_HTTP_INSTANCES", "1", "GATEHOUSE_RATE_LIMIT_ENABLED", "false", "GATEHOUSE_SHUTDOWN_DRAIN_DELAY", "0s"));
    serverVertx = Vertx.vertx();
    gatehouse = Gatehouse.start(serverVertx, config).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    clientVertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() throws Exception {
    clientVertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    gatehouse.close().compose(v -> serverVertx.close()).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  static LoadRunner.Result run(String... args) throws Exception {
    Map<String, String> opts = Bench.parse(List.of(args));
    return Bench.run(clientVertx, opts);
  }

  @Test
  void w1ClosedLoopWhenCredentialsRightThenEveryAnswerIsAValidToken() throws Exception {
    LoadRunner.Result r = run("--workload", "W1", "--target", target, "--connections", "4", "--duration", "1s", "--warmup", "200ms",
        "--client-id", "bench-cc", "--client-secret", SECRET, "--scope", "read");
    assertThat(r.ok()).isPositive();
    assertThat(r.errors()).isEmpty();
    assertThat(r.requests()).isEqualTo(r.ok());
    assertThat(r.latencyMicros().getTotalCount()).isEqualTo(r.ok());
    assertThat(Bench.json(r).getJsonObject("latency_ms").getDouble("p99")).isPositive();
    assertThat(Bench.table(r)).contains("| W1 | closed-loop | 4 |");
  }

  @Test
  void w1WhenSecretWrongThenEveryAnswerIsCountedAsAnError() throws Exception {
    LoadRunner.Result r = run("--workload", "W1", "--target", target, "--connections", "2", "--duration", "500ms", "--warmup", "0s",
        "--client-id", "bench-cc", "--client-secret", "wrong-secret-0123456789-0123456789-x");
    assertThat(r.ok()).isZero();
    assertThat(r.requests()).isPositive();
    assertThat(r.errors()).containsOnlyKeys("status_401").containsEntry("status_401", r.requests());
  }

  @Test
  void w3FixedRateThenSendsOnScheduleAndMeasuresFromIt() throws Exception {
    LoadRunner.Result r = run("--workload", "W3", "--target", target, "--connections", "4", "--duration", "1s", "--warmup", "0s",
        "--rate", "200");
    assertThat(r.errors()).isEmpty();
    assertThat(r.ok()).isBetween(150L, 201L);
    assertThat(r.mode()).isEqualTo("fixed-rate 200/s");
  }

  @Test
  void whenTargetDownThenIoErrorsNotSuccesses() throws Exception {
    int closed = FreePort.loopback();
    LoadRunner.Result r = run("--workload", "W3", "--target", "http://127.0.0.1:" + closed, "--connections", "1", "--duration", "300ms",
        "--warmup", "0s", "--rate", "20");
    assertThat(r.ok()).isZero();
    assertThat(r.errors()).isNotEmpty().allSatisfy((k, v) -> assertThat(k).startsWith("io_"));
  }

  @Test
  void accessTokenCheckRefusesWhatIsNotAnRfc9068Token() {
    String header = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString("{\"alg\":\"ES256\",\"typ\":\"at+jwt\"}".getBytes());
    String other = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString("{\"alg\":\"ES256\",\"typ\":\"JWT\"}".getBytes());
    assertThat(Workload.isAccessTokenResponse("{\"access_token\":\"" + header + ".e30.c2ln\",\"token_type\":\"Bearer\"}")).isTrue();
    assertThat(Workload.isAccessTokenResponse("{\"access_token\":\"" + other + ".e30.c2ln\",\"token_type\":\"Bearer\"}")).isFalse();
    assertThat(Workload.isAccessTokenResponse("{\"access_token\":\"" + header + ".e30\",\"token_type\":\"Bearer\"}")).isFalse();
    assertThat(Workload.isAccessTokenResponse("{\"access_token\":\"" + header + ".e30.c2ln\",\"token_type\":\"mac\"}")).isFalse();
    assertThat(Workload.isAccessTokenResponse("{\"error\":\"invalid_client\"}")).isFalse();
  }

  static String[] introspection(String connections, String duration, String... more) {
    List<String> args = new java.util.ArrayList<>(List.of("--workload", "W2", "--target", target, "--connections", connections,
        "--duration", duration, "--warmup", "0s", "--client-id", "bench-cc", "--client-secret", SECRET, "--scope", "read",
        "--rs-client-id", "bench-rs", "--rs-client-secret", RS_SECRET));
    for (int i = 0; i < more.length; i += 2) {
      int at = args.indexOf(more[i]);
      if (at >= 0) {
        args.set(at + 1, more[i + 1]);
      } else {
        args.add(more[i]);
        args.add(more[i + 1]);
      }
    }
    return args.toArray(String[]::new);
  }

  @Test
  void w2ClosedLoopWhenTokenValidThenEveryAnswerIsActive() throws Exception {
    LoadRunner.Result r = run(introspection("4", "1s", "--warmup", "200ms"));
    assertThat(r.errors()).isEmpty();
    assertThat(r.ok()).isPositive();
    assertThat(r.requests()).isEqualTo(r.ok());
    assertThat(r.latencyMicros().getTotalCount()).isEqualTo(r.ok());
    assertThat(Bench.table(r)).contains("| W2 | closed-loop | 4 |").doesNotContain("exchanges");
  }

  @Test
  void w2WhenTokenGivenThenThatTokenIsIntrospectedWithoutTheTokenClient() throws Exception {
    Introspection.Token token = await(Introspection.obtain(clientVertx, java.net.URI.create(target), "bench-cc", SECRET, "read"));
    assertThat(token.secondsLeft()).isBetween(500L, 600L);
    List<String> args = new java.util.ArrayList<>(List.of(introspection("2", "500ms", "--rate", "40", "--token", token.value())));
    args.subList(args.indexOf("--client-id"), args.indexOf("--client-id") + 4).clear();   // no --client-id, --client-secret
    LoadRunner.Result r = run(args.toArray(String[]::new));
    assertThat(r.errors()).isEmpty();
    assertThat(r.ok()).isBetween(15L, 21L);
  }

  @Test
  void w2WhenTokenNotValidThenEveryAnswerIsInactiveNeverASuccess() throws Exception {
    Introspection.Token token = await(Introspection.obtain(clientVertx, java.net.URI.create(target), "bench-cc", SECRET, "read"));
    String v = token.value();
    // the signature of a real token, one character changed; and something that is no token at all
    String tampered = v.substring(0, v.length() - 2) + (v.charAt(v.length() - 2) == 'A' ? 'B' : 'A') + v.charAt(v.length() - 1);
    for (String bad : List.of(tampered, "not-a-token")) {
      LoadRunner.Result r = run(introspection("2", "300ms", "--token", bad));
      assertThat(r.ok()).as(bad).isZero();
      assertThat(r.requests()).isPositive();
      assertThat(r.errors()).as(bad).containsOnlyKeys("inactive").containsEntry("inactive", r.requests());
    }
  }

  @Test
  void w2WhenResourceServerSecretWrongThenEveryAnswerIs401InvalidClient() throws Exception {
    LoadRunner.Result r = run(introspection("2", "300ms", "--rs-client-secret", "wrong-secret-0123456789-0123456789-x"));
    assertThat(r.ok()).isZero();
    assertThat(r.requests()).isPositive();
    assertThat(r.errors()).containsOnlyKeys("status_401_invalid_client").containsEntry("status_401_invalid_client", r.requests());
  }

  @Test
  void w2WhenTheTokenCannotBeHadOrWouldExpireDuringTheRunThenSetupFailsAndNothingIsMeasured() {
    assertThatThrownBy(() -> run(introspection("1", "300ms", "--client-secret", "wrong-secret-0123456789-0123456789-x")))
        .isInstanceOf(Bench.SetupFailedException.class)
        .hasMessageContaining("W2 setup failed: getting the access token to introspect (POST /token, client credentials as 'bench-cc') "
            + "answered 401").hasMessageContaining("invalid_client");
    // bench-cc's tokens live 10 minutes here (the default): a 700 s run would outlive its token
    assertThatThrownBy(() -> run(introspection("1", "700s")))
        .isInstanceOf(Bench.SetupFailedException.class)
        .hasMessageContaining("expires_in").hasMessageContaining("700 s").hasMessageContaining("access_token_ttl");
  }

  static String[] codeFlow(String workload, String connections, String duration, String... more) {
    List<String> args = new java.util.ArrayList<>(List.of("--workload", workload, "--target", target, "--connections", connections,
        "--duration", duration, "--warmup", "0s", "--client-id", "bench-rp", "--client-secret", RP_SECRET, "--redirect-uri", CB,
        "--scope", "openid read", "--username", "alice", "--password", ALICE_PASSWORD));
    for (int i = 0; i < more.length; i += 2) {
      int at = args.indexOf(more[i]);
      if (at >= 0) {
        args.set(at + 1, more[i + 1]);
      } else {
        args.add(more[i]);
        args.add(more[i + 1]);
      }
    }
    return args.toArray(String[]::new);
  }

  @Test
  void w4ClosedLoopWithSignedInUsersThenEveryFlowEndsInVerifiedTokens() throws Exception {
    LoadRunner.Result r = run(codeFlow("W4", "4", "2s", "--warmup", "300ms"));
    assertThat(r.errors()).isEmpty();
    assertThat(r.ok()).isPositive();
    assertThat(r.requests()).isEqualTo(r.ok());
    assertThat(r.latencyMicros().getTotalCount()).isEqualTo(r.ok());
    assertThat(r.exchangesPerOperation()).isEqualTo(2);
    assertThat(Bench.json(r).getInteger("exchanges_per_operation")).isEqualTo(2);
    assertThat(Bench.table(r)).contains("| W4 | closed-loop | 4 |").contains("whole operations of 2 HTTP exchanges");
  }

  @Test
  void w4FixedRateThenOperationsWaitForAFreeVirtualUser() throws Exception {
    LoadRunner.Result r = run(codeFlow("W4", "2", "1s", "--rate", "20"));
    assertThat(r.errors()).isEmpty();
    assertThat(r.ok()).isBetween(15L, 21L);
    assertThat(r.mode()).isEqualTo("fixed-rate 20/s");
  }

  @Test
  void w4PublicClientWithoutRefreshGrantThenNoRefreshTokenIsExpected() throws Exception {
    LoadRunner.Result r = run(withoutSecret(codeFlow("W4", "2", "1s", "--client-id", "bench-spa",
        "--redirect-uri", "http://127.0.0.1/callback")));
    assertThat(r.errors()).isEmpty();
    assertThat(r.ok()).isPositive();
  }

  static String[] withoutSecret(String[] args) {
    List<String> out = new java.util.ArrayList<>(List.of(args));
    int at = out.indexOf("--client-secret");
    out.remove(at + 1);
    out.remove(at);
    return out.toArray(String[]::new);
  }

  @Test
  void w4WhenPasswordWrongThenSetupFailsWithTheServersWordsAndNothingIsCounted() {
    assertThatThrownBy(() -> run(codeFlow("W4", "2", "1s", "--username", "carol", "--password", "not-carols-password")))
        .isInstanceOf(Bench.SetupFailedException.class)
        .hasMessageContaining("W4 setup of virtual user")
        .hasMessageContaining("signing in as 'carol' failed: The username or password is not correct.");
  }

  @Test
  void w4WhenRedirectUriNotRegisteredThenSetupFailsNamingIt() {
    assertThatThrownBy(() -> run(codeFlow("W4", "1", "1s", "--redirect-uri", "https://rp.bench.example/other")))
        .isInstanceOf(Bench.SetupFailedException.class)
        .hasMessageContaining("GET /authorize answered 400")
        .hasMessageContaining("invalid_request");
  }

  @Test
  void w5ClosedLoopThenEveryRefreshRotates() throws Exception {
    LoadRunner.Result r = run(codeFlow("W5", "4", "2s", "--warmup", "300ms"));
    assertThat(r.errors()).isEmpty();
    assertThat(r.ok()).isPositive();
    assertThat(r.requests()).isEqualTo(r.ok());
    assertThat(r.exchangesPerOperation()).isEqualTo(1);
    assertThat(Bench.table(r)).contains("| W5 | closed-loop | 4 |").doesNotContain("exchanges");
  }

  @Test
  void w5WhenClientHasNoRefreshGrantThenSetupFails() {
    assertThatThrownBy(() -> run(withoutSecret(codeFlow("W5", "1", "1s", "--client-id", "bench-spa",
        "--redirect-uri", "http://127.0.0.1/callback"))))
        .isInstanceOf(Bench.SetupFailedException.class)
        .hasMessageContaining("W5 needs a client with the refresh_token grant");
  }

  @Test
  void w5WhenARotatedTokenIsReusedThenInvalidGrantIsAnErrorAndTheFamilyStaysDead() throws Exception {
    UserWorkload w5 = Bench.userWorkload(Bench.parse(List.of(codeFlow("W5", "1", "1s"))));
    io.vertx.core.http.HttpClient http = clientVertx.createHttpClient(new io.vertx.core.http.HttpClientOptions()
        .setDefaultHost("127.0.0.1").setDefaultPort(java.net.URI.create(target).getPort()), new io.vertx.core.http.PoolOptions().setHttp1MaxSize(1));
    try {
      CodeFlow.User user = (CodeFlow.User) await(w5.setup(http, 0));
      String first = user.refreshToken();
      assertThat(await(user.operate())).isNull();
      String second = user.refreshToken();
      assertThat(second).isNotEqualTo(first);
      assertThat(await(user.operate())).isNull();
      user.useRefreshToken(first);
      assertThat(await(user.operate())).isEqualTo("refresh_400_invalid_grant");
      // reuse revoked the family: the newest token dies too, and nothing is counted as a success
      user.useRefreshToken(second);
      assertThat(await(user.operate())).isEqualTo("refresh_400_invalid_grant");
    } finally {
      await(http.close());
    }
  }

  @Test
  void parseWhenCodeFlowArgumentsWrongThenRefused() {
    assertThatThrownBy(() -> Bench.parse(List.of("--workload", "W4", "--client-id", "x", "--redirect-uri", CB, "--username", "u")))
        .hasMessageContaining("W4 needs").hasMessageContaining("--password is missing");
    assertThatThrownBy(() -> Bench.parse(List.of(codeFlow("W5", "1", "1s", "--redirect-uri", "/cb"))))
        .hasMessageContaining("--redirect-uri must be an absolute URI");
    assertThatThrownBy(() -> Bench.parse(List.of(codeFlow("W4", "0", "1s")))).hasMessageContaining("--connections");
    assertThat(Bench.parse(List.of(codeFlow("W4", "3", "1s")))).containsEntry("username", "alice").containsEntry("connections", "3");
    assertThat(Bench.USAGE).contains("--username U", "--password P", "--redirect-uri URI", "--client-secret S", "W4", "W5",
        "4 a setup failed");
  }

  @Test
  void parseWhenArgumentsWrongThenRefused() {
    assertThatThrownBy(() -> Bench.parse(List.of("--workload", "W9"))).hasMessageContaining("unknown workload");
    assertThatThrownBy(() -> Bench.parse(List.of("--workload", "W1"))).hasMessageContaining("--client-id");
    assertThatThrownBy(() -> Bench.parse(List.of("--speed", "fast"))).hasMessageContaining("unknown or incomplete argument");
    assertThatThrownBy(() -> Bench.parse(List.of())).hasMessageContaining("--workload is required");
    Map<String, String> ok = new HashMap<>(Bench.parse(List.of("--workload", "W3")));
    assertThat(ok).containsEntry("connections", "32").containsEntry("duration", "30s").containsEntry("warmup", "15s");
  }

  // ---------------------------------------------------------------- R1

  @Test
  void r1OnOneNodeThenEveryRevocationIsSeenByItsIntrospectionAndNoErrors() throws Exception {
    Map<String, String> opts = Bench.parse(List.of("--workload", "R1", "--target", target, "--observe", target,
        "--client-id", "bench-cc", "--client-secret", SECRET, "--scope", "read", "--rs-client-id", "bench-rs", "--rs-client-secret", RS_SECRET,
        "--revocations", "20"));
    Propagation p = new Propagation(clientVertx, Bench.propagationSettings(opts));
    Propagation.Result r = p.run().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    p.close();

    assertThat(r.errors()).isEmpty();
    assertThat(r.measured()).isEqualTo(20);
    assertThat(r.all().getTotalCount()).isEqualTo(20);
    // on the revoking node itself, the first poll after the revoke already rejects
    assertThat(r.all().getValueAtPercentile(50)).isGreaterThanOrEqualTo(r.revoke().getValueAtPercentile(50));
    assertThat(Propagation.table(r)).contains("| every observer rejects | 20 | 20 |").contains("introspect 127.0.0.1:");
    assertThat(Propagation.json(r).getJsonObject("all_rejected_ms").getDouble("p99")).isPositive();
  }

  @Test
  void r1WhenTheObserverIntrospectsAsAClientThatMaySeeNothingThenEveryRoundIsAnError() throws Exception {
    // bench-rp may only introspect its own tokens: bench-cc's token is never active to it
    Map<String, String> opts = Bench.parse(List.of("--workload", "R1", "--target", target, "--observe", target,
        "--client-id", "bench-cc", "--client-secret", SECRET, "--rs-client-id", "bench-rp", "--rs-client-secret", RP_SECRET,
        "--revocations", "3"));
    Propagation p = new Propagation(clientVertx, Bench.propagationSettings(opts));
    Propagation.Result r = p.run().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    p.close();

    assertThat(r.measured()).isZero();
    assertThat(r.errors()).containsOnlyKeys("rejected_before_revocation (introspect " + java.net.URI.create(target).getAuthority() + ")");
  }

  @Test
  void r1ArgumentsAreCheckedBeforeAnythingRuns() {
    assertThatThrownBy(() -> Bench.parse(List.of("--workload", "R1", "--target", target, "--client-id", "bench-cc", "--client-secret", SECRET)))
        .hasMessageContaining("R1 needs at least one observer");
    assertThatThrownBy(() -> Bench.parse(List.of("--workload", "R1", "--target", target, "--observe", target, "--client-id", "bench-cc",
        "--client-secret", SECRET))).hasMessageContaining("--rs-client-id");
    assertThatThrownBy(() -> Bench.parse(List.of("--workload", "R1", "--target", target, "--resource", "ftp://x/user", "--client-id", "bench-cc",
        "--client-secret", SECRET))).hasMessageContaining("--resource takes http:// URLs");
    assertThatThrownBy(() -> Bench.parse(List.of("--workload", "R1", "--target", target, "--resource", target + "/user", "--client-id", "bench-cc",
        "--client-secret", SECRET, "--revocations", "0"))).hasMessageContaining("--revocations must be a whole number above 0");
  }
}
