package io.gatehouse.resource;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.core.revocation.EventBusRevocationChannel;
import io.gatehouse.core.revocation.Revocation;
import io.gatehouse.core.revocation.RevocationEvent;
import io.gatehouse.core.token.SigningAlgorithm;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The local deny-set kept current from the event bus: a real Gatehouse issues the tokens, the API
 * shares its Vert.x (as an API that joined the Gatehouse cluster shares the clustered bus), and
 * revocation events are published as Gatehouse publishes them ({@link EventBusRevocationChannel}).
 */
class RevocationTest {
  static RealGatehouse gatehouse;
  static TestIssuer testIssuer;
  static GatehouseJwtHandler auth;
  static GatehouseJwtHandler testIssuerAuth;
  static EventBusRevocationChannel publisher;
  static TestIssuer.Key testKey;
  static String api;
  static String testIssuerApi;

  @BeforeAll
  static void start() throws Exception {
    gatehouse = RealGatehouse.start();
    publisher = new EventBusRevocationChannel(gatehouse.vertx);
    auth = GatehouseJwtHandler.create(gatehouse.vertx, new ResourceServerOptions().setIssuer(gatehouse.issuer).setAudience("gatehouse-api")
        .addRevocationChannel(new EventBusRevocationChannel(gatehouse.vertx)).setRevocationPurgeInterval(Duration.ofMillis(100)));
    Http.await(auth.start());
    api = Http.base(Http.serve(gatehouse.vertx, ExampleApi.router(gatehouse.vertx, auth))) + "/user";
    testIssuer = TestIssuer.start(gatehouse.vertx);
    testKey = testIssuer.publishNewKey(SigningAlgorithm.ES256);
    testIssuerAuth = GatehouseJwtHandler.create(gatehouse.vertx, new ResourceServerOptions().setIssuer(testIssuer.issuer)
        .setAudience(TestIssuer.AUDIENCE).addRevocationChannel(new EventBusRevocationChannel(gatehouse.vertx)));
    Http.await(testIssuerAuth.start());
    testIssuerApi = Http.base(Http.serve(gatehouse.vertx, ExampleApi.router(gatehouse.vertx, testIssuerAuth))) + "/user";
  }

  @AfterAll
  static void stop() throws Exception {
    Http.await(auth.close());
    Http.await(testIssuerAuth.close());
    testIssuer.close();
    gatehouse.close();
  }

  static String billingToken() throws Exception {
    return gatehouse.token(RealGatehouse.BILLING, RealGatehouse.BILLING_SECRET, "read:users");
  }

  /** Publishes {@code revocation} as Gatehouse does and waits until {@code handler} has received it. */
  static void publish(GatehouseJwtHandler handler, Revocation revocation) throws Exception {
    long before = handler.revocations().eventsReceived();
    Http.await(publisher.publish(new RevocationEvent(revocation, "test-node", System.currentTimeMillis())));
    Http.eventually(() -> handler.revocations().eventsReceived() > before);
  }

  static void assertRevoked(HttpResponse<String> r) {
    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(r.headers().allValues("WWW-Authenticate"))
        .containsExactly("Bearer error=\"invalid_token\", error_description=\"token revoked\"");
    assertThat(new JsonObject(r.body())).isEqualTo(new JsonObject().put("error", "invalid_token").put("error_description", "token revoked"));
  }

  static long now() {
    return System.currentTimeMillis() / 1000;
  }

  @Test
  void userWhenTokenRevokedByJtiOnTheEventBusThenNextRequest401RevokedAndOtherTokensStill200() throws Exception {
    String revoked = billingToken();
    String other = billingToken();
    assertThat(Http.bearer(api, revoked).statusCode()).isEqualTo(200);
    assertThat(Http.bearer(api, other).statusCode()).isEqualTo(200);
    JsonObject claims = RealGatehouse.payload(revoked);
    int sizeBefore = auth.revocations().size();
    publish(auth, new Revocation(Revocation.Kind.TOKEN, claims.getString("jti"), now(), claims.getLong("exp")));
    assertRevoked(Http.bearer(api, revoked));
    assertThat(Http.bearer(api, other).statusCode()).isEqualTo(200);
    assertThat(auth.revocations().size()).isEqualTo(sizeBefore + 1);
    assertThat(auth.revocations().lastPropagationLagMillis()).hasValueSatisfying(lag -> assertThat(lag).isBetween(0L, 5_000L));
  }

