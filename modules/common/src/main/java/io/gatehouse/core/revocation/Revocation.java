package io.gatehouse.core.revocation;

import io.vertx.core.json.JsonObject;
import java.util.Locale;
import java.util.Objects;

/**
 * One entry of the revocation list: what it names, when it was made and until when it must be
 * remembered (every token it covers has expired by then). Times are epoch seconds.
 *
 * <p>What it covers (the rule every deny-set, in the server and in the resource-server library,
 * applies):
 * <ul>
 *   <li>{@link Kind#TOKEN}: the access token whose {@code jti} is {@code value}.
 *   <li>{@link Kind#GRANT}: every token of the grant family {@code value} (access tokens carry it as
 *       {@code gid}), whenever issued: a revoked grant never issues again.
 *   <li>{@link Kind#SUBJECT}: every token whose {@code sub} is {@code value} issued at or before
 *       {@code revokedAt} (tokens issued later, after a new login, are not covered).
 *   <li>{@link Kind#CLIENT}: every token whose {@code client_id} is {@code value} issued at or before
 *       {@code revokedAt} (the kill switch for a leaked client).
 * </ul>
 * {@code iat} has one-second resolution, so a token issued in the same second as the revocation is
 * covered too: the list errs towards refusing.
 */
public record Revocation(Kind kind, String value, long revokedAt, long expiresAt) {
  /** Longest {@link #value} accepted: longer ones are refused before they reach any store. */
  public static final int MAX_VALUE_LENGTH = 512;

  /** What a revocation names. {@link #wire()} is its name in JSON, events and store keys. */
  public enum Kind {
    TOKEN("token"),
    GRANT("grant"),
    SUBJECT("subject"),
    CLIENT("client");

    private final String wire;

    Kind(String wire) {
      this.wire = wire;
    }

    public String wire() {
      return wire;
    }

    /** The kind named {@code wire}, or {@code IllegalArgumentException}. */
    public static Kind fromWire(String wire) {
      for (Kind k : values()) {
        if (k.wire.equals(wire)) {
          return k;
        }
      }
      throw new IllegalArgumentException("unknown revocation kind: " + (wire == null ? "null" : wire.toLowerCase(Locale.ROOT)));
    }
  }

  public Revocation {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(value, "value");
    if (value.isEmpty() || value.length() > MAX_VALUE_LENGTH) {
      throw new IllegalArgumentException("revocation value must have 1 to " + MAX_VALUE_LENGTH + " characters");
    }
    if (!io.gatehouse.core.model.PrintableText.isValid(value, MAX_VALUE_LENGTH)) {
      throw new IllegalArgumentException("revocation value must not hold control characters");
    }
    if (expiresAt < revokedAt) {
      throw new IllegalArgumentException("revocation expires before it was made");
    }
  }

  /** The identity of the entry: two revocations with one key are merged, never both kept. */
  public String key() {
    return kind.wire + ":" + value;
  }

  /**
   * The union of this entry and {@code other} (same {@link #key()}): the later {@code revokedAt}
   * (which covers more tokens) and the later {@code expiresAt}.
   */
  public Revocation merge(Revocation other) {
    if (!key().equals(other.key())) {
      throw new IllegalArgumentException("cannot merge revocations of different keys");
    }
    return new Revocation(kind, value, Math.max(revokedAt, other.revokedAt), Math.max(expiresAt, other.expiresAt));
  }

  /**
   * Whether this entry covers a token with these claims ({@code jti}, {@code gid}, {@code sub},
   * {@code client_id}, {@code iat}); null claims are never matched.
   */
  public boolean covers(String jti, String grantId, String subject, String clientId, long issuedAt) {
    return switch (kind) {
      case TOKEN -> value.equals(jti);
      case GRANT -> value.equals(grantId);
      case SUBJECT -> value.equals(subject) && issuedAt <= revokedAt;
      case CLIENT -> value.equals(clientId) && issuedAt <= revokedAt;
    };
  }

  /** {@code {"kind":..,"value":..,"revoked_at":..,"expires_at":..}} */
  public JsonObject toJson() {
    return new JsonObject().put("kind", kind.wire).put("value", value).put("revoked_at", revokedAt).put("expires_at", expiresAt);
  }

  /** The entry {@link #toJson()} wrote; {@code IllegalArgumentException} when a member is missing or wrong. */
  public static Revocation fromJson(JsonObject json) {
    try {
      Object kind = json.getValue("kind");
      Object value = json.getValue("value");
      Object revokedAt = json.getValue("revoked_at");
      Object expiresAt = json.getValue("expires_at");
      if (!(kind instanceof String k) || !(value instanceof String v) || !(revokedAt instanceof Number r) || !(expiresAt instanceof Number e)) {
        throw new IllegalArgumentException("a revocation needs string kind and value and numeric revoked_at and expires_at");
      }
      return new Revocation(Kind.fromWire(k), v, r.longValue(), e.longValue());
    } catch (ClassCastException e) {
      throw new IllegalArgumentException("malformed revocation", e);
    }
  }
}
