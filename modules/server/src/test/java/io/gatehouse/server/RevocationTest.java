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
    return rpTokens("alice", "alice-password-123");
  }

  static JsonObject rpTokens(String user, String password) throws Exception {
    String verifier = TokenHashes.random(32);
    String done = new Browser().signInAndConsent(server.base + "/authorize?" + Browser.encode(Map.of("response_type", "code",
        "client_id", "rp", "redirect_uri", AuthorizationCodeFlowTest.RP_CB, "scope", "read:users", "state", "s",
        "code_challenge", TokenHashes.s256(verifier), "code_challenge_method", "S256")), server.base, user, password);
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

  static String clientToken(String auth, String scope) throws Exception {
    return new JsonObject(server.form("grant_type=client_credentials&scope=" + URLEncoder.encode(scope, StandardCharsets.UTF_8),
        "Authorization", auth).body()).getString("access_token");
  }

  static JsonObject introspect(String token) throws Exception {
    HttpResponse<String> r = server.post("/introspect", "application/x-www-form-urlencoded", "token=" + token, "Authorization", RS);
    assertThat(r.statusCode()).isEqualTo(200);
    return new JsonObject(r.body());
  }

  static final JsonObject INACTIVE = new JsonObject().put("active", false);

  @Test
  void revokeOwnAccessTokenThen200AndInactiveAtIntrospectionWhileItsSiblingStaysActive() throws Exception {
    String access = clientToken(BILLING, "read:users");
    String sibling = clientToken(BILLING, "read:users");
    assertThat(introspect(access).getBoolean("active")).isTrue(); // now cached as verified

    HttpResponse<String> r = revoke(BILLING, "token=" + access + "&token_type_hint=refresh_token");

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEmpty();
    assertThat(r.headers().firstValue("Cache-Control")).hasValue("no-store");
    assertThat(introspect(access)).isEqualTo(INACTIVE);
    assertThat(introspect(sibling).getBoolean("active")).isTrue();
    // revoking again is still a success (RFC 7009 §2.2)
    assertThat(revoke(BILLING, "token=" + access).statusCode()).isEqualTo(200);
  }

  @Test
  void revokeAnotherClientsAccessTokenThenUnauthorizedClientAndItStaysActive() throws Exception {
    String access = clientToken(BILLING, "read:users");

    HttpResponse<String> r = revoke(RP, "token=" + access);

    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(new JsonObject(r.body())).isEqualTo(new JsonObject().put("error", "unauthorized_client")
        .put("error_description", "the token was not issued to this client"));
    assertThat(introspect(access).getBoolean("active")).isTrue();
  }

  @Test
  void revokeRefreshTokenThenTheAccessTokensOfItsGrantAreInactiveAndRefusedAtUserinfo() throws Exception {
    JsonObject tokens = rpTokens();
    String access = tokens.getString("access_token");
    JsonObject refreshed = new JsonObject(server.form("grant_type=refresh_token&refresh_token=" + tokens.getString("refresh_token"),
        "Authorization", RP).body());
    String other = rpTokens().getString("access_token");
    assertThat(introspect(access).getBoolean("active")).isTrue();
    // the grant id is in the answer (an extension member), for resource servers that cache it
    assertThat(introspect(access).getString("gid")).isEqualTo(server.verify(access).getClaimValueAsString("gid"));

    assertThat(revoke(RP, "token=" + refreshed.getString("refresh_token")).statusCode()).isEqualTo(200);

    assertThat(introspect(access)).isEqualTo(INACTIVE);
    assertThat(introspect(refreshed.getString("access_token"))).isEqualTo(INACTIVE);
    assertThat(introspect(other).getBoolean("active")).as("another grant of the same user").isTrue();
  }

  @Test
  void userinfoWhenAccessTokenRevokedThen401InvalidToken() throws Exception {
    JsonObject tokens = rpTokens();
    assertThat(revoke(RP, "token=" + tokens.getString("refresh_token")).statusCode()).isEqualTo(200);

    HttpResponse<String> r = server.http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(server.base + "/userinfo"))
        .header("Authorization", "Bearer " + tokens.getString("access_token")).GET().build(), HttpResponse.BodyHandlers.ofString());

    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(r.headers().firstValue("WWW-Authenticate"))
        .hasValue("Bearer realm=\"gatehouse\", error=\"invalid_token\", error_description=\"the access token has been revoked\"");
  }

  // ---------------------------------------------------------------- admin revocation

  static final String ADMIN = TestServer.basic("admin-console", "admin-console-secret-0123456789-abcdef");

  static HttpResponse<String> admin(String bearer, String body) throws Exception {
    return bearer == null ? server.post("/admin/revocations", "application/json", body)
        : server.post("/admin/revocations", "application/json", body, "Authorization", "Bearer " + bearer);
  }

  @Test
  void adminRevokesASubjectThen201AndEveryTokenOfThatUserInactive() throws Exception {
    // bob, so that alice's tokens in the other tests of this server are not covered
    JsonObject tokens = rpTokens("bob", "bob-password-12345");
    String bob = introspect(tokens.getString("access_token")).getString("sub");
    String adminToken = clientToken(ADMIN, "gatehouse:admin");

    HttpResponse<String> r = admin(adminToken, "{\"kind\":\"subject\",\"value\":\"" + bob + "\"}");

    assertThat(r.statusCode()).isEqualTo(201);
    JsonObject body = new JsonObject(r.body());
    assertThat(body.fieldNames()).containsExactlyInAnyOrder("kind", "value", "revoked_at", "expires_at");
    assertThat(body.getString("kind")).isEqualTo("subject");
    assertThat(body.getString("value")).isEqualTo(bob);
    // kept for token.max_access_token_ttl (1h) and the margin
    assertThat(body.getLong("expires_at") - body.getLong("revoked_at")).isEqualTo(3600 + 60);
    assertThat(introspect(tokens.getString("access_token"))).isEqualTo(INACTIVE);
    assertThat(introspect(tokens.getString("refresh_token"))).isEqualTo(INACTIVE);
    assertError(server.form("grant_type=refresh_token&refresh_token=" + tokens.getString("refresh_token"), "Authorization", RP), 400,
        "invalid_grant");
    // the list shows it
    HttpResponse<String> list = server.http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(server.base + "/admin/revocations"))
        .header("Authorization", "Bearer " + adminToken).GET().build(), HttpResponse.BodyHandlers.ofString());
    assertThat(list.statusCode()).isEqualTo(200);
    assertThat(new JsonObject(list.body()).getJsonArray("revocations").stream().map(o -> ((JsonObject) o).getString("value")))
        .contains(bob);
  }

  @Test
  void adminKillsAClientThenItsTokensInactiveAndNewOnesWork() throws Exception {
    String before = clientToken(TestServer.basic("short-lived", "short-lived-secret-0123456789-abcdefgh"), "read:users");

    HttpResponse<String> r = admin(clientToken(ADMIN, "gatehouse:admin"), "{\"kind\":\"client\",\"value\":\"short-lived\"}");

    assertThat(r.statusCode()).isEqualTo(201);
    // short-lived's tokens live 5 minutes now, but may have been issued under a longer lifetime: the entry is
    // kept for token.max_access_token_ttl (1h) and the margin
    JsonObject body = new JsonObject(r.body());
    assertThat(body.getLong("expires_at") - body.getLong("revoked_at")).isEqualTo(3600 + 60);
    assertThat(introspect(before)).isEqualTo(INACTIVE);
  }

  @Test
  void adminWithoutTokenThen401BearerChallenge() throws Exception {
    HttpResponse<String> r = admin(null, "{\"kind\":\"subject\",\"value\":\"x\"}");

    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(r.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"gatehouse\"");
  }

  @Test
  void adminWithAnOrdinaryApiTokenThen401InvalidToken() throws Exception {
    HttpResponse<String> r = admin(clientToken(BILLING, "read:users"), "{\"kind\":\"subject\",\"value\":\"x\"}");

    // RFC 9068 §4: an API token is for another audience than the admin API's
    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(new JsonObject(r.body())).isEqualTo(new JsonObject().put("error", "invalid_token")
        .put("error_description", "the access token is not for this resource"));
    assertThat(r.headers().firstValue("WWW-Authenticate").orElseThrow()).startsWith("Bearer realm=\"gatehouse\", error=\"invalid_token\"");
  }

  @Test
  void adminWithARevokedAdminTokenThen401() throws Exception {
    String adminToken = clientToken(ADMIN, "gatehouse:admin");
    assertThat(revoke(ADMIN, "token=" + adminToken).statusCode()).isEqualTo(200);

    HttpResponse<String> r = admin(adminToken, "{\"kind\":\"subject\",\"value\":\"x\"}");

    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(new JsonObject(r.body()).getString("error")).isEqualTo("invalid_token");
  }

  @Test
  void adminWithABadRequestThen400InvalidRequestNamingTheProblem() throws Exception {
    String adminToken = clientToken(ADMIN, "gatehouse:admin");
    Map<String, String> cases = Map.of(
        "{\"kind\":\"user\",\"value\":\"x\"}", "kind must be one of subject, client, grant, token",
        "{\"kind\":\"subject\"}", "value must be a non-blank string of at most 512 characters",
        "{\"kind\":\"subject\",\"value\":\"  \"}", "value must be a non-blank string of at most 512 characters",
        "{\"kind\":\"subject\",\"value\":\"x\",\"extra\":1}", "unknown member extra",
        "{\"kind\":\"subject\",\"value\":\"x\",\"" + "m".repeat(65) + "\":1}", "unknown member (not shown)",
        "[1,2]", "the body must be a JSON object",
        "{not json", "the body must be a JSON object");
    for (Map.Entry<String, String> c : cases.entrySet()) {
      HttpResponse<String> r = admin(adminToken, c.getKey());
      assertThat(r.statusCode()).as(c.getKey()).isEqualTo(400);
      assertThat(new JsonObject(r.body())).as(c.getKey())
          .isEqualTo(new JsonObject().put("error", "invalid_request").put("error_description", c.getValue()));
    }
    HttpResponse<String> form = server.post("/admin/revocations", "application/x-www-form-urlencoded", "kind=subject&value=x",
        "Authorization", "Bearer " + adminToken);
    assertThat(form.statusCode()).isEqualTo(400);
    assertThat(new JsonObject(form.body()).getString("error_description")).isEqualTo("the body must be application/json");
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

  @Test
  void afterAdminRevokesAUserTheirLiveLoginSessionIssuesNoMoreCodes() throws Exception {
    try (TestServer own = TestServer.start(Map.of())) {
      Browser browser = new Browser();
      String authorize = own.base + "/authorize?" + Browser.encode(Map.of("response_type", "code", "client_id", "rp",
          "redirect_uri", AuthorizationCodeFlowTest.RP_CB, "scope", "read:users", "state", "s",
          "code_challenge", TokenHashes.s256(TokenHashes.random(32)), "code_challenge_method", "S256", "prompt", "none"));
      browser.signInAndConsent(authorize.replace("&prompt=none", "").replace("prompt=none&", ""), own.base, "alice", "alice-password-123");
      // the session works silently
      assertThat(Browser.query(Browser.location(browser.get(authorize), own.base))).containsKey("code");
      String adminToken = new JsonObject(own.form("grant_type=client_credentials&scope=gatehouse%3Aadmin", "Authorization", ADMIN).body())
          .getString("access_token");
      assertThat(own.post("/admin/revocations", "application/json", "{\"kind\":\"subject\",\"value\":\"248289761001\"}",
          "Authorization", "Bearer " + adminToken).statusCode()).isEqualTo(201);

      // the revoked session is no sign-in any more: no code without a new login
      assertThat(Browser.query(Browser.location(browser.get(authorize), own.base))).containsEntry("error", "login_required")
          .doesNotContainKey("code");
    }
  }
}
