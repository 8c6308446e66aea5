package io.gatehouse.resource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gatehouse.core.token.SigningAlgorithm;
import io.gatehouse.resource.ResourceServerOptions.Algorithm;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Discovery, the JWK set and its rotation, against an issuer the test controls ({@link TestIssuer}):
 * re-fetch on an unknown kid, the rate limit, shared in-flight fetches, the algorithms, clock skew,
 * and failing closed when the issuer cannot be reached.
 */
class JwksAndDiscoveryTest {
  static Vertx vertx;
  TestIssuer issuer;
  /** The JWKS rate limit and refresh run on this ticker: a test moves it past an interval instead of sleeping. */
  ManualTime time;
  final List<GatehouseJwtHandler> handlers = new ArrayList<>();
  final List<HttpServer> servers = new ArrayList<>();

  @BeforeAll
  static void vertx() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void closeVertx() throws Exception {
    Http.await(vertx.close());
  }

  @BeforeEach
  void issuer() throws Exception {
    issuer = TestIssuer.start(vertx);
    time = new ManualTime();
  }

  @AfterEach
  void close() throws Exception {
    for (HttpServer s : servers) {
      Http.await(s.close());
    }
    for (GatehouseJwtHandler h : handlers) {
      Http.await(h.close());
    }
    issuer.close();
  }

  ResourceServerOptions options() {
    return time.on(new ResourceServerOptions().setIssuer(issuer.issuer).setAudience(TestIssuer.AUDIENCE)
        .setJwksMinRefetchInterval(Duration.ofSeconds(1)));
  }

  GatehouseJwtHandler handler(ResourceServerOptions options) {
    GatehouseJwtHandler h = GatehouseJwtHandler.create(vertx, options);
    handlers.add(h);
    return h;
  }

  String api(GatehouseJwtHandler handler) throws Exception {
    HttpServer server = Http.serve(vertx, ExampleApi.router(vertx, handler));
    servers.add(server);
    return Http.base(server) + "/user";
  }

  static void assertInvalidToken(HttpResponse<String> r, String description) {
    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(r.headers().allValues("WWW-Authenticate"))
        .containsExactly("Bearer error=\"invalid_token\", error_description=\"" + description + "\"");
    assertThat(new JsonObject(r.body())).isEqualTo(new JsonObject().put("error", "invalid_token").put("error_description", description));
  }

  static void assertUnavailable(HttpResponse<String> r, String description) {
    assertThat(r.statusCode()).isEqualTo(503);
    assertThat(r.headers().allValues("WWW-Authenticate")).isEmpty();
    assertThat(r.headers().firstValue("Cache-Control")).hasValue("no-store");
    assertThat(new JsonObject(r.body())).isEqualTo(new JsonObject().put("error", "temporarily_unavailable").put("error_description", description));
  }

  @Test
  void userWhenKidUnknownThenOneJwksRefetchAndThen200OnceTheIssuerPublishedIt() throws Exception {
    TestIssuer.Key first = issuer.publishNewKey(SigningAlgorithm.ES256);
    GatehouseJwtHandler h = handler(options());
    String api = api(h);
    Http.await(h.start());
    assertThat(issuer.jwksFetches).hasValue(1);
    assertThat(Http.bearer(api, issuer.mint(first)).statusCode()).isEqualTo(200);
    assertThat(issuer.jwksFetches).hasValue(1);
    time.advance(Duration.ofMillis(1100)); // past the min refetch interval
    TestIssuer.Key rotated = issuer.publishNewKey(SigningAlgorithm.ES256);
    assertThat(Http.bearer(api, issuer.mint(rotated)).statusCode()).isEqualTo(200);
    assertThat(issuer.jwksFetches).hasValue(2);
    assertThat(Http.bearer(api, issuer.mint(first)).statusCode()).isEqualTo(200);
    assertThat(issuer.jwksFetches).hasValue(2);
    assertThat(issuer.oidcFetches).hasValue(1);
  }

