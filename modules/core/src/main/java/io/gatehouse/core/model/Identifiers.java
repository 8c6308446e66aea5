package io.gatehouse.core.model;

import io.gatehouse.core.error.OAuthException;
import io.vertx.core.Future;
import java.util.function.Supplier;

/**
 * The one check every identifier a request names (client ids, usernames, subjects, grant ids, token
 * ids, revocation values, scope values) passes before it reaches any store: 1 to {@link #MAX_LENGTH}
 * characters, none of them a control character (C0, DEL, C1: NUL above all, which PostgreSQL text
 * cannot hold) or half of a surrogate pair (not encodable as UTF-8). Stricter rules for what may be
 * registered (RFC 6749 §A.1 VSCHAR client ids, OIDC Core §2 subjects) apply where they are created;
 * this one only keeps unusable input away from the stores, answering {@code invalid_request}.
 */
public final class Identifiers {
  /** The longest identifier any store is asked about (a revocation value's bound). */
  public static final int MAX_LENGTH = 512;

  private Identifiers() {}

  /** Whether {@code value} may be looked up: 1 to {@link #MAX_LENGTH} printable characters. */
  public static boolean isValid(String value) {
    return PrintableText.isValid(value, MAX_LENGTH);
  }

  /**
   * {@code value} when it {@link #isValid is valid}; else {@code invalid_request} naming the parameter
   * {@code name} (never the value: it may hold anything).
   */
  public static String require(String name, String value) {
    if (!isValid(value)) {
      // RFC 6749 §5.2 / §4.1.2.1: a malformed parameter is invalid_request
      throw OAuthException.invalidRequest(name + " must be 1 to " + MAX_LENGTH + " printable characters");
    }
    return value;
  }

  /** {@code lookup} when {@code value} is valid; else a failed future with {@link #require}'s error. */
  public static <T> Future<T> checked(String name, String value, Supplier<Future<T>> lookup) {
    try {
      require(name, value);
    } catch (OAuthException e) {
      return Future.failedFuture(e);
    }
    return lookup.get();
  }
}
