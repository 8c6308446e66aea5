package io.gatehouse.server;

import static io.gatehouse.testing.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.testing.Await;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two nodes in one Hazelcast cluster on a shared PostgreSQL schema, each caching clients for an hour:
 * only the change event on the bus can make node B see a change made through node A's admin API.
 */
class AdminApiClusterTest {
  static TwoNodes nodes;
  static final Duration AT_ONCE = Duration.ofSeconds(2);
  static TestServer a;
  static TestServer b;

  @BeforeAll
  static void start() throws Exception {
    nodes = TwoNodes.start("gh_admin_", "1h");
    a = nodes.a();
    b = nodes.b();
  }

  @AfterAll
  static void stop() throws Exception {
    if (nodes != null) {
      nodes.close();
    }
  }

  /** Polls {@code status} until it answers {@code expected}, for at most {@code limit}; fails the test otherwise. */
  static int within(Duration limit, int expected, Callable<Integer> status) {
    return Await.until("the status " + expected, limit, status::call, answer -> answer == expected);
  }

  /**
   * A positive sync point instead of waiting for events to arrive: a client of the seed (written at
   * start, never announced on the bus, and used by no other test of this class) whose secret node A
   * rotates while node B caches it. Only that rotation's change event can make B refuse the old secret,
   * so once B does, B has handled it, and so every change event A published before it (one publisher,
   * one consumer: the bus keeps their order).
   */
  static final class Marker {
    private final String admin;
    private final String id;
    private String secret;

    Marker(String admin, String seedClientId, String seedSecret) throws Exception {
      this.admin = admin;
      this.id = seedClientId;
      this.secret = seedSecret;
      cacheOnB();
    }

    private void cacheOnB() throws Exception {
      assertThat(AdminApiTest.tokenStatus(b, id, secret, "read:users")).as("node B serving " + id).isEqualTo(200);
    }

    /** Returns once node B has handled every client change event node A published before this call. */
    void sync() throws Exception {
      String old = secret;
      HttpResponse<String> rotated = AdminApiTest.call(a, "POST", "/admin/clients/" + id + "/secret", admin, null);
      assertThat(rotated.statusCode()).isEqualTo(200);
      secret = new JsonObject(rotated.body()).getString("client_secret");
      Await.until("node B handled the rotation of " + id, () -> AdminApiTest.tokenStatus(b, id, old, "read:users") == 401);
      cacheOnB();
    }
  }

  @Test
  void nodeBServesClientsFromItsCacheSoAChangeBehindItsBackIsNotSeen() throws Exception {
    // the control case: without an event node B keeps serving what it cached
    String admin = AdminApiTest.adminToken(a);
    Marker marker = new Marker(admin, "short-lived", "short-lived-secret-0123456789-abcdefgh");
    String secret = AdminApiTest.createCc(a, admin, "cluster-control", "read:users");
    // the create's own change event must have reached B before B caches the client, or it would evict that entry
    marker.sync();
    assertThat(AdminApiTest.tokenStatus(b, "cluster-control", secret, "read:users")).isEqualTo(200);
    PostgresTokenEndpointTest.sql("DELETE FROM " + nodes.schema() + ".clients WHERE client_id = 'cluster-control'");
    assertThat(AdminApiTest.call(b, "GET", "/admin/clients/cluster-control", admin, null).statusCode()).isEqualTo(404);
    // whatever A had published by now, B has handled: still nothing makes it drop its cached client
    marker.sync();
    assertThat(AdminApiTest.tokenStatus(b, "cluster-control", secret, "read:users")).isEqualTo(200);
  }

