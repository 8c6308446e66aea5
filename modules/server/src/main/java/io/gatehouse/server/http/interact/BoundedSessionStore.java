package io.gatehouse.server.http.interact;

import io.vertx.core.Future;
import io.vertx.ext.web.Session;
import io.vertx.ext.web.sstore.SessionStore;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * A session store that keeps at most {@code max} sessions: storing one more drops the least recently
 * used (that browser is signed out), never fails and never grows the heap further. It wraps the node's
 * local store (the embedded default); a cluster bounds its session map in the Hazelcast configuration.
 *
 * <p>Sessions exist only for signed-in users (anonymous requests store none), so the cap is reached only
 * by many sign-ins; it keeps a flood of them, with one valid account, from exhausting memory.
 */
public final class BoundedSessionStore extends ForwardingSessionStore {
  private final int max;
  /** The ids stored through this store, least recently used first. */
  private final LinkedHashMap<String, Boolean> ids = new LinkedHashMap<>(16, 0.75f, true);

  public BoundedSessionStore(SessionStore delegate, int max) {
    super(delegate);
    if (max < 1) {
      throw new IllegalArgumentException("max must be positive");
    }
    this.max = max;
  }

  @Override
  public Future<Session> get(String cookieValue) {
    return delegate.get(cookieValue).map(session -> {
      synchronized (ids) {
        if (session == null) {
          ids.remove(cookieValue);
        } else {
          ids.get(cookieValue); // a use: moves it to the young end
        }
      }
      return session;
    });
  }

  @Override
  public Future<Void> delete(String id) {
    synchronized (ids) {
      ids.remove(id);
    }
    return delegate.delete(id);
  }

  @Override
  public Future<Void> put(Session session) {
    List<String> evicted = new ArrayList<>();
    synchronized (ids) {
      ids.put(session.id(), Boolean.TRUE);
      var oldest = ids.keySet().iterator();
      while (ids.size() > max) {
        evicted.add(oldest.next());
        oldest.remove();
      }
    }
    for (String id : evicted) {
      delegate.delete(id);
    }
    return delegate.put(session);
  }

  @Override
  public Future<Void> clear() {
    synchronized (ids) {
      ids.clear();
    }
    return delegate.clear();
  }
}
