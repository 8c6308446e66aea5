package io.gatehouse.core.service;

import io.gatehouse.core.error.OAuthErrorCode;
import io.gatehouse.core.error.OAuthException;
import io.gatehouse.core.model.Client;
import io.gatehouse.core.revocation.DenySet;
import io.gatehouse.core.revocation.Revocation;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The node's revocation list as a resource server reads it ({@code GET /revocations}), so that it can
 * warm-start its deny-set and catch up after a reconnect without Redis or the event bus.
 *
 * <ul>
 *   <li>Only a client allowed to introspect any token ({@code can_introspect}) may read it (the same
 *       trust as RFC 7662 §4 gives a resource server); any other authenticated client gets 403
 *       {@code unauthorized_client}.
 *   <li>Only what a resource server needs: {@code kind}, {@code value}, {@code revoked_at},
 *       {@code expires_at} of every entry of the node's deny-set that has not expired.
 *   <li>Entries are ordered by ({@code revoked_at}, kind:value). {@code since} is either epoch seconds
 *       (entries revoked at or after it: a catch-up point) or the {@code next} cursor of a page (the
 *       entries after that page's last one). A merged entry whose {@code revoked_at} grew moves later,
 *       so a reader never loses it; entries revoked before {@code since} are not answered, so a reader
 *       catching up starts a little before its last sync.
 *   <li>{@code limit} entries per page (default {@value #DEFAULT_LIMIT}, at most {@value #MAX_LIMIT});
 *       a full page carries {@code next}.
 *   <li>When the node cannot vouch for its deny-set (stale beyond {@code revocation.max_staleness}),
 *       503 {@code temporarily_unavailable}: a reader must not take a stale list for a complete one.
 * </ul>
 */
public final class RevocationFeedService {
  public static final int DEFAULT_LIMIT = 1000;
  public static final int MAX_LIMIT = 10_000;
  /** Epoch seconds, optionally followed by {@code .} and the base64url (no padding) of the last entry's key. */
  private static final Pattern CURSOR = Pattern.compile("(0|[1-9][0-9]{0,11})(?:\\.([A-Za-z0-9_-]{1,1400}))?");
  private static final Pattern LIMIT = Pattern.compile("[1-9][0-9]{0,4}");
  private static final Comparator<Revocation> ORDER = Comparator.comparingLong(Revocation::revokedAt).thenComparing(Revocation::key);

  private final DenySet denySet;
  private final BooleanSupplier vouched;
  private final Clock clock;

  public RevocationFeedService(DenySet denySet, BooleanSupplier vouched, Clock clock) {
    this.denySet = denySet;
    this.vouched = vouched;
    this.clock = clock;
  }

  /** Where a page starts: entries after ({@code revokedAt}, {@code afterKey}), or from {@code revokedAt} on when {@code afterKey} is null. */
  public record Cursor(long revokedAt, String afterKey) {
    boolean admits(Revocation r) {
      if (r.revokedAt() != revokedAt) {
        return r.revokedAt() > revokedAt;
      }
      return afterKey == null || r.key().compareTo(afterKey) > 0;
    }

    /** The wire form (what {@link #parse} reads). */
    public String encode() {
      return afterKey == null ? Long.toString(revokedAt)
          : revokedAt + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(afterKey.getBytes(StandardCharsets.UTF_8));
    }

    /** The cursor {@code since} names; {@code invalid_request} when it is not one. */
    public static Cursor parse(String since) {
      Matcher m = CURSOR.matcher(since);
      if (!m.matches()) {
        throw OAuthException.invalidRequest("since must be epoch seconds or the next cursor of a page");
      }
      long at = Long.parseLong(m.group(1));
      if (m.group(2) == null) {
        return new Cursor(at, null);
      }
      String key;
      try {
        key = StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(Base64.getUrlDecoder().decode(m.group(2)))).toString();
      } catch (IllegalArgumentException | java.nio.charset.CharacterCodingException e) {
        throw OAuthException.invalidRequest("since must be epoch seconds or the next cursor of a page");
      }
      int colon = key.indexOf(':');
      try {
        // a cursor names an entry key: kind:value, as Revocation accepts it
        new Revocation(Revocation.Kind.fromWire(colon < 0 ? "" : key.substring(0, colon)), key.substring(colon + 1), at, at);
      } catch (IllegalArgumentException e) {
        throw OAuthException.invalidRequest("since must be epoch seconds or the next cursor of a page");
      }
      return new Cursor(at, key);
    }
  }

  /** One page: its entries and, when more may follow, the cursor of the next. */
  public record Page(List<Revocation> revocations, Optional<Cursor> next) {
    /** {@code {"revocations": [{kind, value, revoked_at, expires_at}...], "next": "..."}} */
    public JsonObject toJson() {
      JsonArray out = new JsonArray();
      revocations.forEach(r -> out.add(r.toJson()));
      JsonObject json = new JsonObject().put("revocations", out);
      next.ifPresent(c -> json.put("next", c.encode()));
      return json;
    }
  }

  /** {@code limit} as sent: {@code invalid_request} unless 1 to {@value #MAX_LIMIT}. */
  static int parseLimit(String limit) {
    if (!LIMIT.matcher(limit).matches() || Integer.parseInt(limit) > MAX_LIMIT) {
      throw OAuthException.invalidRequest("limit must be an integer from 1 to " + MAX_LIMIT);
    }
    return Integer.parseInt(limit);
  }

  /** The entries of {@code entries} not expired at {@code now} that {@code since} admits, in order, at most {@code limit}. */
  static Page page(List<Revocation> entries, long now, Cursor since, int limit) {
    List<Revocation> admitted = entries.stream().filter(r -> r.expiresAt() > now && since.admits(r)).sorted(ORDER).toList();
    if (admitted.size() <= limit) {
      return new Page(admitted, Optional.empty());
    }
    List<Revocation> page = admitted.subList(0, limit);
    Revocation last = page.get(limit - 1);
    return new Page(List.copyOf(page), Optional.of(new Cursor(last.revokedAt(), last.key())));
  }

  /** The page {@code caller} asked for with {@code since} and {@code limit} (both optional, as sent). */
  public Page read(Client caller, Optional<String> since, Optional<String> limit) {
    if (!caller.canIntrospect()) {
      throw new OAuthException(OAuthErrorCode.UNAUTHORIZED_CLIENT, 403, "this client may not read the revocation list");
    }
    Cursor cursor = since.map(Cursor::parse).orElse(new Cursor(0, null));
    int max = limit.map(RevocationFeedService::parseLimit).orElse(DEFAULT_LIMIT);
    if (!vouched.getAsBoolean()) {
      throw OAuthException.temporarilyUnavailable("this node cannot vouch for its revocation list; try again");
    }
    return page(denySet.entries(), clock.instant().getEpochSecond(), cursor, max);
  }
}
