package io.gatehouse.server.http.interact;

import io.gatehouse.server.observe.ClusterSpans;
import io.vertx.core.Future;
import io.vertx.ext.web.Session;
import io.vertx.ext.web.sstore.SessionStore;

/** The clustered session store with a client span for each call to its map ({@link ClusterSpans}; tracing on). */
public final class TracedSessionStore extends ForwardingSessionStore {
  static final String MAP = "sessions";
  private final ClusterSpans spans;

  public TracedSessionStore(SessionStore delegate, ClusterSpans spans) {
    super(delegate);
    this.spans = spans;
  }

  @Override
  public Future<Session> get(String id) {
    return spans.call("get", MAP, () -> super.get(id));
  }

  @Override
  public Future<Void> delete(String id) {
    return spans.call("delete", MAP, () -> super.delete(id));
  }

  @Override
  public Future<Void> put(Session session) {
    return spans.call("put", MAP, () -> super.put(session));
  }
}
