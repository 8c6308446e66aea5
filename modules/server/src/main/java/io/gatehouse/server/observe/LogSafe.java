package io.gatehouse.server.observe;

/**
 * What may go into a log line or an audit event from a request: never the request itself. A value a
 * client chose is shown only as short printable ASCII, and an exception only by its classes and stack
 * frames, since messages (of a URI decoder, a JSON parser, a driver) may quote what the client sent.
 */
public final class LogSafe {
  /** How deep a cause chain is kept. */
  private static final int MAX_CAUSES = 8;

  private LogSafe() {}

  /**
   * {@code value} as printable ASCII (anything else, and {@code "} and {@code \}, becomes {@code ?}) of at
   * most {@code max} characters, a longer value cut and marked with {@code ...}; null stays null.
   */
  public static String text(String value, int max) {
    if (value == null) {
      return null;
    }
    int n = Math.min(value.length(), max);
    StringBuilder sb = new StringBuilder(n + 3);
    for (int i = 0; i < n; i++) {
      char c = value.charAt(i);
      sb.append(c >= 0x20 && c < 0x7F && c != '"' && c != '\\' ? c : '?');
    }
    return value.length() > max ? sb.append("...").toString() : sb.toString();
  }

  /**
   * A copy of {@code failure} to log: each exception of the cause chain keeps its class name and stack
   * frames, and loses its message.
   */
  public static Throwable redacted(Throwable failure) {
    return redacted(failure, 0);
  }

  private static Throwable redacted(Throwable failure, int depth) {
    if (failure == null || depth >= MAX_CAUSES) {
      return null;
    }
    Redacted copy = new Redacted(failure.getClass().getName(), redacted(failure.getCause(), depth + 1));
    copy.setStackTrace(failure.getStackTrace());
    return copy;
  }

  /** An exception shown by its original class name only. */
  static final class Redacted extends RuntimeException {
    Redacted(String className, Throwable cause) {
      super(className, cause, false, true);
    }

    @Override
    public String toString() {
      return getMessage() + " (message withheld)";
    }
  }
}
