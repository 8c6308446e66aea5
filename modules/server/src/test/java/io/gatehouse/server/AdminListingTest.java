package io.gatehouse.server;

import static io.gatehouse.server.AdminApiTest.assertWire;
import static io.gatehouse.server.AdminApiTest.call;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code GET /admin/clients} and {@code GET /admin/users}: paging, prefix filters and refusals, on the wire. */
class AdminListingTest {
  /** The test seed's clients in code point order of their ids. */
  static final List<String> SEEDED_CLIENTS = List.of("admin-console", "billing-service", "loopback-web", "odd id:+&", "post-only",
      "resource-server", "rp", "rp-named", "short-lived", "spa", "web-app");

  static TestServer server;
  static String admin;

  @BeforeAll
  static void start() throws Exception {
    server = TestServer.start(Map.of());
    admin = AdminApiTest.adminToken(server);
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
  }

  private static HttpResponse<String> get(String pathAndQuery) throws Exception {
    return call(server, "GET", pathAndQuery, admin, null);
  }

  private static JsonObject ok(HttpResponse<String> r) {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(r.headers().firstValue("Cache-Control")).hasValue("no-store");
    assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
    return new JsonObject(r.body());
  }

  private static List<String> ids(JsonObject page) {
    List<String> ids = new ArrayList<>();
    page.getJsonArray("clients").forEach(c -> ids.add(((JsonObject) c).getString("client_id")));
    return ids;
  }

  @Test
  void listClientsWhenNoParametersThenEveryClientByIdWithTheRegistrationGetAnswers() throws Exception {
    JsonObject page = ok(get("/admin/clients"));

    assertThat(page.fieldNames()).containsExactly("clients");
    assertThat(ids(page)).containsExactlyElementsOf(SEEDED_CLIENTS);
    JsonObject spa = page.getJsonArray("clients").getJsonObject(SEEDED_CLIENTS.indexOf("spa"));
    assertThat(spa).isEqualTo(ok(get("/admin/clients/spa")));
    assertThat(page.encode()).doesNotContain("\"client_secret\"").doesNotContain("hash");
  }

  @Test
  void listClientsWhenLimitThenPagesFollowTheCursorUntilTheLast() throws Exception {
    JsonObject first = ok(get("/admin/clients?limit=4"));
    JsonObject second = ok(get("/admin/clients?limit=4&cursor=" + first.getString("next_cursor")));
    JsonObject third = ok(get("/admin/clients?cursor=" + second.getString("next_cursor") + "&limit=4"));

    assertThat(ids(first)).containsExactlyElementsOf(SEEDED_CLIENTS.subList(0, 4));
    assertThat(ids(second)).containsExactlyElementsOf(SEEDED_CLIENTS.subList(4, 8));
    assertThat(ids(third)).containsExactlyElementsOf(SEEDED_CLIENTS.subList(8, SEEDED_CLIENTS.size()));
    assertThat(first.getString("next_cursor")).matches("[A-Za-z0-9_-]+");
    assertThat(third.containsKey("next_cursor")).as("the last page has no cursor").isFalse();
  }

  @Test
  void listClientsWhenClientIdPrefixThenOnlyTheClientsItStarts() throws Exception {
    assertThat(ids(ok(get("/admin/clients?client_id=s")))).containsExactly("short-lived", "spa");
    assertThat(ids(ok(get("/admin/clients?client_id=odd%20id")))).containsExactly("odd id:+&");
    assertThat(ids(ok(get("/admin/clients?client_id=S")))).as("case-sensitive").isEmpty();
  }

  @Test
  void listUsersWhenUsernamePrefixThenMatchesIgnoringCase() throws Exception {
    JsonObject page = ok(get("/admin/users?username=AL"));

    assertThat(page).isEqualTo(new JsonObject().put("users", new JsonArray().add(new JsonObject()
        .put("subject", "248289761001").put("username", "alice")
        .put("claims", new JsonObject().put("name", "Alice Example").put("email", "alice@example.com").put("email_verified", true)
            .put("locale", "en")))));
  }

  @Test
  void listUsersWhenLimitOneThenAliceThenBobThenNoCursor() throws Exception {
    JsonObject first = ok(get("/admin/users?limit=1"));
    JsonObject second = ok(get("/admin/users?limit=1&cursor=" + first.getString("next_cursor")));

    assertThat(first.getJsonArray("users").getJsonObject(0).getString("username")).isEqualTo("alice");
    assertThat(second.getJsonArray("users").getJsonObject(0).getString("username")).isEqualTo("bob");
    assertThat(second.containsKey("next_cursor")).isFalse();
  }

  @Test
  void listWhenLimitOutOfRangeOrNotANumberThenInvalidRequest() throws Exception {
    for (String limit : List.of("0", "201", "abc", "-1", "1e2")) {
      assertWire(get("/admin/clients?limit=" + limit), 400, "invalid_request", "limit must be a whole number from 1 to 200");
      assertWire(get("/admin/users?limit=" + limit), 400, "invalid_request", "limit must be a whole number from 1 to 200");
    }
    assertThat(ids(ok(get("/admin/clients?limit=200")))).hasSize(SEEDED_CLIENTS.size());
  }

  @Test
  void listWhenCursorIsNotOneThisListingGaveThenInvalidRequest() throws Exception {
    String usersCursor = ok(get("/admin/users?limit=1")).getString("next_cursor");
    String forged = Base64.getUrlEncoder().withoutPadding().encodeToString("nope".getBytes(StandardCharsets.UTF_8));
    for (String cursor : List.of(usersCursor, forged, "a.b")) {
      assertWire(get("/admin/clients?cursor=" + cursor), 400, "invalid_request",
          "cursor is not one this listing gave (use next_cursor as it came)");
    }
  }

  @Test
  void listWhenAParameterIsRepeatedOrThePrefixHoldsAControlCharacterThenInvalidRequest() throws Exception {
    assertWire(get("/admin/clients?limit=1&limit=2"), 400, "invalid_request", "parameter 'limit' is repeated");
    assertWire(get("/admin/users?username=a%01"), 400, "invalid_request", "username must be 1 to 512 printable characters");
  }

  @Test
  void listWhenNoTokenOrAnApiTokenThen401InvalidToken() throws Exception {
    String billing = AdminApiTest.clientToken(server, AdminApiTest.BILLING, "read:users");
    for (String path : List.of("/admin/clients", "/admin/users")) {
      HttpResponse<String> anonymous = call(server, "GET", path, null, null);
      assertWire(anonymous, 401, "invalid_token", "a bearer access token is required");
      assertThat(anonymous.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"gatehouse\"");
      // RFC 9068 §4: an API token (aud gatehouse-api) is for another audience than the admin API's
      assertWire(call(server, "GET", path, billing, null), 401, "invalid_token", "the access token is not for this resource");
    }
  }
}
