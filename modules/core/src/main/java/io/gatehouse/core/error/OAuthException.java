package io.gatehouse.core.error;

/**
 * A protocol error raised where the rule that refuses the request lives. It is turned into the wire
 * response in exactly one place (the server's {@code OAuthErrorResponder}). The description is sent to
 * the client, so it must never contain a secret, a token or internal detail.
 *
 * <p>Stack traces are not captured: these are expected outcomes, not bugs, and they are raised on hot
 * paths.
 */
public final class OAuthException extends RuntimeException {
  private final OAuthErrorCode code;
  private final int status;
  private final long retryAfterSeconds;

  public OAuthException(OAuthErrorCode code, String description) {
    this(code, code.status(), description);
  }

  public OAuthException(OAuthErrorCode code, int status, String description) {
    this(code, status, description, -1);
  }

  private OAuthException(OAuthErrorCode code, int status, String description, long retryAfterSeconds) {
    super(description(description), null, false, false);
    this.code = code;
    this.status = status;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  /** 429: a rate limit refused the request; the client may retry after {@code retryAfterSeconds} (RFC 9110 §10.2.3). */
  public static OAuthException tooManyRequests(String description, long retryAfterSeconds) {
    return new OAuthException(OAuthErrorCode.TOO_MANY_REQUESTS, 429, description, Math.max(1, retryAfterSeconds));
  }

  /** 503: a dependency cannot answer now; the client may retry after {@code retryAfterSeconds} (RFC 9110 §10.2.3). */
  public static OAuthException temporarilyUnavailable(String description, long retryAfterSeconds) {
    return new OAuthException(OAuthErrorCode.TEMPORARILY_UNAVAILABLE, 503, description, Math.max(1, retryAfterSeconds));
  }

  /** Seconds for {@code Retry-After}, or -1 when the answer has none. */
  public long retryAfterSeconds() {
    return retryAfterSeconds;
  }

  public OAuthErrorCode code() {
    return code;
  }

  public int status() {
    return status;
  }

  /** The most characters of an {@code error_description}: a sentence, never a quoted request. */
  public static final int MAX_DESCRIPTION = 300;

  /**
   * RFC 6749 §5.2 (and §4.1.2.1): {@code error_description} is {@code 1*( %x20-21 / %x23-5B / %x5D-7E )}.
   * Every description passes here, whatever built it: {@code §} reads {@code section}, any other
   * character outside that set becomes {@code ?}, and a description longer than
   * {@value #MAX_DESCRIPTION} characters is cut.
   */
  static String description(String text) {
    if (text == null) {
      return null;
    }
    StringBuilder sb = new StringBuilder(Math.min(text.length(), MAX_DESCRIPTION));
    for (int i = 0; i < text.length() && sb.length() < MAX_DESCRIPTION; i++) {
      char c = text.charAt(i);
      if (c == '\u00a7') {
        sb.append(i + 1 < text.length() && text.charAt(i + 1) == ' ' ? "section" : "section ");
      } else {
        sb.append(c >= 0x20 && c <= 0x7E && c != '"' && c != '\\' ? c : '?');
      }
    }
    return sb.length() > MAX_DESCRIPTION ? sb.substring(0, MAX_DESCRIPTION) : sb.toString();
  }

  /** The {@code error_description}; never null. */
  public String description() {
    return getMessage() == null ? "" : getMessage();
  }

  public static OAuthException invalidRequest(String description) {
    return new OAuthException(OAuthErrorCode.INVALID_REQUEST, description);
  }

  public static OAuthException invalidClient(String description) {
    return new OAuthException(OAuthErrorCode.INVALID_CLIENT, description);
  }

  public static OAuthException invalidGrant(String description) {
    return new OAuthException(OAuthErrorCode.INVALID_GRANT, description);
  }

  public static OAuthException unauthorizedClient(String description) {
    return new OAuthException(OAuthErrorCode.UNAUTHORIZED_CLIENT, description);
  }

  public static OAuthException unsupportedGrantType(String description) {
    return new OAuthException(OAuthErrorCode.UNSUPPORTED_GRANT_TYPE, description);
  }

  public static OAuthException invalidScope(String description) {
    return new OAuthException(OAuthErrorCode.INVALID_SCOPE, description);
  }

  public static OAuthException accessDenied(String description) {
    return new OAuthException(OAuthErrorCode.ACCESS_DENIED, description);
  }

  public static OAuthException unsupportedResponseType(String description) {
    return new OAuthException(OAuthErrorCode.UNSUPPORTED_RESPONSE_TYPE, description);
  }

  public static OAuthException loginRequired(String description) {
    return new OAuthException(OAuthErrorCode.LOGIN_REQUIRED, description);
  }

  public static OAuthException consentRequired(String description) {
    return new OAuthException(OAuthErrorCode.CONSENT_REQUIRED, description);
  }

  public static OAuthException invalidToken(String description) {
    return new OAuthException(OAuthErrorCode.INVALID_TOKEN, description);
  }

  public static OAuthException insufficientScope(String description) {
    return new OAuthException(OAuthErrorCode.INSUFFICIENT_SCOPE, description);
  }

  public static OAuthException of(OAuthErrorCode code, String description) {
    return new OAuthException(code, description);
  }

  public static OAuthException serverError() {
    return new OAuthException(OAuthErrorCode.SERVER_ERROR, "the server could not process the request");
  }

  /**
   * 503: the server cannot answer now (a store is unreachable, the node cannot vouch for its deny-set);
   * the client may retry after {@value #UNAVAILABLE_RETRY_AFTER_SECONDS} s (RFC 9110 §15.6.4 and §10.2.3).
   */
  public static OAuthException temporarilyUnavailable(String description) {
    return new OAuthException(OAuthErrorCode.TEMPORARILY_UNAVAILABLE, 503, description, UNAVAILABLE_RETRY_AFTER_SECONDS);
  }

  /** The {@code Retry-After} of a 503: a store's timeouts and the readiness probe's period are a few seconds. */
  public static final long UNAVAILABLE_RETRY_AFTER_SECONDS = 5;

  /**
   * The error's JSON body (RFC 6749 §5.2): {@code error} and, when there is one,
   * {@code error_description}. The one mapping of an error to its body, for the HTTP edge and the event
   * bus alike (the status and {@link #retryAfterSeconds} travel beside it).
   */
  public io.vertx.core.json.JsonObject toJson() {
    io.vertx.core.json.JsonObject body = new io.vertx.core.json.JsonObject().put("error", code.wire());
    if (!description().isEmpty()) {
      body.put("error_description", description());
    }
    return body;
  }

  @Override
  public String toString() {
    return "OAuthException[" + code.wire() + " " + status + ": " + description() + "]";
  }
}
