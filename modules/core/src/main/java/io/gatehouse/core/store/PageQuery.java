package io.gatehouse.core.store;

import io.gatehouse.core.error.OAuthException;
import io.gatehouse.core.model.Identifiers;
import io.gatehouse.core.model.PrintableText;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;

/**
 * The wire form of a paged admin listing ({@code GET /admin/clients}, {@code GET /admin/users}): the query
 * parameters {@code limit} (1 to {@link PageRequest#MAX_LIMIT}, default {@link #DEFAULT_LIMIT}), {@code cursor}
 * (opaque: the {@code next_cursor} of the previous page) and a prefix filter, turned into a
 * {@link PageRequest}; and the {@code next_cursor} of a {@link Page}. A bad parameter is
 * {@code invalid_request} (RFC 6749 §5.2's code for a malformed parameter), never quoting the value.
 *
 * <p>A cursor is the base64url form of the listing's name and the last key of the page. It carries no
 * secret and no authority: an admin may only list, and a forged cursor only moves where the listing
 * starts. A cursor of another listing is refused.
 */
public final class PageQuery {
  public static final int DEFAULT_LIMIT = 50;

  /** The longest key a cursor may carry (a folded username may be longer than the name as given). */
  static final int MAX_KEY_LENGTH = 2 * Identifiers.MAX_LENGTH;

  private PageQuery() {}

  /**
   * The request the parameters describe.
   *
   * @param listing the listing's name (a cursor of another listing is refused)
   * @param prefixParam the name of the prefix filter's parameter ({@code client_id}, {@code username})
   */
  public static PageRequest parse(String listing, Map<String, String> params, String prefixParam) {
    int limit = limit(params.get("limit"));
    String after = params.containsKey("cursor") ? after(listing, params.get("cursor")) : null;
    String prefix = params.containsKey(prefixParam) ? Identifiers.require(prefixParam, params.get(prefixParam)) : "";
    return new PageRequest(prefix, after, limit);
  }

  /** The cursor that continues after {@code page}, or null when it is the last. */
  public static String nextCursor(String listing, Page<?> page) {
    if (page.next() == null) {
      return null;
    }
    byte[] raw = (listing + ":" + page.next()).getBytes(StandardCharsets.UTF_8);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
  }

  private static int limit(String value) {
    if (value == null) {
      return DEFAULT_LIMIT;
    }
    if (value.length() > 3 || !value.chars().allMatch(c -> c >= '0' && c <= '9')
        || Integer.parseInt(value) < 1 || Integer.parseInt(value) > PageRequest.MAX_LIMIT) {
      throw OAuthException.invalidRequest("limit must be a whole number from 1 to " + PageRequest.MAX_LIMIT);
    }
    return Integer.parseInt(value);
  }

  private static String after(String listing, String cursor) {
    String key = null;
    if (cursor.length() <= 4 * MAX_KEY_LENGTH) {
      try {
        byte[] raw = Base64.getUrlDecoder().decode(cursor);
        String text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(raw)).toString();
        if (text.startsWith(listing + ":")) {
          key = text.substring(listing.length() + 1);
        }
      } catch (IllegalArgumentException | CharacterCodingException e) {
        key = null;
      }
    }
    if (key == null || !PrintableText.isValid(key, MAX_KEY_LENGTH)) {
      throw OAuthException.invalidRequest("cursor is not one this listing gave (use next_cursor as it came)");
    }
    return key;
  }
}
