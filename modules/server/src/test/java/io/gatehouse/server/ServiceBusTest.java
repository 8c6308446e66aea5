package io.gatehouse.server;

import static io.gatehouse.server.ServiceBusApi.call;
import static io.gatehouse.server.ServiceBusApi.httpBody;
import static io.gatehouse.server.ServiceBusApi.request;
import static io.gatehouse.testing.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.core.bus.ServiceBus;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The event-bus service API (docs/EVENT-BUS.md) on one node: a service on the bus gets exactly what the
 * HTTP endpoint answers for the same inputs (status, body, Retry-After), and a malformed or oversized
 * message is refused with {@code invalid_request} before any client is looked up.
 */
class ServiceBusTest {
  static final String BILLING_SECRET = TokenEndpointTest.BILLING_SECRET;
  static final String RS_SECRET = "resource-server-secret-0123456789-abc";
  static TestServer server;

  @BeforeAll
  static void start() throws Exception {
    server = TestServer.start(Map.of());
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
  }

  static ServiceBusApi.Reply bus(String address, Object body) throws Exception {
    return call(server.vertx, address, body);
  }

  static HttpResponse<String> introspect(String authorization, String body) throws Exception {
    return server.post("/introspect", "application/x-www-form-urlencoded", body, "Authorization", authorization);
  }

  static String httpToken() throws Exception {
    return new JsonObject(server.form("grant_type=client_credentials&scope=read%3Ausers", "Authorization", TokenEndpointTest.BILLING).body())
        .getString("access_token");
  }

  @Test
  void tokenWhenClientCredentialsAreRightThenTheSameTokenResponseAsHttp() throws Exception {
    HttpResponse<String> http = server.form("grant_type=client_credentials&scope=read%3Ausers", "Authorization", TokenEndpointTest.BILLING);
    ServiceBusApi.Reply reply = bus(ServiceBus.TOKEN, request("client_auth", "client_secret_basic", "client_id", "billing-service",
        "client_secret", BILLING_SECRET, "grant_type", "client_credentials", "scope", "read:users"));

    assertThat(reply.status()).isEqualTo(http.statusCode()).isEqualTo(200);
    JsonObject body = reply.json();
    assertThat(body.fieldNames()).isEqualTo(new JsonObject(http.body()).fieldNames());
    assertThat(body.getString("token_type")).isEqualTo("Bearer");
    assertThat(body.getString("scope")).isEqualTo("read:users");
    assertThat(body.getLong("expires_in")).isEqualTo(new JsonObject(http.body()).getLong("expires_in"));
    assertThat(server.verify(body.getString("access_token")).getClaimValueAsString("client_id")).isEqualTo("billing-service");
  }

  @Test
  void tokenWhenSecretIsWrongThenTheSameInvalidClientAsHttp() throws Exception {
    HttpResponse<String> http = server.form("grant_type=client_credentials", "Authorization",
        TestServer.basic("billing-service", "wrong-secret-0123456789-0123456789-xyz"));
    ServiceBusApi.Reply reply = bus(ServiceBus.TOKEN, request("client_auth", "client_secret_basic", "client_id", "billing-service",
        "client_secret", "wrong-secret-0123456789-0123456789-xyz", "grant_type", "client_credentials"));

    assertThat(http.statusCode()).isEqualTo(401);
    assertThat(reply.status()).isEqualTo(401);
    assertThat(reply.json()).isEqualTo(new JsonObject(http.body()))
        .isEqualTo(new JsonObject().put("error", "invalid_client").put("error_description", "client authentication failed"));
  }

  @Test
  void tokenWhenTheClientIsNotRegisteredForTheMethodThenInvalidClientAsHttp() throws Exception {
    // post-only may not use client_secret_basic, over HTTP or over the bus
    HttpResponse<String> http = server.form("grant_type=client_credentials", "Authorization",
        TestServer.basic("post-only", "post-only-secret-0123456789-abcdefghij"));
    ServiceBusApi.Reply reply = bus(ServiceBus.TOKEN, request("client_auth", "client_secret_basic", "client_id", "post-only",
        "client_secret", "post-only-secret-0123456789-abcdefghij", "grant_type", "client_credentials"));
    ServiceBusApi.Reply post = bus(ServiceBus.TOKEN, request("client_id", "post-only",
        "client_secret", "post-only-secret-0123456789-abcdefghij", "grant_type", "client_credentials"));

    assertThat(reply.status()).isEqualTo(http.statusCode()).isEqualTo(401);
    assertThat(reply.json()).isEqualTo(new JsonObject(http.body()));
    assertThat(post.status()).isEqualTo(200);
  }

