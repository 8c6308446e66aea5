package io.gatehouse.server;

import static io.gatehouse.server.AdminApiTest.assertWire;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Identifiers holding NUL or other control characters never reach PostgreSQL (whose text cannot hold
 * NUL): every entry point answers the spec's 400, never a 5xx.
 */
class IdentifierValidationTest {
  static final String SCHEMA = PostgresTokenEndpointTest.SCHEMA + "_id";
  static final String CLIENT_ID_RULE = "client_id must be 1 to 512 printable characters";
  static TestServer server;
  static String admin;

  @BeforeAll
  static void start() throws Exception {
    // no client cache: every lookup goes to PostgreSQL
    server = TestServer.start(PostgresTokenEndpointTest.postgresEnv(SCHEMA, "0s"));
    admin = AdminApiTest.adminToken(server);
  }

  @AfterAll
  static void stop() throws Exception {
    PostgresTokenEndpointTest.closeAndDrop(server, SCHEMA);
  }

  @Test
  void tokenWhenClientIdHoldsNulThenInvalidRequest() throws Exception {
    assertWire(server.form("grant_type=client_credentials&client_id=cc%00&client_secret=whatever-secret"), 400, "invalid_request",
        CLIENT_ID_RULE);
    assertWire(server.form("grant_type=client_credentials", "Authorization", TestServer.basic("cc\u0000", "whatever-secret")), 400,
        "invalid_request", CLIENT_ID_RULE);
    assertWire(server.form("grant_type=client_credentials&client_id=a%01%0Ab&client_secret=whatever-secret"), 400, "invalid_request",
        CLIENT_ID_RULE);
  }

  @Test
  void authorizeAndLogoutWhenClientIdHoldsNulThenErrorPage400() throws Exception {
    for (String path : new String[] {"/authorize?response_type=code&client_id=a%00b", "/logout?client_id=a%00b"}) {
      HttpResponse<String> r = new Browser().get(server.base + path);
      assertThat(r.statusCode()).as(path).isEqualTo(400);
      assertThat(r.headers().firstValue("Location")).as(path).isEmpty();
      assertThat(r.body()).as(path).contains("invalid_request");
    }
  }

  @Test
  void adminWhenIdOrSubjectHoldsNulThenInvalidRequest() throws Exception {
    String client = "{\"grant_types\":[\"client_credentials\"],\"scopes\":[]}";
    assertWire(AdminApiTest.call(server, "GET", "/admin/clients/a%00b", admin, null), 400, "invalid_request", CLIENT_ID_RULE);
    assertWire(AdminApiTest.call(server, "PUT", "/admin/clients/a%00b", admin, client), 400, "invalid_request", CLIENT_ID_RULE);
    assertWire(AdminApiTest.call(server, "DELETE", "/admin/clients/a%00b", admin, null), 400, "invalid_request", CLIENT_ID_RULE);
    assertWire(AdminApiTest.call(server, "POST", "/admin/clients/a%00b/secret", admin, null), 400, "invalid_request", CLIENT_ID_RULE);
    String subjectRule = "subject must be 1 to 512 printable characters";
    assertWire(AdminApiTest.call(server, "GET", "/admin/users/a%00b", admin, null), 400, "invalid_request", subjectRule);
    assertWire(AdminApiTest.call(server, "PUT", "/admin/users/a%00b", admin, "{\"username\":\"zed\"}"), 400, "invalid_request", subjectRule);
    assertWire(AdminApiTest.call(server, "DELETE", "/admin/users/a%00b", admin, null), 400, "invalid_request", subjectRule);
  }

  @Test
  void adminRevocationWhenValueHoldsNulThenInvalidRequest() throws Exception {
    for (String kind : new String[] {"subject", "client", "grant", "token"}) {
      String body = new JsonObject().put("kind", kind).put("value", "a\u0000b").encode();
      assertWire(AdminApiTest.call(server, "POST", "/admin/revocations", admin, body), 400, "invalid_request",
          "value must not hold control characters");
    }
  }
}
