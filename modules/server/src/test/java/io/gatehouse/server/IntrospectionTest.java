package io.gatehouse.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.core.token.TokenHashes;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.jose4j.jwt.JwtClaims;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** RFC 7662 over HTTP, with the exact wire responses. */
class IntrospectionTest {
  static final String RS = TestServer.basic("resource-server", "resource-server-secret-0123456789-abc");
  static final String BILLING = TestServer.basic("billing-service", "billing-secret-0123456789-abcdefghijkl");
  static final String SHORT_LIVED = TestServer.basic("short-lived", "short-lived-secret-0123456789-abcdefgh");
  static final JsonObject INACTIVE = new JsonObject().put("active", false);
  static TestServer server;

  @BeforeAll
  static void start() throws Exception {
    server = TestServer.start(Map.of());
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
  }

  static String billingToken() throws Exception {
    return new JsonObject(server.form("grant_type=client_credentials&scope=read%3Ausers", "Authorization", BILLING).body())
        .getString("access_token");
  }

  static HttpResponse<String> introspect(String auth, String body) throws Exception {
    return server.post("/introspect", "application/x-www-form-urlencoded", body, "Authorization", auth);
  }

  static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  @Test
  void introspectWhenResourceServerAndActiveAccessTokenThenEveryClaim() throws Exception {
    String token = billingToken();
    JwtClaims claims = server.verify(token);
    HttpResponse<String> r = introspect(RS, "token=" + token);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Cache-Control")).hasValue("no-store");
    assertThat(new JsonObject(r.body())).isEqualTo(new JsonObject()
        .put("active", true).put("scope", "read:users").put("client_id", "billing-service").put("sub", "billing-service")
        .put("aud", "gatehouse-api").put("iss", server.base).put("exp", claims.getExpirationTime().getValue())
        .put("iat", claims.getIssuedAt().getValue()).put("jti", claims.getJwtId()).put("token_type", "Bearer"));
    // again (now from the verified-token cache): the same answer
    assertThat(new JsonObject(introspect(RS, "token=" + token + "&token_type_hint=refresh_token").body()).getBoolean("active")).isTrue();
  }

  @Test
  void introspectWhenOwnTokenThenActiveAndOtherClientsTokenThenExactlyInactive() throws Exception {
    String token = billingToken();
    assertThat(new JsonObject(introspect(BILLING, "token=" + token).body()).getBoolean("active")).isTrue();
    HttpResponse<String> other = introspect(SHORT_LIVED, "token=" + token);
    assertThat(other.statusCode()).isEqualTo(200);
    assertThat(new JsonObject(other.body())).isEqualTo(INACTIVE);
  }

  @Test
  void introspectWhenUnknownMalformedOrTamperedThenExactlyInactive() throws Exception {
    String token = billingToken();
    String tampered = token.substring(0, token.length() - 4) + (token.endsWith("AAAA") ? "BBBB" : "AAAA");
    for (String t : new String[] {"nonsense", "a.b.c", tampered, TokenHashes.random(32), "x".repeat(9000)}) {
      HttpResponse<String> r = introspect(RS, "token=" + enc(t));
      assertThat(r.statusCode()).as(t.substring(0, Math.min(12, t.length()))).isEqualTo(200);
      assertThat(new JsonObject(r.body())).isEqualTo(INACTIVE);
    }
  }

  @Test
  void introspectRefreshTokenActiveUntilRotatedThenInactive() throws Exception {
    String verifier = TokenHashes.random(32);
    String done = new Browser().signInAndConsent(server.base + "/authorize?" + Browser.encode(Map.of("response_type", "code",
        "client_id", "rp", "redirect_uri", AuthorizationCodeFlowTest.RP_CB, "scope", "read:users", "state", "s",
        "code_challenge", TokenHashes.s256(verifier), "code_challenge_method", "S256")), server.base, "alice", "alice-password-123");
    String rpAuth = TestServer.basic("rp", AuthorizationCodeFlowTest.RP_SECRET);
    JsonObject tokens = new JsonObject(server.form("grant_type=authorization_code&code=" + Browser.query(done).get("code")
        + "&redirect_uri=" + enc(AuthorizationCodeFlowTest.RP_CB) + "&code_verifier=" + verifier, "Authorization", rpAuth).body());
    String refresh = tokens.getString("refresh_token");
    JsonObject active = new JsonObject(introspect(RS, "token=" + refresh + "&token_type_hint=access_token").body());
    assertThat(active.getBoolean("active")).isTrue();
    assertThat(active.getString("token_type")).isEqualTo("refresh_token");
    assertThat(active.getString("client_id")).isEqualTo("rp");
    assertThat(active.getString("sub")).isEqualTo("248289761001");
    assertThat(active.getString("scope")).isEqualTo("read:users");
    assertThat(server.form("grant_type=refresh_token&refresh_token=" + refresh, "Authorization", rpAuth).statusCode()).isEqualTo(200);
    assertThat(new JsonObject(introspect(RS, "token=" + refresh).body())).isEqualTo(INACTIVE);
  }

  @Test
  void introspectWhenCallerNotAuthenticatedThen401InvalidClient() throws Exception {
    String token = billingToken();
    for (String auth : new String[] {TestServer.basic("resource-server", "wrong-secret-0123456789-0123456789"), TestServer.basic("nobody", "x")}) {
      HttpResponse<String> r = introspect(auth, "token=" + token);
      assertThat(r.statusCode()).isEqualTo(401);
      assertThat(r.headers().firstValue("WWW-Authenticate")).hasValue("Basic realm=\"gatehouse\", charset=\"UTF-8\"");
      assertThat(new JsonObject(r.body()).getString("error")).isEqualTo("invalid_client");
    }
    HttpResponse<String> none = server.post("/introspect", "application/x-www-form-urlencoded", "token=" + token);
    assertThat(none.statusCode()).isEqualTo(401);
  }

  /** Discovery lists client_secret_basic and client_secret_post only: the endpoint agrees. */
  @Test
  void introspectWhenAPublicClientPresentsOnlyItsClientIdThen401InvalidClient() throws Exception {
    HttpResponse<String> r = server.post("/introspect", "application/x-www-form-urlencoded", "client_id=spa&token=" + billingToken());

    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(new JsonObject(r.body())).isEqualTo(new JsonObject().put("error", "invalid_client")
        .put("error_description", "a public client cannot use the introspection endpoint: it has no credentials (RFC 7662 section 2.1)"));
    assertThat(new JsonObject(server.get("/.well-known/openid-configuration").body())
        .getJsonArray("introspection_endpoint_auth_methods_supported").getList()).doesNotContain("none");
  }

  @Test
  void introspectWhenTokenMissingOrNotPostThenInvalidRequest() throws Exception {
    HttpResponse<String> missing = introspect(RS, "token_type_hint=access_token");
    assertThat(missing.statusCode()).isEqualTo(400);
    assertThat(new JsonObject(missing.body())).isEqualTo(new JsonObject().put("error", "invalid_request").put("error_description", "token is required"));
    HttpResponse<String> get = server.get("/introspect");
    assertThat(get.statusCode()).isEqualTo(405);
    assertThat(get.headers().firstValue("Allow")).hasValue("POST");
  }
}
