package io.gatehouse.core.model;

/**
 * Text any store can hold: none of its characters a control character (C0, DEL, C1: NUL above all, which
 * PostgreSQL text cannot hold) or half of a surrogate pair (not encodable as UTF-8). The rule under
 * {@code Identifiers} (core) and revocation values (here, shared with the resource-server library).
 */
public final class PrintableText {
  private PrintableText() {}

  /** Whether {@code value} has 1 to {@code maxLength} characters, all printable. */
  public static boolean isValid(String value, int maxLength) {
    if (value == null || value.isEmpty() || value.length() > maxLength) {
      return false;
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (Character.isISOControl(c)) {
        return false;
      }
      if (Character.isHighSurrogate(c)) {
        if (i + 1 == value.length() || !Character.isLowSurrogate(value.charAt(i + 1))) {
          return false;
        }
        i++;
      } else if (Character.isLowSurrogate(c)) {
        return false;
      }
    }
    return true;
  }
}
