package io.gatehouse.server;

import static io.gatehouse.testing.Await.await;

import io.gatehouse.server.config.ConfigLoader;
import io.gatehouse.server.config.GatehouseConfig;
import io.gatehouse.testing.FreePort;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** A real Gatehouse on a free loopback port, configured as a user would: seed file, config file, environment. */
final class TestServer implements AutoCloseable {
  static final String SEED = """
      clients:
        - client_id: billing-service
          client_secret: "billing-secret-0123456789-abcdefghijkl"
          grant_types: [client_credentials]
          scopes: [read:users, write:users]
          token_endpoint_auth_methods: [client_secret_basic, client_secret_post]
          redirect_uris: []
        - client_id: "odd id:+&"
          client_secret: "odd secret:+&%/= with spaces 0123456789"
          grant_types: [client_credentials]
          scopes: [read:users]
          token_endpoint_auth_methods: [client_secret_basic]
        - client_id: post-only
          client_secret: "post-only-secret-0123456789-abcdefghij"
          grant_types: [client_credentials]
          scopes: [read:users]
          token_endpoint_auth_methods: [client_secret_post]
        - client_id: web-app
          client_secret: "web-app-secret-0123456789-abcdefghijkl"
          grant_types: [authorization_code]
          scopes: [read:users]
          redirect_uris: ["https://app.example.com/callback"]
        - client_id: short-lived
          client_secret: "short-lived-secret-0123456789-abcdefgh"
          grant_types: [client_credentials]
          scopes: [read:users, write:users]
          default_scopes: [read:users]
          access_token_ttl: 5m
        - client_id: rp
          client_secret: "rp-secret-0123456789-abcdefghijklmnopq"
          grant_types: [authorization_code, refresh_token]
          scopes: [openid, profile, email, offline_access, read:users, write:users]
          redirect_uris: ["https://rp.example.com/cb", "https://rp.example.com/cb2"]
          post_logout_redirect_uris: ["https://rp.example.com/bye"]
          logout_revokes_refresh_tokens: true
        - client_id: rp-named
          client_secret: "rp-named-secret-0123456789-abcdefghijk"
          grant_types: [authorization_code]
          scopes: [openid, read:users]
          redirect_uris: ["https://rp.example.com/cb"]
          client_name: "Acme <b>Books</b> & 'Co'"
          logo_uri: "https://rp.example.com/logo.png"
          contacts: [ops@rp.example.com]
        - client_id: loopback-web
          client_secret: "loopback-web-secret-0123456789-abcdefg"
          grant_types: [authorization_code]
          scopes: [openid, read:users]
          redirect_uris: ["http://127.0.0.1:9999/cb"]
        - client_id: spa
          grant_types: [authorization_code, refresh_token]
          token_endpoint_auth_methods: [none]
          scopes: [openid, profile, read:users]
          redirect_uris: ["http://127.0.0.1/callback"]
          allowed_origins: ["https://spa.example.com"]
        - client_id: admin-console
          client_secret: "admin-console-secret-0123456789-abcdef"
          grant_types: [client_credentials]
          scopes: ["gatehouse:admin"]
        - client_id: resource-server
          client_secret: "resource-server-secret-0123456789-abc"
          grant_types: [client_credentials]
          scopes: []
          can_introspect: true
      users:
        - username: alice
          password: "alice-password-123"
          subject: "248289761001"
          claims: {name: Alice Example, email: alice@example.com, email_verified: true, locale: en}
        - username: bob
          password: "bob-password-12345"
      """;

  final Vertx vertx;
  final Gatehouse gatehouse;
  final Path dir;
  final String base;
  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private TestServer(Vertx vertx, Gatehouse gatehouse, Path dir) {
    this.vertx = vertx;
    this.gatehouse = gatehouse;
    this.dir = dir;
    this.base = "http://127.0.0.1:" + gatehouse.port();
  }

  /** Starts with the test seed; {@code env} adds or overrides GATEHOUSE_* variables. */
  static TestServer start(Map<String, String> env) throws Exception {
    return start(env, Vertx.vertx());
  }

  /** Starts on the given Vert.x (for example a clustered one); it is closed with the server. */
  static TestServer start(Map<String, String> env, Vertx vertx) throws Exception {
    return start(env, vertx, java.time.Clock.systemUTC());
  }

  /** Starts with {@code clock} as the server's time (a test moves it instead of waiting). */
  static TestServer start(Map<String, String> env, java.time.Clock clock) throws Exception {
    return start(env, Vertx.vertx(), clock);
  }