  @Test
  void tokenWhenCodeIsUnknownThenTheSameInvalidGrantAsHttp() throws Exception {
    HttpResponse<String> http = server.form("grant_type=authorization_code&code=no-such-code&redirect_uri=https%3A%2F%2Fapp.example.com%2Fcallback"
        + "&code_verifier=" + "a".repeat(43), "Authorization", TestServer.basic("web-app", "web-app-secret-0123456789-abcdefghijkl"));
    ServiceBusApi.Reply reply = bus(ServiceBus.TOKEN, request("client_auth", "client_secret_basic", "client_id", "web-app",
        "client_secret", "web-app-secret-0123456789-abcdefghijkl", "grant_type", "authorization_code", "code", "no-such-code",
        "redirect_uri", "https://app.example.com/callback", "code_verifier", "a".repeat(43)));

    assertThat(http.statusCode()).isEqualTo(400);
    assertThat(new JsonObject(http.body()).getString("error")).isEqualTo("invalid_grant");
    assertThat(reply.status()).isEqualTo(400);
    assertThat(reply.json()).isEqualTo(new JsonObject(http.body()));
  }

  @Test
  void introspectWhenTokenIsActiveThenTheSameAnswerAsHttp() throws Exception {
    String token = httpToken();
    HttpResponse<String> http = introspect(IntrospectionTest.RS, "token=" + token);
    ServiceBusApi.Reply reply = bus(ServiceBus.INTROSPECT, request("client_auth", "client_secret_basic", "client_id", "resource-server",
        "client_secret", RS_SECRET, "token", token, "token_type_hint", "access_token"));

    assertThat(reply.status()).isEqualTo(http.statusCode()).isEqualTo(200);
    assertThat(reply.json()).isEqualTo(new JsonObject(http.body()));
    assertThat(reply.json().getBoolean("active")).isTrue();
  }

