package io.gatehouse.server;

import static io.gatehouse.testing.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.core.token.TokenHashes;
import io.gatehouse.core.user.LoginService;
import io.gatehouse.testing.Await;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The admin API for clients and users over HTTP, with the exact wire responses. */
class AdminApiTest {
  static final String ADMIN = TestServer.basic("admin-console", "admin-console-secret-0123456789-abcdef");
  static final String BILLING = TestServer.basic("billing-service", "billing-secret-0123456789-abcdefghijkl");
  static final String RS = TestServer.basic("resource-server", "resource-server-secret-0123456789-abc");
  static final String RP = TestServer.basic("rp", AuthorizationCodeFlowTest.RP_SECRET);
  static final JsonObject INACTIVE = new JsonObject().put("active", false);
  static final List<JsonObject> AUDIT = new CopyOnWriteArrayList<>();
  static TestServer server;
  static String admin;

  @BeforeAll
  static void start() throws Exception {
    server = TestServer.start(Map.of());
    server.vertx.eventBus().<JsonObject>consumer("gatehouse.audit", m -> AUDIT.add(m.body()));
    admin = adminToken(server);
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
  }

  // ------------------------------------------------------------------ helpers (the cluster test uses them too)

  /** The {@code aud} of admin API tokens on {@code s}. */
  static String adminAudience(TestServer s) {
    return io.gatehouse.core.token.AccessTokenIssuer.adminAudience(s.base);
  }

  static String adminToken(TestServer s) throws Exception {
    return clientToken(s, ADMIN, "gatehouse:admin");
  }

  static String clientToken(TestServer s, String basic, String scope) throws Exception {
    HttpResponse<String> r = s.form("grant_type=client_credentials&scope=" + URLEncoder.encode(scope, StandardCharsets.UTF_8),
        "Authorization", basic);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return new JsonObject(r.body()).getString("access_token");
  }

  /** The status /token answers a client credentials request of {@code id} with {@code secret}. */
  static int tokenStatus(TestServer s, String id, String secret, String scope) throws Exception {
    return s.form("grant_type=client_credentials" + (scope.isEmpty() ? "" : "&scope=" + URLEncoder.encode(scope, StandardCharsets.UTF_8)),
        "Authorization", TestServer.basic(id, secret)).statusCode();
  }

