package io.gatehouse.interop;

import static io.gatehouse.testing.Await.await;

import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.factories.DefaultJWSSignerFactory;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.gatehouse.server.Gatehouse;
import io.gatehouse.server.config.ConfigLoader;
import io.gatehouse.server.config.GatehouseConfig;
import io.gatehouse.testing.FreePort;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.net.CookieManager;
import java.net.CookiePolicy;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A real Gatehouse in this JVM in its default configuration (ES256 access tokens, RS256 ID tokens unless a client
 * asks for ES256, audience {@code gatehouse-api}), on a free loopback port, seeded with the clients the recipes' tests need. Only what a
 * test run needs differs from the defaults: the port, the key directory, no demo client, no rate limits (every
 * request comes from 127.0.0.1) and no drain delay.
 */
final class InteropGatehouse implements AutoCloseable {
  /** Gatehouse's default {@code token.audience}: what every recipe is configured to accept. */
  static final String AUDIENCE = "gatehouse-api";
  /** The scope the recipes' {@code GET /orders} requires. */
  static final String READ = "orders:read";
  static final String WRITE = "orders:write";
  static final String SERVICE = "orders-service";
  static final String SERVICE_SECRET = "orders-service-secret-0123456789-abcdef";
  /**
   * A relying party registered under the API's name and with {@code id_token_signed_response_alg: ES256}, so its
   * ID tokens carry {@code aud: gatehouse-api}, the API's audience, and are signed with the access tokens' algorithm
   * and key: neither an audience nor an algorithm check can tell them from access tokens, only their {@code typ}.
   */
  static final String RELYING_PARTY = AUDIENCE;
  static final String RELYING_PARTY_SECRET = "gatehouse-api-rp-secret-0123456789-abc";
  static final String CALLBACK = "https://app.example.com/callback";
  static final String USER = "alice";
  static final String PASSWORD = "alice-password-123";
  static final String SUBJECT = "248289761001";

  static final String SEED = """
      clients:
        - client_id: orders-service
          client_secret: "orders-service-secret-0123456789-abcdef"
          grant_types: [client_credentials]
          scopes: [orders:read, orders:write]
        - client_id: gatehouse-api
          client_secret: "gatehouse-api-rp-secret-0123456789-abc"
          grant_types: [authorization_code]
          scopes: [openid]
          redirect_uris: ["https://app.example.com/callback"]
          id_token_signed_response_alg: ES256
      users:
        - username: alice
          password: "alice-password-123"
          subject: "248289761001"
      """;

  private static final SecureRandom RANDOM = new SecureRandom();

  final Vertx vertx;
  final Gatehouse gatehouse;
  final String issuer;
  private final Path dir;
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();

  private InteropGatehouse(Vertx vertx, Gatehouse gatehouse, String issuer, Path dir) {
    this.vertx = vertx;
    this.gatehouse = gatehouse;
    this.issuer = issuer;
    this.dir = dir;
  }

  static InteropGatehouse start() throws Exception {
    Path dir = Files.createTempDirectory("gatehouse-interop");
    Path seed = dir.resolve("seed.yaml");
    Files.writeString(seed, SEED);
    int port = FreePort.loopback();
    String issuer = "http://127.0.0.1:" + port;
    Map<String, String> env = Map.of(
        "GATEHOUSE_ISSUER", issuer,
        "GATEHOUSE_HTTP_PORT", String.valueOf(port),
        "GATEHOUSE_HTTP_INSTANCES", "1",
        "GATEHOUSE_KEYS_DATA_DIR", dir.resolve("data").toString(),
        "GATEHOUSE_DEMO_ENABLED", "false",
        "GATEHOUSE_RATE_LIMIT_ENABLED", "false",
        "GATEHOUSE_SHUTDOWN_DRAIN_DELAY", "0s");
    GatehouseConfig config = ConfigLoader.load(List.of("--seed", seed.toString()), env);
    Vertx vertx = Vertx.vertx();
    try {
      return new InteropGatehouse(vertx, await(Gatehouse.start(vertx, config)), issuer, dir);
    } catch (RuntimeException | Error e) {
      vertx.close();
      throw e;
    }
  }

  /** A client_credentials access token of {@link #SERVICE} with {@code scope}, from {@code /token}. */
  String accessToken(String scope) throws Exception {
    return tokens("grant_type=client_credentials&scope=" + encode(scope), SERVICE, SERVICE_SECRET).getString("access_token");
  }

  private String idToken;

  /**
   * An ID token of {@link #RELYING_PARTY} for alice, got as a relying party gets one (see {@link #signIn}); the
   * same one while it has more than two of its five minutes to live (signing in hashes a password: seconds).
   */
  synchronized String idToken() throws Exception {
    if (idToken == null || SignedJWT.parse(idToken).getJWTClaimsSet().getExpirationTime().toInstant()
        .isBefore(java.time.Instant.now().plus(Duration.ofMinutes(2)))) {
      idToken = signIn();
    }
    return idToken;
  }