  @Test
  void introspectWhenTokenIsUnknownThenExactlyInactiveAsHttp() throws Exception {
    HttpResponse<String> http = introspect(IntrospectionTest.RS, "token=not-a-token");
    ServiceBusApi.Reply reply = bus(ServiceBus.INTROSPECT, request("client_auth", "client_secret_basic", "client_id", "resource-server",
        "client_secret", RS_SECRET, "token", "not-a-token"));

    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.json()).isEqualTo(new JsonObject(http.body())).isEqualTo(new JsonObject().put("active", false));
  }

  @Test
  void introspectWhenCallerDoesNotAuthenticateThenInvalidClientAsHttp() throws Exception {
    HttpResponse<String> http = introspect(TestServer.basic("resource-server", "wrong-secret-0123456789-0123456789"),
        "token=x");
    ServiceBusApi.Reply reply = bus(ServiceBus.INTROSPECT, request("client_auth", "client_secret_basic", "client_id", "resource-server",
        "client_secret", "wrong-secret-0123456789-0123456789", "token", "x"));
    ServiceBusApi.Reply anonymous = bus(ServiceBus.INTROSPECT, request("token", "x"));

    assertThat(reply.status()).isEqualTo(http.statusCode()).isEqualTo(401);
    assertThat(reply.json()).isEqualTo(new JsonObject(http.body()));
    assertThat(anonymous.status()).isEqualTo(401);
    assertThat(anonymous.json().getString("error")).isEqualTo("invalid_client");
  }

  @Test
  void revokeWhenTheOwnerRevokesThen200AndTheTokenIsInactiveOverHttp() throws Exception {
    String token = httpToken();
    ServiceBusApi.Reply reply = bus(ServiceBus.REVOKE, request("client_auth", "client_secret_basic", "client_id", "billing-service",
        "client_secret", BILLING_SECRET, "token", token));

    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.json()).isEqualTo(new JsonObject());
    assertThat(new JsonObject(introspect(IntrospectionTest.RS, "token=" + token).body()))
        .isEqualTo(new JsonObject().put("active", false));
  }

  @Test
  void revokeWhenAnotherClientsTokenThenTheSameUnauthorizedClientAsHttp() throws Exception {
    String token = httpToken();
    HttpResponse<String> http = server.post("/revoke", "application/x-www-form-urlencoded", "token=" + token, "Authorization",
        TestServer.basic("short-lived", "short-lived-secret-0123456789-abcdefgh"));
    ServiceBusApi.Reply reply = bus(ServiceBus.REVOKE, request("client_auth", "client_secret_basic", "client_id", "short-lived",
        "client_secret", "short-lived-secret-0123456789-abcdefgh", "token", token));

    assertThat(http.statusCode()).isEqualTo(400);
    assertThat(reply.status()).isEqualTo(400);
    assertThat(reply.json()).isEqualTo(httpBody(http));
    assertThat(new JsonObject(introspect(IntrospectionTest.RS, "token=" + token).body()).getBoolean("active")).isTrue();
  }

  @Test
  void anyAddressWhenTheMessageIsLargerThanTheBodyLimitThen413InvalidRequest() throws Exception {
    String big = request("client_id", "billing-service", "client_secret", BILLING_SECRET, "grant_type", "client_credentials",
        "scope", "x".repeat(70_000)).encode();

    ServiceBusApi.Reply asText = bus(ServiceBus.TOKEN, Buffer.buffer(big));
    ServiceBusApi.Reply asObject = bus(ServiceBus.INTROSPECT, new JsonObject(big));

    for (ServiceBusApi.Reply r : new ServiceBusApi.Reply[] {asText, asObject}) {
      assertThat(r.status()).isEqualTo(413);
      assertThat(r.json()).isEqualTo(new JsonObject().put("error", "invalid_request")
          .put("error_description", "the message is larger than 65536 bytes"));
    }
  }

  @Test
  void anyAddressWhenTheMessageIsMalformedThenInvalidRequestNamingTheProblem() throws Exception {
    Map<Object, String> refused = new java.util.LinkedHashMap<>();
    refused.put(Buffer.buffer("not json"), "the message is not a well-formed JSON object with unique members");
    refused.put(Buffer.buffer("[1,2]"), "the message must be a JSON object");
    refused.put(Buffer.buffer("{\"v\":1,\"token\":\"a\",\"token\":\"b\"}"), "the message is not a well-formed JSON object with unique members");
    refused.put(Buffer.buffer("{\"v\":1}{}"), "the message must be one JSON object");
    refused.put(Buffer.buffer(new byte[] {'{', '"', 'v', '"', ':', '1', ',', '"', 't', '"', ':', '"', (byte) 0xC3, '(', '"', '}'}),
        "the message is not a well-formed JSON object with unique members");
    refused.put("{\"v\":1,\"token\":\"\\ud800\"}", "the message holds a string that is not Unicode text");
    refused.put(new JsonObject().put("token", "x"), "the message has no version (v)");
    refused.put(request("token", "x").put("v", 2), "this server speaks version 1 of the message schema");
    refused.put(request("token", "x").put("v", "1"), "this server speaks version 1 of the message schema");
    refused.put(request().put("token", 42), "member 'token' must be a string");
    refused.put(request().put("token", new JsonObject()), "member 'token' must be a string");
    refused.put(request("client_secret", "s"), "client_secret was sent without client_id");
    refused.put(request("client_auth", "private_key_jwt", "client_id", "a", "client_secret", "s"),
        "client_auth must be client_secret_basic, client_secret_post or none");
    refused.put(request("client_auth", "none", "client_id", "a", "client_secret", "s"), "client_auth none takes no client_secret");
    refused.put(request("client_auth", "client_secret_basic", "client_id", "a"), "client_auth client_secret_basic needs client_secret");
    JsonObject many = request();
    for (int i = 0; i < 101; i++) {
      many.put("p" + i, "x");
    }
    refused.put(many, "the message has more than 100 parameters");
    refused.put(42, "the message must be a JSON object");

    for (Map.Entry<Object, String> e : refused.entrySet()) {
      ServiceBusApi.Reply r = bus(ServiceBus.TOKEN, e.getKey());
      assertThat(r.status()).as(String.valueOf(e.getKey())).isEqualTo(400);
      assertThat(r.json()).as(String.valueOf(e.getKey()))
          .isEqualTo(new JsonObject().put("error", "invalid_request").put("error_description", e.getValue()));
    }
  }

  @Test
  void tokenWhenSentAsJsonTextThenAnsweredAsTheObject() throws Exception {
    String text = request("client_id", "billing-service", "client_secret", BILLING_SECRET, "grant_type", "client_credentials").encode();

    assertThat(bus(ServiceBus.TOKEN, text).status()).isEqualTo(200);
    assertThat(bus(ServiceBus.TOKEN, Buffer.buffer(text)).status()).isEqualTo(200);
  }

  @Test
  void localCallerWhenItSendsTheRequestObjectThenTheOperationsAnswerAndFailureUnchanged() throws Exception {
    io.gatehouse.server.bus.ServiceClient local = io.gatehouse.server.bus.ServiceClient.bus(server.vertx);
    io.gatehouse.core.model.TokenRequest good = new io.gatehouse.core.model.TokenRequest(
        Map.of("grant_type", "client_credentials", "scope", "read:users"), new io.gatehouse.core.model.ClientCredentials(
            io.gatehouse.core.model.AuthMethod.CLIENT_SECRET_BASIC, "billing-service", BILLING_SECRET));
    io.gatehouse.core.model.TokenRequest bad = new io.gatehouse.core.model.TokenRequest(Map.of("grant_type", "client_credentials"),
        new io.gatehouse.core.model.ClientCredentials(io.gatehouse.core.model.AuthMethod.CLIENT_SECRET_BASIC, "billing-service",
            "wrong-secret-0123456789-0123456789-xyz"));

    JsonObject token = await(local.call(ServiceBus.TOKEN, good));
    Throwable refused = await(local.call(ServiceBus.TOKEN, bad).transform(ar -> io.vertx.core.Future.succeededFuture(ar.cause())));

    assertThat(token.fieldNames()).containsExactlyInAnyOrder("access_token", "token_type", "expires_in", "scope");
    assertThat(refused).isInstanceOf(io.gatehouse.core.error.OAuthException.class);
    io.gatehouse.core.error.OAuthException e = (io.gatehouse.core.error.OAuthException) refused;
    assertThat(e.status()).isEqualTo(401);
    assertThat(e.toJson()).isEqualTo(new JsonObject().put("error", "invalid_client").put("error_description", "client authentication failed"));
  }
}
