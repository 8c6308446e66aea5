package io.gatehouse.server;

import static io.gatehouse.server.ServiceBusApi.call;
import static io.gatehouse.server.ServiceBusApi.httpBody;
import static io.gatehouse.server.ServiceBusApi.request;
import static io.gatehouse.testing.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.core.bus.ServiceBus;
import io.gatehouse.store.cluster.HazelcastCluster;
import io.gatehouse.store.cluster.HazelcastClusterOptions;
import io.gatehouse.testing.Await;
import io.gatehouse.testing.FreePort;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The service API across the cluster: two Gatehouse nodes on the real PostgreSQL and Hazelcast, and a
 * third member that runs no Gatehouse (a service in the cluster, as the resource-server library is). Its
 * requests can only be answered by the nodes' service verticles over the clustered event bus (JSON on
 * the wire), and they answer exactly what node A's HTTP endpoints answer.
 */
class ServiceBusClusterTest {
  static final String BILLING_SECRET = TokenEndpointTest.BILLING_SECRET;
  static final String RS_SECRET = "resource-server-secret-0123456789-abc";
  static TwoNodes nodes;
  static Vertx service;

  @BeforeAll
  static void start() throws Exception {
    nodes = TwoNodes.start("gh_busapi_", "30s");
    service = await(HazelcastCluster.clusteredVertx(new VertxOptions(), HazelcastClusterOptions.tcpIp(nodes.cluster(),
        "127.0.0.1", FreePort.loopback(), List.of(nodes.memberA()))));
  }

  @AfterAll
  static void stop() throws Exception {
    try {
      await(service.close());
    } finally {
      nodes.close();
    }
  }

  static ServiceBusApi.Reply bus(String address, Object body) throws Exception {
    return call(service, address, body);
  }

  static HttpResponse<String> introspect(String token) throws Exception {
    return nodes.a().post("/introspect", "application/x-www-form-urlencoded", "token=" + token, "Authorization", IntrospectionTest.RS);
  }

  static JsonObject introspection(String token) {
    return request("client_auth", "client_secret_basic", "client_id", "resource-server", "client_secret", RS_SECRET, "token", token);
  }

  @Test
  void tokenFromAnotherMemberWhenCredentialsAreRightThenATokenAndWhenWrongTheSameInvalidClientAsHttp() throws Exception {
    ServiceBusApi.Reply ok = bus(ServiceBus.TOKEN, request("client_auth", "client_secret_basic", "client_id", "billing-service",
        "client_secret", BILLING_SECRET, "grant_type", "client_credentials", "scope", "read:users"));
    HttpResponse<String> http = nodes.a().form("grant_type=client_credentials", "Authorization",
        TestServer.basic("billing-service", "wrong-secret-0123456789-0123456789-xyz"));
    ServiceBusApi.Reply bad = bus(ServiceBus.TOKEN, request("client_auth", "client_secret_basic", "client_id", "billing-service",
        "client_secret", "wrong-secret-0123456789-0123456789-xyz", "grant_type", "client_credentials"));

    assertThat(ok.status()).isEqualTo(200);
    assertThat(ok.json().fieldNames()).containsExactlyInAnyOrder("access_token", "token_type", "expires_in", "scope");
    assertThat(nodes.a().verify(ok.json().getString("access_token")).getClaimValueAsString("client_id")).isEqualTo("billing-service");
    assertThat(bad.status()).isEqualTo(http.statusCode()).isEqualTo(401);
    assertThat(bad.json()).isEqualTo(new JsonObject(http.body()));
  }

