package io.gatehouse.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.core.token.TokenHashes;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** RFC 7009 over HTTP, with the exact wire responses. */
class RevocationTest {
  static final String RP = TestServer.basic("rp", AuthorizationCodeFlowTest.RP_SECRET);
  static final String BILLING = TestServer.basic("billing-service", "billing-secret-0123456789-abcdefghijkl");
  static final String RS = TestServer.basic("resource-server", "resource-server-secret-0123456789-abc");
  static TestServer server;

  @BeforeAll
  static void start() throws Exception {
    server = TestServer.start(Map.of());
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
  }

  static JsonObject rpTokens() throws Exception {
    String verifier = TokenHashes.random(32);
    String done = new Browser().signInAndConsent(server.base + "/authorize?" + Browser.encode(Map.of("response_type", "code",
        "client_id", "rp", "redirect_uri", AuthorizationCodeFlowTest.RP_CB, "scope", "read:users", "state", "s",
        "code_challenge", TokenHashes.s256(verifier), "code_challenge_method", "S256")), server.base, "alice", "alice-password-123");
    return new JsonObject(server.form("grant_type=authorization_code&code=" + Browser.query(done).get("code") + "&redirect_uri="
        + URLEncoder.encode(AuthorizationCodeFlowTest.RP_CB, StandardCharsets.UTF_8) + "&code_verifier=" + verifier, "Authorization", RP).body());
  }

  static HttpResponse<String> revoke(String auth, String body) throws Exception {
    return server.post("/revoke", "application/x-www-form-urlencoded", body, "Authorization", auth);
  }

  static void assertError(HttpResponse<String> r, int status, String error) {
    assertThat(r.statusCode()).isEqualTo(status);
    assertThat(new JsonObject(r.body()).getString("error")).isEqualTo(error);
  }

  @Test
  void revokeRefreshTokenThenWholeFamilyDeadAndInactive() throws Exception {
    JsonObject tokens = rpTokens();
    String r1 = tokens.getString("refresh_token");
    String r2 = new JsonObject(server.form("grant_type=refresh_token&refresh_token=" + r1, "Authorization", RP).body()).getString("refresh_token");
    // the rotated, earlier member names the family too; a wrong hint changes nothing
    HttpResponse<String> r = revoke(RP, "token=" + r1 + "&token_type_hint=access_token");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEmpty();
    assertError(server.form("grant_type=refresh_token&refresh_token=" + r2, "Authorization", RP), 400, "invalid_grant");
    HttpResponse<String> introspected = server.post("/introspect", "application/x-www-form-urlencoded", "token=" + r2, "Authorization", RS);
    assertThat(new JsonObject(introspected.body())).isEqualTo(new JsonObject().put("active", false));
  }

  @Test
  void revokeAnotherClientsRefreshTokenThenRefusedAndNotRevoked() throws Exception {
    String refresh = rpTokens().getString("refresh_token");
    assertError(revoke(BILLING, "token=" + refresh), 400, "unauthorized_client");
    assertThat(server.form("grant_type=refresh_token&refresh_token=" + refresh, "Authorization", RP).statusCode()).isEqualTo(200);
  }

  @Test
  void revokeUnknownOrMalformedTokenThen200() throws Exception {
    for (String t : new String[] {"nonsense", TokenHashes.random(32), "a.b.c"}) {
      HttpResponse<String> r = revoke(RP, "token=" + t);
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body()).isEmpty();
    }
  }

  @Test
  void revokeAccessTokenThenUnsupportedTokenTypeAndOthersAccessTokenUnauthorized() throws Exception {
    String access = new JsonObject(server.form("grant_type=client_credentials&scope=read%3Ausers", "Authorization", BILLING).body())
        .getString("access_token");
    HttpResponse<String> own = revoke(BILLING, "token=" + access);
    assertError(own, 400, "unsupported_token_type");
    assertError(revoke(RP, "token=" + access), 400, "unauthorized_client");
  }

  @Test
  void revokeWhenCallerNotAuthenticatedOrTokenMissingThenErrors() throws Exception {
    HttpResponse<String> bad = revoke(TestServer.basic("rp", "wrong-secret-0123456789-0123456789-01"), "token=x");
    assertError(bad, 401, "invalid_client");
    assertThat(bad.headers().firstValue("WWW-Authenticate")).hasValue("Basic realm=\"gatehouse\", charset=\"UTF-8\"");
    assertError(revoke(RP, "token_type_hint=refresh_token"), 400, "invalid_request");
    HttpResponse<String> get = server.get("/revoke");
    assertThat(get.statusCode()).isEqualTo(405);
  }

  @Test
  void discoveryAdvertisesTheRevocationEndpoint() throws Exception {
    JsonObject doc = new JsonObject(server.get("/.well-known/openid-configuration").body());
    assertThat(doc.getString("revocation_endpoint")).isEqualTo(server.base + "/revoke");
  }
}
