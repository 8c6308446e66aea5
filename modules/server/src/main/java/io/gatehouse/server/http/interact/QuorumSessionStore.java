package io.gatehouse.server.http.interact;

import io.gatehouse.core.error.OAuthException;
import io.gatehouse.store.cluster.HazelcastCluster;
import io.gatehouse.store.cluster.QuorumCodeStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Session;
import io.vertx.ext.web.sstore.SessionStore;
import java.util.function.Supplier;

/**
 * The clustered login session store of a member with split-brain protection: a member without its
 * quorum ({@link HazelcastCluster#hasQuorum}) neither reads, stores nor deletes sessions, so no sign-in
 * or sign-out happens on the minority side of a split (where a sign-out would be lost when the sides
 * merge). It refuses at once, and a map operation the quorum refuses in flight is refused the same way:
 * 503 {@code temporarily_unavailable} with {@code Retry-After}. Every other failure passes through.
 */
public final class QuorumSessionStore extends ForwardingSessionStore {
  private final Vertx vertx;

  public QuorumSessionStore(SessionStore delegate, Vertx vertx) {
    super(delegate);
    this.vertx = vertx;
  }

  @Override
  public Future<Session> get(String id) {
    return guarded(() -> super.get(id));
  }

  @Override
  public Future<Void> delete(String id) {
    return guarded(() -> super.delete(id));
  }

  @Override
  public Future<Void> put(Session session) {
    return guarded(() -> super.put(session));
  }

  @Override
  public Future<Void> clear() {
    return guarded(super::clear);
  }

  @Override
  public Future<Integer> size() {
    return guarded(super::size);
  }

  private <T> Future<T> guarded(Supplier<Future<T>> op) {
    return HazelcastCluster.withQuorum(vertx, op, () -> OAuthException.temporarilyUnavailable(
        "this node is cut off from most of its cluster and cannot use sign-in sessions now; try again", QuorumCodeStore.RETRY_AFTER_SECONDS));
  }
}
