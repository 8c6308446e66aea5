package io.gatehouse.core.store.memory;

import io.gatehouse.core.model.RefreshFamily;
import io.gatehouse.core.store.RefreshTokenStore;
import io.vertx.core.Future;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The embedded default: refresh token families in process memory, under one lock (one JVM is the
 * whole deployment here; the Postgres store decides atomicity in the database).
 */
public final class InMemoryRefreshTokenStore implements RefreshTokenStore {
  private static final class Entry {
    RefreshFamily family; // null for a tombstone
    String currentHash;
    boolean revoked;
    boolean rotated; // an earlier member stays known (find answers it) until the absolute expiry
    long keepUntil;
  }

  private final Map<String, Entry> byGrant = new HashMap<>();
  private final Map<String, String> grantByToken = new HashMap<>();

  @Override
  public synchronized Future<Boolean> create(RefreshFamily family, String tokenHash) {
    if (byGrant.containsKey(family.grantId()) || grantByToken.containsKey(tokenHash)) {
      return Future.succeededFuture(false);
    }
    Entry e = new Entry();
    e.family = family;
    e.currentHash = tokenHash;
    byGrant.put(family.grantId(), e);
    grantByToken.put(tokenHash, family.grantId());
    return Future.succeededFuture(true);
  }

  @Override
  public synchronized Future<Optional<Member>> find(String tokenHash, long now) {
    Entry e = live(tokenHash, now);
    if (e == null) {
      return Future.succeededFuture(Optional.empty());
    }
    boolean current = tokenHash.equals(e.currentHash);
    if (current && e.family.idleExpiresAt() <= now) {
      return Future.succeededFuture(Optional.empty());
    }
    return Future.succeededFuture(Optional.of(new Member(e.family, current)));
  }

  @Override
  public synchronized Future<Boolean> rotate(String oldHash, String newHash, long newIdleExpiresAt, long now) {
    Entry e = live(oldHash, now);
    if (e == null || !oldHash.equals(e.currentHash) || e.family.idleExpiresAt() <= now || grantByToken.containsKey(newHash)) {
      return Future.succeededFuture(false);
    }
    e.currentHash = newHash;
    e.rotated = true;
    e.family = e.family.withIdleExpiresAt(Math.min(newIdleExpiresAt, e.family.absoluteExpiresAt()));
    grantByToken.put(newHash, e.family.grantId());
    return Future.succeededFuture(true);
  }

  @Override
  public synchronized Future<Optional<RefreshFamily>> rotateIfCurrent(String oldHash, String newHash, long newIdleExpiresAt, long now,
      String clientId, io.gatehouse.core.model.Scopes required) {
    Entry e = live(oldHash, now);
    if (e == null || !e.family.clientId().equals(clientId) || !e.family.scopes().containsAll(required)) {
      return Future.succeededFuture(Optional.empty());
    }
    return rotate(oldHash, newHash, newIdleExpiresAt, now).map(rotated -> rotated ? Optional.of(e.family) : Optional.empty());
  }

  @Override
  public synchronized Future<Void> revokeFamily(String grantId, long keepUntil) {
    Entry e = byGrant.computeIfAbsent(grantId, g -> new Entry());
    e.revoked = true;
    e.keepUntil = Math.max(e.keepUntil, keepUntil);
    return Future.succeededFuture();
  }

  @Override
  public Future<java.util.List<String>> revokeBySubjectAndClient(String subject, String clientId) {
    return Future.succeededFuture(revokeWhere(f -> f.subject().equals(subject) && f.clientId().equals(clientId)));
  }

  @Override
  public Future<Integer> revokeBySubject(String subject) {
    return Future.succeededFuture(revokeWhere(f -> f.subject().equals(subject)).size());
  }

  @Override
  public Future<Integer> revokeByClient(String clientId) {
    return Future.succeededFuture(revokeWhere(f -> f.clientId().equals(clientId)).size());
  }

  /** Revokes the live families {@code which} selects; answers their grant ids. */
  private synchronized java.util.List<String> revokeWhere(java.util.function.Predicate<RefreshFamily> which) {
    java.util.List<String> revoked = new java.util.ArrayList<>();
    for (Entry e : byGrant.values()) {
      if (!e.revoked && e.family != null && which.test(e.family)) {
        e.revoked = true;
        revoked.add(e.family.grantId());
      }
    }
    return revoked;
  }

  @Override
  public Future<java.util.List<String>> revokeBySession(String sessionId) {
    if (sessionId == null) {
      return Future.succeededFuture(java.util.List.of()); // no login session: never the families created without one
    }
    return Future.succeededFuture(revokeWhere(f -> sessionId.equals(f.sessionId())));
  }

  @Override
  public synchronized Future<Integer> purgeExpired(long now) {
    int n = 0;
    for (Iterator<Map.Entry<String, Entry>> it = byGrant.entrySet().iterator(); it.hasNext(); ) {
      Entry e = it.next().getValue();
      long end = e.family == null ? e.keepUntil : Math.max(e.keepUntil, lastUse(e));
      if (end <= now) {
        it.remove();
        n++;
      }
    }
    grantByToken.values().removeIf(grant -> !byGrant.containsKey(grant));
    return Future.succeededFuture(n);
  }

  /** When find stops answering every member: a rotated member outlives the current one's idle expiry. */
  private static long lastUse(Entry e) {
    long absolute = e.family.absoluteExpiresAt();
    return e.rotated ? absolute : Math.min(absolute, e.family.idleExpiresAt());
  }

  private Entry live(String tokenHash, long now) {
    String grantId = grantByToken.get(tokenHash);
    Entry e = grantId == null ? null : byGrant.get(grantId);
    if (e == null || e.revoked || e.family == null || e.family.absoluteExpiresAt() <= now) {
      return null;
    }
    return e;
  }
}
