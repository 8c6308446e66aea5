package io.gatehouse.core.store.memory;

import io.gatehouse.core.store.CodeRedemptionLedger;
import io.vertx.core.Future;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A {@link CodeRedemptionLedger} in process memory: the reference adapter of the contract (one process
 * is the whole deployment, so it cannot arbitrate between nodes; a cluster uses PostgreSQL's).
 */
public final class InMemoryCodeRedemptionLedger implements CodeRedemptionLedger {
  private final ConcurrentHashMap<String, Long> keptUntil = new ConcurrentHashMap<>();

  @Override
  public Future<Boolean> claim(String codeHash, long keepUntil) {
    Objects.requireNonNull(codeHash, "codeHash");
    return Future.succeededFuture(keptUntil.putIfAbsent(codeHash, keepUntil) == null);
  }

  @Override
  public Future<Boolean> release(String codeHash) {
    return Future.succeededFuture(keptUntil.remove(codeHash) != null);
  }

  @Override
  public Future<Boolean> isClaimed(String codeHash) {
    Objects.requireNonNull(codeHash, "codeHash");
    return Future.succeededFuture(keptUntil.containsKey(codeHash));
  }

  @Override
  public Future<Integer> purgeExpired(long now) {
    int[] n = {0};
    keptUntil.forEach((hash, until) -> {
      if (until <= now && keptUntil.remove(hash, until)) {
        n[0]++;
      }
    });
    return Future.succeededFuture(n[0]);
  }
}