  @Test
  void userWhenManyConcurrentRequestsNameANewKidThenTheyShareOneFetchAndAll200() throws Exception {
    issuer.publishNewKey(SigningAlgorithm.ES256);
    GatehouseJwtHandler h = handler(options());
    String api = api(h);
    Http.await(h.start());
    time.advance(Duration.ofMillis(1100));
    TestIssuer.Key rotated = issuer.publishNewKey(SigningAlgorithm.EdDSA);
    issuer.jwksDelayMillis = 300;
    List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
    for (int i = 0; i < 16; i++) {
      HttpRequest request = HttpRequest.newBuilder(URI.create(api)).header("Authorization", "Bearer " + issuer.mint(rotated)).build();
      responses.add(Http.CLIENT.sendAsync(request, HttpResponse.BodyHandlers.ofString()));
    }
    for (CompletableFuture<HttpResponse<String>> r : responses) {
      assertThat(r.get().statusCode()).isEqualTo(200);
    }
    assertThat(issuer.jwksFetches).hasValue(2);
  }

  @Test
  void userWhenKidStaysUnknownThenAtMostOneRefetchPerMinInterval() throws Exception {
    issuer.publishNewKey(SigningAlgorithm.ES256);
    GatehouseJwtHandler h = handler(options());
    String api = api(h);
    Http.await(h.start());
    TestIssuer.Key unpublished = TestIssuer.newKey(SigningAlgorithm.ES256);
    // within the interval of the start-up fetch: no fetch at all
    for (int i = 0; i < 5; i++) {
      assertInvalidToken(Http.bearer(api, issuer.mint(unpublished)), "unknown signing key");
    }
    assertThat(issuer.jwksFetches).hasValue(1);
    time.advance(Duration.ofMillis(1100));
    // one re-fetch, still unknown; then none again within the interval, even once the key is published
    assertInvalidToken(Http.bearer(api, issuer.mint(unpublished)), "unknown signing key");
    assertThat(issuer.jwksFetches).hasValue(2);
    issuer.published.add(unpublished);
    assertInvalidToken(Http.bearer(api, issuer.mint(unpublished)), "unknown signing key");
    assertThat(issuer.jwksFetches).hasValue(2);
    time.advance(Duration.ofMillis(1100));
    assertThat(Http.bearer(api, issuer.mint(unpublished)).statusCode()).isEqualTo(200);
    assertThat(issuer.jwksFetches).hasValue(3);
  }

  @Test
  void userWhenKeySetOlderThanRefreshIntervalThenRefreshedInTheBackgroundAndAWithdrawnKeyStopsVerifying() throws Exception {
    TestIssuer.Key withdrawn = issuer.publishNewKey(SigningAlgorithm.ES256);
    GatehouseJwtHandler h = handler(options().setJwksRefreshInterval(Duration.ofSeconds(1)));
    String api = api(h);
    Http.await(h.start());
    issuer.published.clear();
    issuer.publishNewKey(SigningAlgorithm.ES256);
    time.advance(Duration.ofMillis(1100));
    // answered with the keys at hand while the set is re-fetched
    assertThat(Http.bearer(api, issuer.mint(withdrawn)).statusCode()).isEqualTo(200);
    Http.eventually(() -> issuer.jwksFetches.get() == 2);
    Http.eventually(() -> !((JwtTokenValidator) h.validator()).keyIds().contains(withdrawn.kid()));
    assertInvalidToken(Http.bearer(api, issuer.mint(withdrawn)), "unknown signing key");
  }

  @ParameterizedTest
  @EnumSource(SigningAlgorithm.class)
  void userWhenTokenSignedWithAPublishedKeyOfEachAlgorithmThen200(SigningAlgorithm algorithm) throws Exception {
    TestIssuer.Key key = issuer.publishNewKey(algorithm);
    HttpResponse<String> r = Http.bearer(api(handler(options())), issuer.mint(key));
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(new JsonObject(r.body())).isEqualTo(new JsonObject().put("sub", "alice").put("client_id", "web-app").put("scope", "read:users"));
  }

