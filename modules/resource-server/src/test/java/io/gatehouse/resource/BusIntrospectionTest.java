package io.gatehouse.resource;

import static io.gatehouse.resource.IntrospectionTest.assertInvalidToken;
import static io.gatehouse.resource.IntrospectionTest.assertUnavailable;
import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.core.bus.ServiceBus;
import io.gatehouse.core.token.TokenHashes;
import io.gatehouse.store.cluster.HazelcastCluster;
import io.gatehouse.store.cluster.HazelcastClusterOptions;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Bus introspection ({@link IntrospectionOptions.Transport#EVENT_BUS}): an API on its own Vert.x, clustered
 * with a real Gatehouse (real PostgreSQL and Hazelcast), checks tokens over {@code gatehouse.introspect}
 * with no HTTP request, authenticated as the registered {@code can_introspect} client, and gets what
 * {@code POST /introspect} answers; the library's failure rules hold (503, fail closed).
 */
class BusIntrospectionTest {
  static final String SCHEMA = "gh_rsbus_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
  static RealGatehouse gatehouse;
  static Vertx apiVertx;
  static GatehouseJwtHandler auth;
  static String api;

  @BeforeAll
  static void start() throws Exception {
    System.setProperty("hazelcast.wait.seconds.before.join", "0");
    String cluster = "gatehouse-rs-bus-" + UUID.randomUUID();
    int hzGatehouse = Http.freePort();
    int hzApi = Http.freePort();
    List<String> members = List.of("127.0.0.1:" + hzGatehouse, "127.0.0.1:" + hzApi);
    Vertx gatehouseVertx = Http.await(HazelcastCluster.clusteredVertx(new VertxOptions(),
        HazelcastClusterOptions.tcpIp(cluster, "127.0.0.1", hzGatehouse, members)));
    gatehouse = RealGatehouse.start(Map.of("GATEHOUSE_STORE_TYPE", "postgres", "GATEHOUSE_POSTGRES_HOST", "127.0.0.1",
        "GATEHOUSE_POSTGRES_PORT", "5432", "GATEHOUSE_POSTGRES_USER", "postgres", "GATEHOUSE_POSTGRES_DATABASE", "test",
        "GATEHOUSE_POSTGRES_SCHEMA", SCHEMA, "GATEHOUSE_CLUSTER_ENABLED", "true"), gatehouseVertx);
    apiVertx = Http.await(HazelcastCluster.clusteredVertx(new VertxOptions(), HazelcastClusterOptions.tcpIp(cluster, "127.0.0.1", hzApi, members)));
    auth = GatehouseJwtHandler.create(apiVertx, busOptions(RealGatehouse.RESOURCE_SERVER_SECRET, Duration.ofSeconds(60)));
    api = Http.base(Http.serve(apiVertx, ExampleApi.router(apiVertx, auth))) + "/user";
  }

  @AfterAll
  static void stop() throws Exception {
    try {
      Http.await(auth.close());
      Http.await(apiVertx.close());
    } finally {
      try {
        gatehouse.close();
      } finally {
        dropSchema();
      }
    }
  }

  static ResourceServerOptions busOptions(String secret, Duration cacheTtl) {
    return new ResourceServerOptions().setIssuer(gatehouse.issuer).setAudience("gatehouse-api").setHttpTimeout(Duration.ofSeconds(5))
        .setIntrospection(new IntrospectionOptions().setClientId(RealGatehouse.RESOURCE_SERVER).setClientSecret(secret)
            .setMaxCacheTtl(cacheTtl).setTransport(IntrospectionOptions.Transport.EVENT_BUS));
  }

  static void dropSchema() throws Exception {
    io.vertx.sqlclient.Pool pool = io.vertx.pgclient.PgBuilder.pool().connectingTo(new io.vertx.pgclient.PgConnectOptions()
        .setHost("127.0.0.1").setPort(5432).setDatabase("test").setUser("postgres")).build();
    try {
      Http.await(pool.query("DROP SCHEMA IF EXISTS " + SCHEMA + " CASCADE").execute());
    } finally {
      Http.await(pool.close());
    }
  }

  static String billingToken(String scope) throws Exception {
    return gatehouse.token(RealGatehouse.BILLING, RealGatehouse.BILLING_SECRET, scope);
  }

  static long calls(GatehouseJwtHandler handler) {
    return ((IntrospectionTokenValidator) handler.validator()).introspectionCalls();
  }

  @Test
  void userWhenGatehouseSaysActiveOverTheBusThen200WithTheClaimsPostIntrospectAnswers() throws Exception {
    String token = billingToken("read:users");
    long before = calls(auth);

    HttpResponse<String> r = Http.bearer(api, token);

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(new JsonObject(r.body())).isEqualTo(new JsonObject()
        .put("sub", "billing-service").put("client_id", "billing-service").put("scope", "read:users"));
    assertThat(calls(auth)).isEqualTo(before + 1);
    // the claims the validator took from the bus are POST /introspect's answer without "active"
    JsonObject http = new JsonObject(Http.post(gatehouse.issuer + "/introspect", "token=" + token + "&token_type_hint=access_token",
        "Authorization", RealGatehouse.basic(RealGatehouse.RESOURCE_SERVER, RealGatehouse.RESOURCE_SERVER_SECRET)).body());
    JsonObject viaBus = Http.await(auth.validator().validate(token));
    http.remove("active");
    assertThat(viaBus).isEqualTo(http);
  }

  @Test
  void userWhenGatehouseSaysInactiveOverTheBusThen401NotActive() throws Exception {
    assertInvalidToken(Http.bearer(api, TokenHashes.random(32)), "token is not active");
  }

  @Test
  void userWhenTheApisCredentialsAreWrongThen503FailClosed() throws Exception {
    GatehouseJwtHandler wrong = GatehouseJwtHandler.create(apiVertx, busOptions("not-the-secret-0123456789-0123456789", Duration.ZERO));
    try {
      assertUnavailable(Http.bearer(Http.base(Http.serve(apiVertx, ExampleApi.router(apiVertx, wrong))) + "/user", billingToken("read:users")),
          "the authorization server refused this resource server's credentials");
    } finally {
      Http.await(wrong.close());
    }
  }

  @Test
  void userWhenNoGatehouseAnswersOnTheBusThen503FailClosed() throws Exception {
    // a Vert.x alone: nobody consumes gatehouse.introspect
    Vertx alone = Vertx.vertx();
    try {
      GatehouseJwtHandler lonely = GatehouseJwtHandler.create(alone, busOptions(RealGatehouse.RESOURCE_SERVER_SECRET, Duration.ZERO));
      assertUnavailable(Http.bearer(Http.base(Http.serve(alone, ExampleApi.router(alone, lonely))) + "/user", billingToken("read:users")),
          "the authorization server could not be reached to introspect the token");
      Http.await(lonely.close());
    } finally {
      Http.await(alone.close());
    }
  }

  @Test
  void introspectionRequestOnTheBusIsVersionOneJsonTextWithClientSecretBasicCredentials() throws Exception {
    // what the library sends, seen by a consumer on the API's own Vert.x (a local one takes the request first)
    Vertx alone = Vertx.vertx();
    try {
      JsonObject[] seen = new JsonObject[1];
      Http.await(alone.eventBus().consumer(ServiceBus.INTROSPECT, m -> {
        seen[0] = new JsonObject((io.vertx.core.buffer.Buffer) m.body());
        m.reply(new JsonObject().put("active", false), new io.vertx.core.eventbus.DeliveryOptions().addHeader("status", "200"));
      }).completion());
      GatehouseJwtHandler probe = GatehouseJwtHandler.create(alone, busOptions(RealGatehouse.RESOURCE_SERVER_SECRET, Duration.ZERO));
      assertInvalidToken(Http.bearer(Http.base(Http.serve(alone, ExampleApi.router(alone, probe))) + "/user", "opaque-token-value"),
          "token is not active");
      assertThat(seen[0]).isEqualTo(new JsonObject().put("v", 1).put("client_auth", "client_secret_basic")
          .put("client_id", RealGatehouse.RESOURCE_SERVER).put("client_secret", RealGatehouse.RESOURCE_SERVER_SECRET)
          .put("token", "opaque-token-value").put("token_type_hint", "access_token"));
      Http.await(probe.close());
    } finally {
      Http.await(alone.close());
    }
  }
}
