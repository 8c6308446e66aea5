package io.gatehouse.resource;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.core.revocation.EventBusRevocationChannel;
import io.gatehouse.core.revocation.Revocation;
import io.gatehouse.core.revocation.RevocationEvent;
import io.gatehouse.core.token.TokenHashes;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Introspection mode ({@link IntrospectionTokenValidator}) against the real Gatehouse {@code /introspect}
 * (as the seeded {@code can_introspect} client), and its failure modes against a {@link TestIssuer}.
 */
class IntrospectionTest {
  static RealGatehouse gatehouse;
  static GatehouseJwtHandler auth;
  static String api;

  @BeforeAll
  static void start() throws Exception {
    gatehouse = RealGatehouse.start();
    auth = GatehouseJwtHandler.create(gatehouse.vertx, options(gatehouse.issuer, "gatehouse-api",
        new IntrospectionOptions().setClientId(RealGatehouse.RESOURCE_SERVER).setClientSecret(RealGatehouse.RESOURCE_SERVER_SECRET))
        .addRevocationChannel(new EventBusRevocationChannel(gatehouse.vertx)));
    Http.await(auth.start());
    api = serve(auth);
  }

  @AfterAll
  static void stop() throws Exception {
    Http.await(auth.close());
    gatehouse.close();
  }

  static ResourceServerOptions options(String issuer, String audience, IntrospectionOptions introspection) {
    return new ResourceServerOptions().setIssuer(issuer).setAudience(audience).setIntrospection(introspection);
  }

  static String serve(GatehouseJwtHandler handler) throws Exception {
    return Http.base(Http.serve(gatehouse.vertx, ExampleApi.router(gatehouse.vertx, handler))) + "/user";
  }

  static long calls(GatehouseJwtHandler handler) {
    return ((IntrospectionTokenValidator) handler.validator()).introspectionCalls();
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
    assertThat(new JsonObject(r.body())).isEqualTo(error("invalid_token", description));
  }

  static void assertUnavailable(HttpResponse<String> r, String description) {
    assertThat(r.statusCode()).isEqualTo(503);
    assertThat(r.headers().allValues("WWW-Authenticate")).isEmpty();
    assertThat(new JsonObject(r.body())).isEqualTo(error("temporarily_unavailable", description));
  }

  @Test
  void userWhenGatehouseSaysActiveThen200AndTheCachedAnswerIsNotFetchedAgain() throws Exception {
    String token = billingToken("read:users");
    long before = calls(auth);
    for (int i = 0; i < 3; i++) {
      HttpResponse<String> r = Http.bearer(api, token);
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(new JsonObject(r.body())).isEqualTo(new JsonObject()
          .put("sub", "billing-service").put("client_id", "billing-service").put("scope", "read:users"));
    }
    assertThat(calls(auth)).isEqualTo(before + 1);
  }

  @Test
  void userWhenRevocationEventArrivesForACachedTokenThen401RevokedWithoutAskingGatehouseAgain() throws Exception {
    String revoked = billingToken("read:users");
    String other = billingToken("read:users");
    assertThat(Http.bearer(api, revoked).statusCode()).isEqualTo(200);
    assertThat(Http.bearer(api, other).statusCode()).isEqualTo(200);
    long before = calls(auth);
    JsonObject claims = RealGatehouse.payload(revoked);
    long events = auth.revocations().eventsReceived();
    Http.await(new EventBusRevocationChannel(gatehouse.vertx).publish(new RevocationEvent(
        new Revocation(Revocation.Kind.TOKEN, claims.getString("jti"), System.currentTimeMillis() / 1000, claims.getLong("exp")),
        "test-node", System.currentTimeMillis())));
    Http.eventually(() -> auth.revocations().eventsReceived() > events);
    assertInvalidToken(Http.bearer(api, revoked), "token revoked");
    assertThat(Http.bearer(api, other).statusCode()).isEqualTo(200);
    assertThat(calls(auth)).isEqualTo(before);
  }