  @Test
  void tokenFromAnotherMemberWhenCodeIsUnknownThenTheSameInvalidGrantAsHttp() throws Exception {
    HttpResponse<String> http = nodes.a().form("grant_type=authorization_code&code=no-such-code"
        + "&redirect_uri=https%3A%2F%2Fapp.example.com%2Fcallback&code_verifier=" + "a".repeat(43),
        "Authorization", TestServer.basic("web-app", "web-app-secret-0123456789-abcdefghijkl"));
    ServiceBusApi.Reply reply = bus(ServiceBus.TOKEN, request("client_auth", "client_secret_basic", "client_id", "web-app",
        "client_secret", "web-app-secret-0123456789-abcdefghijkl", "grant_type", "authorization_code", "code", "no-such-code",
        "redirect_uri", "https://app.example.com/callback", "code_verifier", "a".repeat(43)));

    assertThat(reply.status()).isEqualTo(http.statusCode()).isEqualTo(400);
    assertThat(reply.json()).isEqualTo(new JsonObject(http.body()));
    assertThat(reply.json().getString("error")).isEqualTo("invalid_grant");
  }

  @Test
  void introspectAndRevokeFromAnotherMemberThenTheSameAnswersAsHttpOnEitherNode() throws Exception {
    String token = new JsonObject(nodes.b().form("grant_type=client_credentials&scope=read%3Ausers", "Authorization",
        TokenEndpointTest.BILLING).body()).getString("access_token");

    ServiceBusApi.Reply active = bus(ServiceBus.INTROSPECT, introspection(token));
    assertThat(active.status()).isEqualTo(200);
    assertThat(active.json()).isEqualTo(new JsonObject(introspect(token).body()));
    assertThat(active.json().getBoolean("active")).isTrue();

    ServiceBusApi.Reply revoked = bus(ServiceBus.REVOKE, request("client_auth", "client_secret_basic", "client_id", "billing-service",
        "client_secret", BILLING_SECRET, "token", token));
    assertThat(revoked.status()).isEqualTo(200);
    assertThat(revoked.json()).isEqualTo(new JsonObject());

    // once the revocation has reached both nodes (the event travels the bus: awaited, not assumed), the
    // HTTP answer on each and the bus answer, whichever node takes it, are exactly inactive
    awaitInactive(nodes.a(), token);
    awaitInactive(nodes.b(), token);
    for (int i = 0; i < 4; i++) {
      ServiceBusApi.Reply inactive = bus(ServiceBus.INTROSPECT, introspection(token));
      assertThat(inactive.status()).isEqualTo(200);
      assertThat(inactive.json()).isEqualTo(new JsonObject().put("active", false));
    }
  }

  /** Polls {@code node}'s HTTP introspection of {@code token} until it is exactly inactive (at most 30 s). */
  static void awaitInactive(TestServer node, String token) {
    Await.until("inactive on " + node.base, Duration.ofSeconds(30), () -> httpBody(node.post("/introspect",
        "application/x-www-form-urlencoded", "token=" + token, "Authorization", IntrospectionTest.RS)).equals(new JsonObject().put("active", false)));
  }

  @Test
  void anyAddressFromAnotherMemberWhenTheMessageIsMalformedOrOversizedThenInvalidRequest() throws Exception {
    ServiceBusApi.Reply malformed = bus(ServiceBus.INTROSPECT, Buffer.buffer("{\"v\":1,\"token\":"));
    ServiceBusApi.Reply oversized = bus(ServiceBus.REVOKE, Buffer.buffer(request("token", "x".repeat(70_000)).encode()));
    ServiceBusApi.Reply version = bus(ServiceBus.TOKEN, new JsonObject().put("v", 2));

    assertThat(malformed.status()).isEqualTo(400);
    assertThat(malformed.json()).isEqualTo(new JsonObject().put("error", "invalid_request")
        .put("error_description", "the message is not a well-formed JSON object with unique members"));
    assertThat(oversized.status()).isEqualTo(413);
    assertThat(oversized.json().getString("error")).isEqualTo("invalid_request");
    assertThat(version.status()).isEqualTo(400);
    assertThat(version.json().getString("error_description")).isEqualTo("this server speaks version 1 of the message schema");
  }
}