  @Test
  void userWhenAlgorithmNotAllowedThen401EvenThoughTheKeyIsPublished() throws Exception {
    TestIssuer.Key ed = issuer.publishNewKey(SigningAlgorithm.EdDSA);
    String api = api(handler(options().setAllowedAlgorithms(EnumSet.of(Algorithm.ES256))));
    assertInvalidToken(Http.bearer(api, issuer.mint(ed)), "signing algorithm not allowed");
  }

  @Test
  void userWhenEdDsaTokenNamesAnEs256KeyThen401AlgorithmDoesNotMatchTheKey() throws Exception {
    TestIssuer.Key ec = issuer.publishNewKey(SigningAlgorithm.ES256);
    TestIssuer.Key ed = TestIssuer.newKey(SigningAlgorithm.EdDSA);
    JsonObject header = new JsonObject().put("alg", "EdDSA").put("typ", "at+jwt").put("kid", ec.kid());
    assertInvalidToken(Http.bearer(api(handler(options())), TestIssuer.sign(ed, header, issuer.claims())), "signing algorithm does not match the key");
  }

  @Test
  void userWhenOpenIdConfigurationMissingThenTheRfc8414MetadataIsUsed() throws Exception {
    issuer.serveOpenIdConfiguration = false;
    TestIssuer.Key key = issuer.publishNewKey(SigningAlgorithm.ES256);
    assertThat(Http.bearer(api(handler(options())), issuer.mint(key)).statusCode()).isEqualTo(200);
    assertThat(issuer.oidcFetches).hasValue(1);
    assertThat(issuer.rfc8414Fetches).hasValue(1);
  }

  @Test
  void rfc8414LocationWhenIssuerHasAPathThenWellKnownGoesBetweenHostAndPath() {
    // RFC 8414 §3.1; OIDC Discovery §4.1 appends instead
    assertThat(IssuerDiscovery.authorizationServerMetadataUrl("https://id.example.com/tenant1"))
        .isEqualTo("https://id.example.com/.well-known/oauth-authorization-server/tenant1");
    assertThat(IssuerDiscovery.openIdConfigurationUrl("https://id.example.com/tenant1"))
        .isEqualTo("https://id.example.com/tenant1/.well-known/openid-configuration");
    assertThat(IssuerDiscovery.authorizationServerMetadataUrl("https://id.example.com"))
        .isEqualTo("https://id.example.com/.well-known/oauth-authorization-server");
  }

  @Test
  void startWhenMetadataNamesAnotherIssuerThenItFailsSayingSoAndRequestsGet503() throws Exception {
    issuer.advertisedIssuer = "https://impostor.example.com";
    TestIssuer.Key key = issuer.publishNewKey(SigningAlgorithm.ES256);
    GatehouseJwtHandler h = handler(options());
    String api = api(h);
    assertThatThrownBy(() -> Http.await(h.start())).isInstanceOf(ExecutionException.class)
        .hasMessageContaining("names issuer https://impostor.example.com, not the configured " + issuer.issuer);
    assertUnavailable(Http.bearer(api, issuer.mint(key)), "the authorization server's signing keys could not be fetched");
    // no fallback to the RFC 8414 location: a mismatch is a configuration error
    assertThat(issuer.rfc8414Fetches).hasValue(0);
    assertThat(issuer.jwksFetches).hasValue(0);
  }

  @Test
  void userWhenJwksAnswers500Then503AndItIsRetriedOncePerIntervalUntilItRecovers() throws Exception {
    TestIssuer.Key key = issuer.publishNewKey(SigningAlgorithm.ES256);
    issuer.jwksStatus = 500;
    GatehouseJwtHandler h = handler(options());
    String api = api(h);
    for (int i = 0; i < 3; i++) {
      assertUnavailable(Http.bearer(api, issuer.mint(key)), "the authorization server's signing keys could not be fetched");
    }
    assertThat(issuer.jwksFetches).hasValue(1);
    issuer.jwksStatus = 200;
    assertUnavailable(Http.bearer(api, issuer.mint(key)), "the authorization server's signing keys could not be fetched");
    assertThat(issuer.jwksFetches).hasValue(1);
    time.advance(Duration.ofMillis(1100));
    assertThat(Http.bearer(api, issuer.mint(key)).statusCode()).isEqualTo(200);
    assertThat(issuer.jwksFetches).hasValue(2);
  }