  @Test
  void userWhenGatehouseSaysInactiveThen401NotActiveAndTheAnswerIsNotCached() throws Exception {
    String opaque = TokenHashes.random(32);
    long before = calls(auth);
    assertInvalidToken(Http.bearer(api, opaque), "token is not active");
    assertInvalidToken(Http.bearer(api, opaque), "token is not active");
    assertThat(calls(auth)).isEqualTo(before + 2);
  }

  @Test
  void userWhenIntrospectedTokenLacksScopeThen403InsufficientScope() throws Exception {
    HttpResponse<String> r = Http.bearer(api, billingToken("write:users"));
    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(r.headers().allValues("WWW-Authenticate")).containsExactly("Bearer error=\"insufficient_scope\", scope=\"read:users\"");
  }

  @Test
  void userWhenThisResourceServersCredentialsAreWrongThen503FailClosed() throws Exception {
    GatehouseJwtHandler wrong = GatehouseJwtHandler.create(gatehouse.vertx, options(gatehouse.issuer, "gatehouse-api",
        new IntrospectionOptions().setClientId(RealGatehouse.RESOURCE_SERVER).setClientSecret("not-the-secret-0123456789-0123456789")));
    try {
      assertUnavailable(Http.bearer(serve(wrong), billingToken("read:users")), "the authorization server refused this resource server's credentials");
    } finally {
      Http.await(wrong.close());
    }
  }

  @Test
  void userWhenIntrospectionEndpointAnswers500Then503FailClosed() throws Exception {
    try (TestIssuer issuer = TestIssuer.start(gatehouse.vertx)) {
      issuer.introspectionStatus = 500;
      issuer.introspectionAnswer = new JsonObject().put("error", "server_error");
      GatehouseJwtHandler h = GatehouseJwtHandler.create(gatehouse.vertx, options(issuer.issuer, TestIssuer.AUDIENCE, credentials()));
      try {
        assertUnavailable(Http.bearer(serve(h), "opaque-token-1"), "the authorization server could not introspect the token (HTTP 500)");
      } finally {
        Http.await(h.close());
      }
    }
  }

  @Test
  void userWhenIntrospectionTimesOutThen503FailClosed() throws Exception {
    try (TestIssuer issuer = TestIssuer.start(gatehouse.vertx)) {
      issuer.introspectionDelayMillis = 3000;
      issuer.introspectionAnswer = active(issuer);
      GatehouseJwtHandler h = GatehouseJwtHandler.create(gatehouse.vertx,
          options(issuer.issuer, TestIssuer.AUDIENCE, credentials()).setHttpTimeout(Duration.ofMillis(300)));
      try {
        assertUnavailable(Http.bearer(serve(h), "opaque-token-2"), "the authorization server could not be reached to introspect the token");
      } finally {
        Http.await(h.close());
      }
    }
  }

  @Test
  void introspectionRequestIsAFormPostWithClientSecretBasic() throws Exception {
    try (TestIssuer issuer = TestIssuer.start(gatehouse.vertx)) {
      issuer.introspectionAnswer = active(issuer);
      GatehouseJwtHandler h = GatehouseJwtHandler.create(gatehouse.vertx, options(issuer.issuer, TestIssuer.AUDIENCE,
          new IntrospectionOptions().setClientId("user api:+").setClientSecret("secret with spaces & symbols/=%")));
      try {
        assertThat(Http.bearer(serve(h), "opaque-token-3").statusCode()).isEqualTo(200);
        assertThat(issuer.lastIntrospectedToken).isEqualTo("opaque-token-3");
        // RFC 6749 §2.3.1: form-encoded, then Base64
        assertThat(issuer.lastIntrospectionAuthorization).isEqualTo(RealGatehouse.basic("user api:+", "secret with spaces & symbols/=%"));
      } finally {
        Http.await(h.close());
      }
    }
  }

