package io.gatehouse.core.revocation;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

/**
 * A revocation as published on the event bus ({@value #ADDRESS}) and on the Redis channel. The JSON
 * (schema version 1) is:
 *
 * <pre>{@code
 * {"v": 1,                       // schema version; consumers ignore events of a version they do not know
 *  "kind": "token|grant|subject|client",
 *  "value": "...",               // the jti, grant id, subject or client id
 *  "revoked_at": 1767225600,     // epoch seconds; subject and client cover tokens with iat <= revoked_at
 *  "expires_at": 1767226200,     // epoch seconds; the entry may be forgotten after this
 *  "origin": "node-id",          // the node that recorded it
 *  "published_at_ms": 1767225600123}  // epoch milliseconds at publication, for measuring propagation
 * }</pre>
 *
 * Consumers must accept members they do not know (later minor additions).
 */
public record RevocationEvent(Revocation revocation, String origin, long publishedAtMillis) {
  /** The clustered event-bus address revocation events are published on. */
  public static final String ADDRESS = "gatehouse.revocations";
  public static final int VERSION = 1;

  public JsonObject toJson() {
    return revocation.toJson().put("v", VERSION).put("origin", origin).put("published_at_ms", publishedAtMillis);
  }

  public String encode() {
    return toJson().encode();
  }

  /**
   * The event in {@code json}; {@code IllegalArgumentException} when it is not a version-1 event or a
   * member is missing or wrong.
   */
  public static RevocationEvent fromJson(JsonObject json) {
    Object v = json.getValue("v");
    if (!(v instanceof Number n) || n.intValue() != VERSION) {
      throw new IllegalArgumentException("not a version " + VERSION + " revocation event");
    }
    Object origin = json.getValue("origin");
    Object published = json.getValue("published_at_ms");
    return new RevocationEvent(Revocation.fromJson(json), origin instanceof String s ? s : "",
        published instanceof Number p ? p.longValue() : 0L);
  }

  /** {@link #fromJson} of a JSON text. */
  public static RevocationEvent decode(String text) {
    try {
      return fromJson(new JsonObject(text));
    } catch (DecodeException | ClassCastException e) {
      throw new IllegalArgumentException("malformed revocation event", e);
    }
  }
}
