package io.gatehouse.core.store.memory;

import io.gatehouse.core.revocation.Revocation;
import io.gatehouse.core.revocation.RevocationList;
import io.vertx.core.Future;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/** The embedded default's revocation list: process memory (one process is the whole deployment). */
public final class InMemoryRevocationList implements RevocationList {
  private final ConcurrentHashMap<String, Revocation> byKey = new ConcurrentHashMap<>();

  @Override
  public Future<Void> add(Revocation revocation) {
    byKey.merge(revocation.key(), revocation, Revocation::merge);
    return Future.succeededFuture();
  }

  @Override
  public Future<List<Revocation>> active(long now) {
    return Future.succeededFuture(byKey.values().stream().filter(r -> r.expiresAt() > now).toList());
  }

  @Override
  public Future<Integer> purgeExpired(long now) {
    int[] n = {0};
    byKey.forEach((key, r) -> {
      if (r.expiresAt() <= now && byKey.remove(key, r)) {
        n[0]++;
      }
    });
    return Future.succeededFuture(n[0]);
  }
}
