package io.gatehouse.server.http.interact;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Session;
import io.vertx.ext.web.sstore.SessionStore;

/** A session store that passes every call to {@code delegate}: the base of the stores that add a rule to one. */
abstract class ForwardingSessionStore implements SessionStore {
  protected final SessionStore delegate;

  protected ForwardingSessionStore(SessionStore delegate) {
    this.delegate = delegate;
  }

  @Override
  public SessionStore init(Vertx vertx, JsonObject options) {
    delegate.init(vertx, options);
    return this;
  }

  @Override
  public long retryTimeout() {
    return delegate.retryTimeout();
  }

  @Override
  public Session createSession(long timeout) {
    return delegate.createSession(timeout);
  }

  @Override
  public Session createSession(long timeout, int length) {
    return delegate.createSession(timeout, length);
  }

  @Override
  public Future<Session> get(String id) {
    return delegate.get(id);
  }

  @Override
  public Future<Void> delete(String id) {
    return delegate.delete(id);
  }

  @Override
  public Future<Void> put(Session session) {
    return delegate.put(session);
  }

  @Override
  public Future<Void> clear() {
    return delegate.clear();
  }

  @Override
  public Future<Integer> size() {
    return delegate.size();
  }

  @Override
  public void close() {
    delegate.close();
  }
}