  private static TestServer start(Map<String, String> env, Vertx vertx, java.time.Clock clock) throws Exception {
    return start(env, vertx, clock, new io.micrometer.prometheusmetrics.PrometheusMeterRegistry(
        io.micrometer.prometheusmetrics.PrometheusConfig.DEFAULT));
  }

  /**
   * Starts on {@code vertx} with {@code registry} as the metrics registry, as {@link Main} does: a Vert.x
   * built with Micrometer metrics over the same registry exports Vert.x's own metrics beside Gatehouse's.
   */
  static TestServer start(Map<String, String> env, Vertx vertx, java.time.Clock clock,
      io.micrometer.prometheusmetrics.PrometheusMeterRegistry registry) throws Exception {
    return start(env, vertx, clock, registry, null);
  }

  /** Starts with {@code openTelemetry} for the spans Gatehouse opens itself (with {@code GATEHOUSE_TRACING_ENABLED}). */
  static TestServer start(Map<String, String> env, Vertx vertx, java.time.Clock clock,
      io.micrometer.prometheusmetrics.PrometheusMeterRegistry registry, io.opentelemetry.api.OpenTelemetry openTelemetry) throws Exception {
    Path dir = Files.createTempDirectory("gatehouse-test");
    Path seed = dir.resolve("seed.yaml");
    Files.writeString(seed, SEED);
    Path config = dir.resolve("config.yaml");
    Files.writeString(config, """
        http:
          instances: 2
        demo:
          enabled: false
        """);
    Map<String, String> all = new HashMap<>();
    int port = env.containsKey("GATEHOUSE_HTTP_PORT") ? Integer.parseInt(env.get("GATEHOUSE_HTTP_PORT")) : FreePort.loopback();
    all.put("GATEHOUSE_HTTP_PORT", String.valueOf(port));
    all.put("GATEHOUSE_ISSUER", "http://127.0.0.1:" + port);
    all.put("GATEHOUSE_KEYS_DATA_DIR", dir.resolve("data").toString());
    // every test request comes from 127.0.0.1: the rate limits have tests of their own (RateLimitTest)
    all.put("GATEHOUSE_RATE_LIMIT_ENABLED", "false");
    // no balancer in front: closing need not wait for one (ShutdownTest covers the drain)
    all.put("GATEHOUSE_SHUTDOWN_DRAIN_DELAY", "0s");
    all.putAll(env);
    GatehouseConfig cfg;
    try {
      cfg = ConfigLoader.load(List.of("--config", config.toString(), "--seed", seed.toString()), all);
    } catch (RuntimeException e) {
      vertx.close();
      throw e;
    }
    try {
      Gatehouse g = await(Gatehouse.start(vertx, cfg, registry, clock, openTelemetry));
      return new TestServer(vertx, g, dir);
    } catch (Exception e) {
      vertx.close();
      throw e;
    }
  }

  /**
   * Verifies an access token as a resource server would, with an independent library (jose4j): keys
   * from this server's discovered {@code jwks_uri}, RFC 9068 type, issuer, audience, exp, iat and jti.
   */
  org.jose4j.jwt.JwtClaims verify(String jwt) throws Exception {
    String jwksUri = new io.vertx.core.json.JsonObject(get("/.well-known/oauth-authorization-server").body()).getString("jwks_uri");
    return new org.jose4j.jwt.consumer.JwtConsumerBuilder()
        .setVerificationKeyResolver(new org.jose4j.keys.resolvers.HttpsJwksVerificationKeyResolver(new org.jose4j.jwk.HttpsJwks(jwksUri)))
        .setExpectedIssuer(base)
        .setExpectedAudience("gatehouse-api")
        .setRequireExpirationTime()
        .setRequireIssuedAt()
        .setRequireJwtId()
        .setExpectedType(true, "at+jwt")
        .build()
        .processToClaims(jwt);
  }

  static String basic(String id, String secret) {
    String pair = java.net.URLEncoder.encode(id, StandardCharsets.UTF_8) + ":" + java.net.URLEncoder.encode(secret, StandardCharsets.UTF_8);
    return "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8));
  }

  HttpResponse<String> post(String path, String contentType, String body, String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(10))
        .POST(HttpRequest.BodyPublishers.ofString(body));
    if (contentType != null) {
      b.header("Content-Type", contentType);
    }
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> postBytes(String path, byte[] body, String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(10))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> form(String body, String... headers) throws Exception {
    return post("/token", "application/x-www-form-urlencoded", body, headers);
  }

  HttpResponse<String> send(HttpRequest request) throws Exception {
    return http.send(request, HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> get(String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(10)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Override
  public void close() throws Exception {
    try {
      await(gatehouse.close());
    } finally {
      await(vertx.close());
    }
  }
}