  @Test
  void userWhenClientRevokedAtOrAfterTheTokensIatThenItsTokens401OtherClients200AndLaterTokens200() throws Exception {
    String reporting = gatehouse.token(RealGatehouse.REPORTING, RealGatehouse.REPORTING_SECRET, "read:users");
    String billing = billingToken();
    long iat = RealGatehouse.payload(reporting).getLong("iat");
    publish(auth, new Revocation(Revocation.Kind.CLIENT, RealGatehouse.REPORTING, iat, now() + 600));
    assertRevoked(Http.bearer(api, reporting));
    assertThat(Http.bearer(api, billing).statusCode()).isEqualTo(200);
    // a token issued after revoked_at (a new secret, say) is not covered
    Http.eventually(() -> now() > iat); // Gatehouse's own clock, which stamps iat
    String later = gatehouse.token(RealGatehouse.REPORTING, RealGatehouse.REPORTING_SECRET, "read:users");
    assertThat(RealGatehouse.payload(later).getLong("iat")).isGreaterThan(iat);
    assertThat(Http.bearer(api, later).statusCode()).isEqualTo(200);
  }

  @Test
  void userWhenGrantRevokedThenEveryTokenWithThatGidIs401AndOtherGrants200() throws Exception {
    TestIssuer.Key key = testKey;
    String grantA = testIssuer.mint(key, testIssuer.claims().put("gid", "grant-a"));
    String grantAAgain = testIssuer.mint(key, testIssuer.claims().put("gid", "grant-a"));
    String grantB = testIssuer.mint(key, testIssuer.claims().put("gid", "grant-b"));
    assertThat(Http.bearer(testIssuerApi, grantA).statusCode()).isEqualTo(200);
    publish(testIssuerAuth, new Revocation(Revocation.Kind.GRANT, "grant-a", now(), now() + 600));
    assertRevoked(Http.bearer(testIssuerApi, grantA));
    assertRevoked(Http.bearer(testIssuerApi, grantAAgain));
    assertThat(Http.bearer(testIssuerApi, grantB).statusCode()).isEqualTo(200);
  }

  @Test
  void userWhenSubjectRevokedThenTokensIssuedUpToRevokedAtAre401AndOtherSubjects200() throws Exception {
    TestIssuer.Key key = testKey;
    long now = now();
    String carolEarlier = testIssuer.mint(key, testIssuer.claims().put("sub", "carol").put("iat", now - 5));
    String carolLater = testIssuer.mint(key, testIssuer.claims().put("sub", "carol").put("iat", now + 5));
    String dave = testIssuer.mint(key, testIssuer.claims().put("sub", "dave").put("iat", now - 5));
    assertThat(Http.bearer(testIssuerApi, carolEarlier).statusCode()).isEqualTo(200);
    publish(testIssuerAuth, new Revocation(Revocation.Kind.SUBJECT, "carol", now - 1, now + 600));
    assertRevoked(Http.bearer(testIssuerApi, carolEarlier));
    assertThat(Http.bearer(testIssuerApi, carolLater).statusCode()).isEqualTo(200);
    assertThat(Http.bearer(testIssuerApi, dave).statusCode()).isEqualTo(200);
  }

  @Test
  void denySetWhenAnEntryExpiresThenItIsPurged() throws Exception {
    int before = auth.revocations().size();
    publish(auth, new Revocation(Revocation.Kind.TOKEN, "jti-of-a-token-that-expires-now", now() - 1, now() + 1));
    assertThat(auth.revocations().size()).isEqualTo(before + 1);
    Http.eventually(() -> auth.revocations().size() == before);
  }

  @Test
  void denySetWhenAMalformedEventArrivesThenItIsDroppedAndLaterEventsStillApply() throws Exception {
    String token = billingToken();
    gatehouse.vertx.eventBus().publish(RevocationEvent.ADDRESS, new JsonObject().put("v", 1).put("kind", "everything"));
    gatehouse.vertx.eventBus().publish(RevocationEvent.ADDRESS, "not json");
    JsonObject claims = RealGatehouse.payload(token);
    publish(auth, new Revocation(Revocation.Kind.TOKEN, claims.getString("jti"), now(), claims.getLong("exp")));
    assertRevoked(Http.bearer(api, token));
    assertThat(auth.revocations().connected()).isTrue();
  }
}