  static HttpResponse<String> call(TestServer s, String method, String path, String bearer, String json) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(s.base + path)).timeout(Duration.ofSeconds(10))
        .method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
    if (json != null) {
      b.header("Content-Type", "application/json");
    }
    if (bearer != null) {
      b.header("Authorization", "Bearer " + bearer);
    }
    return s.http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  static HttpResponse<String> call(String method, String path, String json) throws Exception {
    return call(server, method, path, admin, json);
  }

  static JsonObject introspect(TestServer s, String token) throws Exception {
    HttpResponse<String> r = s.post("/introspect", "application/x-www-form-urlencoded", "token=" + token, "Authorization", RS);
    assertThat(r.statusCode()).isEqualTo(200);
    return new JsonObject(r.body());
  }

  static void assertWire(HttpResponse<String> r, int status, String error, String description) {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
    assertThat(new JsonObject(r.body())).isEqualTo(new JsonObject().put("error", error).put("error_description", description));
    assertThat(r.headers().firstValue("Cache-Control")).hasValue("no-store");
  }

  /** Registers a client credentials client through the API and answers its secret. */
  static String createCc(TestServer s, String bearer, String id, String... scopes) throws Exception {
    HttpResponse<String> r = call(s, "POST", "/admin/clients", bearer, new JsonObject().put("client_id", id)
        .put("grant_types", new JsonArray().add("client_credentials")).put("scopes", new JsonArray(List.of(scopes))).encode());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    return new JsonObject(r.body()).getString("client_secret");
  }

  static String path(String id) {
    return "/admin/clients/" + URLEncoder.encode(id, StandardCharsets.UTF_8).replace("+", "%20");
  }

  /** Tokens of the rp client for {@code username}, through the login and consent pages. */
  static JsonObject signInThroughRp(String username, String password) throws Exception {
    String verifier = TokenHashes.random(32);
    String done = new Browser().signInAndConsent(server.base + "/authorize?" + Browser.encode(Map.of("response_type", "code",
        "client_id", "rp", "redirect_uri", AuthorizationCodeFlowTest.RP_CB, "scope", "read:users", "state", "s",
        "code_challenge", TokenHashes.s256(verifier), "code_challenge_method", "S256")), server.base, username, password);
    assertThat(done).startsWith(AuthorizationCodeFlowTest.RP_CB + "?code=");
    HttpResponse<String> r = server.form("grant_type=authorization_code&code=" + Browser.query(done).get("code") + "&redirect_uri="
        + URLEncoder.encode(AuthorizationCodeFlowTest.RP_CB, StandardCharsets.UTF_8) + "&code_verifier=" + verifier, "Authorization", RP);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return new JsonObject(r.body());
  }

  static LoginService.Outcome login(String username, String password) throws Exception {
    return await(server.gatehouse.parts().logins().login(username, password, "203.0.113.9"));
  }

  static final JsonObject CC_JSON = new JsonObject().put("client_id", "api-made")
      .put("grant_types", new JsonArray().add("client_credentials"))
      .put("scopes", new JsonArray().add("read:users"))
      .put("default_scopes", new JsonArray())
      .put("token_endpoint_auth_methods", new JsonArray().add("client_secret_basic"))
      .put("redirect_uris", new JsonArray())
      .put("post_logout_redirect_uris", new JsonArray())
      .put("allowed_origins", new JsonArray())
      .put("logout_revokes_refresh_tokens", false)
      .put("can_introspect", false);

  // ------------------------------------------------------------------ clients

  @Test
  void createClientThen201WithTheSecretShownOnceAndItObtainsAToken() throws Exception {
    HttpResponse<String> r = call("POST", "/admin/clients", "{\"client_id\":\"api-made\",\"grant_types\":[\"client_credentials\"],"
        + "\"scopes\":[\"read:users\"]}");
    assertThat(r.statusCode()).isEqualTo(201);
    assertThat(r.headers().firstValue("Location")).hasValue(server.base + "/admin/clients/api-made");
    assertThat(r.headers().firstValue("Cache-Control")).hasValue("no-store");
    JsonObject body = new JsonObject(r.body());
    String secret = body.getString("client_secret");
    assertThat(secret).matches("[A-Za-z0-9_-]{43}");
    assertThat(body).isEqualTo(CC_JSON.copy().put("client_secret", secret).put("client_secret_expires_at", 0));

    HttpResponse<String> token = server.form("grant_type=client_credentials&scope=read:users", "Authorization",
        TestServer.basic("api-made", secret));
    assertThat(token.statusCode()).isEqualTo(200);
    assertThat(server.verify(new JsonObject(token.body()).getString("access_token")).getSubject()).isEqualTo("api-made");
    assertThat(tokenStatus(server, "api-made", secret + "x", "read:users")).isEqualTo(401);

    // GET shows the registration, never the secret or its hash
    HttpResponse<String> got = call("GET", "/admin/clients/api-made", null);
    assertThat(got.statusCode()).isEqualTo(200);
    assertThat(new JsonObject(got.body())).isEqualTo(CC_JSON);
    assertThat(got.body()).doesNotContain(secret).doesNotContain("s256$");
  }

  @Test
  void createClientWithIdTokenSignedResponseAlgThenShownAndAReplacementWithoutItFallsBackToTheDefault() throws Exception {
    // issue 14 item 1: OIDC Registration §2 id_token_signed_response_alg
    JsonObject registration = new JsonObject().put("client_id", "api-es256-rp")
        .put("grant_types", new JsonArray().add("authorization_code"))
        .put("scopes", new JsonArray().add("openid"))
        .put("redirect_uris", new JsonArray().add("https://rp.example.com/cb"))
        .put("id_token_signed_response_alg", "ES256");
    HttpResponse<String> r = call("POST", "/admin/clients", registration.encode());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    JsonObject expected = new JsonObject().put("client_id", "api-es256-rp")
        .put("grant_types", new JsonArray().add("authorization_code"))
        .put("scopes", new JsonArray().add("openid"))
        .put("default_scopes", new JsonArray())
        .put("token_endpoint_auth_methods", new JsonArray().add("client_secret_basic"))
        .put("redirect_uris", new JsonArray().add("https://rp.example.com/cb"))
        .put("post_logout_redirect_uris", new JsonArray())
        .put("allowed_origins", new JsonArray())
        .put("logout_revokes_refresh_tokens", false)
        .put("can_introspect", false)
        .put("id_token_signed_response_alg", "ES256");
    assertThat(new JsonObject(call("GET", path("api-es256-rp"), null).body())).isEqualTo(expected);

    registration.remove("id_token_signed_response_alg");
    HttpResponse<String> replaced = call("PUT", path("api-es256-rp"), registration.encode());
    assertThat(replaced.statusCode()).as(replaced.body()).isEqualTo(200);
    expected.remove("id_token_signed_response_alg");
    assertThat(new JsonObject(call("GET", path("api-es256-rp"), null).body())).isEqualTo(expected);
  }

  @Test
  void createClientWithItsNameLinksAndContactsThenShownOnReadKeptOnRotationAndDroppedByAReplacementWithoutThem() throws Exception {
    // issue 14 item 6: client_name, logo_uri, client_uri, policy_uri, tos_uri, contacts (OIDC Registration §2 / RFC 7591 §2)
    JsonObject info = new JsonObject()
        .put("client_name", "Bücher & Co. <Reader>")
        .put("logo_uri", "https://books.example/logo.png")
        .put("client_uri", "https://books.example/")
        .put("policy_uri", "https://books.example/privacy#data")
        .put("tos_uri", "http://127.0.0.1:8080/tos")
        .put("contacts", new JsonArray().add("ops@books.example").add("+1 555 0100"));
    JsonObject body = CC_JSON.copy().put("client_id", "api-described").mergeIn(info);
    HttpResponse<String> r = call("POST", "/admin/clients", body.encode());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    String secret = new JsonObject(r.body()).getString("client_secret");
    assertThat(new JsonObject(r.body())).isEqualTo(body.copy().put("client_secret", secret).put("client_secret_expires_at", 0));
    assertThat(new JsonObject(call("GET", path("api-described"), null).body())).isEqualTo(body);

    HttpResponse<String> rotated = call("POST", path("api-described") + "/secret", null);
    assertThat(rotated.statusCode()).as(rotated.body()).isEqualTo(200);
    assertThat(new JsonObject(call("GET", path("api-described"), null).body())).isEqualTo(body);

    JsonObject bare = CC_JSON.copy().put("client_id", "api-described");
    HttpResponse<String> replaced = call("PUT", path("api-described"), bare.encode());
    assertThat(replaced.statusCode()).as(replaced.body()).isEqualTo(200);
    assertThat(new JsonObject(replaced.body())).isEqualTo(bare);
    assertThat(new JsonObject(call("GET", path("api-described"), null).body())).isEqualTo(bare);
  }

  @Test
  void createClientWithNoGrantThenItIntrospectsAndRevokesButGetsNoToken() throws Exception {
    // issue 14 item 7: a resource server that only introspects needs no grant
    HttpResponse<String> r = call("POST", "/admin/clients", "{\"client_id\":\"api-rs-only\",\"grant_types\":[],\"can_introspect\":true}");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    String secret = new JsonObject(r.body()).getString("client_secret");
    assertThat(new JsonObject(r.body()).getJsonArray("grant_types")).isEmpty();
    String rs = TestServer.basic("api-rs-only", secret);

    HttpResponse<String> token = server.form("grant_type=client_credentials", "Authorization", rs);
    assertThat(token.statusCode()).isEqualTo(400);
    assertThat(new JsonObject(token.body()).getString("error")).isEqualTo("unauthorized_client");
    String access = new JsonObject(server.form("grant_type=client_credentials&scope=read%3Ausers", "Authorization", TokenEndpointTest.BILLING)
        .body()).getString("access_token");
    HttpResponse<String> introspected = server.post("/introspect", "application/x-www-form-urlencoded", "token=" + access, "Authorization", rs);
    assertThat(introspected.statusCode()).isEqualTo(200);
    assertThat(new JsonObject(introspected.body()).getBoolean("active")).isTrue();
    // it authenticates at /revoke (RFC 7009 §2.1: another client's token is refused, an unknown one is 200)
    HttpResponse<String> others = server.post("/revoke", "application/x-www-form-urlencoded", "token=" + access, "Authorization", rs);
    assertThat(others.statusCode()).isEqualTo(400);
    assertThat(new JsonObject(others.body()).getString("error")).isEqualTo("unauthorized_client");
    assertThat(server.post("/revoke", "application/x-www-form-urlencoded", "token=unknown", "Authorization", rs).statusCode()).isEqualTo(200);
    assertThat(server.post("/revoke", "application/x-www-form-urlencoded", "token=unknown", "Authorization",
        TestServer.basic("api-rs-only", "wrong")).statusCode()).isEqualTo(401);
  }

  @Test
  void createWithoutClientIdThenARandomIdIsGenerated() throws Exception {
    HttpResponse<String> r = call("POST", "/admin/clients", "{\"grant_types\":[\"client_credentials\"]}");
    assertThat(r.statusCode()).isEqualTo(201);
    JsonObject body = new JsonObject(r.body());
    String id = body.getString("client_id");
    assertThat(id).matches("[A-Za-z0-9_-]{22}");
    assertThat(r.headers().firstValue("Location")).hasValue(server.base + "/admin/clients/" + id);
    assertThat(tokenStatus(server, id, body.getString("client_secret"), "")).isEqualTo(200);
    HttpResponse<String> again = call("POST", "/admin/clients", "{\"grant_types\":[\"client_credentials\"]}");
    assertThat(new JsonObject(again.body()).getString("client_id")).isNotEqualTo(id);
  }

  @Test
  void createPublicClientThenNoSecretAndLoopbackRedirectsAccepted() throws Exception {
    HttpResponse<String> r = call("POST", "/admin/clients", new JsonObject().put("client_id", "api-spa")
        .put("grant_types", new JsonArray().add("authorization_code").add("refresh_token"))
        .put("token_endpoint_auth_methods", new JsonArray().add("none"))
        .put("scopes", new JsonArray().add("openid"))
        .put("redirect_uris", new JsonArray().add("http://127.0.0.1:8123/cb").add("http://[::1]/cb").add("https://spa.example/cb?tenant=a")
            .add("com.example.app:/oauth"))
        .put("access_token_ttl", 300).encode());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    JsonObject body = new JsonObject(r.body());
    assertThat(body.containsKey("client_secret")).isFalse();
    assertThat(body.getJsonArray("token_endpoint_auth_methods")).isEqualTo(new JsonArray().add("none"));
    assertThat(body.getJsonArray("redirect_uris")).hasSize(4);
    assertThat(body.getString("access_token_ttl")).isEqualTo("5m");
  }

  @Test
  void createWithAnIdThatExistsThen409AndTheExistingClientIsUntouched() throws Exception {
    HttpResponse<String> r = call("POST", "/admin/clients", "{\"client_id\":\"billing-service\",\"grant_types\":[\"client_credentials\"]}");
    assertWire(r, 409, "invalid_client_metadata", "client_id 'billing-service' is already registered");
    assertThat(tokenStatus(server, "billing-service", "billing-secret-0123456789-abcdefghijkl", "read:users")).isEqualTo(200);
    assertThat(new JsonObject(call("GET", "/admin/clients/billing-service", null).body()).getJsonArray("scopes"))
        .isEqualTo(new JsonArray().add("read:users").add("write:users"));
  }

  /** The start of a client credentials registration body, for a field to follow. */
  static final String CC = "\"grant_types\":[\"client_credentials\"],";

  @Test
  void invalidRegistrationsThen400WithTheRfc7591CodeNamingTheFieldAndNothingStored() throws Exception {
    String ok = "\"grant_types\":[\"authorization_code\"],\"scopes\":[\"read:users\"]";
    String[][] cases = {
        {ok + ",\"redirect_uris\":[\"https://ok.example/cb\",\"javascript:alert(1)\"]", "invalid_redirect_uri",
            "redirect_uris[1] must not use the javascript: scheme"},
        {ok + ",\"redirect_uris\":[\"JAVASCRIPT:alert(1)\"]", "invalid_redirect_uri", "redirect_uris[0] must not use the javascript: scheme"},
        {ok + ",\"redirect_uris\":[\"data:text/html,x\"]", "invalid_redirect_uri", "redirect_uris[0] must not use the data: scheme"},
        {ok + ",\"redirect_uris\":[\"VBScript:msgbox(1)\"]", "invalid_redirect_uri", "redirect_uris[0] must not use the vbscript: scheme"},
        {ok + ",\"redirect_uris\":[\"file:///etc/passwd\"]", "invalid_redirect_uri", "redirect_uris[0] must not use the file: scheme"},
        {ok + ",\"redirect_uris\":[\"https://ok.example/cb\",\"http://evil.example/cb\"]", "invalid_redirect_uri",
            "redirect_uris[1] must use https (http only for loopback)"},
        {ok + ",\"redirect_uris\":[\"http://127.0.0.1.evil.example/cb\"]", "invalid_redirect_uri",
            "redirect_uris[0] must use https (http only for loopback)"},
        {ok + ",\"redirect_uris\":[\"https://x/cb#frag\"]", "invalid_redirect_uri", "redirect_uris[0] must not have a fragment"},
        {ok + ",\"redirect_uris\":[\"/relative\"]", "invalid_redirect_uri", "redirect_uris[0] must be an absolute URI"},
        {ok + ",\"redirect_uris\":[\"https://user:pw@x.example/cb\"]", "invalid_redirect_uri",
            "redirect_uris[0] must not contain user information"},
        {ok + ",\"redirect_uris\":[\"https://x.example/a b\"]", "invalid_redirect_uri",
            "redirect_uris[0] must be printable ASCII without spaces (RFC 3986)"},
        {ok, "invalid_redirect_uri", "redirect_uris must name at least one URI for the authorization_code grant"},
        {ok + ",\"redirect_uris\":\"https://x.example/cb\"", "invalid_redirect_uri", "redirect_uris must be a list of strings"},
        {ok + ",\"redirect_uris\":[\"https://x.example/cb\"],\"post_logout_redirect_uris\":[\"javascript:alert(1)\"]",
            "invalid_redirect_uri", "post_logout_redirect_uris[0] must not use the javascript: scheme"},
        {ok + ",\"redirect_uris\":[\"https://x.example/cb\"],\"post_logout_redirect_uris\":[\"http://evil.example/bye\"]",
            "invalid_redirect_uri", "post_logout_redirect_uris[0] must use https (http only for loopback)"},
        {"\"grant_types\":[\"client_credentials\"],\"colour\":\"blue\"", "invalid_client_metadata", "colour is not a known field"},
        {"\"grant_types\":[\"client_credentials\"],\"client_secret\":\"my-own-secret-0123456789-0123456789\"", "invalid_client_metadata",
            "client_secret cannot be set: the server generates secrets (rotate with POST /admin/clients/{id}/secret)"},
        {"\"grant_types\":[\"client_credentials\"],\"scopes\":\"read:users\"", "invalid_client_metadata", "scopes must be a list of strings"},
        {"\"grant_types\":[\"client_credentials\"],\"scopes\":[\"read:users\",\"\"]", "invalid_client_metadata",
            "scopes[1] is not a valid scope token (RFC 6749 section 3.3)"},
        {"\"grant_types\":[\"client_credentials\"],\"scopes\":[\"read users\"]", "invalid_client_metadata",
            "scopes[0] is not a valid scope token (RFC 6749 section 3.3)"},
        {"\"grant_types\":[\"client_credentials\"],\"scopes\":[7]", "invalid_client_metadata", "scopes[0] must be a string"},
        {"\"grant_types\":[\"client_credentials\"],\"scopes\":[\"a\"],\"default_scopes\":[\"b\"]", "invalid_client_metadata",
            "default_scopes must be a subset of scopes"},
        {"\"grant_types\":[\"client_credentials\"],\"can_introspect\":\"yes\"", "invalid_client_metadata", "can_introspect must be true or false"},
        {"\"grant_types\":[\"password\"]", "invalid_client_metadata", "grant_types[0] is refused by design (RFC 9700: no password or implicit grant)"},
        {"\"grant_types\":[\"client_credentials\",\"implicit\"]", "invalid_client_metadata",
            "grant_types[1] is refused by design (RFC 9700: no password or implicit grant)"},
        {"\"grant_types\":[\"device_code\"]", "invalid_client_metadata",
            "grant_types[0] is an unknown grant type (authorization_code, client_credentials, refresh_token)"},
        {"\"grant_types\":[],\"token_endpoint_auth_methods\":[\"none\"]", "invalid_client_metadata",
            "grant_types must name authorization_code for a public client (which always uses PKCE)"},
        {"\"scopes\":[\"a\"]", "invalid_client_metadata", "grant_types is required"},
        {"\"grant_types\":[\"client_credentials\"],\"token_endpoint_auth_methods\":[\"private_key_jwt\"]", "invalid_client_metadata",
            "token_endpoint_auth_methods[0] is an unknown method (client_secret_basic, client_secret_post, none)"},
        {"\"grant_types\":[\"client_credentials\"],\"token_endpoint_auth_methods\":[\"none\",\"client_secret_basic\"]", "invalid_client_metadata",
            "token_endpoint_auth_methods cannot combine none (a public client) with secret methods"},
        {"\"grant_types\":[\"client_credentials\"],\"token_endpoint_auth_methods\":[\"none\"]", "invalid_client_metadata",
            "grant_types cannot name client_credentials for a public client (RFC 6749 section 4.4)"},
        {"\"grant_types\":[\"refresh_token\"],\"token_endpoint_auth_methods\":[\"none\"]", "invalid_client_metadata",
            "grant_types must name authorization_code for a public client (which always uses PKCE)"},
        {ok + ",\"redirect_uris\":[\"https://x.example/cb\"],\"token_endpoint_auth_methods\":[\"none\"],\"can_introspect\":true",
            "invalid_client_metadata", "can_introspect needs a confidential client (a resource server authenticates)"},
        {"\"grant_types\":[\"client_credentials\"],\"allowed_origins\":[\"https://spa.example.com/path\"]", "invalid_client_metadata",
            "allowed_origins[0] must be a lower-case origin: scheme://host[:port], nothing else"},
        {"\"grant_types\":[\"client_credentials\"],\"allowed_origins\":[\"http://spa.example.com\"]", "invalid_client_metadata",
            "allowed_origins[0] must use https (http only for loopback)"},
        // a revocation is kept only as long as the longest token can live (token.max_access_token_ttl, 1h)
        {"\"grant_types\":[\"client_credentials\"],\"access_token_ttl\":\"2h\"", "invalid_client_metadata",
            "access_token_ttl must not exceed token.max_access_token_ttl (1h)"},
        {"\"grant_types\":[\"client_credentials\"],\"access_token_ttl\":\"0s\"", "invalid_client_metadata",
            "access_token_ttl must be whole seconds between 1s and 24h"},
        {"\"grant_types\":[\"client_credentials\"],\"access_token_ttl\":\"25h\"", "invalid_client_metadata",
            "access_token_ttl must be whole seconds between 1s and 24h"},
        {"\"grant_types\":[\"client_credentials\"],\"access_token_ttl\":\"1500ms\"", "invalid_client_metadata",
            "access_token_ttl must be whole seconds between 1s and 24h"},
        {"\"grant_types\":[\"client_credentials\"],\"access_token_ttl\":\"soon\"", "invalid_client_metadata",
            "access_token_ttl must be a duration such as 30s, 10m or 1h, or a number of seconds"},
        {"\"grant_types\":[\"client_credentials\"],\"access_token_ttl\":1.5", "invalid_client_metadata",
            "access_token_ttl must be a duration such as 30s, 10m or 1h, or a number of seconds"},
        {"\"grant_types\":[\"client_credentials\"],\"logout_revokes_refresh_tokens\":1", "invalid_client_metadata",
            "logout_revokes_refresh_tokens must be true or false"},
        // OIDC Registration §2: only an algorithm this server holds an ID-token key for (RS256 and ES256 by default)
        {ok + ",\"redirect_uris\":[\"https://x.example/cb\"],\"id_token_signed_response_alg\":\"HS256\"", "invalid_client_metadata",
            "id_token_signed_response_alg must be one of RS256, ES256 (the algorithms this server signs ID tokens with)"},
        {ok + ",\"redirect_uris\":[\"https://x.example/cb\"],\"id_token_signed_response_alg\":\"none\"", "invalid_client_metadata",
            "id_token_signed_response_alg must be one of RS256, ES256 (the algorithms this server signs ID tokens with)"},
        {ok + ",\"redirect_uris\":[\"https://x.example/cb\"],\"id_token_signed_response_alg\":\"EdDSA\"", "invalid_client_metadata",
            "id_token_signed_response_alg must be one of RS256, ES256 (the algorithms this server signs ID tokens with)"},
        {ok + ",\"redirect_uris\":[\"https://x.example/cb\"],\"id_token_signed_response_alg\":\"es256\"", "invalid_client_metadata",
            "id_token_signed_response_alg must be one of RS256, ES256 (the algorithms this server signs ID tokens with)"},
        {ok + ",\"redirect_uris\":[\"https://x.example/cb\"],\"id_token_signed_response_alg\":256", "invalid_client_metadata",
            "id_token_signed_response_alg must be a string"},
        // issue 14 item 6: what a client says about itself (OIDC Registration §2 / RFC 7591 §2), bounded and checked
        {CC + "\"client_name\":\"" + "n".repeat(201) + "\"", "invalid_client_metadata", "client_name must be at most 200 characters"},
        {CC + "\"client_name\":\"tab\\there\"", "invalid_client_metadata", "client_name must not contain control characters"},
        {CC + "\"client_name\":\"line\\u2028break\"", "invalid_client_metadata", "client_name must not contain control characters"},
        {CC + "\"client_name\":\"\\u202Egnp.exe\"", "invalid_client_metadata", "client_name must not contain control characters"},
        {CC + "\"client_name\":\"half \\ud800 pair\"", "invalid_client_metadata",
            "client_name must be valid Unicode text (an unpaired surrogate)"},
        {CC + "\"client_name\":\"   \"", "invalid_client_metadata", "client_name must not be blank"},
        {CC + "\"client_name\":\"\"", "invalid_client_metadata", "client_name must not be empty"},
        {CC + "\"client_name\":7", "invalid_client_metadata", "client_name must be a string"},
        {CC + "\"client_name#fr\":\"Livres\"", "invalid_client_metadata", "client_name#fr is not a known field"},
        {CC + "\"logo_uri\":\"http://evil.example/logo.png\"", "invalid_client_metadata", "logo_uri must use https (http only for loopback)"},
        {CC + "\"logo_uri\":\"ftp://files.example/logo.png\"", "invalid_client_metadata", "logo_uri must use https (http only for loopback)"},
        {CC + "\"logo_uri\":\"http://localhost/logo.png\"", "invalid_client_metadata",
            "logo_uri must use a loopback IP literal (127.0.0.1 or [::1]) instead of localhost (RFC 8252 8.3)"},
        {CC + "\"client_uri\":\"javascript:alert(1)\"", "invalid_client_metadata", "client_uri must not use the javascript: scheme"},
        {CC + "\"client_uri\":\"data:text/html,hi\"", "invalid_client_metadata", "client_uri must not use the data: scheme"},
        {CC + "\"policy_uri\":\"/privacy\"", "invalid_client_metadata", "policy_uri must be an absolute URI"},
        {CC + "\"policy_uri\":\"https://books.example/a b\"", "invalid_client_metadata",
            "policy_uri must be printable ASCII without spaces (RFC 3986)"},
        {CC + "\"tos_uri\":\"https://books.example/" + "t".repeat(1980) + "\"", "invalid_client_metadata",
            "tos_uri must be at most 2000 characters"},
        {CC + "\"tos_uri\":\"https://books.example@evil.example/tos\"", "invalid_client_metadata", "tos_uri must not contain user information"},
        {CC + "\"tos_uri\":[\"https://books.example/tos\"]", "invalid_client_metadata", "tos_uri must be a string"},
        {CC + "\"contacts\":[\"1\",\"2\",\"3\",\"4\",\"5\",\"6\",\"7\",\"8\",\"9\",\"10\",\"11\"]", "invalid_client_metadata",
            "contacts must not name more than 10 entries"},
        {CC + "\"contacts\":[\"ok@books.example\",\"" + "c".repeat(255) + "\"]", "invalid_client_metadata",
            "contacts[1] must be at most 254 characters"},
        {CC + "\"contacts\":[\"a\\nb@books.example\"]", "invalid_client_metadata", "contacts[0] must not contain control characters"},
        {CC + "\"contacts\":[\"\"]", "invalid_client_metadata", "contacts[0] must not be blank"},
        {CC + "\"contacts\":\"ops@books.example\"", "invalid_client_metadata", "contacts must be a list of strings"},
    };
    for (int i = 0; i < cases.length; i++) {
      String id = "invalid-" + i;
      HttpResponse<String> r = call("POST", "/admin/clients", "{\"client_id\":\"" + id + "\"," + cases[i][0] + "}");
      assertWire(r, 400, cases[i][1], cases[i][2]);
      assertThat(call("GET", path(id), null).statusCode()).as(cases[i][0]).isEqualTo(404);
    }
    assertWire(call("POST", "/admin/clients", "{\"client_id\":7,\"grant_types\":[\"client_credentials\"]}"), 400,
        "invalid_client_metadata", "client_id must be a string");
    assertWire(call("POST", "/admin/clients", "{\"client_id\":\"tab\\there\",\"grant_types\":[\"client_credentials\"]}"), 400,
        "invalid_client_metadata", "client_id must be 1 to 255 printable ASCII characters");
    // a field name is echoed only as printable ASCII, and cut short
    assertWire(call("POST", "/admin/clients", "{\"a\\\"b\\n" + "x".repeat(100) + "\":1}"), 400, "invalid_client_metadata",
        "a?b?" + "x".repeat(60) + "... is not a known field");
  }

  @Test
  void registrationWhenRedirectUriBreaksTheRegistrationRulesThen400InvalidRedirectUriNamingTheFieldAndNothingStored() throws Exception {
    String code = "\"grant_types\":[\"authorization_code\"],\"scopes\":[\"openid\"]";
    String pub = code + ",\"token_endpoint_auth_methods\":[\"none\"]";
    String allowed = " scheme (https, http on a loopback IP literal, or a reverse-domain private-use scheme such as com.example.app:/cb)";
    String shadow = " in its query: it would shadow the authorization response's own (RFC 6749 4.1.2, RFC 9207)";
    String[][] cases = {
        // RFC 9207 / RFC 6749 §4.1.2: the query must not carry the response's own parameters (also percent-encoded)
        {code, "https://rp.example/cb?code=x", "redirect_uris[0] must not carry code" + shadow},
        {code, "https://rp.example/cb?a=1&state=x", "redirect_uris[0] must not carry state" + shadow},
        {code, "https://rp.example/cb?iss=https%3A%2F%2Fevil.example", "redirect_uris[0] must not carry iss" + shadow},
        {code, "https://rp.example/cb?error", "redirect_uris[0] must not carry error" + shadow},
        {code, "https://rp.example/cb?error_description=x", "redirect_uris[0] must not carry error_description" + shadow},
        {code, "https://rp.example/cb?%63ode=x", "redirect_uris[0] must not carry code" + shadow},
        {code, "https://rp.example/cb?%zz=1", "redirect_uris[0] is not a valid URI"},
        // RFC 8252 §7.1: only https, loopback http and reverse-domain private-use schemes
        {code, "ws://rp.example/cb", "redirect_uris[0] must not use the ws:" + allowed},
        {code, "wss://rp.example/cb", "redirect_uris[0] must not use the wss:" + allowed},
        {code, "ftp://rp.example/cb", "redirect_uris[0] must not use the ftp:" + allowed},
        {code, "about:blank", "redirect_uris[0] must not use the about:" + allowed},
        {code, "blob:https://rp.example/1", "redirect_uris[0] must not use the blob:" + allowed},
        {code, "mailto:a@rp.example", "redirect_uris[0] must not use the mailto:" + allowed},
        {code, "view-source:https://rp.example/cb", "redirect_uris[0] must not use the view-source:" + allowed},
        {pub, "myapp:/cb", "redirect_uris[0] must not use the myapp:" + allowed},
        {pub, "com.example..app:/cb", "redirect_uris[0] must not use the com.example..app:" + allowed},
        {pub, "com.example.app:cb", "redirect_uris[0] must be hierarchical (scheme:/path, as com.example.app:/cb; RFC 8252 7.1)"},
        {pub, "com.example.app:/cb#x", "redirect_uris[0] must not have a fragment"},
        {code, "com.example.app:/cb", "redirect_uris[0] may use a private-use scheme only for a public (native) client (RFC 8252 8.4)"},
        {code, "HTTPS://rp.example/cb", "redirect_uris[0] must spell its scheme in lower case"},
        {code, "https://rp.example/cb#", "redirect_uris[0] must not have a fragment"},
        {code, "https://user@rp.example/cb", "redirect_uris[0] must not contain user information"},
        {code, "http://localhost/cb", "redirect_uris[0] must use a loopback IP literal (127.0.0.1 or [::1]) instead of localhost (RFC 8252 8.3)"},
        {pub, "http://localhost:3000/cb", "redirect_uris[0] must use a loopback IP literal (127.0.0.1 or [::1]) instead of localhost (RFC 8252 8.3)"},
        {code, "https://rp.example/a/../cb", "redirect_uris[0] must not contain . or .. path segments (RFC 3986 5.2.4)"},
        {code, "https://rp.example/%2E/cb", "redirect_uris[0] must not contain . or .. path segments (RFC 3986 5.2.4)"},
        {code, "https://rp.example/cb\u00e9", "redirect_uris[0] must be printable ASCII without spaces (RFC 3986)"},
        {code, "https://rp.example/" + "a".repeat(2000), "redirect_uris[0] must be at most 2000 characters"},
    };
    for (int i = 0; i < cases.length; i++) {
      String id = "bad-redirect-" + i;
      HttpResponse<String> r = call("POST", "/admin/clients", new JsonObject(
          "{\"client_id\":\"" + id + "\"," + cases[i][0] + "}").put("redirect_uris", new JsonArray().add(cases[i][1])).encode());
      assertWire(r, 400, "invalid_redirect_uri", cases[i][2]);
      assertThat(call("GET", path(id), null).statusCode()).as(cases[i][1]).isEqualTo(404);
    }
    // the same rules for post_logout_redirect_uris, and a bound on how many URIs
    assertWire(call("POST", "/admin/clients", new JsonObject("{\"client_id\":\"bad-post-logout\"," + code + "}")
        .put("redirect_uris", new JsonArray().add("https://rp.example/cb"))
        .put("post_logout_redirect_uris", new JsonArray().add("https://rp.example/bye?state=x")).encode()), 400, "invalid_redirect_uri",
        "post_logout_redirect_uris[0] must not carry state" + shadow);
    JsonArray many = new JsonArray();
    for (int i = 0; i <= 20; i++) {
      many.add("https://rp.example/cb" + i);
    }
    assertWire(call("POST", "/admin/clients", new JsonObject("{\"client_id\":\"too-many\"," + code + "}").put("redirect_uris", many)
        .encode()), 400, "invalid_redirect_uri", "redirect_uris must not name more than 20 URIs");
    assertThat(call("GET", path("too-many"), null).statusCode()).isEqualTo(404);
  }

  @Test
  void registrationWhenRedirectUrisFollowTheRulesThenStoredExactlyAsGiven() throws Exception {
    JsonArray uris = new JsonArray().add("https://rp.example/cb?tenant=a&codes=1").add("http://127.0.0.1:9999/cb")
        .add("http://[::1]/cb").add("https://rp.example/" + "a".repeat(1980));
    HttpResponse<String> confidential = call("POST", "/admin/clients", new JsonObject().put("client_id", "good-redirects")
        .put("grant_types", new JsonArray().add("authorization_code")).put("redirect_uris", uris).encode());
    assertThat(confidential.statusCode()).as(confidential.body()).isEqualTo(201);
    assertThat(new JsonObject(call("GET", path("good-redirects"), null).body()).getJsonArray("redirect_uris")).isEqualTo(uris);
    JsonArray nativeUris = new JsonArray().add("com.example.app:/oauth2redirect").add("com.example-2.app://cb/x");
    HttpResponse<String> pub = call("POST", "/admin/clients", new JsonObject().put("client_id", "good-native")
        .put("grant_types", new JsonArray().add("authorization_code")).put("token_endpoint_auth_methods", new JsonArray().add("none"))
        .put("redirect_uris", nativeUris).put("post_logout_redirect_uris", nativeUris).encode());
    assertThat(pub.statusCode()).as(pub.body()).isEqualTo(201);
    assertThat(new JsonObject(pub.body()).getJsonArray("post_logout_redirect_uris")).isEqualTo(nativeUris);
  }

  @Test
  void bodyThatIsNotAJsonObjectThen400InvalidRequest() throws Exception {
    assertWire(call("POST", "/admin/clients", "[]"), 400, "invalid_request", "the body must be a JSON object");
    assertWire(call("POST", "/admin/clients", "{\"client_id\":"), 400, "invalid_request", "the body must be a JSON object");
    HttpResponse<String> form = server.post("/admin/clients", "application/x-www-form-urlencoded", "client_id=x", "Authorization",
        "Bearer " + admin);
    assertWire(form, 400, "invalid_request", "the body must be application/json");
  }

  @Test
  void getNeverShowsASecretOrHashAndFindsOddIds() throws Exception {
    HttpResponse<String> r = call("GET", "/admin/clients/billing-service", null);
    assertThat(r.statusCode()).isEqualTo(200);
    JsonObject body = new JsonObject(r.body());
    assertThat(body.fieldNames()).containsExactlyInAnyOrder("client_id", "grant_types", "scopes", "default_scopes",
        "token_endpoint_auth_methods", "redirect_uris", "post_logout_redirect_uris", "allowed_origins", "logout_revokes_refresh_tokens",
        "can_introspect");
    assertThat(body.getJsonArray("token_endpoint_auth_methods")).isEqualTo(new JsonArray().add("client_secret_basic").add("client_secret_post"));
    assertThat(r.body()).doesNotContain("billing-secret").doesNotContain("s256$");
    HttpResponse<String> odd = call("GET", "/admin/clients/odd%20id%3A%2B%26", null);
    assertThat(odd.statusCode()).isEqualTo(200);
    assertThat(new JsonObject(odd.body()).getString("client_id")).isEqualTo("odd id:+&");
    assertThat(new JsonObject(call("GET", "/admin/clients/short-lived", null).body()).getString("access_token_ttl")).isEqualTo("5m");
    // an id with a slash, a question mark and a percent sign is one path segment
    String secret = createCc(server, admin, "team/app?x=1%", "read:users");
    HttpResponse<String> slash = call("GET", path("team/app?x=1%"), null);
    assertThat(slash.statusCode()).as(slash.body()).isEqualTo(200);
    assertThat(new JsonObject(slash.body()).getString("client_id")).isEqualTo("team/app?x=1%");
    assertThat(call("POST", path("team/app?x=1%") + "/secret", null).statusCode()).isEqualTo(200);
    assertThat(tokenStatus(server, "team/app?x=1%", secret, "read:users")).isEqualTo(401);
    assertThat(call("DELETE", path("team/app?x=1%"), null).statusCode()).isEqualTo(204);
  }

  @Test
  void unknownClientThen404NotFound() throws Exception {
    String description = "no client is registered under this client_id";
    assertWire(call("GET", "/admin/clients/nobody", null), 404, "not_found", description);
    assertWire(call("PUT", "/admin/clients/nobody", "{\"grant_types\":[\"client_credentials\"]}"), 404, "not_found", description);
    assertWire(call("POST", "/admin/clients/nobody/secret", null), 404, "not_found", description);
    assertWire(call("DELETE", "/admin/clients/nobody", null), 404, "not_found", description);
    assertThat(call("GET", "/admin/clients/nobody", null).statusCode()).isEqualTo(404);
  }

  @Test
  void putReplacesTheMetadataAndKeepsTheSecret() throws Exception {
    String secret = createCc(server, admin, "api-put", "read:users");
    assertThat(tokenStatus(server, "api-put", secret, "write:users")).isEqualTo(400);
    HttpResponse<String> r = call("PUT", "/admin/clients/api-put", "{\"grant_types\":[\"client_credentials\"],"
        + "\"scopes\":[\"read:users\",\"write:users\"],\"access_token_ttl\":\"2m\",\"token_endpoint_auth_methods\":[\"client_secret_post\"]}");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonObject body = new JsonObject(r.body());
    assertThat(body.containsKey("client_secret")).isFalse();
    assertThat(body.getJsonArray("scopes")).isEqualTo(new JsonArray().add("read:users").add("write:users"));
    assertThat(body.getString("access_token_ttl")).isEqualTo("2m");
    assertThat(new JsonObject(call("GET", "/admin/clients/api-put", null).body())).isEqualTo(body);
    // the same secret, now with the post method and the new scope
    HttpResponse<String> token = server.form("grant_type=client_credentials&scope=write:users&client_id=api-put&client_secret=" + secret);
    assertThat(token.statusCode()).as(token.body()).isEqualTo(200);
    assertThat(new JsonObject(token.body()).getInteger("expires_in")).isEqualTo(120);
    assertThat(tokenStatus(server, "api-put", secret, "write:users")).isEqualTo(401); // basic is no longer registered

    assertWire(call("PUT", "/admin/clients/api-put", "{\"client_id\":\"other\",\"grant_types\":[\"client_credentials\"]}"), 400,
        "invalid_client_metadata", "client_id must be the client_id of the path (a client cannot be renamed)");
    assertWire(call("PUT", "/admin/clients/api-put", "{\"grant_types\":[\"password\"]}"), 400, "invalid_client_metadata",
        "grant_types[0] is refused by design (RFC 9700: no password or implicit grant)");
    assertThat(new JsonObject(call("GET", "/admin/clients/api-put", null).body())).isEqualTo(body);
  }

  @Test
  void putMakingAPublicClientConfidentialThenANewSecretShownOnce() throws Exception {
    String publicBody = "{\"grant_types\":[\"authorization_code\"],\"token_endpoint_auth_methods\":[\"none\"],"
        + "\"redirect_uris\":[\"https://app.example/cb\"]}";
    assertThat(call("POST", "/admin/clients", publicBody.replace("{", "{\"client_id\":\"api-convert\",")).statusCode()).isEqualTo(201);
    HttpResponse<String> r = call("PUT", "/admin/clients/api-convert", publicBody.replace("none", "client_secret_basic"));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    String secret = new JsonObject(r.body()).getString("client_secret");
    assertThat(secret).matches("[A-Za-z0-9_-]{43}");
    // the secret authenticates the client (here at the introspection endpoint)
    assertThat(server.post("/introspect", "application/x-www-form-urlencoded", "token=x", "Authorization",
        TestServer.basic("api-convert", secret)).body()).isEqualTo("{\"active\":false}");
    assertThat(server.post("/introspect", "application/x-www-form-urlencoded", "token=x", "Authorization",
        TestServer.basic("api-convert", secret + "x")).statusCode()).isEqualTo(401);
    // and back to public: the secret is gone
    HttpResponse<String> back = call("PUT", "/admin/clients/api-convert", publicBody);
    assertThat(new JsonObject(back.body()).containsKey("client_secret")).isFalse();
    assertThat(server.post("/introspect", "application/x-www-form-urlencoded", "token=x", "Authorization",
        TestServer.basic("api-convert", secret)).statusCode()).isEqualTo(401);
  }

  @Test
  void rotateThenTheOldSecretIsRefusedAndTheNewOneWorks() throws Exception {
    String old = createCc(server, admin, "api-rotate", "read:users");
    assertThat(tokenStatus(server, "api-rotate", old, "read:users")).isEqualTo(200);
    HttpResponse<String> r = call("POST", "/admin/clients/api-rotate/secret", null);
    assertThat(r.statusCode()).isEqualTo(200);
    JsonObject body = new JsonObject(r.body());
    String fresh = body.getString("client_secret");
    assertThat(fresh).matches("[A-Za-z0-9_-]{43}").isNotEqualTo(old);
    assertThat(body.copy().put("client_secret", (String) null)).isEqualTo(CC_JSON.copy().put("client_id", "api-rotate")
        .put("client_secret", (String) null).put("client_secret_expires_at", 0));
    HttpResponse<String> refused = server.form("grant_type=client_credentials", "Authorization", TestServer.basic("api-rotate", old));
    assertThat(refused.statusCode()).isEqualTo(401);
    assertThat(new JsonObject(refused.body()).getString("error")).isEqualTo("invalid_client");
    assertThat(tokenStatus(server, "api-rotate", fresh, "read:users")).isEqualTo(200);
    assertThat(call("GET", "/admin/clients/api-rotate", null).body()).doesNotContain(fresh);

    assertWire(call("POST", "/admin/clients/spa/secret", null), 400, "invalid_request",
        "a public client (token_endpoint_auth_methods none) has no secret to rotate");
  }

  @Test
  void deleteThen204TheClientIsGoneAndEveryTokenIssuedToItIsInactive() throws Exception {
    String secret = createCc(server, admin, "api-delete", "read:users");
    String access = clientToken(server, TestServer.basic("api-delete", secret), "read:users");
    assertThat(introspect(server, access).getBoolean("active")).isTrue();
    HttpResponse<String> r = call("DELETE", "/admin/clients/api-delete", null);
    assertThat(r.statusCode()).isEqualTo(204);
    assertThat(r.body()).isEmpty();
    assertThat(introspect(server, access)).isEqualTo(INACTIVE);
    HttpResponse<String> token = server.form("grant_type=client_credentials", "Authorization", TestServer.basic("api-delete", secret));
    assertThat(token.statusCode()).isEqualTo(401);
    assertThat(new JsonObject(token.body()).getString("error")).isEqualTo("invalid_client");
    assertThat(call("GET", "/admin/clients/api-delete", null).statusCode()).isEqualTo(404);
    assertThat(call("DELETE", "/admin/clients/api-delete", null).statusCode()).isEqualTo(404);
  }

  @Test
  void aClientCreatedThroughTheApiRunsTheCodeFlowAndDeletingItKillsItsRefreshTokens() throws Exception {
    HttpResponse<String> created = call("POST", "/admin/clients", new JsonObject().put("client_id", "api-web")
        .put("grant_types", new JsonArray().add("authorization_code").add("refresh_token"))
        .put("scopes", new JsonArray().add("read:users"))
        .put("redirect_uris", new JsonArray().add("https://web.example/cb")).encode());
    assertThat(created.statusCode()).isEqualTo(201);
    String auth = TestServer.basic("api-web", new JsonObject(created.body()).getString("client_secret"));
    String verifier = TokenHashes.random(32);
    String done = new Browser().signInAndConsent(server.base + "/authorize?" + Browser.encode(Map.of("response_type", "code",
        "client_id", "api-web", "redirect_uri", "https://web.example/cb", "scope", "read:users", "state", "s",
        "code_challenge", TokenHashes.s256(verifier), "code_challenge_method", "S256")), server.base, "alice", "alice-password-123");
    assertThat(done).startsWith("https://web.example/cb?code=");
    HttpResponse<String> redeemed = server.form("grant_type=authorization_code&code=" + Browser.query(done).get("code")
        + "&redirect_uri=" + URLEncoder.encode("https://web.example/cb", StandardCharsets.UTF_8) + "&code_verifier=" + verifier,
        "Authorization", auth);
    assertThat(redeemed.statusCode()).as(redeemed.body()).isEqualTo(200);
    JsonObject tokens = new JsonObject(redeemed.body());
    assertThat(introspect(server, tokens.getString("refresh_token")).getBoolean("active")).isTrue();
    assertThat(introspect(server, tokens.getString("access_token")).getBoolean("active")).isTrue();

    assertThat(call("DELETE", "/admin/clients/api-web", null).statusCode()).isEqualTo(204);
    assertThat(introspect(server, tokens.getString("refresh_token"))).isEqualTo(INACTIVE);
    assertThat(introspect(server, tokens.getString("access_token"))).isEqualTo(INACTIVE);
  }

  // ------------------------------------------------------------------ protection

  static final String[][] ENDPOINTS = {
      {"POST", "/admin/clients", "{\"client_id\":\"sneaky\",\"grant_types\":[\"client_credentials\"]}"},
      {"GET", "/admin/clients/billing-service", null},
      {"PUT", "/admin/clients/billing-service", "{\"grant_types\":[\"client_credentials\"]}"},
      {"POST", "/admin/clients/billing-service/secret", null},
      {"DELETE", "/admin/clients/billing-service", null},
      {"POST", "/admin/users", "{\"username\":\"sneaky\",\"password\":\"sneaky-password-1\"}"},
      {"GET", "/admin/users/248289761001", null},
      {"PUT", "/admin/users/248289761001", "{\"username\":\"alice\",\"password\":\"sneaky-password-1\"}"},
      {"DELETE", "/admin/users/248289761001", null},
  };

  @Test
  void withoutATokenThen401WithTheBareBearerChallenge() throws Exception {
    for (String[] e : ENDPOINTS) {
      HttpResponse<String> r = call(server, e[0], e[1], null, e[2]);
      assertWire(r, 401, "invalid_token", "a bearer access token is required");
      assertThat(r.headers().firstValue("WWW-Authenticate")).as(e[0] + " " + e[1]).hasValue("Bearer realm=\"gatehouse\"");
    }
    assertUntouched();
  }

  @Test
  void withAnOrdinaryApiTokenThen401InvalidToken() throws Exception {
    // RFC 9068 §4: an API token (aud gatehouse-api) is for another audience than the admin API's
    String billing = clientToken(server, BILLING, "read:users");
    for (String[] e : ENDPOINTS) {
      HttpResponse<String> r = call(server, e[0], e[1], billing, e[2]);
      assertWire(r, 401, "invalid_token", "the access token is not for this resource");
      assertThat(r.headers().firstValue("WWW-Authenticate").orElseThrow()).as(e[0] + " " + e[1])
          .startsWith("Bearer realm=\"gatehouse\", error=\"invalid_token\"");
    }
    HttpResponse<String> forged = call(server, "GET", "/admin/clients/billing-service", "not-a-token", null);
    assertWire(forged, 401, "invalid_token", "the access token is invalid or expired");
    assertUntouched();
  }

  private static void assertUntouched() throws Exception {
    assertThat(call("GET", "/admin/clients/sneaky", null).statusCode()).isEqualTo(404);
    assertThat(tokenStatus(server, "billing-service", "billing-secret-0123456789-abcdefghijkl", "read:users")).isEqualTo(200);
    assertThat(new JsonObject(call("GET", "/admin/users/248289761001", null).body()).getString("username")).isEqualTo("alice");
    assertThat(login("sneaky", "sneaky-password-1")).isInstanceOf(LoginService.InvalidCredentials.class);
  }

  // ------------------------------------------------------------------ users

  @Test
  void createUserThen201WithoutPasswordAndTheUserSignsInThroughTheLoginPage() throws Exception {
    JsonObject claims = new JsonObject().put("name", "Carol Example").put("email", "carol@example.com").put("email_verified", true)
        .put("address", new JsonObject().put("country", "NL"));
    HttpResponse<String> r = call("POST", "/admin/users", new JsonObject().put("username", "carol").put("password", "carol-password-123")
        .put("claims", claims).encode());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    JsonObject body = new JsonObject(r.body());
    String subject = body.getString("subject");
    assertThat(subject).matches("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}");
    assertThat(body).isEqualTo(new JsonObject().put("subject", subject).put("username", "carol").put("claims", claims));
    assertThat(r.body()).doesNotContain("carol-password-123").doesNotContain("argon2");
    assertThat(r.headers().firstValue("Location")).hasValue(server.base + "/admin/users/" + subject);
    HttpResponse<String> got = call("GET", "/admin/users/" + subject, null);
    assertThat(new JsonObject(got.body())).isEqualTo(body);
    assertThat(got.body()).doesNotContain("argon2");
    // stored as an Argon2id hash
    assertThat(await(server.gatehouse.parts().users().findBySubject(subject)).orElseThrow().passwordHash())
        .startsWith("$argon2id$").doesNotContain("carol-password-123");

    JsonObject tokens = signInThroughRp("carol", "carol-password-123");
    assertThat(server.verify(tokens.getString("access_token")).getSubject()).isEqualTo(subject);
  }

  @Test
  void createUserWithAGivenSubjectKeepsIt() throws Exception {
    HttpResponse<String> r = call("POST", "/admin/users", "{\"username\":\"frank\",\"password\":\"frank-password-123\",\"subject\":\"frank-1\"}");
    assertThat(r.statusCode()).isEqualTo(201);
    assertThat(new JsonObject(r.body())).isEqualTo(new JsonObject().put("subject", "frank-1").put("username", "frank")
        .put("claims", new JsonObject()));
    assertThat(login("FRANK", "frank-password-123")).isInstanceOf(LoginService.Success.class);
  }

  @Test
  void invalidUsersThen400InvalidRequestNamingTheFieldNeverThePassword() throws Exception {
    String pw = "\"password\":\"a-secret-password-1\"";
    String[][] cases = {
        {pw, "username is required"},
        {"\"username\":\"a b\"," + pw, "username must be 1 to 256 characters without spaces or control characters"},
        {"\"username\":7," + pw, "username must be a string"},
        {"\"username\":\"gina\"", "password is required"},
        {"\"username\":\"gina\",\"password\":\"short\"", "password must be at least 8 characters"},
        {"\"username\":\"gina\",\"password\":12345678", "password must be a string"},
        {"\"username\":\"gina\"," + pw + ",\"password_hash\":\"$argon2id$v=19$m=64,t=1,p=1$c29tZXNhbHQ$aGFzaGhhc2hoYXNo\"",
            "password_hash is not a known field"},
        {"\"username\":\"gina\"," + pw + ",\"role\":\"admin\"", "role is not a known field"},
        {"\"username\":\"gina\"," + pw + ",\"subject\":\"has space\"", "subject must be 1 to 255 printable ASCII characters"},
        {"\"username\":\"gina\"," + pw + ",\"claims\":\"x\"", "claims must be a JSON object"},
        {"\"username\":\"gina\"," + pw + ",\"claims\":{\"sub\":\"x\"}", "claims.sub must not be set (use the subject field)"},
        {"\"username\":\"gina\"," + pw + ",\"claims\":{\"role\":\"admin\"}", "claims.role is not an OIDC standard claim (OIDC Core section 5.1)"},
        {"\"username\":\"gina\"," + pw + ",\"claims\":{\"email_verified\":\"yes\"}", "claims.email_verified must be true or false"},
        {"\"username\":\"gina\"," + pw + ",\"claims\":{\"name\":7}", "claims.name must be a string"},
        {"\"username\":\"gina\"," + pw + ",\"claims\":{\"updated_at\":\"today\"}", "claims.updated_at must be a number of seconds since the epoch"},
        {"\"username\":\"gina\"," + pw + ",\"claims\":{\"address\":{\"planet\":\"Mars\"}}",
            "claims.address.planet is not an address member (OIDC Core section 5.1.1)"},
    };
    for (String[] c : cases) {
      HttpResponse<String> r = call("POST", "/admin/users", "{" + c[0] + "}");
      assertWire(r, 400, "invalid_request", c[1]);
      assertThat(r.body()).doesNotContain("a-secret-password-1").doesNotContain("short\"");
    }
    assertThat(await(server.gatehouse.parts().users().findByUsername("gina"))).isEmpty();
  }

  @Test
  void createUserWithATakenUsernameOrSubjectThen409() throws Exception {
    assertWire(call("POST", "/admin/users", "{\"username\":\"ALICE\",\"password\":\"another-password-1\"}"), 409, "invalid_request",
        "username is already taken (usernames are unique ignoring case)");
    assertWire(call("POST", "/admin/users", "{\"username\":\"alice2\",\"password\":\"another-password-1\",\"subject\":\"248289761001\"}"),
        409, "invalid_request", "subject '248289761001' is already registered");
    assertThat(login("alice", "alice-password-123")).isInstanceOf(LoginService.Success.class);
    assertThat(login("alice2", "another-password-1")).isInstanceOf(LoginService.InvalidCredentials.class);
  }

  @Test
  void putUserReplacesUsernameAndClaimsAndRehashesOnlyANewPassword() throws Exception {
    String subject = new JsonObject(call("POST", "/admin/users", "{\"username\":\"dave\",\"password\":\"dave-password-123\","
        + "\"claims\":{\"name\":\"Dave\"}}").body()).getString("subject");
    HttpResponse<String> r = call("PUT", "/admin/users/" + subject, "{\"username\":\"david\",\"claims\":{\"nickname\":\"D\"}}");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(new JsonObject(r.body())).isEqualTo(new JsonObject().put("subject", subject).put("username", "david")
        .put("claims", new JsonObject().put("nickname", "D")));
    assertThat(login("david", "dave-password-123")).isInstanceOf(LoginService.Success.class);
    assertThat(login("dave", "dave-password-123")).isInstanceOf(LoginService.InvalidCredentials.class);

    HttpResponse<String> changed = call("PUT", "/admin/users/" + subject, "{\"username\":\"david\",\"password\":\"david-password-456\"}");
    assertThat(changed.statusCode()).isEqualTo(200);
    assertThat(changed.body()).doesNotContain("david-password-456");
    assertThat(login("david", "david-password-456")).isInstanceOf(LoginService.Success.class);
    assertThat(login("david", "dave-password-123")).isInstanceOf(LoginService.InvalidCredentials.class);

    assertWire(call("PUT", "/admin/users/" + subject, "{\"username\":\"david\",\"subject\":\"other\"}"), 400, "invalid_request",
        "subject must be the subject of the path (a subject is never reassigned)");
    assertWire(call("PUT", "/admin/users/" + subject, "{\"username\":\"bob\"}"), 409, "invalid_request",
        "username is already taken (usernames are unique ignoring case)");
    assertWire(call("PUT", "/admin/users/nobody", "{\"username\":\"nobody\"}"), 404, "not_found", "no user has this subject");
    assertThat(new JsonObject(call("GET", "/admin/users/" + subject, null).body()).getString("username")).isEqualTo("david");
  }

  @Test
  void putUserWithANewPasswordRevokesTheTokensIssuedBeforeAndAChangeWithoutOneDoesNot() throws Exception {
    String subject = new JsonObject(call("POST", "/admin/users", "{\"username\":\"grace\",\"password\":\"grace-password-123\"}").body())
        .getString("subject");
    JsonObject tokens = signInThroughRp("grace", "grace-password-123");
    assertThat(call("PUT", "/admin/users/" + subject, "{\"username\":\"grace\",\"claims\":{\"nickname\":\"G\"}}").statusCode())
        .isEqualTo(200);
    assertThat(introspect(server, tokens.getString("access_token")).getBoolean("active")).as("claims only").isTrue();

    assertThat(call("PUT", "/admin/users/" + subject, "{\"username\":\"grace\",\"password\":\"grace-password-456\"}").statusCode())
        .isEqualTo(200);

    assertThat(introspect(server, tokens.getString("access_token"))).isEqualTo(INACTIVE);
    assertThat(introspect(server, tokens.getString("refresh_token"))).isEqualTo(INACTIVE);
  }

  @Test
  void deleteUserThen204AndTheSubjectsAccessAndRefreshTokensAreInactive() throws Exception {
    String subject = new JsonObject(call("POST", "/admin/users", "{\"username\":\"erin\",\"password\":\"erin-password-123\"}").body())
        .getString("subject");
    JsonObject tokens = signInThroughRp("erin", "erin-password-123");
    assertThat(introspect(server, tokens.getString("access_token")).getString("sub")).isEqualTo(subject);
    assertThat(introspect(server, tokens.getString("refresh_token")).getBoolean("active")).isTrue();
    JsonObject otherUser = signInThroughRp("bob", "bob-password-12345");

    HttpResponse<String> r = call("DELETE", "/admin/users/" + subject, null);
    assertThat(r.statusCode()).isEqualTo(204);
    assertThat(r.body()).isEmpty();
    assertThat(introspect(server, tokens.getString("access_token"))).isEqualTo(INACTIVE);
    assertThat(introspect(server, tokens.getString("refresh_token"))).isEqualTo(INACTIVE);
    HttpResponse<String> refresh = server.form("grant_type=refresh_token&refresh_token=" + tokens.getString("refresh_token"),
        "Authorization", RP);
    assertThat(new JsonObject(refresh.body()).getString("error")).isEqualTo("invalid_grant");
    // another user's tokens are untouched
    assertThat(introspect(server, otherUser.getString("access_token")).getBoolean("active")).isTrue();
    assertThat(login("erin", "erin-password-123")).isInstanceOf(LoginService.InvalidCredentials.class);
    assertWire(call("GET", "/admin/users/" + subject, null), 404, "not_found", "no user has this subject");
    assertWire(call("DELETE", "/admin/users/" + subject, null), 404, "not_found", "no user has this subject");
  }

  // ------------------------------------------------------------------ audit

  @Test
  void everyChangeIsAnAuditEventNamingTheAdminAndNeverTheSecretOrPassword() throws Exception {
    String first = createCc(server, admin, "api-audit", "read:users");
    assertThat(call("PUT", "/admin/clients/api-audit", "{\"grant_types\":[\"client_credentials\"]}").statusCode()).isEqualTo(200);
    String second = new JsonObject(call("POST", "/admin/clients/api-audit/secret", null).body()).getString("client_secret");
    assertThat(call("DELETE", "/admin/clients/api-audit", null).statusCode()).isEqualTo(204);
    String subject = new JsonObject(call("POST", "/admin/users", "{\"username\":\"harry\",\"password\":\"harry-password-123\"}").body())
        .getString("subject");
    assertThat(call("PUT", "/admin/users/" + subject, "{\"username\":\"harry\",\"password\":\"harry-password-456\"}").statusCode())
        .isEqualTo(200);
    assertThat(call("DELETE", "/admin/users/" + subject, null).statusCode()).isEqualTo(204);

    JsonObject by = new JsonObject().put("admin_client_id", "admin-console").put("admin_sub", "admin-console");
    List<JsonObject> expected = List.of(
        by.copy().put("event", "client_created").put("client_id", "api-audit"),
        by.copy().put("event", "client_changed").put("client_id", "api-audit"),
        by.copy().put("event", "client_secret_rotated").put("client_id", "api-audit"),
        by.copy().put("event", "client_deleted").put("client_id", "api-audit"),
        by.copy().put("event", "user_created").put("sub", subject),
        by.copy().put("event", "user_changed").put("sub", subject),
        by.copy().put("event", "user_deleted").put("sub", subject));
    List<JsonObject> seen = Await.until("the admin audit events", () -> AUDIT.stream()
        .filter(e -> e.getString("event").startsWith("client_") || e.getString("event").startsWith("user_"))
        .filter(e -> "api-audit".equals(e.getString("client_id")) || subject.equals(e.getString("sub")))
        .map(e -> {
          JsonObject copy = e.copy();
          copy.remove("at");
          return copy;
        }).toList(), events -> events.size() >= expected.size());
    assertThat(seen).containsExactlyElementsOf(expected);
    String all = AUDIT.toString();
    assertThat(all).doesNotContain(first).doesNotContain(second).doesNotContain("harry-password").doesNotContain("s256$")
        .doesNotContain("argon2");
  }
}
