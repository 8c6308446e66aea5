package io.gatehouse.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.server.Gatehouse;
import io.gatehouse.server.config.ConfigLoader;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The limit probe answers W1 and W2 on the wire exactly as Gatehouse does (same status, headers, JSON members
 * and values but the token's own), so that the load tool measures both the same way; Gatehouse runs beside it
 * with the same seed as the reference.
 */
class LimitProbeTest {
  static final String SECRET = "probe-secret-0123456789-abcdefghijklmn";
  static final String RS_SECRET = "probe-rs-secret-0123456789-abcdefghijk";
  static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  static Vertx vertx;
  static Gatehouse gatehouse;
  static LimitProbe probe;
  static String gatehouseBase;
  static String probeBase;

  @BeforeAll
  static void start() throws Exception {
    Path dir = Files.createTempDirectory("limit-probe");
    Path seed = dir.resolve("seed.yaml");
    Files.writeString(seed, "clients:\n  - client_id: bench-cc\n    client_secret: \"" + SECRET + "\"\n"
        + "    grant_types: [client_credentials]\n    scopes: [read]\n    token_endpoint_auth_methods: [client_secret_basic]\n"
        + "    access_token_ttl: 1h\n"
        + "  - client_id: bench-rs\n    client_secret: \"" + RS_SECRET + "\"\n"
        + "    grant_types: [client_credentials]\n    scopes: []\n    can_introspect: true\n");
    vertx = Vertx.vertx();
    gatehouseBase = "http://127.0.0.1:" + freePort();
    gatehouse = Gatehouse.start(vertx, ConfigLoader.load(List.of("--seed", seed.toString()), env(gatehouseBase, dir.resolve("gh"))))
        .toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    probeBase = "http://127.0.0.1:" + freePort();
    probe = LimitProbe.start(vertx, ConfigLoader.load(List.of("--seed", seed.toString()), env(probeBase, dir.resolve("probe"))))
        .toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  static Map<String, String> env(String base, Path data) {
    return Map.of("GATEHOUSE_HTTP_PORT", base.substring(base.lastIndexOf(':') + 1), "GATEHOUSE_ISSUER", base,
        "GATEHOUSE_KEYS_DATA_DIR", data.toString(), "GATEHOUSE_DEMO_ENABLED", "false", "GATEHOUSE_HTTP_INSTANCES", "1",
        "GATEHOUSE_RATE_LIMIT_ENABLED", "false", "GATEHOUSE_SHUTDOWN_DRAIN_DELAY", "0s",
        // the HTTP client keeps its connections: nothing to wait for when the test ends
        "GATEHOUSE_SHUTDOWN_TIMEOUT", "0s");
  }

  static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  @AfterAll
  static void stop() throws Exception {
    probe.close().compose(v -> gatehouse.close()).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  static HttpResponse<String> post(String base, String path, String id, String secret, String body) throws Exception {
    String basic = Base64.getEncoder().encodeToString((id + ":" + secret).getBytes(StandardCharsets.UTF_8));
    return HTTP.send(HttpRequest.newBuilder(URI.create(base + path)).header("Authorization", "Basic " + basic)
        .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  static HttpResponse<String> token(String base) throws Exception {
    return post(base, "/token", "bench-cc", SECRET, "grant_type=client_credentials&scope=read");
  }

  /** The response headers but the body's length (lower-case names). */
  static Map<String, List<String>> headers(HttpResponse<String> r) {
    Map<String, List<String>> h = new TreeMap<>(r.headers().map());
    h.remove("content-length");
    return h;
  }

  static List<String> names(JsonObject o) {
    return new ArrayList<>(o.fieldNames());
  }

  static JsonObject part(String jwt, int i) {
    return new JsonObject(new String(Base64.getUrlDecoder().decode(jwt.split("\\.")[i]), StandardCharsets.UTF_8));
  }

  @Test
  void tokenThenTheAnswerGatehouseGivesWithAnEs256AccessTokenOfTheSameClaims() throws Exception {
    HttpResponse<String> expected = token(gatehouseBase);
    HttpResponse<String> actual = token(probeBase);
    assertThat(actual.statusCode()).isEqualTo(expected.statusCode()).isEqualTo(200);
    assertThat(headers(actual)).isEqualTo(headers(expected));
    assertThat(headers(actual)).containsEntry("cache-control", List.of("no-store")).containsEntry("pragma", List.of("no-cache"))
        .containsEntry("content-type", List.of("application/json;charset=UTF-8"));
    JsonObject want = new JsonObject(expected.body());
    JsonObject got = new JsonObject(actual.body());
    assertThat(names(got)).containsExactly("access_token", "token_type", "expires_in", "scope").isEqualTo(names(want));
    assertThat(got.copy().put("access_token", "-")).isEqualTo(want.copy().put("access_token", "-"))
        .isEqualTo(new JsonObject().put("access_token", "-").put("token_type", "Bearer").put("expires_in", 3600).put("scope", "read"));
    String jwt = got.getString("access_token");
    assertThat(part(jwt, 0).copy().put("kid", "-")).isEqualTo(new JsonObject().put("alg", "ES256").put("typ", "at+jwt").put("kid", "-"));
    assertThat(names(part(jwt, 0))).isEqualTo(names(part(want.getString("access_token"), 0)));
    JsonObject claims = part(jwt, 1);
    JsonObject reference = part(want.getString("access_token"), 1);
    assertThat(names(claims)).containsExactly("iss", "sub", "aud", "client_id", "scope", "iat", "exp", "jti").isEqualTo(names(reference));
    assertThat(claims.getString("iss")).isEqualTo(probeBase);
    assertThat(claims.getLong("exp") - claims.getLong("iat")).isEqualTo(3600);
    for (String same : List.of("sub", "aud", "client_id", "scope")) {
      assertThat(claims.getValue(same)).as(same).isEqualTo(reference.getValue(same));
    }
    // a JOSE ECDSA signature is R || S, 64 bytes for P-256 (RFC 7518 §3.4)
    assertThat(Base64.getUrlDecoder().decode(jwt.split("\\.")[2])).hasSize(64);
  }

  @Test
  void introspectThenTheAnswerGatehouseGivesForItsOwnToken() throws Exception {
    String ghToken = new JsonObject(token(gatehouseBase).body()).getString("access_token");
    String probeToken = new JsonObject(token(probeBase).body()).getString("access_token");
    HttpResponse<String> expected = post(gatehouseBase, "/introspect", "bench-rs", RS_SECRET, "token=" + ghToken);
    for (int i = 0; i < 2; i++) {
      // the first answer verifies the token, the second comes from the map: both the same
      HttpResponse<String> actual = post(probeBase, "/introspect", "bench-rs", RS_SECRET, "token=" + probeToken);
      assertThat(actual.statusCode()).isEqualTo(expected.statusCode()).isEqualTo(200);
      assertThat(headers(actual)).isEqualTo(headers(expected));
      JsonObject got = new JsonObject(actual.body());
      JsonObject want = new JsonObject(expected.body());
      assertThat(names(got)).containsExactly("active", "scope", "client_id", "sub", "aud", "iss", "exp", "iat", "jti", "token_type")
          .isEqualTo(names(want));
      JsonObject claims = part(probeToken, 1);
      assertThat(got).isEqualTo(new JsonObject().put("active", true).put("scope", "read").put("client_id", "bench-cc").put("sub", "bench-cc")
          .put("aud", "gatehouse-api").put("iss", probeBase).put("exp", claims.getLong("exp")).put("iat", claims.getLong("iat"))
          .put("jti", claims.getString("jti")).put("token_type", "Bearer"));
    }
  }

  @Test
  void introspectWhenTokenNotTheProbesThenInactive() throws Exception {
    String ghToken = new JsonObject(token(gatehouseBase).body()).getString("access_token");
    // signed by another key (Gatehouse's), and not a JWT at all
    for (String token : List.of(ghToken, "not-a-jwt", "a.b.c")) {
      HttpResponse<String> r = post(probeBase, "/introspect", "bench-rs", RS_SECRET, "token=" + token);
      assertThat(r.statusCode()).as(token).isEqualTo(200);
      assertThat(r.body()).as(token).isEqualTo("{\"active\":false}");
    }
  }

  @Test
  void whenSecretWrongOrClientUnknownThen401InvalidClientAsGatehouse() throws Exception {
    String probeToken = new JsonObject(token(probeBase).body()).getString("access_token");
    for (String[] call : List.of(new String[] {"/token", "bench-cc", "wrong-secret-0123456789-0123456789-x", "grant_type=client_credentials"},
        new String[] {"/token", "nobody", SECRET, "grant_type=client_credentials"},
        new String[] {"/introspect", "bench-rs", RS_SECRET + "x", "token=" + probeToken},
        new String[] {"/introspect", "bench-rs", SECRET, "token=" + probeToken})) {
      HttpResponse<String> expected = post(gatehouseBase, call[0], call[1], call[2], call[3]);
      HttpResponse<String> actual = post(probeBase, call[0], call[1], call[2], call[3]);
      assertThat(actual.statusCode()).as(call[0] + " " + call[1]).isEqualTo(expected.statusCode()).isEqualTo(401);
      assertThat(actual.body()).as(call[0] + " " + call[1]).isEqualTo(expected.body())
          .isEqualTo("{\"error\":\"invalid_client\",\"error_description\":\"client authentication failed\"}");
      assertThat(headers(actual)).as(call[0] + " " + call[1]).isEqualTo(headers(expected))
          .containsEntry("www-authenticate", List.of("Basic realm=\"gatehouse\", charset=\"UTF-8\""));
    }
  }

  @Test
  void theLoadToolMeasuresW1AndW2OnTheProbeWithoutAnError() throws Exception {
    Vertx client = Vertx.vertx();
    try {
      for (String w : List.of("W1", "W2")) {
        LoadRunner.Result r = Bench.run(client, Bench.parse(List.of("--workload", w, "--target", probeBase, "--connections", "2",
            "--duration", "500ms", "--warmup", "0s", "--client-id", "bench-cc", "--client-secret", SECRET, "--scope", "read",
            "--rs-client-id", "bench-rs", "--rs-client-secret", RS_SECRET)));
        assertThat(r.ok()).as(w).isPositive();
        assertThat(r.errors()).as(w).isEmpty();
      }
    } finally {
      client.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }
}
