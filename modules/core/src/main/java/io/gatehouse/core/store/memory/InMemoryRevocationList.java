package io.gatehouse.core.store.memory;

import io.gatehouse.core.revocation.Revocation;
import io.gatehouse.core.revocation.DurableRevocationList;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The embedded default's revocation list: process memory (one process is the whole deployment). Each
 * add stamps its entry with the next value of a counter; that counter is the change feed's cursor.
 */
public final class InMemoryRevocationList implements DurableRevocationList {
  private record Stamped(Revocation revocation, long seq) {}

  private final ConcurrentHashMap<String, Stamped> byKey = new ConcurrentHashMap<>();
  private final AtomicLong seq = new AtomicLong();

  @Override
  public Future<Void> add(Revocation revocation) {
    // stamp and store under one lock with changeCursor: no add can draw a stamp below a cursor and land after it
    synchronized (seq) {
      long stamp = seq.incrementAndGet();
      byKey.compute(revocation.key(), (k, old) -> new Stamped(old == null ? revocation : old.revocation().merge(revocation), stamp));
    }
    return Future.succeededFuture();
  }

  @Override
  public Future<Long> changeCursor() {
    synchronized (seq) {
      return Future.succeededFuture(seq.get() + 1);
    }
  }

  @Override
  public Future<Changes> changesSince(long cursor, int limit, long now) {
    List<Revocation> changed = new ArrayList<>();
    for (Stamped s : byKey.values()) {
      if (s.seq() >= cursor && s.revocation().expiresAt() > now) {
        if (changed.size() == limit) {
          return Future.succeededFuture(new Changes(List.of(), true));
        }
        changed.add(s.revocation());
      }
    }
    return Future.succeededFuture(new Changes(changed, false));
  }

  @Override
  public Future<List<Revocation>> active(long now) {
    return Future.succeededFuture(byKey.values().stream().map(Stamped::revocation).filter(r -> r.expiresAt() > now).toList());
  }

  @Override
  public Future<Integer> purgeExpired(long now) {
    int[] n = {0};
    byKey.forEach((key, s) -> {
      if (s.revocation().expiresAt() <= now && byKey.remove(key, s)) {
        n[0]++;
      }
    });
    return Future.succeededFuture(n[0]);
  }
}
