package io.gatehouse.server;

import static io.gatehouse.testing.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.core.token.TokenHashes;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.User;
import io.vertx.ext.auth.oauth2.OAuth2Auth;
import io.vertx.ext.auth.oauth2.OAuth2AuthorizationURL;
import io.vertx.ext.auth.oauth2.OAuth2Options;
import io.vertx.ext.auth.oauth2.Oauth2Credentials;
import io.vertx.ext.auth.oauth2.providers.OpenIDConnectAuth;
import java.net.http.HttpResponse;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jose4j.jwk.HttpsJwks;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.consumer.JwtConsumerBuilder;
import org.jose4j.keys.resolvers.HttpsJwksVerificationKeyResolver;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The authorization code flow with PKCE over real HTTP, driven as a browser and a relying party would. */
class AuthorizationCodeFlowTest {
  static final String RP_SECRET = "rp-secret-0123456789-abcdefghijklmnopq";
  static final String RP_CB = "https://rp.example.com/cb";
  static TestServer server;

  @BeforeAll
  static void start() throws Exception {
    server = TestServer.start(Map.of());
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
  }

  static String verifier() {
    return TokenHashes.random(32);
  }

  static String authorizeUrl(String clientId, String redirectUri, String scope, String state, String challenge, String... extra) {
    Map<String, String> q = new LinkedHashMap<>();
    q.put("response_type", "code");
    q.put("client_id", clientId);
    if (redirectUri != null) {
      q.put("redirect_uri", redirectUri);
    }
    if (scope != null) {
      q.put("scope", scope);
    }
    if (state != null) {
      q.put("state", state);
    }
    if (challenge != null) {
      q.put("code_challenge", challenge);
      q.put("code_challenge_method", "S256");
    }
    for (int i = 0; i < extra.length; i += 2) {
      q.put(extra[i], extra[i + 1]);
    }
    return server.base + "/authorize?" + Browser.encode(q);
  }

  HttpResponse<String> redeem(String clientId, String secret, String code, String redirectUri, String verifier) throws Exception {
    Map<String, String> form = new LinkedHashMap<>();
    form.put("grant_type", "authorization_code");
    form.put("code", code);
    if (redirectUri != null) {
      form.put("redirect_uri", redirectUri);
    }
    if (verifier != null) {
      form.put("code_verifier", verifier);
    }
    if (secret == null) {
      form.put("client_id", clientId);
      return server.form(Browser.encode(form));
    }
    return server.form(Browser.encode(form), "Authorization", TestServer.basic(clientId, secret));
  }

  /** Signs alice in and answers a fresh code for the rp client with this verifier. */
  String code(Browser browser, String verifier, String scope) throws Exception {
    String done = browser.signInAndConsent(authorizeUrl("rp", RP_CB, scope, "s1", TokenHashes.s256(verifier)), server.base,
        "alice", "alice-password-123");
    assertThat(done).startsWith(RP_CB + "?");
    return Browser.query(done).get("code");
  }

