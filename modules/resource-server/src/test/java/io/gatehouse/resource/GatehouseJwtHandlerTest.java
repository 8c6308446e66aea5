package io.gatehouse.resource;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.gatehouse.core.token.JwsSigner;
import io.gatehouse.core.token.SigningAlgorithm;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.LoggerFactory;

/**
 * {@link GatehouseJwtHandler} in front of {@link ExampleApi}, accepting tokens from a real Gatehouse
 * started in this JVM: the exact status, challenge and body of every answer.
 */
class GatehouseJwtHandlerTest {
  static final String AUDIENCE = "gatehouse-api";
  static RealGatehouse gatehouse;
  static GatehouseJwtHandler auth;
  static GatehouseJwtHandler strict;
  static GatehouseJwtHandler otherAudience;
  static GatehouseJwtHandler withRealm;
  static String api;
  static String strictApi;
  static String otherAudienceApi;
  static String customApi;
  static JwsSigner gatehouseKey;

  @BeforeAll
  static void start() throws Exception {
    gatehouse = RealGatehouse.start();
    gatehouseKey = gatehouse.accessTokenSigner();
    ResourceServerOptions options = new ResourceServerOptions().setIssuer(gatehouse.issuer).setAudience(AUDIENCE);
    auth = GatehouseJwtHandler.create(gatehouse.vertx, options);
    Http.await(auth.start());
    strict = GatehouseJwtHandler.create(gatehouse.vertx, new ResourceServerOptions(options).setClockSkew(Duration.ZERO));
    otherAudience = GatehouseJwtHandler.create(gatehouse.vertx, new ResourceServerOptions(options).setAudience("billing-api"));
    withRealm = GatehouseJwtHandler.create(gatehouse.vertx, new ResourceServerOptions(options).setRealm("example"));
    api = Http.base(Http.serve(gatehouse.vertx, ExampleApi.router(gatehouse.vertx, auth)));
    strictApi = Http.base(Http.serve(gatehouse.vertx, ExampleApi.router(gatehouse.vertx, strict)));
    otherAudienceApi = Http.base(Http.serve(gatehouse.vertx, ExampleApi.router(gatehouse.vertx, otherAudience)));
    Router custom = Router.router(gatehouse.vertx);
    custom.route("/api/*").handler(withRealm);
    custom.get("/api/orders").handler(ScopeHandler.require("write:users", "read:users"))
        .handler(ctx -> ctx.json(new JsonObject().put("orders", new JsonArray()).put("for", GatehouseJwtHandler.claims(ctx).subject())));
    custom.get("/misconfigured").handler(ScopeHandler.require("read:users")).handler(ctx -> ctx.end("should never get here"));
    customApi = Http.base(Http.serve(gatehouse.vertx, custom));
  }

  @AfterAll
  static void stop() throws Exception {
    for (GatehouseJwtHandler h : List.of(auth, strict, otherAudience, withRealm)) {
      Http.await(h.close());
    }
    gatehouse.close();
  }

  static String billingToken(String scope) throws Exception {
    return gatehouse.token(RealGatehouse.BILLING, RealGatehouse.BILLING_SECRET, scope);
  }

  static JsonObject error(String code, String description) {
    return new JsonObject().put("error", code).put("error_description", description);
  }

  static void assertInvalidToken(HttpResponse<String> r, String description) {
    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(r.headers().allValues("WWW-Authenticate"))
        .containsExactly("Bearer error=\"invalid_token\", error_description=\"" + description + "\"");
    assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
    assertThat(r.headers().firstValue("Cache-Control")).hasValue("no-store");
    assertThat(new JsonObject(r.body())).isEqualTo(error("invalid_token", description));
  }

