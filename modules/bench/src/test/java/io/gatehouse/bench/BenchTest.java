package io.gatehouse.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gatehouse.server.Gatehouse;
import io.gatehouse.server.config.ConfigLoader;
import io.vertx.core.Vertx;
import java.net.InetAddress;
import java.net.ServerSocket;
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
  static Vertx serverVertx;
  static Vertx clientVertx;
  static Gatehouse gatehouse;
  static String target;

  @BeforeAll
  static void start() throws Exception {
    Path dir = Files.createTempDirectory("gatehouse-bench");
    Path seed = dir.resolve("seed.yaml");
    Files.writeString(seed, "clients:\n  - client_id: bench-cc\n    client_secret: \"" + SECRET + "\"\n"
        + "    grant_types: [client_credentials]\n    scopes: [read]\n");
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    target = "http://127.0.0.1:" + port;
    var config = ConfigLoader.load(List.of("--seed", seed.toString()), Map.of("GATEHOUSE_HTTP_PORT", String.valueOf(port),
        "GATEHOUSE_ISSUER", target, "GATEHOUSE_KEYS_DATA_DIR", dir.resolve("data").toString(), "GATEHOUSE_DEMO_ENABLED", "false",
        "GATEHOUSE_HTTP_INSTANCES", "1"));
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
    int closed;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closed = s.getLocalPort();
    }
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

  @Test
  void parseWhenArgumentsWrongThenRefused() {
    assertThatThrownBy(() -> Bench.parse(List.of("--workload", "W9"))).hasMessageContaining("unknown workload");
    assertThatThrownBy(() -> Bench.parse(List.of("--workload", "W1"))).hasMessageContaining("--client-id");
    assertThatThrownBy(() -> Bench.parse(List.of("--speed", "fast"))).hasMessageContaining("unknown or incomplete argument");
    assertThatThrownBy(() -> Bench.parse(List.of())).hasMessageContaining("--workload is required");
    Map<String, String> ok = new HashMap<>(Bench.parse(List.of("--workload", "W3")));
    assertThat(ok).containsEntry("connections", "32").containsEntry("duration", "30s").containsEntry("warmup", "15s");
  }
}
