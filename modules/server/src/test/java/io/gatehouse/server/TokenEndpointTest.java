package io.gatehouse.server;

import static io.gatehouse.testing.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.User;
import io.vertx.ext.auth.oauth2.OAuth2Auth;
import io.vertx.ext.auth.oauth2.OAuth2FlowType;
import io.vertx.ext.auth.oauth2.OAuth2Options;
import io.vertx.ext.auth.oauth2.Oauth2Credentials;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.jose4j.jwt.JwtClaims;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The token endpoint over real HTTP, on the embedded default (in-memory registry). */
class TokenEndpointTest {
  static final String BILLING_SECRET = "billing-secret-0123456789-abcdefghijkl";
  static final String BILLING = TestServer.basic("billing-service", BILLING_SECRET);
  static TestServer server;

  @BeforeAll
  static void start() throws Exception {
    server = TestServer.start(Map.of());
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
  }

  static JsonObject json(HttpResponse<String> r) {
    return new JsonObject(r.body());
  }

  static void assertError(HttpResponse<String> r, int status, String error) {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
    assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json;charset=UTF-8");
    assertThat(r.headers().firstValue("Cache-Control")).hasValue("no-store");
    JsonObject body = json(r);
    assertThat(body.getString("error")).isEqualTo(error);
    assertThat(body.fieldNames()).isSubsetOf("error", "error_description");
    assertThat(r.body()).doesNotContain("Exception").doesNotContain("\tat ");
  }

  static JwtClaims verify(String jwt) throws Exception {
    return server.verify(jwt);
  }

  static JsonObject header(String jwt) {
    return new JsonObject(new String(Base64.getUrlDecoder().decode(jwt.substring(0, jwt.indexOf('.'))), StandardCharsets.UTF_8));
  }

  @Test
  void tokenWithStandardOAuthClientThenVerifiesAgainstDiscoveredJwks() throws Exception {
    OAuth2Auth oauth2 = OAuth2Auth.create(server.vertx, new OAuth2Options()
        .setClientId("billing-service")
        .setClientSecret(BILLING_SECRET)
        .setSite(server.base)
        .setTokenPath("/token"));
    User user = await(oauth2.authenticate(new Oauth2Credentials().setFlow(OAuth2FlowType.CLIENT).setScopes(List.of("read:users"))));
    String jwt = user.principal().getString("access_token");
    assertThat(user.principal().getString("token_type")).isEqualTo("Bearer");

    JwtClaims claims = verify(jwt);
    assertThat(claims.getSubject()).isEqualTo("billing-service");
    assertThat(claims.getStringClaimValue("client_id")).isEqualTo("billing-service");
    assertThat(claims.getStringClaimValue("scope")).isEqualTo("read:users");
    assertThat(claims.getExpirationTime().getValue() - claims.getIssuedAt().getValue()).isEqualTo(600);
    JsonObject header = header(jwt);
    assertThat(header.getString("alg")).isEqualTo("ES256");
    assertThat(header.getString("typ")).isEqualTo("at+jwt");
    assertThat(header.getString("kid")).isNotBlank();
  }

  @Test
  void tokenWhenClientSecretBasicThenRfc6749Response() throws Exception {
    HttpResponse<String> r = server.form("grant_type=client_credentials&scope=read%3Ausers+write%3Ausers", "Authorization", BILLING);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(r.headers().firstValue("Cache-Control")).hasValue("no-store");
    assertThat(r.headers().firstValue("Pragma")).hasValue("no-cache");
    JsonObject body = json(r);
    assertThat(body.fieldNames()).containsExactlyInAnyOrder("access_token", "token_type", "expires_in", "scope");
    assertThat(body.getString("token_type")).isEqualTo("Bearer");
    assertThat(body.getLong("expires_in")).isEqualTo(600);
    assertThat(body.getString("scope")).isEqualTo("read:users write:users");
    JwtClaims claims = verify(body.getString("access_token"));
    assertThat(claims.getAudience()).containsExactly("gatehouse-api");
    assertThat(claims.getJwtId()).hasSizeGreaterThanOrEqualTo(22);
  }

