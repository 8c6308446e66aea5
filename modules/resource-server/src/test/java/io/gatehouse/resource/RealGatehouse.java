package io.gatehouse.resource;

import io.gatehouse.core.token.JwsSigner;
import io.gatehouse.core.token.SigningAlgorithm;
import io.gatehouse.core.token.SigningKeys;
import io.gatehouse.server.Gatehouse;
import io.gatehouse.server.config.ConfigLoader;
import io.gatehouse.server.config.GatehouseConfig;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * A real Gatehouse in this JVM, configured as a user would (seed file, config file, environment), on a
 * free loopback port with the memory store, as the server module's own tests start one.
 */
final class RealGatehouse implements AutoCloseable {
  static final String BILLING = "billing-service";
  static final String BILLING_SECRET = "billing-secret-0123456789-abcdefghijkl";
  static final String REPORTING = "reporting-service";
  static final String REPORTING_SECRET = "reporting-secret-0123456789-abcdefghij";
  static final String SHORT_LIVED = "short-lived";
  static final String SHORT_LIVED_SECRET = "short-lived-secret-0123456789-abcdefgh";
  static final String RESOURCE_SERVER = "user-api";
  static final String RESOURCE_SERVER_SECRET = "user-api-introspection-secret-0123456789";

  static final String SEED = """
      clients:
        - client_id: billing-service
          client_secret: "billing-secret-0123456789-abcdefghijkl"
          grant_types: [client_credentials]
          scopes: [read:users, write:users]
          token_endpoint_auth_methods: [client_secret_basic]
        - client_id: reporting-service
          client_secret: "reporting-secret-0123456789-abcdefghij"
          grant_types: [client_credentials]
          scopes: [read:users, write:users]
          token_endpoint_auth_methods: [client_secret_basic]
        - client_id: short-lived
          client_secret: "short-lived-secret-0123456789-abcdefgh"
          grant_types: [client_credentials]
          scopes: [read:users]
          access_token_ttl: 1s
        - client_id: user-api
          client_secret: "user-api-introspection-secret-0123456789"
          grant_types: [client_credentials]
          scopes: []
          can_introspect: true
        - client_id: rs-admin
          client_secret: "rs-admin-secret-0123456789-abcdefghijkl"
          grant_types: [client_credentials]
          scopes: ["gatehouse:admin"]
      """;

  final Vertx vertx;
  final Gatehouse gatehouse;
  final Path dir;
  final String issuer;

  private RealGatehouse(Vertx vertx, Gatehouse gatehouse, Path dir, String issuer) {
    this.vertx = vertx;
    this.gatehouse = gatehouse;
    this.dir = dir;
    this.issuer = issuer;
  }

  static RealGatehouse start() throws Exception {
    return start(Map.of());
  }

  /** With {@code extraEnv} added to (or overriding) the GATEHOUSE_* environment. */
  static RealGatehouse start(Map<String, String> extraEnv) throws Exception {
    return start(extraEnv, Vertx.vertx());
  }

  /** On {@code vertx} (a clustered one, for example), which is closed with it. */
  static RealGatehouse start(Map<String, String> extraEnv, Vertx vertx) throws Exception {
    Path dir = Files.createTempDirectory("gatehouse-rs-test");
    Path seed = dir.resolve("seed.yaml");
    Files.writeString(seed, SEED);
    Path config = dir.resolve("config.yaml");
    Files.writeString(config, """
        http:
          instances: 1
        demo:
          enabled: false
        """);
    int port = extraEnv.containsKey("GATEHOUSE_HTTP_PORT") ? Integer.parseInt(extraEnv.get("GATEHOUSE_HTTP_PORT")) : Http.freePort();
    String issuer = extraEnv.getOrDefault("GATEHOUSE_ISSUER", "http://127.0.0.1:" + port);
    Map<String, String> env = new java.util.HashMap<>(Map.of(
        "GATEHOUSE_HTTP_PORT", String.valueOf(port),
        "GATEHOUSE_ISSUER", issuer,
        "GATEHOUSE_KEYS_DATA_DIR", dir.resolve("data").toString(),
        "GATEHOUSE_SHUTDOWN_DRAIN_DELAY", "0s"));
    env.putAll(extraEnv);
    GatehouseConfig cfg;
    try {
      cfg = ConfigLoader.load(List.of("--config", config.toString(), "--seed", seed.toString()), env);
    } catch (RuntimeException e) {
      vertx.close();
      throw e;
    }
    try {
      return new RealGatehouse(vertx, Http.await(Gatehouse.start(vertx, cfg)), dir, issuer);
    } catch (Exception e) {
      vertx.close();
      throw e;
    }
  }

  /** A client_credentials access token from {@code /token} (client_secret_basic). */
  String token(String clientId, String secret, String scope) throws Exception {
    HttpResponse<String> r = Http.post(issuer + "/token", "grant_type=client_credentials&scope=" + URLEncoder.encode(scope, StandardCharsets.UTF_8),
        "Authorization", basic(clientId, secret));
    if (r.statusCode() != 200) {
      throw new IllegalStateException("token request failed: " + r.statusCode() + " " + r.body());
    }
    return new JsonObject(r.body()).getString("access_token");
  }

  /** Gatehouse's own access-token signer, read from its key file: to forge tokens the real key signs. */
  JwsSigner accessTokenSigner() throws Exception {
    return SigningKeys.load(dir.resolve("data").resolve("signing-keys.json"), SigningAlgorithm.ES256, SigningAlgorithm.RS256).signer();
  }

  static String basic(String id, String secret) {
    String pair = URLEncoder.encode(id, StandardCharsets.UTF_8) + ":" + URLEncoder.encode(secret, StandardCharsets.UTF_8);
    return "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8));
  }

  /** The claims of a JWT, read without verification (the test knows where it came from). */
  static JsonObject payload(String jwt) {
    return new JsonObject(new String(Base64.getUrlDecoder().decode(jwt.split("\\.")[1]), StandardCharsets.UTF_8));
  }

  @Override
  public void close() throws Exception {
    try {
      Http.await(gatehouse.close());
    } finally {
      Http.await(vertx.close());
    }
  }
}
