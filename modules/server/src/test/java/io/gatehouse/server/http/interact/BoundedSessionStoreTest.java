package io.gatehouse.server.http.interact;

import static io.gatehouse.testing.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.core.model.AuthorizationRequest;
import io.gatehouse.core.model.Scopes;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Session;
import io.vertx.ext.web.sstore.LocalSessionStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The node's session store keeps at most its cap (the least recently used dropped); pending requests expire. */
class BoundedSessionStoreTest {
  private Vertx vertx;
  private BoundedSessionStore store;

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
    store = new BoundedSessionStore(LocalSessionStore.create(vertx), 3);
  }

  @AfterEach
  void tearDown() throws Exception {
    store.close();
    await(vertx.close());
  }

  private Session stored() throws Exception {
    Session s = store.createSession(60_000, 32);
    s.put("uid", "u");
    await(store.put(s));
    return s;
  }

  @Test
  void putWhenOverTheCapThenTheLeastRecentlyUsedAreDroppedAndTheStoreNeverGrows() throws Exception {
    List<Session> sessions = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      sessions.add(stored());
    }
    // a use makes the first one the most recent
    assertThat(await(store.get(sessions.get(0).id()))).isNotNull();
    for (int i = 0; i < 1000; i++) {
      stored();
      assertThat(await(store.size())).isLessThanOrEqualTo(3);
    }
    assertThat(await(store.size())).isEqualTo(3);
    for (Session s : sessions) {
      assertThat(await(store.get(s.id()))).isNull();
    }
  }

  @Test
  void putWhenUnderTheCapThenEverySessionIsKept() throws Exception {
    Session a = stored();
    Session b = stored();
    await(store.delete(a.id()));
    Session c = stored();
    Session d = stored();
    assertThat(await(store.size())).isEqualTo(3);
    assertThat(await(store.get(b.id()))).isNotNull();
    assertThat(await(store.get(c.id()))).isNotNull();
    assertThat(await(store.get(d.id()))).isNotNull();
  }

  private static final AuthorizationRequest request = new AuthorizationRequest("rp", "https://rp.example/cb", true,
      Scopes.parse("openid"), "st", null, null, Set.of(), -1);

  @Test
  void pendingRequestWhenOlderThanItsLifetimeThenGoneAndDroppedFromTheSession() throws Exception {
    Session s = store.createSession(60_000, 32);
    String rid = InteractionSession.add(s, request, false, 1_000, 0);
    assertThat(InteractionSession.get(s, rid, 1_000).request()).isEqualTo(request);
    assertThat(InteractionSession.get(s, rid, 1_001)).isNull();
    assertThat(s.data().keySet()).noneMatch(k -> k.startsWith("req:"));
  }

  @Test
  void addWhenMorePendingThanTheCapOrExpiredOnesThenOnlyTheNewestLiveOnesAreKept() throws Exception {
    Session s = store.createSession(60_000, 32);
    String expired = InteractionSession.add(s, request, false, 10, 0);
    List<String> rids = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      rids.add(InteractionSession.add(s, request, false, 100 + i, 50));
    }
    assertThat(s.data().keySet().stream().filter(k -> k.startsWith("req:"))).hasSize(InteractionSession.MAX_PENDING);
    assertThat(InteractionSession.get(s, expired, 0)).isNull();
    assertThat(InteractionSession.get(s, rids.get(19), 50)).isNotNull();
    assertThat(InteractionSession.get(s, rids.get(0), 50)).isNull();
  }
}