  @Test
  void userWhenCachedAnswerOutlivesMaxCacheTtlThenIntrospectedAgain() throws Exception {
    try (TestIssuer issuer = TestIssuer.start(gatehouse.vertx)) {
      issuer.introspectionAnswer = active(issuer);
      ManualTime time = new ManualTime();
      GatehouseJwtHandler h = GatehouseJwtHandler.create(gatehouse.vertx, time.on(options(issuer.issuer, TestIssuer.AUDIENCE,
          credentials().setMaxCacheTtl(Duration.ofMillis(500)))));
      try {
        String api = serve(h);
        assertThat(Http.bearer(api, "opaque-token-4").statusCode()).isEqualTo(200);
        assertThat(Http.bearer(api, "opaque-token-4").statusCode()).isEqualTo(200);
        assertThat(issuer.introspections).hasValue(1);
        time.advance(Duration.ofMillis(700));
        assertThat(Http.bearer(api, "opaque-token-4").statusCode()).isEqualTo(200);
        assertThat(issuer.introspections).hasValue(2);
      } finally {
        Http.await(h.close());
      }
    }
  }

  @Test
  void userWhenCachedAnswerReachesItsExpThenNotServedFromTheCache() throws Exception {
    try (TestIssuer issuer = TestIssuer.start(gatehouse.vertx)) {
      ManualTime time = new ManualTime();
      long exp = time.clock().instant().getEpochSecond() + 1;
      issuer.introspectionAnswer = active(issuer).put("exp", exp);
      GatehouseJwtHandler h = GatehouseJwtHandler.create(gatehouse.vertx, time.on(options(issuer.issuer, TestIssuer.AUDIENCE, credentials())
          .setClockSkew(Duration.ZERO)));
      try {
        String api = serve(h);
        assertThat(Http.bearer(api, "opaque-token-5").statusCode()).isEqualTo(200);
        // the cache would keep the answer for up to a second more: the clock alone says it expired
        time.advance(Duration.ofSeconds(1));
        assertInvalidToken(Http.bearer(api, "opaque-token-5"), "token expired");
        assertThat(issuer.introspections).hasValue(2);
      } finally {
        Http.await(h.close());
      }
    }
  }

  @Test
  void userWhenActiveAnswerIsARefreshTokenOrForAnotherAudienceThen401() throws Exception {
    try (TestIssuer issuer = TestIssuer.start(gatehouse.vertx)) {
      GatehouseJwtHandler h = GatehouseJwtHandler.create(gatehouse.vertx, options(issuer.issuer, TestIssuer.AUDIENCE, credentials()));
      try {
        String api = serve(h);
        issuer.introspectionAnswer = active(issuer).put("token_type", "refresh_token");
        assertInvalidToken(Http.bearer(api, "opaque-token-6"), "not an access token");
        issuer.introspectionAnswer = active(issuer).put("aud", "another-api");
        assertInvalidToken(Http.bearer(api, "opaque-token-7"), "wrong audience");
        issuer.introspectionAnswer = active(issuer).put("iss", "https://impostor.example.com");
        assertInvalidToken(Http.bearer(api, "opaque-token-8"), "wrong issuer");
        issuer.introspectionAnswer = new JsonObject().put("active", "true");
        assertInvalidToken(Http.bearer(api, "opaque-token-9"), "token is not active");
      } finally {
        Http.await(h.close());
      }
    }
  }

  static IntrospectionOptions credentials() {
    return new IntrospectionOptions().setClientId("user-api").setClientSecret("user-api-secret");
  }

  static JsonObject active(TestIssuer issuer) {
    long now = System.currentTimeMillis() / 1000;
    return new JsonObject().put("active", true).put("scope", "read:users").put("client_id", "web-app").put("sub", "alice")
        .put("aud", TestIssuer.AUDIENCE).put("iss", issuer.issuer).put("exp", now + 300).put("iat", now).put("jti", "j-" + now)
        .put("token_type", "Bearer");
  }
}