  static void assertInvalidRequest(HttpResponse<String> r, String description) {
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.headers().allValues("WWW-Authenticate"))
        .containsExactly("Bearer error=\"invalid_request\", error_description=\"" + description + "\"");
    assertThat(new JsonObject(r.body())).isEqualTo(error("invalid_request", description));
  }

  @Test
  void userWhenValidTokenWithReadUsersThen200WithSubClientIdAndScope() throws Exception {
    HttpResponse<String> r = Http.bearer(api + "/user", billingToken("read:users write:users"));
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
    assertThat(new JsonObject(r.body())).isEqualTo(new JsonObject()
        .put("sub", "billing-service").put("client_id", "billing-service").put("scope", "read:users write:users"));
  }

  @Test
  void userWhenNoAuthorizationHeaderThen401WithBareBearerChallengeAndNoBody() throws Exception {
    HttpResponse<String> r = Http.get(api + "/user");
    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(r.headers().allValues("WWW-Authenticate")).containsExactly("Bearer");
    assertThat(r.body()).isEmpty();
  }

  @Test
  void userWhenAuthorizationHasAnotherSchemeThen401WithBareBearerChallenge() throws Exception {
    HttpResponse<String> r = Http.get(api + "/user", "Authorization", RealGatehouse.basic("billing-service", RealGatehouse.BILLING_SECRET));
    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(r.headers().allValues("WWW-Authenticate")).containsExactly("Bearer");
    assertThat(r.body()).isEmpty();
  }

  @Test
  void userWhenSchemeIsLowerCaseBearerThen200() throws Exception {
    // RFC 7235 §2.1: the auth-scheme is case-insensitive
    HttpResponse<String> r = Http.get(api + "/user", "Authorization", "bearer " + billingToken("read:users"));
    assertThat(r.statusCode()).isEqualTo(200);
  }

  @Test
  void userWhenTwoAuthorizationHeadersThen400InvalidRequest() throws Exception {
    String token = billingToken("read:users");
    HttpResponse<String> r = Http.get(api + "/user", "Authorization", "Bearer " + token, "Authorization", "Bearer " + token);
    assertInvalidRequest(r, "more than one Authorization header");
  }

  @Test
  void userWhenAuthorizationIsMalformedThen400InvalidRequest() throws Exception {
    String token = billingToken("read:users");
    for (String value : new String[] {"Bearer", "Bearer ", "Bearer " + token + " extra", "Bearer  " + token, "Bearer " + token + ",x",
        "Bearer \"" + token + "\""}) {
      HttpResponse<String> r = Http.get(api + "/user", "Authorization", value);
      assertInvalidRequest(r, "malformed Authorization header: expected Bearer and one token");
      assertThat(r.body()).doesNotContain(token);
    }
  }

  @Test
  void userWhenTokenIsInTheQueryStringThen400InvalidRequest() throws Exception {
    String token = billingToken("read:users");
    assertInvalidRequest(Http.get(api + "/user?access_token=" + token), "send the access token in the Authorization header only");
    assertInvalidRequest(Http.get(api + "/user?access_token=" + token, "Authorization", "Bearer " + token),
        "send the access token in the Authorization header only");
  }

  @Test
  void userWhenTokenLacksScopeThen403InsufficientScope() throws Exception {
    HttpResponse<String> r = Http.bearer(api + "/user", billingToken("write:users"));
    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(r.headers().allValues("WWW-Authenticate")).containsExactly("Bearer error=\"insufficient_scope\", scope=\"read:users\"");
    assertThat(new JsonObject(r.body())).isEqualTo(error("insufficient_scope", "the token lacks the scope read:users"));
  }

  @Test
  void userWhenTokenHasNoScopeAtAllThen403InsufficientScope() throws Exception {
    HttpResponse<String> r = Http.bearer(api + "/user", gatehouse.token(RealGatehouse.BILLING, RealGatehouse.BILLING_SECRET, ""));
    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(r.headers().allValues("WWW-Authenticate")).containsExactly("Bearer error=\"insufficient_scope\", scope=\"read:users\"");
  }

  @Test
  void userWhenTokenIsForAnotherAudienceThen401InvalidToken() throws Exception {
    assertInvalidToken(Http.bearer(otherAudienceApi + "/user", billingToken("read:users")), "wrong audience");
  }

  @Test
  void userWhenTokenExpiredThen401InvalidTokenExpiredButWithinClockSkewStill200() throws Exception {
    String token = gatehouse.token(RealGatehouse.SHORT_LIVED, RealGatehouse.SHORT_LIVED_SECRET, "read:users");
    long exp = RealGatehouse.payload(token).getLong("exp");
    // the resource server's clock at the token's exp (RFC 7519 §4.1.4: on or after exp it is refused)
    java.time.Clock atExp = java.time.Clock.fixed(java.time.Instant.ofEpochSecond(exp), java.time.ZoneOffset.UTC);
    ResourceServerOptions options = new ResourceServerOptions().setIssuer(gatehouse.issuer).setAudience(AUDIENCE).setClock(atExp);
    GatehouseJwtHandler strictAtExp = GatehouseJwtHandler.create(gatehouse.vertx, new ResourceServerOptions(options).setClockSkew(Duration.ZERO));
    GatehouseJwtHandler defaultAtExp = GatehouseJwtHandler.create(gatehouse.vertx, options);
    try {
      assertInvalidToken(Http.bearer(Http.base(Http.serve(gatehouse.vertx, ExampleApi.router(gatehouse.vertx, strictAtExp))) + "/user", token),
          "token expired");
      // the default 30 s skew still accepts it
      assertThat(Http.bearer(Http.base(Http.serve(gatehouse.vertx, ExampleApi.router(gatehouse.vertx, defaultAtExp))) + "/user", token)
          .statusCode()).isEqualTo(200);
    } finally {
      Http.await(strictAtExp.close());
      Http.await(defaultAtExp.close());
    }
  }

  /** Tokens signed with Gatehouse's real key that break one rule each: the signature alone is not enough. */
  static Stream<Arguments> forgedWithTheRealKey() {
    long now = System.currentTimeMillis() / 1000;
    return Stream.of(
        Arguments.of("typ JWT (RFC 9068 §4)", (UnaryOperator<JsonObject>) h -> h.put("typ", "JWT"), UnaryOperator.<JsonObject>identity(),
            "token type must be at+jwt"),
        Arguments.of("no typ", (UnaryOperator<JsonObject>) h -> { h.remove("typ"); return h; }, UnaryOperator.<JsonObject>identity(),
            "token type must be at+jwt"),
        Arguments.of("other issuer", UnaryOperator.<JsonObject>identity(), (UnaryOperator<JsonObject>) c -> c.put("iss", "https://evil.example.com"),
            "wrong issuer"),
        Arguments.of("issuer with a trailing slash", UnaryOperator.<JsonObject>identity(),
            (UnaryOperator<JsonObject>) c -> c.put("iss", gatehouse.issuer + "/"), "wrong issuer"),
        Arguments.of("wrong audience array", UnaryOperator.<JsonObject>identity(),
            (UnaryOperator<JsonObject>) c -> c.put("aud", new JsonArray().add("billing-api").add("other")), "wrong audience"),
        Arguments.of("expired beyond the skew", UnaryOperator.<JsonObject>identity(),
            (UnaryOperator<JsonObject>) c -> c.put("iat", now - 700).put("exp", now - 60), "token expired"),
        Arguments.of("no exp", UnaryOperator.<JsonObject>identity(), (UnaryOperator<JsonObject>) c -> { c.remove("exp"); return c; },
            "token has no exp"),
        Arguments.of("nbf beyond the skew", UnaryOperator.<JsonObject>identity(), (UnaryOperator<JsonObject>) c -> c.put("nbf", now + 120),
            "token not yet valid"),
        Arguments.of("iat in the future", UnaryOperator.<JsonObject>identity(), (UnaryOperator<JsonObject>) c -> c.put("iat", now + 120),
            "token issued in the future"),
        Arguments.of("no jti", UnaryOperator.<JsonObject>identity(), (UnaryOperator<JsonObject>) c -> { c.remove("jti"); return c; },
            "token has no jti"),
        Arguments.of("alg RS256 on the ES256 key", (UnaryOperator<JsonObject>) h -> h.put("alg", "RS256"), UnaryOperator.<JsonObject>identity(),
            "signing algorithm does not match the key"),
        Arguments.of("crit header", (UnaryOperator<JsonObject>) h -> h.put("crit", new JsonArray().add("exp")).put("exp", 1),
            UnaryOperator.<JsonObject>identity(), "unsupported critical header"),
        Arguments.of("no kid", (UnaryOperator<JsonObject>) h -> { h.remove("kid"); return h; }, UnaryOperator.<JsonObject>identity(),
            "token names no signing key"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("forgedWithTheRealKey")
  void userWhenTokenSignedByGatehouseBreaksARuleThen401InvalidToken(String name, UnaryOperator<JsonObject> header,
      UnaryOperator<JsonObject> claims, String description) throws Exception {
    String real = billingToken("read:users");
    JsonObject h = new JsonObject().put("alg", "ES256").put("typ", "at+jwt").put("kid", gatehouseKey.kid());
    String token = TestIssuer.sign(gatehouseKey, header.apply(h), claims.apply(RealGatehouse.payload(real)));
    HttpResponse<String> r = Http.bearer(api + "/user", token);
    assertInvalidToken(r, description);
    for (String part : token.split("\\.")) {
      assertThat(r.body()).doesNotContain(part);
      assertThat(r.headers().firstValue("WWW-Authenticate").orElseThrow()).doesNotContain(part);
    }
  }

  @Test
  void userWhenTheSameForgedClaimsAreSignedCorrectlyThen200() throws Exception {
    // the control for the cases above: the forging itself yields a token the handler accepts
    String real = billingToken("read:users");
    JsonObject h = new JsonObject().put("alg", "ES256").put("typ", "application/at+jwt").put("kid", gatehouseKey.kid());
    JsonObject claims = RealGatehouse.payload(real).put("aud", new JsonArray().add("billing-api").add(AUDIENCE));
    assertThat(Http.bearer(api + "/user", TestIssuer.sign(gatehouseKey, h, claims)).statusCode()).isEqualTo(200);
  }

  @Test
  void userWhenAlgNoneThen401InvalidToken() throws Exception {
    JsonObject claims = RealGatehouse.payload(billingToken("read:users"));
    JsonObject header = new JsonObject().put("alg", "none").put("typ", "at+jwt").put("kid", gatehouseKey.kid());
    String token = TestIssuer.b64(header.encode()) + "." + TestIssuer.b64(claims.encode()) + ".";
    // "x.y." ends with a dot: as a b64token it is malformed at the header level only if it has invalid characters; it has none
    assertInvalidToken(Http.bearer(api + "/user", token), "signing algorithm not allowed");
  }

  @Test
  void userWhenHs256SignedWithThePublicKeyThen401InvalidToken() throws Exception {
    // the classic algorithm confusion: HMAC keyed with the published public key
    String publicJwks = Http.get(gatehouse.issuer + "/jwks").body();
    JsonObject claims = RealGatehouse.payload(billingToken("read:users"));
    JsonObject header = new JsonObject().put("alg", "HS256").put("typ", "at+jwt").put("kid", gatehouseKey.kid());
    String input = TestIssuer.b64(header.encode()) + "." + TestIssuer.b64(claims.encode());
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(publicJwks.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    String token = input + "." + TestIssuer.B64.encodeToString(mac.doFinal(input.getBytes(StandardCharsets.US_ASCII)));
    assertInvalidToken(Http.bearer(api + "/user", token), "signing algorithm not allowed");
  }

  @Test
  void userWhenPayloadTamperedThen401InvalidSignature() throws Exception {
    String[] parts = billingToken("write:users").split("\\.");
    JsonObject claims = new JsonObject(new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8))
        .put("scope", "read:users write:users");
    String tampered = parts[0] + "." + TestIssuer.b64(claims.encode()) + "." + parts[2];
    assertInvalidToken(Http.bearer(api + "/user", tampered), "invalid signature");
  }

  @Test
  void userWhenSignedByAnotherKeyUnderGatehousesKidThen401InvalidSignature() throws Exception {
    TestIssuer.Key other = TestIssuer.newKey(SigningAlgorithm.ES256);
    JsonObject header = new JsonObject().put("alg", "ES256").put("typ", "at+jwt").put("kid", gatehouseKey.kid());
    String token = TestIssuer.sign(other, header, RealGatehouse.payload(billingToken("read:users")));
    assertInvalidToken(Http.bearer(api + "/user", token), "invalid signature");
  }

  @Test
  void userWhenTokenIsNotAJwsThen401Malformed() throws Exception {
    for (String token : new String[] {"opaque-token", "a.b.c", "a.b.c.d.e", "e30.e30"}) {
      assertInvalidToken(Http.bearer(api + "/user", token), "malformed token");
    }
  }

  @Test
  void ordersWhenHandlerMountedOnTheRouteAndScopeHandlerRequiresTwoScopesThen200OnlyWithBoth() throws Exception {
    HttpResponse<String> ok = Http.bearer(customApi + "/api/orders", billingToken("read:users write:users"));
    assertThat(ok.statusCode()).isEqualTo(200);
    assertThat(new JsonObject(ok.body())).isEqualTo(new JsonObject().put("orders", new JsonArray()).put("for", "billing-service"));
    HttpResponse<String> r = Http.bearer(customApi + "/api/orders", billingToken("read:users"));
    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(r.headers().allValues("WWW-Authenticate"))
        .containsExactly("Bearer error=\"insufficient_scope\", scope=\"write:users read:users\"");
    assertThat(new JsonObject(r.body())).isEqualTo(error("insufficient_scope", "the token lacks the scopes write:users read:users"));
  }

  @Test
  void ordersWhenRealmConfiguredThenEveryChallengeNamesIt() throws Exception {
    HttpResponse<String> missing = Http.get(customApi + "/api/orders");
    assertThat(missing.statusCode()).isEqualTo(401);
    assertThat(missing.headers().allValues("WWW-Authenticate")).containsExactly("Bearer realm=\"example\"");
    HttpResponse<String> invalid = Http.bearer(customApi + "/api/orders", "nonsense");
    assertThat(invalid.headers().allValues("WWW-Authenticate"))
        .containsExactly("Bearer realm=\"example\", error=\"invalid_token\", error_description=\"malformed token\"");
  }

  @Test
  void userWhenAnotherHandlerAlreadyAcceptedTheTokenThenThisHandlerStillChecksItsOwnAudience() throws Exception {
    Router router = Router.router(gatehouse.vertx);
    router.route().handler(auth);
    router.get("/user").handler(otherAudience.requireScopes("read:users")).handler(ctx -> ctx.end("should never get here"));
    HttpServer server = Http.serve(gatehouse.vertx, router);
    try {
      assertInvalidToken(Http.bearer(Http.base(server) + "/user", billingToken("read:users")), "wrong audience");
    } finally {
      Http.await(server.close());
    }
  }

  @Test
  void scopeHandlerWithoutAJwtHandlerBeforeItThen500NeverThrough() throws Exception {
    HttpResponse<String> r = Http.bearer(customApi + "/misconfigured", billingToken("read:users"));
    assertThat(r.statusCode()).isEqualTo(500);
    assertThat(new JsonObject(r.body())).isEqualTo(error("server_error", "the token could not be checked"));
  }

  @Test
  void exampleApiStartServesUserBehindItsOwnHandler() throws Exception {
    HttpServer server = Http.await(ExampleApi.start(gatehouse.vertx,
        new ResourceServerOptions().setIssuer(gatehouse.issuer).setAudience(AUDIENCE), "127.0.0.1", 0));
    try {
      HttpResponse<String> r = Http.bearer(Http.base(server) + "/user", billingToken("read:users"));
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(new JsonObject(r.body())).isEqualTo(new JsonObject()
          .put("sub", "billing-service").put("client_id", "billing-service").put("scope", "read:users"));
    } finally {
      Http.await(server.close());
    }
  }

  @Test
  void logsNeverContainATokenWhateverIsRejected() throws Exception {
    // every Gatehouse logger (this library's and the server's) at its most verbose, captured
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    Logger gatehouseLogs = (Logger) LoggerFactory.getLogger("io.gatehouse");
    Logger libraryLogs = (Logger) LoggerFactory.getLogger("io.gatehouse.resource");
    ListAppender<ILoggingEvent> appender = new ListAppender<>();
    appender.start();
    root.addAppender(appender);
    ch.qos.logback.classic.Level beforeGatehouse = gatehouseLogs.getLevel();
    ch.qos.logback.classic.Level beforeLibrary = libraryLogs.getLevel();
    gatehouseLogs.setLevel(ch.qos.logback.classic.Level.ALL);
    libraryLogs.setLevel(ch.qos.logback.classic.Level.ALL);
    try {
      String good = billingToken("read:users");
      String[] parts = good.split("\\.");
      String tampered = parts[0] + "." + parts[1] + "x." + parts[2];
      String otherKid = TestIssuer.sign(TestIssuer.newKey(SigningAlgorithm.ES256),
          new JsonObject().put("alg", "ES256").put("typ", "at+jwt").put("kid", "unknown-kid"), RealGatehouse.payload(good));
      for (String t : new String[] {good, tampered, otherKid}) {
        Http.bearer(api + "/user", t);
        Http.bearer(otherAudienceApi + "/user", t);
      }
      Http.get(api + "/user?access_token=" + good);
      assertThat(appender.list).allSatisfy(event -> {
        String text = event.getFormattedMessage() + (event.getThrowableProxy() == null ? "" : event.getThrowableProxy().getMessage());
        for (String t : new String[] {good, tampered, otherKid}) {
          assertThat(text).doesNotContain(t.split("\\.")[1]).doesNotContain(t.split("\\.")[2]);
        }
      });
    } finally {
      gatehouseLogs.setLevel(beforeGatehouse);
      libraryLogs.setLevel(beforeLibrary);
      root.detachAppender(appender);
    }
  }
}