  /**
   * A fresh ID token: the authorization code flow with PKCE, signing in and consenting on Gatehouse's pages, then
   * the code redeemed at {@code /token}.
   */
  private String signIn() throws Exception {
    String verifier = random();
    String challenge = Base64.getUrlEncoder().withoutPadding()
        .encodeToString(MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII)));
    Map<String, String> authorize = new LinkedHashMap<>();
    authorize.put("response_type", "code");
    authorize.put("client_id", RELYING_PARTY);
    authorize.put("redirect_uri", CALLBACK);
    authorize.put("scope", "openid");
    authorize.put("state", random());
    authorize.put("code_challenge", challenge);
    authorize.put("code_challenge_method", "S256");
    String redirect = new Browser().signInAndConsent(issuer + "/authorize?" + form(authorize));
    if (!redirect.startsWith(CALLBACK + "?")) {
      throw new AssertionError("the authorization ended at " + redirect);
    }
    String code = query(redirect).get("code");
    Map<String, String> redeem = new LinkedHashMap<>();
    redeem.put("grant_type", "authorization_code");
    redeem.put("code", code);
    redeem.put("redirect_uri", CALLBACK);
    redeem.put("code_verifier", verifier);
    return tokens(form(redeem), RELYING_PARTY, RELYING_PARTY_SECRET).getString("id_token");
  }

  /**
   * {@code token} with its {@code iat}, {@code nbf} and {@code exp} an hour earlier, signed again with
   * Gatehouse's own key (read from its key file): a token Gatehouse's key signed that expired 50 minutes ago.
   */
  String expired(String token) throws Exception {
    SignedJWT jwt = SignedJWT.parse(token);
    JWTClaimsSet claims = jwt.getJWTClaimsSet();
    long hour = Duration.ofHours(1).toMillis();
    JWTClaimsSet.Builder earlier = new JWTClaimsSet.Builder(claims)
        .issueTime(new Date(claims.getIssueTime().getTime() - hour))
        .expirationTime(new Date(claims.getExpirationTime().getTime() - hour));
    if (claims.getNotBeforeTime() != null) {
      earlier.notBeforeTime(new Date(claims.getNotBeforeTime().getTime() - hour));
    }
    JWSHeader header = jwt.getHeader();
    SignedJWT resigned = new SignedJWT(new JWSHeader.Builder(header).build(), earlier.build());
    JWKSet keys = JWKSet.load(dir.resolve("data").resolve("signing-keys.json").toFile());
    resigned.sign(new DefaultJWSSignerFactory().createJWSSigner(keys.getKeyByKeyId(header.getKeyID()), header.getAlgorithm()));
    return resigned.serialize();
  }

  /** {@code token} with its payload changed ({@code sub} another subject) and its signature kept. */
  static String tampered(String token) {
    String[] parts = token.split("\\.");
    JsonObject payload = new JsonObject(new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8));
    payload.put("sub", "someone-else");
    String forged = Base64.getUrlEncoder().withoutPadding().encodeToString(payload.encode().getBytes(StandardCharsets.UTF_8));
    return parts[0] + "." + forged + "." + parts[2];
  }

  private JsonObject tokens(String body, String clientId, String secret) throws Exception {
    String basic = Base64.getEncoder().encodeToString((encode(clientId) + ":" + encode(secret)).getBytes(StandardCharsets.UTF_8));
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(issuer + "/token")).timeout(Duration.ofSeconds(15))
        .header("Content-Type", "application/x-www-form-urlencoded").header("Authorization", "Basic " + basic)
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new AssertionError("/token answered " + r.statusCode() + " " + r.body());
    }
    return new JsonObject(r.body());
  }

  private static String random() {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  private static String form(Map<String, String> fields) {
    return fields.entrySet().stream().map(e -> encode(e.getKey()) + "=" + encode(e.getValue())).collect(Collectors.joining("&"));
  }

  private static Map<String, String> query(String url) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String pair : URI.create(url).getRawQuery().split("&")) {
      int eq = pair.indexOf('=');
      out.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8), URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
    }
    return out;
  }

  @Override
  public void close() {
    try {
      await(gatehouse.close());
    } finally {
      await(vertx.close());
    }
  }

  /** A user's browser on Gatehouse's sign-in pages: cookies kept, redirects followed by hand. */
  private final class Browser {
    private final HttpClient browser = HttpClient.newBuilder().cookieHandler(new CookieManager(null, CookiePolicy.ACCEPT_ALL))
        .followRedirects(HttpClient.Redirect.NEVER).connectTimeout(Duration.ofSeconds(5)).build();

    /** Follows {@code authorizeUrl} through the login and consent pages; answers where Gatehouse sends the user back. */
    String signInAndConsent(String authorizeUrl) throws Exception {
      String next = location(get(authorizeUrl));
      if (next.startsWith(issuer + "/login")) {
        String page = get(next).body();
        HttpResponse<String> signedIn = post(issuer + "/login", Map.of("rid", hidden(page, "rid"), "csrf", hidden(page, "csrf"),
            "username", USER, "password", PASSWORD));
        if (signedIn.statusCode() != 303) {
          throw new AssertionError("the login answered " + signedIn.statusCode());
        }
        next = location(get(location(signedIn)));
      }
      if (next.startsWith(issuer + "/consent")) {
        String page = get(next).body();
        next = location(post(issuer + "/consent", Map.of("rid", hidden(page, "rid"), "csrf", hidden(page, "csrf"), "decision", "approve")));
      }
      return next;
    }

    private HttpResponse<String> get(String url) throws Exception {
      return browser.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(15)).GET().build(),
          HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String url, Map<String, String> fields) throws Exception {
      return browser.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(15))
          .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(form(fields))).build(),
          HttpResponse.BodyHandlers.ofString());
    }

    private String location(HttpResponse<?> r) {
      String location = r.headers().firstValue("Location").orElseThrow(() -> new AssertionError("no Location in a " + r.statusCode()));
      return location.startsWith("/") ? issuer + location : location;
    }

    private static String hidden(String html, String name) {
      Matcher m = Pattern.compile("<input type=\"hidden\" name=\"" + name + "\" value=\"([^\"]*)\">").matcher(html);
      if (!m.find()) {
        throw new AssertionError("no hidden field " + name + " on the page");
      }
      return m.group(1).replace("&#x3D;", "=").replace("&amp;", "&");
    }
  }
}
