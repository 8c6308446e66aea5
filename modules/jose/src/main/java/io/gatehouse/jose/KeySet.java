package io.gatehouse.jose;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import java.text.ParseException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The verification keys of one JWK set (RFC 7517 §5) by {@code kid}, each pinned to its algorithm. Immutable:
 * a new set replaces an old one wholly (key rotation).
 */
public final class KeySet {
  /** Told about each key of a set that cannot be used, and why (the set is still built from the others). */
  @FunctionalInterface
  public interface SkippedKeys {
    void skipped(String kid, String why);
  }

  /** Refuses the whole set for any key it cannot use: for a set its owner made itself. */
  public static final SkippedKeys REFUSE = (kid, why) -> {
    throw new IllegalArgumentException("unusable key " + kid + ": " + why);
  };

  private static final KeySet EMPTY = new KeySet(Map.of());

  private final Map<String, VerificationKey> byKid;

  private KeySet(Map<String, VerificationKey> byKid) {
    this.byKid = byKid;
  }

  public static KeySet empty() {
    return EMPTY;
  }

  /**
   * The usable keys of the JWK set {@code json} whose algorithm is in {@code allowed}; each other key is told
   * to {@code skipped} (as is the second of two keys with one {@code kid}: the first is kept).
   *
   * @throws IllegalArgumentException when {@code json} is not a JWK set
   */
  public static KeySet parse(String json, Set<JwsAlgorithm> allowed, SkippedKeys skipped) {
    JWKSet set;
    try {
      set = JWKSet.parse(json);
    } catch (ParseException | RuntimeException e) {
      throw new IllegalArgumentException("not a JWK set", e);
    }
    Map<String, VerificationKey> out = new LinkedHashMap<>();
    for (JWK jwk : set.getKeys()) {
      VerificationKey key;
      try {
        key = VerificationKey.of(jwk, allowed);
      } catch (IllegalArgumentException e) {
        skipped.skipped(jwk.getKeyID(), e.getMessage());
        continue;
      }
      if (out.putIfAbsent(key.kid(), key) != null) {
        skipped.skipped(key.kid(), "a key with this kid came first");
      }
    }
    return new KeySet(Collections.unmodifiableMap(out));
  }

  /** The key {@code kid} names, or null. */
  public VerificationKey get(String kid) {
    return kid == null ? null : byKid.get(kid);
  }

  public Set<String> kids() {
    return byKid.keySet();
  }

  public int size() {
    return byKid.size();
  }
}