  @Test
  void tokenWhenClientSecretPostThenOk() throws Exception {
    HttpResponse<String> r = server.form("grant_type=client_credentials&client_id=post-only&client_secret=post-only-secret-0123456789-abcdefghij");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(verify(json(r).getString("access_token")).getSubject()).isEqualTo("post-only");
  }

  @Test
  void tokenWhenBasicIdAndSecretAreFormEncodedThenOk() throws Exception {
    // RFC 6749 §2.3.1: id and secret are form-encoded before Base64
    HttpResponse<String> r = server.form("grant_type=client_credentials", "Authorization",
        TestServer.basic("odd id:+&", "odd secret:+&%/= with spaces 0123456789"));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(verify(json(r).getString("access_token")).getSubject()).isEqualTo("odd id:+&");
  }

  @Test
  void tokenWhenScopeOmittedThenDefaultScopesAndClientTtl() throws Exception {
    HttpResponse<String> r = server.form("grant_type=client_credentials", "Authorization",
        TestServer.basic("short-lived", "short-lived-secret-0123456789-abcdefgh"));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(json(r).getLong("expires_in")).isEqualTo(300);
    assertThat(json(r).getString("scope")).isEqualTo("read:users");
    JwtClaims claims = verify(json(r).getString("access_token"));
    assertThat(claims.getExpirationTime().getValue() - claims.getIssuedAt().getValue()).isEqualTo(300);
  }

  @Test
  void tokenWhenScopeOmittedAndNoDefaultsThenNoScope() throws Exception {
    HttpResponse<String> r = server.form("grant_type=client_credentials", "Authorization", BILLING);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(json(r).containsKey("scope")).isFalse();
    assertThat(verify(json(r).getString("access_token")).hasClaim("scope")).isFalse();
  }

  @Test
  void tokenWhenGetThen405() throws Exception {
    HttpResponse<String> r = server.get("/token");
    assertError(r, 405, "invalid_request");
    assertThat(r.headers().firstValue("Allow")).hasValue("POST");
  }

  @Test
  void tokenWhenBodyIsJsonThen400InvalidRequest() throws Exception {
    assertError(server.post("/token", "application/json", "{\"grant_type\":\"client_credentials\"}", "Authorization", BILLING),
        400, "invalid_request");
  }

  @Test
  void tokenWhenNoContentTypeThen400InvalidRequest() throws Exception {
    assertError(server.post("/token", null, "grant_type=client_credentials", "Authorization", BILLING), 400, "invalid_request");
  }

  @Test
  void tokenWhenFormWithUtf8CharsetThenOk() throws Exception {
    HttpResponse<String> r = server.post("/token", "application/x-www-form-urlencoded; charset=UTF-8", "grant_type=client_credentials",
        "Authorization", BILLING);
    assertThat(r.statusCode()).isEqualTo(200);
  }

  @Test
  void tokenWhenParametersOnlyInQueryThenNotRead() throws Exception {
    HttpResponse<String> r = server.post("/token?grant_type=client_credentials", "application/x-www-form-urlencoded", "",
        "Authorization", BILLING);
    assertError(r, 400, "invalid_request");
    assertThat(json(r).getString("error_description")).isEqualTo("grant_type is required");
  }

  @Test
  void tokenWhenParameterRepeatedThen400InvalidRequest() throws Exception {
    HttpResponse<String> r = server.form("grant_type=client_credentials&scope=read%3Ausers&scope=write%3Ausers", "Authorization", BILLING);
    assertError(r, 400, "invalid_request");
    assertThat(json(r).getString("error_description")).isEqualTo("parameter 'scope' is repeated");
  }

  @Test
  void tokenWhenGrantTypeMissingThenInvalidRequest() throws Exception {
    assertError(server.form("scope=read%3Ausers", "Authorization", BILLING), 400, "invalid_request");
  }

