package io.gatehouse.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.core.token.JwsSigner;
import io.gatehouse.core.token.SigningAlgorithm;
import io.gatehouse.core.token.TokenHashes;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every place that accepts a Gatehouse JWT (introspection, the admin API, /userinfo) refuses what a
 * resource server would: another audience, {@code iat}/{@code nbf} beyond the clock skew, a
 * {@code crit} header (on EdDSA too), a key used for the other kind of token, and no {@code sub}.
 * Tokens are signed with the server's own keys, so only the rule under test is broken.
 */
class JwtAcceptanceTest {
  static final String SCHEMA = PostgresTokenEndpointTest.SCHEMA + "_jw";
  static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
  static TestServer server;

  @BeforeAll
  static void start() throws Exception {
    Map<String, String> env = new HashMap<>(PostgresTokenEndpointTest.postgresEnv(SCHEMA, "0s"));
    env.put("GATEHOUSE_KEYS_ALGORITHM", "EdDSA"); // access tokens EdDSA, ID tokens RS256 (the default)
    server = TestServer.start(env);
  }

  @AfterAll
  static void stop() throws Exception {
    PostgresTokenEndpointTest.closeAndDrop(server, SCHEMA);
  }

  /** Claims of a valid access token of alice for the API, with openid and the admin scope. */
  static JsonObject claims() {
    long now = java.time.Instant.now().getEpochSecond();
    return new JsonObject().put("iss", server.base).put("sub", "248289761001").put("aud", "gatehouse-api").put("client_id", "rp")
        .put("scope", "openid gatehouse:admin").put("iat", now).put("exp", now + 300).put("jti", TokenHashes.random(16));
  }

  static String sign(JsonObject header, JsonObject claims, JwsSigner key) {
    header.put("alg", key.algorithm().name()).put("kid", key.kid());
    String input = B64.encodeToString(header.encode().getBytes(StandardCharsets.UTF_8)) + "."
        + B64.encodeToString(claims.encode().getBytes(StandardCharsets.UTF_8));
    return input + "." + B64.encodeToString(key.sign(input.getBytes(StandardCharsets.US_ASCII)));
  }

  static String accessToken(JsonObject claims) {
    return sign(new JsonObject().put("typ", "at+jwt"), claims, server.gatehouse.parts().keys().signer());
  }

  static HttpResponse<String> bearer(String path, String token) throws Exception {
    return server.http.send(HttpRequest.newBuilder(URI.create(server.base + path)).timeout(Duration.ofSeconds(10))
        .header("Authorization", "Bearer " + token).GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  static void assertInvalidToken(HttpResponse<String> r) {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(401);
    assertThat(r.headers().firstValue("WWW-Authenticate").orElseThrow()).contains("error=\"invalid_token\"");
  }

  static boolean active(String token) throws Exception {
    return AdminApiTest.introspect(server, token).getBoolean("active");
  }

  @Test
  void forgedHelperTokenIsAcceptedWhenNothingIsBroken() throws Exception {
    // the control: the same construction with every rule kept is a valid token everywhere it is meant for
    String ok = accessToken(claims().put("scope", "openid"));
    assertThat(active(ok)).isTrue();
    assertThat(bearer("/userinfo", ok).statusCode()).isEqualTo(200);
    String admin = accessToken(claims().put("aud", AdminApiTest.adminAudience(server)));
    assertThat(bearer("/admin/clients/rp", admin).statusCode()).isEqualTo(200);
  }

  @Test
  void adminApiWhenTokenIsForTheApiAudienceThenInvalidToken() throws Exception {
    assertInvalidToken(bearer("/admin/clients/rp", accessToken(claims())));
  }

  @Test
  void issuedAdminTokenNamesTheAdminAudienceAndIsRefusedAtUserInfo() throws Exception {
    String admin = AdminApiTest.adminToken(server);
    assertThat(AdminApiTest.introspect(server, admin).getString("aud")).isEqualTo(AdminApiTest.adminAudience(server));
    assertInvalidToken(bearer("/userinfo", admin));
  }

  @Test
  void whenIatOrNbfBeyondTheSkewThenRefusedEverywhere() throws Exception {
    long later = java.time.Instant.now().getEpochSecond() + 600;
    for (JsonObject c : new JsonObject[] {claims().put("iat", later), claims().put("nbf", later), claims().put("iat", "now")}) {
      String token = accessToken(c);
      assertThat(active(token)).as(c.encode()).isFalse();
      assertInvalidToken(bearer("/userinfo", token));
      assertInvalidToken(bearer("/admin/clients/rp", sign(new JsonObject().put("typ", "at+jwt"),
          c.copy().put("aud", AdminApiTest.adminAudience(server)), server.gatehouse.parts().keys().signer())));
    }
    // within the skew is fine
    assertThat(active(accessToken(claims().put("iat", java.time.Instant.now().getEpochSecond() + 30)))).isTrue();
  }

  @Test
  void whenCritHeaderOnEdDsaThenRefused() throws Exception {
    assertThat(server.gatehouse.parts().keys().signer().algorithm()).isEqualTo(SigningAlgorithm.EdDSA);
    String token = sign(new JsonObject().put("typ", "at+jwt").put("crit", new io.vertx.core.json.JsonArray().add("exp")).put("exp", 1),
        claims().put("scope", "openid"), server.gatehouse.parts().keys().signer());
    assertThat(active(token)).isFalse();
    assertInvalidToken(bearer("/userinfo", token));
  }

  @Test
  void whenAccessTokenSignedWithTheIdTokenKeyThenRefused() throws Exception {
    JwsSigner idKey = server.gatehouse.parts().keys().signer(SigningAlgorithm.RS256);
    String token = sign(new JsonObject().put("typ", "at+jwt"), claims().put("scope", "openid"), idKey);
    assertThat(active(token)).isFalse();
    assertInvalidToken(bearer("/userinfo", token));
  }

  @Test
  void idTokenHintSignedWithTheAccessTokenKeyIsAnIdTokenOnlyWithTypJwt() throws Exception {
    // issue 14 item 1: a client may register id_token_signed_response_alg = keys.algorithm, so the access-token key
    // signs ID tokens too; typ keeps the two apart (an access token is no id_token_hint)
    JwsSigner accessKey = server.gatehouse.parts().keys().signer();
    String accessToken = sign(new JsonObject().put("typ", "at+jwt"), claims().put("aud", "rp"), accessKey);
    HttpResponse<String> refused = new Browser().get(server.base + "/logout?" + Browser.encode(Map.of("id_token_hint", accessToken)));
    assertThat(refused.statusCode()).isEqualTo(400);
    assertThat(refused.body()).contains("invalid_request");

    String idToken = sign(new JsonObject().put("typ", "JWT"), claims().put("aud", "rp"), accessKey);
    HttpResponse<String> accepted = new Browser().get(server.base + "/logout?" + Browser.encode(Map.of("id_token_hint", idToken)));
    assertThat(accepted.statusCode()).isEqualTo(200);
    assertThat(accepted.body()).doesNotContain("invalid_request");
  }

  @Test
  void userInfoWhenTokenHasNoSubjectThen401NotServerError() throws Exception {
    JsonObject noSub = claims().put("scope", "openid");
    noSub.remove("sub");
    assertInvalidToken(bearer("/userinfo", accessToken(noSub)));
    assertInvalidToken(bearer("/userinfo", accessToken(claims().put("scope", "openid").put("sub", "a\u0000b"))));
  }
}
