package io.gatehouse.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.testing.MutableClock;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code GET /revocations}: the revocation list resource servers warm-start from, with the exact wire answers. */
class RevocationListEndpointTest {
  static final String RS = IntrospectionTest.RS;
  static final String BILLING = IntrospectionTest.BILLING;
  static TestServer server;

  @BeforeAll
  static void start() throws Exception {
    server = TestServer.start(Map.of());
    String admin = AdminApiTest.adminToken(server);
    for (int i = 0; i < 5; i++) {
      HttpResponse<String> r = AdminApiTest.call(server, "POST", "/admin/revocations", admin, "{\"kind\":\"subject\",\"value\":\"feed-user-" + i + "\"}");
      assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    }
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
  }

  static HttpResponse<String> list(TestServer s, String query, String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(s.base + "/revocations" + query)).timeout(Duration.ofSeconds(10)).GET();
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return s.http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  static void assertError(HttpResponse<String> r, int status, String error, String description) {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
    assertThat(r.headers().firstValue("Cache-Control")).hasValue("no-store");
    assertThat(new JsonObject(r.body())).isEqualTo(new JsonObject().put("error", error).put("error_description", description));
  }

  /** The subjects this test revoked, as the feed lists them. */
  static List<String> feedSubjects(JsonArray revocations) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < revocations.size(); i++) {
      String value = revocations.getJsonObject(i).getString("value");
      if (value.startsWith("feed-user-")) {
        out.add(value);
      }
    }
    return out;
  }

  @Test
  void revocationsWhenResourceServerThenEveryActiveEntryWithOnlyKindValueAndTimesNoStore() throws Exception {
    HttpResponse<String> r = list(server, "", "Authorization", RS);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(r.headers().firstValue("Cache-Control")).hasValue("no-store");
    JsonObject body = new JsonObject(r.body());
    assertThat(body.fieldNames()).containsExactly("revocations");
    JsonArray all = body.getJsonArray("revocations");
    assertThat(feedSubjects(all)).containsExactlyInAnyOrder("feed-user-0", "feed-user-1", "feed-user-2", "feed-user-3", "feed-user-4");
    for (int i = 0; i < all.size(); i++) {
      JsonObject entry = all.getJsonObject(i);
      assertThat(entry.fieldNames()).containsExactlyInAnyOrder("kind", "value", "revoked_at", "expires_at");
      if (i > 0) {
        assertThat(entry.getLong("revoked_at")).isGreaterThanOrEqualTo(all.getJsonObject(i - 1).getLong("revoked_at"));
      }
    }
  }

  @Test
  void revocationsWhenPagedThenNextCursorWalksEveryEntryOnceAndLastPageHasNoNext() throws Exception {
    int total = new JsonObject(list(server, "", "Authorization", RS).body()).getJsonArray("revocations").size();
    List<String> seen = new ArrayList<>();
    String query = "?limit=2";
    int pages = 0;
    while (true) {
      HttpResponse<String> r = list(server, query, "Authorization", RS);
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      JsonObject page = new JsonObject(r.body());
      JsonArray entries = page.getJsonArray("revocations");
      assertThat(entries.size()).isLessThanOrEqualTo(2);
      for (int i = 0; i < entries.size(); i++) {
        seen.add(entries.getJsonObject(i).getString("kind") + ":" + entries.getJsonObject(i).getString("value"));
      }
      pages++;
      if (!page.containsKey("next")) {
        break;
      }
      assertThat(entries.size()).isEqualTo(2);
      query = "?limit=2&since=" + page.getString("next");
    }
    assertThat(seen).doesNotHaveDuplicates().hasSize(total);
    assertThat(pages).isEqualTo((total + 1) / 2);
  }

  @Test
  void revocationsWhenSinceIsAfterEveryEntryThenEmpty() throws Exception {
    long future = System.currentTimeMillis() / 1000 + 3600;
    HttpResponse<String> r = list(server, "?since=" + future, "Authorization", RS);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(new JsonObject(r.body())).isEqualTo(new JsonObject().put("revocations", new JsonArray()));
  }

  @Test
  void revocationsWithoutCredentialsOrWithWrongOnesThen401InvalidClient() throws Exception {
    HttpResponse<String> none = list(server, "");
    assertError(none, 401, "invalid_client", "client authentication is required");
    assertThat(none.headers().firstValue("WWW-Authenticate")).hasValue("Basic realm=\"gatehouse\", charset=\"UTF-8\"");
    assertError(list(server, "", "Authorization", TestServer.basic("resource-server", "wrong-secret-0123456789-0123456789")), 401,
        "invalid_client", "client authentication failed");
    assertError(list(server, "", "Authorization", "Bearer abc"), 401, "invalid_client", "unsupported authorization scheme; use Basic");
    // credentials in the query string are not a client authentication method here
    assertError(list(server, "?client_id=resource-server&client_secret=resource-server-secret-0123456789-abc"), 401, "invalid_client",
        "client authentication is required");
  }

  @Test
  void revocationsWhenClientCannotIntrospectThen403UnauthorizedClient() throws Exception {
    assertError(list(server, "", "Authorization", BILLING), 403, "unauthorized_client", "this client may not read the revocation list");
  }

  @Test
  void revocationsWhenSinceOrLimitMalformedThen400InvalidRequest() throws Exception {
    String since = "since must be epoch seconds or the next cursor of a page";
    String limit = "limit must be an integer from 1 to 10000";
    Map<String, String> cases = new HashMap<>();
    cases.put("?since=-1", since);
    cases.put("?since=01", since);
    cases.put("?since=1e9", since);
    cases.put("?since=9999999999999", since);
    cases.put("?since=12.", since);
    cases.put("?since=12.%2F%2F", since);
    // base64url of "nokind:x" and of "token:" (an empty value): not entry keys
    cases.put("?since=12.bm9raW5kOng", since);
    cases.put("?since=12.dG9rZW46", since);
    cases.put("?since=%20", since);
    cases.put("?limit=0", limit);
    cases.put("?limit=10001", limit);
    cases.put("?limit=-5", limit);
    cases.put("?limit=1.5", limit);
    cases.put("?limit=99999999999999999999", limit);
    for (Map.Entry<String, String> c : cases.entrySet()) {
      HttpResponse<String> r = list(server, c.getKey(), "Authorization", RS);
      assertThat(r.statusCode()).as(c.getKey()).isEqualTo(400);
      assertError(r, 400, "invalid_request", c.getValue());
    }
    assertError(list(server, "?since=1&since=2", "Authorization", RS), 400, "invalid_request", "parameter 'since' is repeated");
  }

  @Test
  void revocationsWhenNotGetThen405WithAllow() throws Exception {
    HttpResponse<String> r = server.post("/revocations", "application/x-www-form-urlencoded", "", "Authorization", RS);
    assertError(r, 405, "invalid_request", "method not allowed; use GET");
    assertThat(r.headers().firstValue("Allow")).hasValue("GET");
  }

  @Test
  void revocationsWhenNodeCannotVouchForItsDenySetThen503() throws Exception {
    String schema = PostgresTokenEndpointTest.SCHEMA + "_feed";
    Map<String, String> env = new HashMap<>(PostgresTokenEndpointTest.postgresEnv(schema, "0s"));
    // the next resync is 10 minutes away in real time: only the moved clock makes the node stale
    env.put("GATEHOUSE_REVOCATION_RESYNC_INTERVAL", "10m");
    env.put("GATEHOUSE_REVOCATION_MAX_STALENESS", "20m");
    MutableClock clock = MutableClock.fromSystemTime();
    TestServer own = TestServer.start(env, clock);
    try {
      assertThat(list(own, "", "Authorization", RS).statusCode()).isEqualTo(200);
      clock.advance(Duration.ofMinutes(21));
      assertError(list(own, "", "Authorization", RS), 503, "temporarily_unavailable",
          "this node cannot vouch for its revocation list; try again");
    } finally {
      PostgresTokenEndpointTest.closeAndDrop(own, schema);
    }
  }
}
