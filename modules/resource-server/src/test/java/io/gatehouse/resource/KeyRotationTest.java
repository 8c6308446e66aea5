package io.gatehouse.resource;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.core.revocation.EventBusRevocationChannel;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Key rotation without downtime, seen from a resource server (this library, with its JWKS cache):
 * tokens signed before, during and after a rotation all verify. Gatehouse rotates its embedded key file
 * on demand ({@code POST /admin/keys/rotate}) with a short publish lead for the test.
 */
class KeyRotationTest {
  static RealGatehouse gatehouse;
  static Vertx vertx;
  static GatehouseJwtHandler auth;
  static String api;

  @BeforeAll
  static void start() throws Exception {
    gatehouse = RealGatehouse.start(Map.of("GATEHOUSE_KEYS_PUBLISH_LEAD", "2s", "GATEHOUSE_KEYS_RELOAD_INTERVAL", "200ms"));
    vertx = Vertx.vertx();
    auth = GatehouseJwtHandler.create(vertx, new ResourceServerOptions().setIssuer(gatehouse.issuer).setAudience("gatehouse-api")
        .setJwksMinRefetchInterval(Duration.ofMillis(500)).addRevocationChannel(new EventBusRevocationChannel(vertx)));
    HttpServer server = Http.await(vertx.createHttpServer().requestHandler(ExampleApi.router(vertx, auth)).listen(0, "127.0.0.1"));
    Http.await(auth.start());
    api = "http://127.0.0.1:" + server.actualPort() + "/user";
  }

  @AfterAll
  static void stop() throws Exception {
    Http.await(auth.close());
    Http.await(vertx.close());
    gatehouse.close();
  }

  static String token() throws Exception {
    return gatehouse.token(RealGatehouse.BILLING, RealGatehouse.BILLING_SECRET, "read:users");
  }

  static String kid(String jwt) {
    return new JsonObject(new String(java.util.Base64.getUrlDecoder().decode(jwt.split("\\.")[0]))).getString("kid");
  }

  static int atApi(String token) throws Exception {
    return Http.get(api, "Authorization", "Bearer " + token).statusCode();
  }

  static JsonObject keys(String admin) throws Exception {
    HttpResponse<String> r = Http.get(gatehouse.issuer + "/admin/keys", "Authorization", "Bearer " + admin);
    assertThat(r.statusCode()).isEqualTo(200);
    return new JsonObject(r.body());
  }

  static String stateOf(JsonObject keys, String kid) {
    return keys.getJsonArray("keys").stream().map(JsonObject.class::cast).filter(k -> k.getString("kid").equals(kid))
        .map(k -> k.getString("state")).findFirst().orElse("absent");
  }

  @Test
  void tokensSignedBeforeDuringAndAfterARotationAllVerifyAtTheResourceServer() throws Exception {
    String admin = gatehouse.token("rs-admin", "rs-admin-secret-0123456789-abcdefghijkl", "gatehouse:admin");
    String before = token();
    String oldKid = kid(before);
    assertThat(atApi(before)).isEqualTo(200);

    HttpResponse<String> rotated = Http.post(gatehouse.issuer + "/admin/keys/rotate", "", "Authorization", "Bearer " + admin);
    assertThat(rotated.statusCode()).as(rotated.body()).isEqualTo(200);
    JsonObject after = new JsonObject(rotated.body());
    String newKid = after.getJsonArray("keys").stream().map(JsonObject.class::cast).filter(k -> "pending".equals(k.getString("state"))
        && "ES256".equals(k.getString("alg"))).map(k -> k.getString("kid")).findFirst().orElseThrow();
    assertThat(stateOf(after, oldKid)).isEqualTo("signing");

    // published at once, before it signs anything; the JWKS says how long it may be cached
    HttpResponse<String> jwks = Http.get(gatehouse.issuer + "/jwks");
    assertThat(jwks.body()).contains("\"kid\":\"" + newKid + "\"").contains("\"kid\":\"" + oldKid + "\"")
        .doesNotContain("\"nbf\"").doesNotContain("\"d\"");
    assertThat(jwks.headers().firstValue("Cache-Control")).hasValue("public, max-age=300");
    String during = token();
    assertThat(kid(during)).as("the old key signs until the new one's time").isEqualTo(oldKid);

    // after the publish lead the new key signs, the old one stays published
    java.util.concurrent.atomic.AtomicReference<String> latest = new java.util.concurrent.atomic.AtomicReference<>();
    // the new key signs within the lead and a reload (Gatehouse's own clock)
    Http.eventually(() -> {
      try {
        latest.set(token());
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
      return kid(latest.get()).equals(newKid);
    });
    String afterRotation = latest.get();
    JsonObject later = keys(admin);
    assertThat(stateOf(later, newKid)).isEqualTo("signing");
    assertThat(stateOf(later, oldKid)).isEqualTo("retired");
    assertThat(Http.get(gatehouse.issuer + "/jwks").body()).contains("\"kid\":\"" + oldKid + "\"");

    assertThat(atApi(before)).as("signed before").isEqualTo(200);
    assertThat(atApi(during)).as("signed during").isEqualTo(200);
    assertThat(atApi(afterRotation)).as("signed after (a kid the API's cache had not seen: one refetch)").isEqualTo(200);
    for (String t : new String[] {before, during, afterRotation}) {
      HttpResponse<String> r = Http.post(gatehouse.issuer + "/introspect", "token=" + t, "Authorization",
          RealGatehouse.basic(RealGatehouse.RESOURCE_SERVER, RealGatehouse.RESOURCE_SERVER_SECRET));
      assertThat(new JsonObject(r.body()).getBoolean("active")).isTrue();
    }
  }

  @Test
  void keysAreAnAdminResource() throws Exception {
    String notAdmin = token();
    // an ordinary API token is for another audience than the admin API's: invalid there (RFC 9068 §4)
    assertThat(Http.get(gatehouse.issuer + "/admin/keys", "Authorization", "Bearer " + notAdmin).statusCode()).isEqualTo(401);
    assertThat(Http.post(gatehouse.issuer + "/admin/keys/rotate", "").statusCode()).isEqualTo(401);
  }
}