  @Test
  void tokenWhenGrantTypeUnknownThenUnsupportedGrantType() throws Exception {
    assertError(server.form("grant_type=urn%3Aexample%3Amagic", "Authorization", BILLING), 400, "unsupported_grant_type");
  }

  @Test
  void tokenWhenPasswordGrantThenRefused() throws Exception {
    HttpResponse<String> r = server.form("grant_type=password&username=alice&password=x", "Authorization", BILLING);
    assertError(r, 400, "unsupported_grant_type");
    assertThat(r.body()).doesNotContain("alice");
  }

  @Test
  void tokenWhenImplicitGrantThenRefused() throws Exception {
    assertError(server.form("grant_type=implicit", "Authorization", BILLING), 400, "unsupported_grant_type");
  }

  @Test
  void tokenWhenWrongSecretThen401WithBasicChallenge() throws Exception {
    HttpResponse<String> r = server.form("grant_type=client_credentials", "Authorization", TestServer.basic("billing-service", "wrong-secret-0123456789-0123456789-xx"));
    assertError(r, 401, "invalid_client");
    assertThat(r.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Basic realm="));
  }

  @Test
  void tokenWhenUnknownClientThenSameAnswerAsWrongSecret() throws Exception {
    HttpResponse<String> wrong = server.form("grant_type=client_credentials", "Authorization", TestServer.basic("billing-service", "nope"));
    HttpResponse<String> unknown = server.form("grant_type=client_credentials", "Authorization", TestServer.basic("no-such-client", "nope"));
    assertError(unknown, 401, "invalid_client");
    assertThat(unknown.body()).isEqualTo(wrong.body());
    assertThat(unknown.headers().firstValue("WWW-Authenticate")).isEqualTo(wrong.headers().firstValue("WWW-Authenticate"));
  }

  @Test
  void tokenWhenWrongSecretViaPostThen401() throws Exception {
    assertError(server.form("grant_type=client_credentials&client_id=post-only&client_secret=wrong"), 401, "invalid_client");
  }

  @Test
  void tokenWhenAuthMethodNotRegisteredForClientThenInvalidClient() throws Exception {
    // post-only is registered for client_secret_post only
    assertError(server.form("grant_type=client_credentials", "Authorization", TestServer.basic("post-only", "post-only-secret-0123456789-abcdefghij")),
        401, "invalid_client");
  }

  @Test
  void tokenWhenNoClientCredentialsThen401InvalidClient() throws Exception {
    assertError(server.form("grant_type=client_credentials"), 401, "invalid_client");
  }

  @Test
  void tokenWhenConfidentialClientSendsOnlyClientIdThen401() throws Exception {
    assertError(server.form("grant_type=client_credentials&client_id=billing-service"), 401, "invalid_client");
  }

  @Test
  void tokenWhenMalformedBasicHeaderThen401() throws Exception {
    assertError(server.form("grant_type=client_credentials", "Authorization", "Basic !!!not-base64"), 401, "invalid_client");
    assertError(server.form("grant_type=client_credentials", "Authorization", "Bearer abc"), 401, "invalid_client");
  }

  @Test
  void tokenWhenAuthorizationHeaderRepeatedThen400() throws Exception {
    // java.net.http folds nothing: two header lines are sent
    assertError(server.form("grant_type=client_credentials", "Authorization", BILLING, "Authorization", BILLING), 400, "invalid_request");
  }

  @Test
  void tokenWhenCredentialsInHeaderAndBodyThen400() throws Exception {
    HttpResponse<String> r = server.form("grant_type=client_credentials&client_id=billing-service&client_secret=" + BILLING_SECRET,
        "Authorization", BILLING);
    assertError(r, 400, "invalid_request");
  }

  @Test
  void tokenWhenClientNotAllowedGrantThenUnauthorizedClient() throws Exception {
    assertError(server.form("grant_type=client_credentials", "Authorization", TestServer.basic("web-app", "web-app-secret-0123456789-abcdefghijkl")),
        400, "unauthorized_client");
  }

  @Test
  void tokenWhenScopeOutsideClientsSetThenInvalidScope() throws Exception {
    assertError(server.form("grant_type=client_credentials&scope=read%3Ausers+admin", "Authorization", BILLING), 400, "invalid_scope");
  }

  @Test
  void tokenWhenScopeMalformedThenInvalidScope() throws Exception {
    HttpResponse<String> r = server.form("grant_type=client_credentials&scope=read%3Ausers++write%3Ausers", "Authorization", BILLING);
    assertError(r, 400, "invalid_scope");
    // RFC 6749 §5.2: printable ASCII only (no section sign)
    assertThat(json(r).getString("error_description")).isEqualTo("scope is not a space-delimited list of scope tokens (RFC 6749 section 3.3)");
  }

  @Test
  void tokenWhenBodyOverLimitThen413() throws Exception {
    String big = "grant_type=client_credentials&pad=" + "a".repeat(70_000);
    HttpResponse<String> r = server.form(big, "Authorization", BILLING);
    assertError(r, 413, "invalid_request");
  }

  @Test
  void tokenWhenClientExpects100ContinueThenAnsweredWithoutDelay() throws Exception {
    var request = java.net.http.HttpRequest.newBuilder(java.net.URI.create(server.base + "/token"))
        .expectContinue(true)
        .timeout(java.time.Duration.ofSeconds(10))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .header("Authorization", BILLING)
        .POST(java.net.http.HttpRequest.BodyPublishers.ofString("grant_type=client_credentials&pad=" + "a".repeat(3000)))
        .build();
    long start = System.nanoTime();
    HttpResponse<String> r = server.http.send(request, HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    // without 100 Continue the JDK client waits for its own timeout before sending the body
    assertThat(java.time.Duration.ofNanos(System.nanoTime() - start)).isLessThan(java.time.Duration.ofSeconds(5));
  }

  @Test
  void tokenWhenInvalidPercentEncodingThen400() throws Exception {
    assertError(server.form("grant_type=client_credentials&scope=read%3", "Authorization", BILLING), 400, "invalid_request");
    assertError(server.form("grant_type=client_credentials&scope=%zzread", "Authorization", BILLING), 400, "invalid_request");
  }

  @Test
  void tokenWhenMoreThan100ParametersThen400InvalidRequest() throws Exception {
    StringBuilder body = new StringBuilder("grant_type=client_credentials");
    for (int i = 0; i < 100; i++) {
      body.append("&p").append(i).append("=1");
    }
    HttpResponse<String> r = server.form(body.toString(), "Authorization", BILLING);
    assertError(r, 400, "invalid_request");
    assertThat(json(r).getString("error_description")).isEqualTo("the request has more than 100 parameters");
  }

  @Test
  void tokenWhen64KiBOfNamesWithoutValuesThen400InvalidRequest() throws Exception {
    StringBuilder body = new StringBuilder();
    for (int i = 0; body.length() < 64_000; i++) {
      body.append(i == 0 ? "" : "&").append("n").append(i);
    }
    assertError(server.form(body.toString(), "Authorization", BILLING), 400, "invalid_request");
  }

  @Test
  void tokenWhenInvalidUtf8Then400() throws Exception {
    assertError(server.form("grant_type=client_credentials&scope=%C3%28", "Authorization", BILLING), 400, "invalid_request");
    byte[] raw = "grant_type=client_credentials&scope=x".getBytes(StandardCharsets.US_ASCII);
    raw[raw.length - 1] = (byte) 0xFF;
    assertError(server.postBytes("/token", raw, "Authorization", BILLING), 400, "invalid_request");
  }

  @Test
  void discoveryWhenFetchedThenIssuerExactAndOnlyImplementedFeatures() throws Exception {
    for (String path : List.of("/.well-known/oauth-authorization-server", "/.well-known/openid-configuration")) {
      HttpResponse<String> r = server.get(path);
      assertThat(r.statusCode()).isEqualTo(200);
      JsonObject m = json(r);
      assertThat(m.getString("issuer")).isEqualTo(server.base);
      assertThat(m.getString("token_endpoint")).isEqualTo(server.base + "/token");
      assertThat(m.getString("jwks_uri")).isEqualTo(server.base + "/jwks");
      assertThat(m.getJsonArray("grant_types_supported").getList())
          .containsExactly("authorization_code", "client_credentials", "refresh_token");
      assertThat(m.getJsonArray("token_endpoint_auth_methods_supported").getList())
          .containsExactly("client_secret_basic", "client_secret_post", "none");
      assertThat(m.getString("authorization_endpoint")).isEqualTo(server.base + "/authorize");
      assertThat(m.getString("introspection_endpoint")).isEqualTo(server.base + "/introspect");
      assertThat(m.getString("revocation_endpoint")).isEqualTo(server.base + "/revoke");
    }
  }

  /** Issue 14 item 4: OpenID Connect's scopes with offline_access, then the API scopes the operator lists. */
  @Test
  void discoveryScopesSupportedWhenApiScopesAdvertisedThenOpenIdScopesOfflineAccessAndThoseInOrder() throws Exception {
    assertThat(json(server.get("/.well-known/openid-configuration")).getJsonArray("scopes_supported").getList())
        .containsExactly("openid", "profile", "email", "address", "phone", "offline_access");
    try (TestServer advertising = TestServer.start(Map.of("GATEHOUSE_AUTHORIZE_ADVERTISED_SCOPES", "read:users, write:users openid"))) {
      for (String path : List.of("/.well-known/oauth-authorization-server", "/.well-known/openid-configuration")) {
        assertThat(json(advertising.get(path)).getJsonArray("scopes_supported").getList())
            .containsExactly("openid", "profile", "email", "address", "phone", "offline_access", "read:users", "write:users");
      }
    }
  }

  @Test
  void jwksWhenFetchedThenPublicKeysOnly() throws Exception {
    HttpResponse<String> r = server.get("/jwks");
    assertThat(r.statusCode()).isEqualTo(200);
    JsonObject key = json(r).getJsonArray("keys").getJsonObject(0);
    assertThat(key.getString("kty")).isEqualTo("EC");
    assertThat(key.getString("crv")).isEqualTo("P-256");
    assertThat(key.getString("use")).isEqualTo("sig");
    assertThat(key.getString("alg")).isEqualTo("ES256");
    assertThat(key.containsKey("d")).isFalse();
  }

  @Test
  void healthWhenRegistryAnswersThenUp() throws Exception {
    HttpResponse<String> r = server.get("/health");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(json(r).getString("status")).isEqualTo("UP");
  }

  @Test
  void unknownPathThen404Json() throws Exception {
    HttpResponse<String> r = server.get("/nope");
    assertThat(r.statusCode()).isEqualTo(404);
    assertThat(r.headers().firstValue("Cache-Control")).hasValue("no-store");
    assertThat(json(r)).isEqualTo(new JsonObject().put("error", "not_found").put("error_description", "no endpoint at this path"));
  }

  @Test
  void methodTheRouterDoesNotServeThen405WithTheSameErrorBodyAsEveryOtherError() throws Exception {
    HttpResponse<String> r = server.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(server.base + "/jwks"))
        .DELETE().build());
    assertThat(r.statusCode()).isEqualTo(405);
    // RFC 9110 §15.5.6: a 405 names the methods the resource serves
    assertThat(r.headers().firstValue("Allow")).hasValue("GET");
    assertThat(r.headers().firstValue("Cache-Control")).hasValue("no-store");
    assertThat(json(r)).isEqualTo(new JsonObject().put("error", "invalid_request")
        .put("error_description", "this endpoint does not serve this method"));
  }
}