  @Test
  void codeFlowWithOAuth2AuthClientThenTokensVerifyThroughJwksAndUserInfoAnswers() throws Exception {
    OAuth2Auth rp = await(OpenIDConnectAuth.discover(server.vertx,
        new OAuth2Options().setClientId("rp").setClientSecret(RP_SECRET).setSite(server.base)));
    String verifier = verifier();
    String url = rp.authorizeURL(new OAuth2AuthorizationURL()
        .setRedirectUri(RP_CB)
        .setScopes(List.of("openid", "profile", "email", "read:users"))
        .setState("xyz")
        .setCodeChallenge(TokenHashes.s256(verifier))
        .setCodeChallengeMethod("S256")
        .putAdditionalParameter("nonce", "n-0S6_WzA2Mj"));
    Browser browser = new Browser();
    String done = browser.signInAndConsent(url, server.base, "alice", "alice-password-123");
    Map<String, String> response = Browser.query(done);
    assertThat(done).startsWith(RP_CB + "?code=");
    assertThat(response).containsEntry("state", "xyz").containsEntry("iss", server.base);

    User user = await(rp.authenticate(new Oauth2Credentials().setFlow(io.vertx.ext.auth.oauth2.OAuth2FlowType.AUTH_CODE).setCode(response.get("code")).setRedirectUri(RP_CB)
        .setCodeVerifier(verifier)));
    String accessToken = user.principal().getString("access_token");
    String idToken = user.principal().getString("id_token");
    assertThat(user.principal().getString("refresh_token")).hasSize(43);
    assertThat(user.principal().getString("scope")).isEqualTo("openid profile email read:users");

    JwtClaims at = server.verify(accessToken);
    assertThat(at.getSubject()).isEqualTo("248289761001");
    assertThat(at.getStringClaimValue("client_id")).isEqualTo("rp");

    String jwksUri = new JsonObject(server.get("/.well-known/openid-configuration").body()).getString("jwks_uri");
    JwtClaims id = new JwtConsumerBuilder()
        .setVerificationKeyResolver(new HttpsJwksVerificationKeyResolver(new HttpsJwks(jwksUri)))
        .setExpectedIssuer(server.base).setExpectedAudience("rp").setRequireExpirationTime().setRequireIssuedAt()
        .build().processToClaims(idToken);
    assertThat(id.getSubject()).isEqualTo("248289761001");
    assertThat(id.getStringClaimValue("nonce")).isEqualTo("n-0S6_WzA2Mj");
    assertThat(id.getClaimValue("auth_time")).isNotNull();
    byte[] digest = java.security.MessageDigest.getInstance("SHA-256").digest(accessToken.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    assertThat(id.getStringClaimValue("at_hash"))
        .isEqualTo(java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(java.util.Arrays.copyOf(digest, 16)));
    assertThat(new org.jose4j.jws.JsonWebSignature() {{ setCompactSerialization(idToken); }}.getAlgorithmHeaderValue()).isEqualTo("RS256");

    HttpResponse<String> info = server.http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(server.base + "/userinfo"))
        .header("Authorization", "Bearer " + accessToken).GET().build(), HttpResponse.BodyHandlers.ofString());
    assertThat(info.statusCode()).isEqualTo(200);
    assertThat(new JsonObject(info.body())).isEqualTo(new JsonObject()
        .put("sub", "248289761001").put("name", "Alice Example").put("locale", "en").put("email", "alice@example.com").put("email_verified", true));
  }

  @Test
  void publicClientWithPkceAndLoopbackPortThenTokensWithoutSecret() throws Exception {
    String verifier = verifier();
    String cb = "http://127.0.0.1:53127/callback";
    String done = new Browser().signInAndConsent(authorizeUrl("spa", cb, "openid read:users", "st", TokenHashes.s256(verifier)),
        server.base, "bob", "bob-password-12345");
    assertThat(done).startsWith(cb + "?code=");
    HttpResponse<String> r = redeem("spa", null, Browser.query(done).get("code"), cb, verifier);
    assertThat(r.statusCode()).isEqualTo(200);
    JsonObject body = new JsonObject(r.body());
    assertThat(body.getString("token_type")).isEqualTo("Bearer");
    assertThat(body.containsKey("id_token")).isTrue();
    assertThat(server.verify(body.getString("access_token")).getStringClaimValue("client_id")).isEqualTo("spa");
  }

  @Test
  void consentRememberedThenSecondAuthorizationRedirectsWithoutPages() throws Exception {
    Browser browser = new Browser();
    code(browser, verifier(), "openid profile");
    HttpResponse<String> again = browser.get(authorizeUrl("rp", RP_CB, "openid profile", "again", TokenHashes.s256(verifier())));
    assertThat(again.statusCode()).isEqualTo(302);
    assertThat(Browser.location(again, server.base)).startsWith(RP_CB + "?code=").contains("state=again");
  }

  @Test
  void tokenWhenCodeReusedThenInvalidGrantAndRefreshTokenOfFirstRedemptionRevoked() throws Exception {
    String verifier = verifier();
    String code = code(new Browser(), verifier, "openid read:users");
    HttpResponse<String> first = redeem("rp", RP_SECRET, code, RP_CB, verifier);
    assertThat(first.statusCode()).isEqualTo(200);
    String refresh = new JsonObject(first.body()).getString("refresh_token");

    HttpResponse<String> second = redeem("rp", RP_SECRET, code, RP_CB, verifier);
    assertThat(second.statusCode()).isEqualTo(400);
    assertThat(new JsonObject(second.body()).getString("error")).isEqualTo("invalid_grant");

    HttpResponse<String> refreshed = server.form("grant_type=refresh_token&refresh_token=" + refresh,
        "Authorization", TestServer.basic("rp", RP_SECRET));
    assertThat(refreshed.statusCode()).isEqualTo(400);
    assertThat(new JsonObject(refreshed.body()).getString("error")).isEqualTo("invalid_grant");
  }

  @Test
  void tokenWhenVerifierWrongThenInvalidGrantAndCodeStillRedeemable() throws Exception {
    String verifier = verifier();
    String code = code(new Browser(), verifier, "read:users");
    HttpResponse<String> wrong = redeem("rp", RP_SECRET, code, RP_CB, verifier());
    assertThat(wrong.statusCode()).isEqualTo(400);
    assertThat(new JsonObject(wrong.body()).getString("error")).isEqualTo("invalid_grant");
    assertThat(wrong.headers().firstValue("Cache-Control")).hasValue("no-store");
    assertThat(redeem("rp", RP_SECRET, code, RP_CB, verifier).statusCode()).isEqualTo(200);
  }

  @Test
  void tokenWhenRedirectUriDiffersThenInvalidGrant() throws Exception {
    String verifier = verifier();
    String code = code(new Browser(), verifier, "read:users");
    HttpResponse<String> r = redeem("rp", RP_SECRET, code, "https://rp.example.com/cb2", verifier);
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(new JsonObject(r.body()).getString("error")).isEqualTo("invalid_grant");
    assertThat(redeem("rp", RP_SECRET, code, null, verifier).statusCode()).isEqualTo(400);
  }

  @Test
  void tokenWhenRedirectUriOmittedButSentWithTheAuthorizationRequestThenInvalidGrantAndCodeNotBurned() throws Exception {
    // RFC 6749 §4.1.3: redirect_uri REQUIRED, if it was included in the authorization request, and identical
    String verifier = verifier();
    String code = code(new Browser(), verifier, "read:users");
    HttpResponse<String> omitted = redeem("rp", RP_SECRET, code, null, verifier);
    assertInvalidGrant(omitted, "redirect_uri is required: it was sent with the authorization request");
    HttpResponse<String> empty = redeem("rp", RP_SECRET, code, "", verifier);
    assertThat(empty.statusCode()).isEqualTo(400);
    assertThat(redeem("rp", RP_SECRET, code, RP_CB, verifier).statusCode()).isEqualTo(200);
  }

  @Test
  void tokenWhenConfidentialClientsLoopbackPortDiffersThenInvalidGrant() throws Exception {
    // RFC 9700 §4.1.3: a confidential client's loopback redirect URI is matched exactly, port included; only
    // native (public) clients get RFC 8252 §7.3's ephemeral port
    String registered = "http://127.0.0.1:9999/cb";
    String verifier = verifier();
    HttpResponse<String> otherPort = new Browser().get(authorizeUrl("loopback-web", "http://127.0.0.1:8888/cb", "read:users", "s",
        TokenHashes.s256(verifier)));
    assertThat(otherPort.statusCode()).isEqualTo(400);
    assertThat(otherPort.headers().firstValue("Location")).isEmpty();
    assertThat(otherPort.body()).contains("invalid_request").contains("redirect_uri is not registered for this client");

    String done = new Browser().signInAndConsent(authorizeUrl("loopback-web", registered, "read:users", "s", TokenHashes.s256(verifier)),
        server.base, "alice", "alice-password-123");
    assertThat(done).startsWith(registered + "?code=");
    String code = Browser.query(done).get("code");
    String secret = "loopback-web-secret-0123456789-abcdefg";
    assertInvalidGrant(redeem("loopback-web", secret, code, "http://127.0.0.1:8888/cb", verifier),
        "redirect_uri does not match the authorization request");
    assertInvalidGrant(redeem("loopback-web", secret, code, "http://127.0.0.1/cb", verifier),
        "redirect_uri does not match the authorization request");
    assertThat(redeem("loopback-web", secret, code, registered, verifier).statusCode()).isEqualTo(200);
  }

  private static void assertInvalidGrant(HttpResponse<String> r, String description) {
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
    assertThat(r.headers().firstValue("Cache-Control")).hasValue("no-store");
    assertThat(new JsonObject(r.body())).isEqualTo(new JsonObject().put("error", "invalid_grant").put("error_description", description));
  }

  @Test
  void refreshRotatesAndReuseOfRotatedTokenRevokesTheFamily() throws Exception {
    String verifier = verifier();
    JsonObject tokens = new JsonObject(redeem("rp", RP_SECRET, code(new Browser(), verifier, "openid read:users write:users"), RP_CB, verifier).body());
    String r1 = tokens.getString("refresh_token");
    String auth = TestServer.basic("rp", RP_SECRET);

    HttpResponse<String> narrowed = server.form("grant_type=refresh_token&scope=read%3Ausers&refresh_token=" + r1, "Authorization", auth);
    assertThat(narrowed.statusCode()).isEqualTo(200);
    JsonObject n = new JsonObject(narrowed.body());
    assertThat(n.getString("scope")).isEqualTo("read:users");
    assertThat(n.containsKey("id_token")).isFalse();
    String r2 = n.getString("refresh_token");
    assertThat(r2).isNotEqualTo(r1);

    HttpResponse<String> widened = server.form("grant_type=refresh_token&scope=admin&refresh_token=" + r2, "Authorization", auth);
    assertThat(new JsonObject(widened.body()).getString("error")).isEqualTo("invalid_scope");

    HttpResponse<String> reuse = server.form("grant_type=refresh_token&refresh_token=" + r1, "Authorization", auth);
    assertThat(reuse.statusCode()).isEqualTo(400);
    assertThat(new JsonObject(reuse.body()).getString("error")).isEqualTo("invalid_grant");
    // the family is revoked: the current token dies too
    HttpResponse<String> current = server.form("grant_type=refresh_token&refresh_token=" + r2, "Authorization", auth);
    assertThat(new JsonObject(current.body()).getString("error")).isEqualTo("invalid_grant");
  }

  @Test
  void authorizeWhenRedirectUriNotRegisteredThenErrorPageAndNoRedirect() throws Exception {
    for (String uri : List.of("https://rp.example.com/cb/", "https://rp.example.com/cb?x=1", "https://RP.example.com/cb",
        "https://rp.example.com/c", "https://evil.example.com/cb", "https://rp.example.com/x/../cb", "https://rp.example.com/%2e%2e/cb",
        "https://rp.example.com/c%62", "https://user@rp.example.com/cb", "https://rp.example.com:8443/cb", "https://rp.example.com:443/cb",
        "https://rp.example.com/cb#frag", "http://rp.example.com/cb", "https://rp.example.com.evil.example/cb", "HTTPS://rp.example.com/cb")) {
      HttpResponse<String> r = new Browser().get(authorizeUrl("rp", uri, "openid", "s", TokenHashes.s256(verifier())));
      assertThat(r.statusCode()).as(uri).isEqualTo(400);
      assertThat(r.headers().firstValue("Location")).as(uri).isEmpty();
      assertThat(r.headers().firstValue("Content-Type")).hasValue("text/html;charset=UTF-8");
      assertThat(r.body()).contains("invalid_request");
    }
  }

  @Test
  void authorizeWhenClientUnknownThenErrorPage() throws Exception {
    HttpResponse<String> r = new Browser().get(authorizeUrl("nobody", RP_CB, "openid", "s", TokenHashes.s256(verifier())));
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.headers().firstValue("Location")).isEmpty();
  }

  @Test
  void authorizeErrorsAfterVerificationRedirectWithErrorStateAndIss() throws Exception {
    String state = "a b+c&d=é/%";
    Map<String, String[]> cases = new LinkedHashMap<>();
    cases.put("unsupported_response_type", new String[] {"response_type", "token"});
    cases.put("invalid_scope", new String[] {"scope", "admin"});
    Browser browser = new Browser();
    for (Map.Entry<String, String[]> c : cases.entrySet()) {
      String url = authorizeUrl("rp", RP_CB, "openid", state, TokenHashes.s256(verifier())).replace("response_type=code&", "");
      String[] kv = c.getValue();
      url = url.replaceAll("([?&])" + kv[0] + "=[^&]*", "$1") + "&" + kv[0] + "=" + kv[1];
      if (!url.contains("response_type=")) {
        url += "&response_type=code";
      }
      HttpResponse<String> r = browser.get(url);
      assertThat(r.statusCode()).as(c.getKey()).isEqualTo(302);
      Map<String, String> q = Browser.query(Browser.location(r, server.base));
      assertThat(q.get("error")).isEqualTo(c.getKey());
      assertThat(q.get("state")).isEqualTo(state);
      assertThat(q.get("iss")).isEqualTo(server.base);
    }
  }

  @Test
  void authorizeWhenPkceMissingOrPlainThenInvalidRequest() throws Exception {
    Browser browser = new Browser();
    HttpResponse<String> missing = browser.get(authorizeUrl("spa", "http://127.0.0.1/callback", "openid", "s", null));
    assertThat(Browser.query(Browser.location(missing, server.base))).containsEntry("error", "invalid_request");
    HttpResponse<String> plain = browser.get(authorizeUrl("rp", RP_CB, "openid", "s", null,
        "code_challenge", verifier(), "code_challenge_method", "plain"));
    assertThat(Browser.query(Browser.location(plain, server.base))).containsEntry("error", "invalid_request");
    HttpResponse<String> noMethod = browser.get(authorizeUrl("rp", RP_CB, "openid", "s", null, "code_challenge", TokenHashes.s256("x")));
    assertThat(Browser.query(Browser.location(noMethod, server.base))).containsEntry("error", "invalid_request");
  }

  @Test
  void authorizeWithPromptNoneAndNoSessionThenLoginRequired() throws Exception {
    HttpResponse<String> r = new Browser().get(authorizeUrl("rp", RP_CB, "openid", "s", TokenHashes.s256(verifier()), "prompt", "none"));
    assertThat(r.statusCode()).isEqualTo(302);
    Map<String, String> q = Browser.query(Browser.location(r, server.base));
    assertThat(q).containsEntry("error", "login_required").containsEntry("state", "s").containsEntry("iss", server.base);
  }

  /** The consent page a fresh browser reaches for {@code clientId} after bob signs in ({@code prompt=consent}: asked again). */
  static HttpResponse<String> consentPage(Browser browser, String clientId) throws Exception {
    String next = Browser.location(browser.get(authorizeUrl(clientId, RP_CB, "openid", "s", TokenHashes.s256(verifier()),
        "prompt", "consent")), server.base);
    HttpResponse<String> login = browser.get(next);
    HttpResponse<String> posted = browser.post(server.base + "/login", Map.of("rid", Browser.hidden(login.body(), "rid"),
        "csrf", Browser.hidden(login.body(), "csrf"), "username", "bob", "password", "bob-password-12345"));
    String consentUrl = Browser.location(browser.get(Browser.location(posted, server.base)), server.base);
    assertThat(consentUrl).startsWith(server.base + "/consent?");
    return browser.get(consentUrl);
  }

  @Test
  void consentPageShowsTheRegisteredClientNameHtmlEscapedElseTheClientId() throws Exception {
    // issue 14 item 6: client_name "Acme <b>Books</b> & 'Co'" (OIDC Registration §2)
    HttpResponse<String> named = consentPage(new Browser(), "rp-named");
    assertThat(named.statusCode()).isEqualTo(200);
    String escaped = "Acme &lt;b&gt;Books&lt;/b&gt; &amp; &#x27;Co&#x27;";
    assertThat(named.body()).contains("Allow <strong>" + escaped + "</strong> access?")
        .contains("<strong>" + escaped + "</strong> asks to:")
        .doesNotContain("<b>Books</b>").doesNotContain("rp-named");

    HttpResponse<String> unnamed = consentPage(new Browser(), "rp");
    assertThat(unnamed.body()).contains("Allow <strong>rp</strong> access?");
  }

  @Test
  void consentDeniedThenAccessDenied() throws Exception {
    Browser browser = new Browser();
    String next = Browser.location(browser.get(authorizeUrl("rp", RP_CB, "email", "deny-me", TokenHashes.s256(verifier()))), server.base);
    HttpResponse<String> login = browser.get(next);
    HttpResponse<String> posted = browser.post(server.base + "/login", Map.of("rid", Browser.hidden(login.body(), "rid"),
        "csrf", Browser.hidden(login.body(), "csrf"), "username", "bob", "password", "bob-password-12345"));
    String consentUrl = Browser.location(browser.get(Browser.location(posted, server.base)), server.base);
    HttpResponse<String> consent = browser.get(consentUrl);
    assertThat(consent.body()).contains("See your email address");
    HttpResponse<String> denied = browser.post(server.base + "/consent", Map.of("rid", Browser.hidden(consent.body(), "rid"),
        "csrf", Browser.hidden(consent.body(), "csrf"), "decision", "deny"));
    assertThat(denied.statusCode()).isEqualTo(303);
    assertThat(Browser.query(Browser.location(denied, server.base))).containsEntry("error", "access_denied").containsEntry("state", "deny-me");
  }

  @Test
  void loginWithWrongPasswordOrUnknownUserThenSamePageMessageAndNoSession() throws Exception {
    for (String[] creds : List.of(new String[] {"alice", "wrong-password"}, new String[] {"mallory", "whatever-pass"})) {
      Browser browser = new Browser();
      String next = Browser.location(browser.get(authorizeUrl("rp", RP_CB, "openid", "s", TokenHashes.s256(verifier()))), server.base);
      HttpResponse<String> page = browser.get(next);
      HttpResponse<String> r = browser.post(server.base + "/login", Map.of("rid", Browser.hidden(page.body(), "rid"),
          "csrf", Browser.hidden(page.body(), "csrf"), "username", creds[0], "password", creds[1]));
      // the login page again, with the message and the username kept; still no session
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body()).contains("The username or password is not correct.").contains("value=\"" + creds[0] + "\"");
      assertThat(Browser.hidden(r.body(), "rid")).isEqualTo(Browser.hidden(page.body(), "rid"));
      assertThat(browser.cookies.getCookieStore().getCookies()).noneMatch(c -> c.getName().equals("gatehouse_session"));
    }
  }

  @Test
  void loginWithoutCsrfTokenThenForbiddenAndNotSignedIn() throws Exception {
    Browser browser = new Browser();
    String next = Browser.location(browser.get(authorizeUrl("rp", RP_CB, "openid", "s", TokenHashes.s256(verifier()))), server.base);
    HttpResponse<String> page = browser.get(next);
    HttpResponse<String> r = browser.post(server.base + "/login", Map.of("rid", Browser.hidden(page.body(), "rid"),
        "csrf", "forged", "username", "alice", "password", "alice-password-123"));
    assertThat(r.statusCode()).isEqualTo(403);
  }

  @Test
  void loginPageCarriesAntiFramingHeadersAndAStrictSessionCookie() throws Exception {
    Browser browser = new Browser();
    HttpResponse<String> r = browser.get(authorizeUrl("rp", RP_CB, "openid", "s", TokenHashes.s256(verifier())));
    // nobody is signed in: no session, no cookie
    assertThat(r.headers().allValues("Set-Cookie")).isEmpty();
    HttpResponse<String> page = browser.get(Browser.location(r, server.base));
    assertThat(page.headers().firstValue("X-Frame-Options")).hasValue("DENY");
    assertThat(page.headers().firstValue("Content-Security-Policy").orElseThrow()).contains("frame-ancestors 'none'");
    assertThat(page.headers().firstValue("Referrer-Policy")).hasValue("no-referrer");
    assertThat(page.headers().firstValue("Cache-Control")).hasValue("no-store");
    assertThat(page.body()).contains("<label for=\"username\">").contains("autocomplete=\"current-password\"");
    // the login form's CSRF cookie, then the session cookie once signed in
    assertThat(page.headers().allValues("Set-Cookie")).singleElement().satisfies(c -> assertThat(c).startsWith("gatehouse_session_login=")
        .containsIgnoringCase("; HttpOnly").contains("SameSite=Lax").doesNotContain("Secure"));
    HttpResponse<String> posted = browser.post(server.base + "/login", Map.of("rid", Browser.hidden(page.body(), "rid"),
        "csrf", Browser.hidden(page.body(), "csrf"), "username", "alice", "password", "alice-password-123"));
    assertThat(posted.statusCode()).isEqualTo(303);
    String cookie = posted.headers().allValues("Set-Cookie").stream().filter(c -> c.startsWith("gatehouse_session=")).findFirst().orElseThrow();
    assertThat(cookie).containsIgnoringCase("; HttpOnly").contains("SameSite=Lax").doesNotContain("Secure");
  }

  @Test
  void userInfoWithoutTokenOrWithoutOpenIdThenBearerErrors() throws Exception {
    HttpResponse<String> none = server.get("/userinfo");
    assertThat(none.statusCode()).isEqualTo(401);
    assertThat(none.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"gatehouse\"");
    String cc = new JsonObject(server.form("grant_type=client_credentials&scope=read%3Ausers", "Authorization",
        TestServer.basic("billing-service", "billing-secret-0123456789-abcdefghijkl")).body()).getString("access_token");
    HttpResponse<String> noOpenId = server.http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(server.base + "/userinfo"))
        .header("Authorization", "Bearer " + cc).GET().build(), HttpResponse.BodyHandlers.ofString());
    assertThat(noOpenId.statusCode()).isEqualTo(403);
    assertThat(noOpenId.headers().firstValue("WWW-Authenticate").orElseThrow()).contains("error=\"insufficient_scope\"");
    HttpResponse<String> bad = server.http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(server.base + "/userinfo"))
        .header("Authorization", "Bearer " + cc + "x").GET().build(), HttpResponse.BodyHandlers.ofString());
    assertThat(bad.statusCode()).isEqualTo(401);
    assertThat(bad.headers().firstValue("WWW-Authenticate").orElseThrow()).contains("error=\"invalid_token\"");
  }

  @Test
  void discoveryAdvertisesTheCodeFlowExactly() throws Exception {
    JsonObject doc = new JsonObject(server.get("/.well-known/openid-configuration").body());
    assertThat(doc.getString("authorization_endpoint")).isEqualTo(server.base + "/authorize");
    assertThat(doc.getString("userinfo_endpoint")).isEqualTo(server.base + "/userinfo");
    assertThat(doc.getString("end_session_endpoint")).isEqualTo(server.base + "/logout");
    assertThat(doc.getJsonArray("response_types_supported").getList()).containsExactly("code");
    assertThat(doc.getJsonArray("code_challenge_methods_supported").getList()).containsExactly("S256");
    assertThat(doc.getJsonArray("grant_types_supported").getList())
        .containsExactlyInAnyOrder("authorization_code", "client_credentials", "refresh_token");
    assertThat(doc.getBoolean("authorization_response_iss_parameter_supported")).isTrue();
    // every algorithm ID tokens are signed with, the default first (issue 14 item 1: resource-server libraries
    // such as express-oauth2-jwt-bearer trust only these, for the ES256 access tokens too)
    assertThat(doc.getJsonArray("id_token_signing_alg_values_supported").getList()).containsExactly("RS256", "ES256");
    assertThat(new JsonObject(server.get("/.well-known/oauth-authorization-server").body())
        .getJsonArray("id_token_signing_alg_values_supported").getList()).containsExactly("RS256", "ES256");
  }

  @Test
  void idTokenWhenClientRegisteredEs256ThenSignedEs256AndVerifiesWithTheJwksOnRedemptionAndRefresh() throws Exception {
    // registered through the admin API: the test seed must also start servers whose keys.algorithm is not ES256
    HttpResponse<String> created = AdminApiTest.call(server, "POST", "/admin/clients", AdminApiTest.adminToken(server), new JsonObject()
        .put("client_id", "rp-es256")
        .put("grant_types", new io.vertx.core.json.JsonArray().add("authorization_code").add("refresh_token"))
        .put("scopes", new io.vertx.core.json.JsonArray().add("openid").add("read:users"))
        .put("redirect_uris", new io.vertx.core.json.JsonArray().add(RP_CB))
        .put("post_logout_redirect_uris", new io.vertx.core.json.JsonArray().add("https://rp.example.com/bye"))
        .put("id_token_signed_response_alg", "ES256").encode());
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    String es256Secret = new JsonObject(created.body()).getString("client_secret");
    Browser browser = new Browser();
    String verifier = verifier();
    String done = browser.signInAndConsent(authorizeUrl("rp-es256", RP_CB, "openid read:users", "s1", TokenHashes.s256(verifier),
        "nonce", "n-es"), server.base, "alice", "alice-password-123");
    HttpResponse<String> r = redeem("rp-es256", es256Secret, Browser.query(done).get("code"), RP_CB, verifier);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonObject tokens = new JsonObject(r.body());
    String idToken = tokens.getString("id_token");
    String jwksUri = new JsonObject(server.get("/.well-known/openid-configuration").body()).getString("jwks_uri");
    org.jose4j.jwt.consumer.JwtConsumer consumer = new JwtConsumerBuilder()
        .setVerificationKeyResolver(new HttpsJwksVerificationKeyResolver(new HttpsJwks(jwksUri)))
        .setJwsAlgorithmConstraints(org.jose4j.jwa.AlgorithmConstraints.ConstraintType.PERMIT, "ES256")
        .setExpectedIssuer(server.base).setExpectedAudience("rp-es256").setRequireExpirationTime().setRequireIssuedAt()
        .build();
    JwtClaims id = consumer.processToClaims(idToken);
    assertThat(id.getSubject()).isEqualTo("248289761001");
    assertThat(id.getStringClaimValue("nonce")).isEqualTo("n-es");
    byte[] digest = java.security.MessageDigest.getInstance("SHA-256")
        .digest(tokens.getString("access_token").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    assertThat(id.getStringClaimValue("at_hash"))
        .isEqualTo(java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(java.util.Arrays.copyOf(digest, 16)));
    JsonObject header = new JsonObject(new String(java.util.Base64.getUrlDecoder().decode(idToken.substring(0, idToken.indexOf('.'))),
        java.nio.charset.StandardCharsets.UTF_8));
    assertThat(header.getString("alg")).isEqualTo("ES256");
    assertThat(header.getString("typ")).isEqualTo("JWT");
    // an ES256 ID token is still no access token (RFC 9068 §4: typ at+jwt, and its audience is the client)
    assertThat(introspect(idToken)).isEqualTo(new JsonObject().put("active", false));

    // OIDC Core §12.2: the ID token of a refresh is signed the same way
    HttpResponse<String> refreshed = server.form("grant_type=refresh_token&refresh_token=" + tokens.getString("refresh_token"),
        "Authorization", TestServer.basic("rp-es256", es256Secret));
    assertThat(refreshed.statusCode()).as(refreshed.body()).isEqualTo(200);
    assertThat(consumer.processToClaims(new JsonObject(refreshed.body()).getString("id_token")).getSubject()).isEqualTo("248289761001");

    // and it is a valid id_token_hint (OIDC RP-Initiated Logout §2): the session ends at once, no confirmation page
    HttpResponse<String> out = browser.get(server.base + "/logout?" + Browser.encode(Map.of("id_token_hint", idToken,
        "post_logout_redirect_uri", "https://rp.example.com/bye", "state", "es")));
    assertThat(out.statusCode()).isEqualTo(302);
    assertThat(Browser.location(out, server.base)).isEqualTo("https://rp.example.com/bye?state=es");
  }

  static JsonObject introspect(String token) throws Exception {
    HttpResponse<String> r = server.post("/introspect", "application/x-www-form-urlencoded", "token=" + token, "Authorization",
        RevocationTest.RS);
    assertThat(r.statusCode()).isEqualTo(200);
    return new JsonObject(r.body());
  }

  @Test
  void consentWithdrawnThenRefreshTokensRevokedAndNextAuthorizationAsksAgain() throws Exception {
    Browser browser = new Browser();
    String verifier = verifier();
    JsonObject tokens = new JsonObject(redeem("rp", RP_SECRET, code(browser, verifier, "profile"), RP_CB, verifier).body());
    HttpResponse<String> list = browser.get(server.base + "/consents");
    assertThat(list.statusCode()).isEqualTo(200);
    assertThat(list.body()).contains("<strong>rp</strong>");
    HttpResponse<String> forged = browser.post(server.base + "/consents/withdraw", Map.of("client_id", "rp", "csrf", "x"));
    assertThat(forged.statusCode()).isEqualTo(403);
    HttpResponse<String> withdrawn = browser.post(server.base + "/consents/withdraw",
        Map.of("client_id", "rp", "csrf", Browser.hidden(list.body(), "csrf")));
    assertThat(withdrawn.statusCode()).isEqualTo(303);
    assertThat(browser.get(server.base + "/consents").body()).doesNotContain("<strong>rp</strong>");
    HttpResponse<String> refresh = server.form("grant_type=refresh_token&refresh_token=" + tokens.getString("refresh_token"),
        "Authorization", TestServer.basic("rp", RP_SECRET));
    assertThat(new JsonObject(refresh.body()).getString("error")).isEqualTo("invalid_grant");
    // the grant's access token is revoked too
    assertThat(introspect(tokens.getString("access_token"))).isEqualTo(new JsonObject().put("active", false));
    HttpResponse<String> again = browser.get(authorizeUrl("rp", RP_CB, "profile", "s", TokenHashes.s256(verifier())));
    assertThat(Browser.location(again, server.base)).startsWith(server.base + "/consent?rid=");
  }

  @Test
  void tokenAndUserInfoAnswerBrowserAppsOnlyFromTheClientsRegisteredOrigins() throws Exception {
    String verifier = verifier();
    String code = code(new Browser(), verifier, "openid profile");
    String body = "grant_type=authorization_code&code=" + code + "&redirect_uri=" + java.net.URLEncoder.encode(RP_CB, "UTF-8")
        + "&code_verifier=" + verifier;
    HttpResponse<String> fromRp = server.form(body, "Authorization", TestServer.basic("rp", RP_SECRET), "Origin", "https://rp.example.com");
    assertThat(fromRp.statusCode()).isEqualTo(200);
    assertThat(fromRp.headers().firstValue("Access-Control-Allow-Origin")).hasValue("https://rp.example.com");
    assertThat(fromRp.headers().firstValue("Vary")).hasValue("Origin");
    String accessToken = new JsonObject(fromRp.body()).getString("access_token");

    HttpResponse<String> fromEvil = server.form("grant_type=authorization_code&code=x", "Authorization", TestServer.basic("rp", RP_SECRET),
        "Origin", "https://evil.example.com");
    assertThat(fromEvil.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();

    HttpResponse<String> info = server.http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(server.base + "/userinfo"))
        .header("Authorization", "Bearer " + accessToken).header("Origin", "https://rp.example.com").GET().build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(info.headers().firstValue("Access-Control-Allow-Origin")).hasValue("https://rp.example.com");
    HttpResponse<String> infoEvil = server.http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(server.base + "/userinfo"))
        .header("Authorization", "Bearer " + accessToken).header("Origin", "https://evil.example.com").GET().build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(infoEvil.statusCode()).isEqualTo(200);
    assertThat(infoEvil.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();

    HttpResponse<String> preflight = server.http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(server.base + "/token"))
        .method("OPTIONS", java.net.http.HttpRequest.BodyPublishers.noBody())
        .header("Origin", "https://rp.example.com").header("Access-Control-Request-Method", "POST").build(), HttpResponse.BodyHandlers.ofString());
    assertThat(preflight.statusCode()).isEqualTo(204);
    assertThat(preflight.headers().firstValue("Access-Control-Allow-Methods")).hasValue("POST");

    HttpResponse<String> authorize = new Browser().http.send(java.net.http.HttpRequest.newBuilder(
        java.net.URI.create(authorizeUrl("rp", RP_CB, "openid", "s", TokenHashes.s256(verifier())))).header("Origin", "https://rp.example.com")
        .GET().build(), HttpResponse.BodyHandlers.ofString());
    assertThat(authorize.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
  }

  @Test
  void logoutWithIdTokenHintThenSessionEndsEverywhereRedirectsWithStateAndRefreshTokensRevoked() throws Exception {
    Browser browser = new Browser();
    String verifier = verifier();
    JsonObject tokens = new JsonObject(redeem("rp", RP_SECRET, code(browser, verifier, "openid"), RP_CB, verifier).body());
    HttpResponse<String> out = browser.get(server.base + "/logout?" + Browser.encode(Map.of("id_token_hint", tokens.getString("id_token"),
        "post_logout_redirect_uri", "https://rp.example.com/bye", "state", "bye state")));
    assertThat(out.statusCode()).isEqualTo(302);
    assertThat(Browser.location(out, server.base)).isEqualTo("https://rp.example.com/bye?state=bye%20state");
    HttpResponse<String> refresh = server.form("grant_type=refresh_token&refresh_token=" + tokens.getString("refresh_token"),
        "Authorization", TestServer.basic("rp", RP_SECRET));
    assertThat(new JsonObject(refresh.body()).getString("error")).isEqualTo("invalid_grant");
    assertThat(introspect(tokens.getString("access_token"))).isEqualTo(new JsonObject().put("active", false));
    HttpResponse<String> silent = browser.get(authorizeUrl("rp", RP_CB, "openid", "s", TokenHashes.s256(verifier()), "prompt", "none"));
    assertThat(Browser.query(Browser.location(silent, server.base))).containsEntry("error", "login_required");
  }

  /**
   * Issue 14 item 5, OIDC Core §11: offline_access asks for access while the user is not signed in, so the
   * refresh token of a grant with it outlives the logout that revokes the session's other refresh tokens.
   */
  @Test
  void logoutWhenOneGrantHasOfflineAccessThenOnlyItsRefreshTokenOutlivesTheSession() throws Exception {
    Browser browser = new Browser();
    String v1 = verifier();
    JsonObject online = new JsonObject(redeem("rp", RP_SECRET, code(browser, v1, "openid"), RP_CB, v1).body());
    String v2 = verifier();
    JsonObject offline = new JsonObject(redeem("rp", RP_SECRET, code(browser, v2, "openid offline_access"), RP_CB, v2).body());
    assertThat(offline.getString("scope")).isEqualTo("openid offline_access");

    HttpResponse<String> out = browser.get(server.base + "/logout?" + Browser.encode(Map.of("id_token_hint", online.getString("id_token"))));
    assertThat(out.statusCode()).isIn(200, 302);

    String rpAuth = TestServer.basic("rp", RP_SECRET);
    HttpResponse<String> ended = server.form("grant_type=refresh_token&refresh_token=" + online.getString("refresh_token"), "Authorization", rpAuth);
    assertThat(new JsonObject(ended.body()).getString("error")).isEqualTo("invalid_grant");
    HttpResponse<String> kept = server.form("grant_type=refresh_token&refresh_token=" + offline.getString("refresh_token"), "Authorization", rpAuth);
    assertThat(kept.statusCode()).as(kept.body()).isEqualTo(200);
    assertThat(new JsonObject(kept.body()).getString("scope")).isEqualTo("openid offline_access");
  }

  @Test
  void logoutWithUnregisteredPostLogoutUriThenErrorPageAndNoRedirect() throws Exception {
    // RP-Initiated Logout §3 / RFC 9700 §4.1.3: an exact string match, no normalisation (registered: https://rp.example.com/bye)
    for (String uri : List.of("https://evil.example.com/bye", "https://rp.example.com/bye/", "https://rp.example.com/BYE",
        "https://RP.example.com/bye", "HTTPS://rp.example.com/bye", "https://rp.example.com:443/bye", "https://rp.example.com/./bye",
        "https://rp.example.com/by%65", "https://rp.example.com/bye?x=1", "https://rp.example.com/bye#", "http://rp.example.com/bye",
        "https://rp.example.com@evil.example.com/bye", "https://rp.example.com/cb")) {
      HttpResponse<String> r = new Browser().get(server.base + "/logout?" + Browser.encode(Map.of("client_id", "rp",
          "post_logout_redirect_uri", uri)));
      assertThat(r.statusCode()).as(uri).isEqualTo(400);
      assertThat(r.headers().firstValue("Location")).as(uri).isEmpty();
      assertThat(r.body()).as(uri).contains("post_logout_redirect_uri is not registered for this client");
    }
    HttpResponse<String> forged = new Browser().get(server.base + "/logout?id_token_hint=eyJhbGciOiJub25lIn0.e30.");
    assertThat(forged.statusCode()).isEqualTo(400);
  }

  @Test
  void logoutWhenAnonymousThenNoSessionIsCreatedAndOverlongStateIsRefused() throws Exception {
    Browser browser = new Browser();
    HttpResponse<String> r = browser.get(server.base + "/logout?" + Browser.encode(Map.of("client_id", "rp", "state", "s".repeat(1025))));
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.body()).contains("state is longer than 1024 characters");
    HttpResponse<String> ok = browser.get(server.base + "/logout?" + Browser.encode(Map.of("client_id", "rp", "x", "y".repeat(3_000))));
    assertThat(ok.statusCode()).isEqualTo(200);
    assertThat(ok.headers().allValues("Set-Cookie")).isEmpty();
    assertThat(browser.get(server.base + "/consents").headers().allValues("Set-Cookie")).isEmpty();
  }

  @Test
  void logoutWithoutIdTokenHintThenTheUserConfirmsFirst() throws Exception {
    Browser browser = new Browser();
    code(browser, verifier(), "openid");
    HttpResponse<String> ask = browser.get(server.base + "/logout?client_id=rp");
    assertThat(ask.statusCode()).isEqualTo(200);
    assertThat(ask.body()).contains("Sign out?");
    HttpResponse<String> forged = browser.post(server.base + "/logout/confirm", Map.of("csrf", "x", "decision", "logout"));
    assertThat(forged.statusCode()).isEqualTo(403);
    // still signed in: a silent authorization works
    HttpResponse<String> silent = browser.get(authorizeUrl("rp", RP_CB, "openid", "s", TokenHashes.s256(verifier()), "prompt", "none"));
    assertThat(Browser.location(silent, server.base)).startsWith(RP_CB + "?code=");
    HttpResponse<String> again = browser.get(server.base + "/logout?client_id=rp");
    HttpResponse<String> confirmed = browser.post(server.base + "/logout/confirm", Map.of("csrf", Browser.hidden(again.body(), "csrf"),
        "decision", "logout"));
    assertThat(confirmed.statusCode()).isEqualTo(200);
    assertThat(confirmed.body()).contains("You are signed out");
    HttpResponse<String> after = browser.get(authorizeUrl("rp", RP_CB, "openid", "s", TokenHashes.s256(verifier()), "prompt", "none"));
    assertThat(Browser.query(Browser.location(after, server.base))).containsEntry("error", "login_required");
  }

  @Test
  void tokenErrorIsReadableFromTheClientsOriginOnlyOnceTheClientAuthenticated() throws Exception {
    // authenticated, then refused: the app's page may read why
    HttpResponse<String> refused = server.form("grant_type=authorization_code&code=x", "Authorization", TestServer.basic("rp", RP_SECRET),
        "Origin", "https://rp.example.com");
    assertThat(refused.statusCode()).isEqualTo(400);
    assertThat(new JsonObject(refused.body()).getString("error")).isEqualTo("invalid_grant");
    assertThat(refused.headers().firstValue("Access-Control-Allow-Origin")).hasValue("https://rp.example.com");
    // a wrong secret: the request named rp but did not prove it, so nothing of rp's decides CORS
    HttpResponse<String> unproven = server.form("grant_type=authorization_code&code=x", "Authorization", TestServer.basic("rp", "not-rp"),
        "Origin", "https://rp.example.com");
    assertThat(unproven.statusCode()).isEqualTo(401);
    assertThat(new JsonObject(unproven.body()).getString("error")).isEqualTo("invalid_client");
    assertThat(unproven.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
    assertThat(unproven.headers().firstValue("Vary")).hasValue("Origin");
  }

  @Test
  void revokeFromTheClientsOriginIsReadableAndPreflighted() throws Exception {
    // issue 14 item 3: a browser app revokes at sign-out with the same CORS rules as /token
    String verifier = verifier();
    JsonObject tokens = new JsonObject(redeem("rp", RP_SECRET, code(new Browser(), verifier, "openid"), RP_CB, verifier).body());
    HttpResponse<String> preflight = server.http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(server.base + "/revoke"))
        .method("OPTIONS", java.net.http.HttpRequest.BodyPublishers.noBody())
        .header("Origin", "https://rp.example.com").header("Access-Control-Request-Method", "POST").build(), HttpResponse.BodyHandlers.ofString());
    assertThat(preflight.statusCode()).isEqualTo(204);
    assertThat(preflight.headers().firstValue("Access-Control-Allow-Methods")).hasValue("POST");
    assertThat(preflight.headers().firstValue("Access-Control-Allow-Headers")).hasValue("Authorization, Content-Type");

    HttpResponse<String> revoked = server.post("/revoke", "application/x-www-form-urlencoded", "token=" + tokens.getString("refresh_token"),
        "Authorization", TestServer.basic("rp", RP_SECRET), "Origin", "https://rp.example.com");
    assertThat(revoked.statusCode()).isEqualTo(200);
    assertThat(revoked.body()).isEmpty();
    assertThat(revoked.headers().firstValue("Access-Control-Allow-Origin")).hasValue("https://rp.example.com");
    assertThat(revoked.headers().firstValue("Vary")).hasValue("Origin");
    assertThat(introspect(tokens.getString("access_token"))).isEqualTo(new JsonObject().put("active", false));

    HttpResponse<String> fromEvil = server.post("/revoke", "application/x-www-form-urlencoded", "token=x",
        "Authorization", TestServer.basic("rp", RP_SECRET), "Origin", "https://evil.example.com");
    assertThat(fromEvil.statusCode()).isEqualTo(200);
    assertThat(fromEvil.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
    HttpResponse<String> unproven = server.post("/revoke", "application/x-www-form-urlencoded", "token=x",
        "Authorization", TestServer.basic("rp", "not-rp"), "Origin", "https://rp.example.com");
    assertThat(unproven.statusCode()).isEqualTo(401);
    assertThat(new JsonObject(unproven.body()).getString("error")).isEqualTo("invalid_client");
    assertThat(unproven.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
  }

  @Test
  void tokenFromAConfiguredAllowedOriginIsReadable() throws Exception {
    String verifier = verifier();
    String done = new Browser().signInAndConsent(authorizeUrl("spa", "http://127.0.0.1/callback", "read:users", "s",
        TokenHashes.s256(verifier)), server.base, "bob", "bob-password-12345");
    HttpResponse<String> r = server.form("grant_type=authorization_code&client_id=spa&code=" + Browser.query(done).get("code")
        + "&redirect_uri=" + java.net.URLEncoder.encode("http://127.0.0.1/callback", "UTF-8") + "&code_verifier=" + verifier,
        "Origin", "https://spa.example.com");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Access-Control-Allow-Origin")).hasValue("https://spa.example.com");
  }

  @Test
  void tokenWhenCodeRedeemedByAnotherClientThenInvalidGrantAndTheRightfulClientStillRedeems() throws Exception {
    String verifier = verifier();
    String code = code(new Browser(), verifier, "read:users");
    HttpResponse<String> other = redeem("web-app", "web-app-secret-0123456789-abcdefghijkl", code, RP_CB, verifier);
    assertThat(other.statusCode()).isEqualTo(400);
    assertThat(new JsonObject(other.body()).getString("error")).isEqualTo("invalid_grant");
    HttpResponse<String> spa = redeem("spa", null, code, RP_CB, verifier);
    assertThat(spa.statusCode()).isEqualTo(400);
    assertThat(new JsonObject(spa.body()).getString("error")).isEqualTo("invalid_grant");
    assertThat(redeem("rp", RP_SECRET, code, RP_CB, verifier).statusCode()).isEqualTo(200);
  }

  @Test
  void tokenWhenPkceDowngradedThenInvalidGrant() throws Exception {
    String verifier = verifier();
    String code = code(new Browser(), verifier, "read:users");
    HttpResponse<String> noVerifier = redeem("rp", RP_SECRET, code, RP_CB, null);
    assertThat(noVerifier.statusCode()).isEqualTo(400);
    assertThat(new JsonObject(noVerifier.body())).isEqualTo(new JsonObject().put("error", "invalid_grant")
        .put("error_description", "code_verifier is required"));
    HttpResponse<String> malformed = redeem("rp", RP_SECRET, code, RP_CB, "short");
    assertThat(new JsonObject(malformed.body()).getString("error")).isEqualTo("invalid_request");
    assertThat(redeem("rp", RP_SECRET, code, RP_CB, verifier).statusCode()).isEqualTo(200);
  }
}
