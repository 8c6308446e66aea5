package io.gatehouse.server.config;

/**
 * A registration field (of a seed file entry or an admin API body) that breaks a rule. It names the
 * field, and where the field is a list or an object the entry ({@code redirect_uris[1]},
 * {@code claims.email}); it never carries a secret or a password.
 *
 * <p>{@link #describe()} is the admin API's {@code error_description} (the entry's value is left out:
 * only the field is named); {@link #describeIn(String)} is the seed file's message, which quotes the
 * offending entry for the operator who wrote it.
 */
public final class FieldException extends RuntimeException {
  private static final int MAX_NAME = 64;

  private final String field;
  private final String entry;
  private final String shown;
  private final String problem;
  private final boolean redirectUri;
  private final boolean unknown;

  private FieldException(String field, String entry, String shown, String problem, boolean redirectUri, boolean unknown) {
    super(null, null, false, false);
    this.field = field;
    this.entry = entry;
    this.shown = shown;
    this.problem = problem;
    this.redirectUri = redirectUri;
    this.unknown = unknown;
  }

  /** {@code field} breaks a rule: {@code problem} reads on from the field's name ("must be ..."). */
  public static FieldException of(String field, String problem) {
    return new FieldException(field, "", null, problem, false, false);
  }

  /** {@code field}, whose value (quoted in the seed's message only) is {@code value}. */
  public static FieldException value(String field, String value, String problem) {
    return new FieldException(field, "", value, problem, false, false);
  }

  /** Entry {@code index} of the list {@code field}, whose value is {@code value}. */
  public static FieldException entry(String field, int index, String value, String problem) {
    return new FieldException(field, "[" + index + "]", value, problem, false, false);
  }

  /** Member {@code key} of the object {@code field}. */
  public static FieldException member(String field, String key, String problem) {
    return new FieldException(field, "." + key, key, problem, false, false);
  }

  /** A field no rule knows. */
  public static FieldException unknown(String field) {
    return new FieldException(field, "", null, "is not a known field", false, true);
  }

  /** The same problem, reported as a redirect URI's (RFC 7591 {@code invalid_redirect_uri}). */
  FieldException asRedirectUri() {
    return new FieldException(field, entry, shown, problem, true, unknown);
  }

  /** Whether the field is a redirect URI list (RFC 7591 §3.2.2 {@code invalid_redirect_uri}). */
  public boolean redirectUri() {
    return redirectUri;
  }

  /** The field (without the entry), for example {@code redirect_uris}. */
  public String field() {
    return field;
  }

  /** {@code redirect_uris[1] must use https (http only for loopback)}. */
  public String describe() {
    return printable(field + entry) + " " + problem;
  }

  /** {@code <where>: field 'redirect_uris' 'http://x/cb' must use https (http only for loopback)}. */
  public String describeIn(String where) {
    if (unknown) {
      return where + ": unknown field '" + field + "'";
    }
    return where + ": field '" + field + "' " + (shown == null ? "" : "'" + shown + "' ") + problem;
  }

  @Override
  public String getMessage() {
    return describe();
  }

  /**
   * A name as given by a caller, made safe for an {@code error_description} (RFC 6749 §5.2: printable
   * ASCII without {@code "} and {@code \}) and cut short.
   */
  public static String printable(String name) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < name.length() && sb.length() < MAX_NAME; i++) {
      char c = name.charAt(i);
      sb.append(c < 0x20 || c > 0x7E || c == '"' || c == '\\' ? '?' : c);
    }
    return sb.length() < name.length() ? sb + "..." : sb.toString();
  }
}