  @Test
  void userWhenIssuerUnreachableThen503FailClosed() throws Exception {
    TestIssuer.Key key = issuer.publishNewKey(SigningAlgorithm.ES256);
    String token = issuer.mint(key);
    issuer.close();
    GatehouseJwtHandler h = handler(options());
    String api = api(h);
    for (int i = 0; i < 3; i++) {
      assertUnavailable(Http.bearer(api, token), "the authorization server's signing keys could not be fetched");
    }
    issuer = TestIssuer.start(vertx); // for close()
  }

  @Test
  void userWhenTimesAreWithinTheClockSkewThen200AndBeyondThen401() throws Exception {
    TestIssuer.Key key = issuer.publishNewKey(SigningAlgorithm.ES256);
    String api = api(handler(options()));
    long now = time.clock().instant().getEpochSecond();
    assertThat(Http.bearer(api, issuer.mint(key, issuer.claims().put("iat", now - 600).put("exp", now - 10))).statusCode()).isEqualTo(200);
    assertThat(Http.bearer(api, issuer.mint(key, issuer.claims().put("nbf", now + 10))).statusCode()).isEqualTo(200);
    assertThat(Http.bearer(api, issuer.mint(key, issuer.claims().put("iat", now + 10))).statusCode()).isEqualTo(200);
    assertInvalidToken(Http.bearer(api, issuer.mint(key, issuer.claims().put("iat", now - 600).put("exp", now - 31))), "token expired");
    assertInvalidToken(Http.bearer(api, issuer.mint(key, issuer.claims().put("nbf", now + 60))), "token not yet valid");
    assertInvalidToken(Http.bearer(api, issuer.mint(key, issuer.claims().put("exp", "tomorrow"))), "exp is not a number");
  }

  @Test
  void userWhenAudienceIsAnArrayContainingOursThen200() throws Exception {
    TestIssuer.Key key = issuer.publishNewKey(SigningAlgorithm.RS256);
    String api = api(handler(options()));
    JsonObject claims = issuer.claims().put("aud", new io.vertx.core.json.JsonArray().add("other-api").add(TestIssuer.AUDIENCE));
    assertThat(Http.bearer(api, issuer.mint(key, claims)).statusCode()).isEqualTo(200);
  }

  @Test
  void validateWhenTokenLongerThan8192CharactersThenMalformedWithoutParsing() throws Exception {
    issuer.publishNewKey(SigningAlgorithm.ES256);
    JwtTokenValidator validator = JwtTokenValidator.create(vertx, options());
    try {
      assertThatThrownBy(() -> Http.await(validator.validate("e30." + "a".repeat(8200) + ".sig")))
          .hasCauseInstanceOf(BearerTokenException.class).hasMessageContaining("invalid_token: malformed token");
      assertThat(issuer.jwksFetches).hasValue(0);
    } finally {
      Http.await(validator.close());
    }
  }

  @Test
  void optionsWhenInvalidThenCreateFailsNamingTheOption() {
    assertThatThrownBy(() -> GatehouseJwtHandler.create(vertx, new ResourceServerOptions().setAudience("a")))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("issuer is required");
    assertThatThrownBy(() -> GatehouseJwtHandler.create(vertx, new ResourceServerOptions().setIssuer("http://id.example.com").setAudience("a")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("https");
    assertThatThrownBy(() -> GatehouseJwtHandler.create(vertx, options().setClockSkew(Duration.ofHours(1))))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("clockSkew must be between");
    assertThatThrownBy(() -> GatehouseJwtHandler.create(vertx, options().setAllowedAlgorithms(EnumSet.noneOf(Algorithm.class))))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("allowedAlgorithms must name at least one algorithm");
    assertThatThrownBy(() -> GatehouseJwtHandler.create(vertx, options().setIntrospection(new IntrospectionOptions().setClientId("x"))))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("introspection.clientSecret is required");
  }
}
