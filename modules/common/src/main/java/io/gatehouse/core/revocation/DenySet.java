package io.gatehouse.core.revocation;

import io.vertx.core.json.JsonObject;
import java.util.Collection;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A node's local copy of the revocation list: what introspection and the resource-server library
 * check a token against, with no network hop. Thread-safe; lookups are four hash-map reads.
 *
 * <p>Entries merge by key ({@link Revocation#merge}) and are dropped by {@link #purgeExpired} once
 * every token they cover has expired, so memory is bounded by the revocations of one token lifetime.
 * Nothing but expiry removes an entry: a resync only adds, so a cache that lost its data cannot bring
 * a revoked token back to life.
 */
public final class DenySet {
  private final Map<Revocation.Kind, ConcurrentHashMap<String, Revocation>> byKind = new EnumMap<>(Revocation.Kind.class);

  public DenySet() {
    for (Revocation.Kind kind : Revocation.Kind.values()) {
      byKind.put(kind, new ConcurrentHashMap<>());
    }
  }

  /** Adds (or merges) {@code revocation}; answers true when it covers more than before. */
  public boolean apply(Revocation revocation) {
    Revocation[] before = new Revocation[1];
    Revocation after = byKind.get(revocation.kind()).merge(revocation.value(), revocation, (old, add) -> {
      before[0] = old;
      return old.merge(add);
    });
    return before[0] == null || !before[0].equals(after);
  }

  /** {@link #apply} of each. */
  public void applyAll(Collection<Revocation> revocations) {
    revocations.forEach(this::apply);
  }

  /** Whether a token with these claims is revoked (see {@link Revocation#covers}). */
  public boolean denies(String jti, String grantId, String subject, String clientId, long issuedAt) {
    return covered(Revocation.Kind.TOKEN, jti, jti, grantId, subject, clientId, issuedAt)
        || covered(Revocation.Kind.GRANT, grantId, jti, grantId, subject, clientId, issuedAt)
        || covered(Revocation.Kind.SUBJECT, subject, jti, grantId, subject, clientId, issuedAt)
        || covered(Revocation.Kind.CLIENT, clientId, jti, grantId, subject, clientId, issuedAt);
  }

  /** {@link #denies} for a JWT access token's claims ({@code jti}, {@code gid}, {@code sub}, {@code client_id}, {@code iat}). */
  public boolean denies(JsonObject claims) {
    Object iat = claims.getValue("iat");
    return denies(string(claims, "jti"), string(claims, "gid"), string(claims, "sub"), string(claims, "client_id"),
        iat instanceof Number n ? n.longValue() : Long.MIN_VALUE);
  }

  private boolean covered(Revocation.Kind kind, String key, String jti, String grantId, String subject, String clientId, long iat) {
    if (key == null) {
      return false;
    }
    Revocation r = byKind.get(kind).get(key);
    return r != null && r.covers(jti, grantId, subject, clientId, iat);
  }

  /** Drops entries with {@code expiresAt <= now}; answers how many. */
  public int purgeExpired(long now) {
    int n = 0;
    for (ConcurrentHashMap<String, Revocation> map : byKind.values()) {
      for (Map.Entry<String, Revocation> e : map.entrySet()) {
        if (e.getValue().expiresAt() <= now && map.remove(e.getKey(), e.getValue())) {
          n++;
        }
      }
    }
    return n;
  }

  /** A copy of every entry it holds (expired ones not yet purged included), in no particular order. */
  public java.util.List<Revocation> entries() {
    java.util.List<Revocation> all = new java.util.ArrayList<>();
    byKind.values().forEach(map -> all.addAll(map.values()));
    return all;
  }

  /** How many entries it holds. */
  public int size() {
    int n = 0;
    for (ConcurrentHashMap<String, Revocation> map : byKind.values()) {
      n += map.size();
    }
    return n;
  }

  private static String string(JsonObject claims, String name) {
    Object v = claims.getValue(name);
    return v instanceof String s ? s : null;
  }
}
