package io.gatehouse.server.http.interact;

import io.gatehouse.core.store.StoreCalls;
import io.vertx.core.Future;
import io.vertx.ext.web.Session;
import io.vertx.ext.web.sstore.SessionStore;
import java.time.Duration;

/**
 * The clustered session store with a bound on every call ({@code cluster.call_timeout}): a map call the
 * cluster does not answer in time (a partition, a paused member) fails with the store-unavailable
 * failure, answered 503 {@code temporarily_unavailable} with {@code Retry-After}, instead of holding the
 * sign-in pages.
 */
public final class TimedSessionStore extends ForwardingSessionStore {
  private final StoreCalls calls;

  public TimedSessionStore(SessionStore delegate, Duration callTimeout) {
    super(delegate);
    this.calls = new StoreCalls("cluster", callTimeout, failure -> false);
  }

  @Override
  public Future<Session> get(String id) {
    return calls.bounded(delegate.get(id));
  }

  @Override
  public Future<Void> delete(String id) {
    return calls.bounded(delegate.delete(id));
  }

  @Override
  public Future<Void> put(Session session) {
    return calls.bounded(delegate.put(session));
  }

  @Override
  public Future<Void> clear() {
    return calls.bounded(delegate.clear());
  }

  @Override
  public Future<Integer> size() {
    return calls.bounded(delegate.size());
  }
}