  @Test
  void rotateOnNodeAThenTheOldSecretIsRefusedOnNodeBAtOnceAndTheNewOneWorksThere() throws Exception {
    String admin = AdminApiTest.adminToken(a);
    String old = AdminApiTest.createCc(a, admin, "cluster-rotate", "read:users");
    // node B has the client (and its secret hash) in its cache now
    assertThat(AdminApiTest.tokenStatus(b, "cluster-rotate", old, "read:users")).isEqualTo(200);
    assertThat(AdminApiTest.tokenStatus(b, "cluster-rotate", old, "read:users")).isEqualTo(200);

    HttpResponse<String> rotated = AdminApiTest.call(a, "POST", "/admin/clients/cluster-rotate/secret", admin, null);
    assertThat(rotated.statusCode()).isEqualTo(200);
    String fresh = new JsonObject(rotated.body()).getString("client_secret");

    assertThat(within(AT_ONCE, 401, () -> AdminApiTest.tokenStatus(b, "cluster-rotate", old, "read:users"))).isEqualTo(401);
    assertThat(AdminApiTest.tokenStatus(b, "cluster-rotate", fresh, "read:users")).isEqualTo(200);
    assertThat(AdminApiTest.tokenStatus(a, "cluster-rotate", old, "read:users")).isEqualTo(401);
    assertThat(AdminApiTest.tokenStatus(a, "cluster-rotate", fresh, "read:users")).isEqualTo(200);
  }

  @Test
  void updateOnNodeAThenNodeBGrantsTheNewScopeAtOnce() throws Exception {
    String admin = AdminApiTest.adminToken(a);
    String secret = AdminApiTest.createCc(a, admin, "cluster-update", "read:users");
    assertThat(AdminApiTest.tokenStatus(b, "cluster-update", secret, "write:users")).isEqualTo(400);
    HttpResponse<String> put = AdminApiTest.call(a, "PUT", "/admin/clients/cluster-update", admin,
        "{\"grant_types\":[\"client_credentials\"],\"scopes\":[\"read:users\",\"write:users\"]}");
    assertThat(put.statusCode()).isEqualTo(200);
    assertThat(within(AT_ONCE, 200, () -> AdminApiTest.tokenStatus(b, "cluster-update", secret, "write:users"))).isEqualTo(200);
  }

  @Test
  void deleteOnNodeAThenNodeBRefusesTheClientAtOnceAndItsTokensAreInactiveThere() throws Exception {
    String admin = AdminApiTest.adminToken(a);
    String secret = AdminApiTest.createCc(a, admin, "cluster-delete", "read:users");
    String access = AdminApiTest.clientToken(b, TestServer.basic("cluster-delete", secret), "read:users");
    assertThat(AdminApiTest.introspect(b, access).getBoolean("active")).isTrue();
    assertThat(AdminApiTest.call(a, "DELETE", "/admin/clients/cluster-delete", admin, null).statusCode()).isEqualTo(204);
    assertThat(within(AT_ONCE, 401, () -> AdminApiTest.tokenStatus(b, "cluster-delete", secret, "read:users"))).isEqualTo(401);
    JsonObject introspected = Await.until("the client's token inactive on node B", AT_ONCE, () -> AdminApiTest.introspect(b, access),
        answer -> !answer.getBoolean("active"));
    assertThat(introspected).isEqualTo(AdminApiTest.INACTIVE);
    // and node B's admin API reads the shared registry
    assertThat(AdminApiTest.call(b, "GET", "/admin/clients/cluster-delete", admin, null).statusCode()).isEqualTo(404);
  }

  @Test
  void aUserCreatedOnNodeASignsInOnNodeB() throws Exception {
    String admin = AdminApiTest.adminToken(a);
    HttpResponse<String> created = AdminApiTest.call(a, "POST", "/admin/users", admin,
        "{\"username\":\"ivy\",\"password\":\"ivy-password-123\"}");
    assertThat(created.statusCode()).isEqualTo(201);
    String subject = new JsonObject(created.body()).getString("subject");
    assertThat(await(b.gatehouse.parts().logins().login("ivy", "ivy-password-123", "203.0.113.7")))
        .isEqualTo(new io.gatehouse.core.user.LoginService.Success(
            await(b.gatehouse.parts().users().findBySubject(subject)).orElseThrow()));
    assertThat(AdminApiTest.call(b, "DELETE", "/admin/users/" + subject, admin, null).statusCode()).isEqualTo(204);
    assertThat(await(a.gatehouse.parts().logins().login("ivy", "ivy-password-123", "203.0.113.7")))
        .isInstanceOf(io.gatehouse.core.user.LoginService.InvalidCredentials.class);
  }
}
