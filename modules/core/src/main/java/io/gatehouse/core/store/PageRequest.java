package io.gatehouse.core.store;

import java.util.Comparator;
import java.util.Objects;
import java.util.Optional;

/**
 * One page of a registry listing, as a store is asked for it: the entries whose key starts with
 * {@code prefix}, after the key {@code after} (exclusive; null: from the first), in key order, at
 * most {@code limit} of them. Keys compare by Unicode code point ({@link #ORDER}), which is also
 * PostgreSQL's order for {@code COLLATE "C"} on UTF-8 text, so every adapter pages the same way
 * whatever its database's collation.
 *
 * @param prefix the keys' common start ("" for every key); compared as the store's contract says
 * @param after the last key of the previous page, or null for the first page
 * @param limit 1 to {@link #MAX_LIMIT}
 */
public record PageRequest(String prefix, String after, int limit) {
  /** The most entries one page may hold. */
  public static final int MAX_LIMIT = 200;

  /** Unicode code point order (not {@link String#compareTo}'s UTF-16 order, which differs above U+FFFF). */
  public static final Comparator<String> ORDER = PageRequest::compareCodePoints;

  public PageRequest {
    Objects.requireNonNull(prefix, "prefix");
    if (limit < 1 || limit > MAX_LIMIT) {
      throw new IllegalArgumentException("limit must be 1 to " + MAX_LIMIT + ", was " + limit);
    }
  }

  /**
   * The smallest key that sorts after every key starting with {@link #prefix} ({@link #ORDER}): the prefix
   * with its last code point raised by one (a trailing U+10FFFF dropped first). Empty when no such key
   * exists (an empty prefix, or one of U+10FFFF only). So the keys with the prefix are exactly those
   * {@code >= prefix} and {@code < upperBound()}: a range an index can scan.
   */
  public Optional<String> upperBound() {
    int[] cps = prefix.codePoints().toArray();
    int n = cps.length;
    while (n > 0 && cps[n - 1] == Character.MAX_CODE_POINT) {
      n--;
    }
    if (n == 0) {
      return Optional.empty();
    }
    int next = cps[n - 1] + 1;
    if (next == Character.MIN_SURROGATE) {
      next = Character.MAX_SURROGATE + 1; // surrogates are no code points of text: the next one is U+E000
    }
    cps[n - 1] = next;
    return Optional.of(new String(cps, 0, n));
  }

  /** Whether {@code key} is on this page's side of {@link #after} and starts with {@link #prefix}. */
  public boolean admits(String key) {
    return key.startsWith(prefix) && (after == null || ORDER.compare(key, after) > 0);
  }

  /** Where an ordered scan starts: the later of {@link #prefix} (inclusive) and {@link #after} (exclusive). */
  public String scanFrom() {
    return after != null && ORDER.compare(after, prefix) >= 0 ? after : prefix;
  }

  private static int compareCodePoints(String a, String b) {
    int i = 0;
    int j = 0;
    while (i < a.length() && j < b.length()) {
      int ca = a.codePointAt(i);
      int cb = b.codePointAt(j);
      if (ca != cb) {
        return Integer.compare(ca, cb);
      }
      i += Character.charCount(ca);
      j += Character.charCount(cb);
    }
    return Boolean.compare(i < a.length(), j < b.length());
  }
}
