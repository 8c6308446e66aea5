package io.gatehouse.resource;

/** RFC 6750 §3 attribute values: quoted strings of %x20-21 / %x23-5B / %x5D-7E only. */
final class QuotedStrings {
  private QuotedStrings() {}

  static boolean safe(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x20 || c > 0x7e || c == '"' || c == '\\') {
        return false;
      }
    }
    return true;
  }

  /** {@code s} with every character RFC 6750 §3 does not allow in a quoted value replaced by '?'. */
  static String sanitize(String s) {
    StringBuilder b = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      b.append(c < 0x20 || c > 0x7e || c == '"' || c == '\\' ? '?' : c);
    }
    return b.toString();
  }
}
