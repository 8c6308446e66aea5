package io.gatehouse.resource;

/**
 * Why a request was not let through, as the resource server answers it (RFC 6750 §3.1): an error code
 * with its HTTP status and a short description for the client. The description is always text this
 * library chose: it never quotes the token or any part of it. Carries no stack trace (it is an answer,
 * not a bug).
 */
public final class BearerTokenException extends RuntimeException {
  /** The error codes and their statuses. */
  public enum Code {
    /** RFC 6750 §3.1: malformed request (a second Authorization header, a bad header, a token in the query). */
    INVALID_REQUEST("invalid_request", 400),
    /** RFC 6750 §3.1: expired, revoked, malformed or otherwise invalid token. */
    INVALID_TOKEN("invalid_token", 401),
    /** RFC 6750 §3.1: the token lacks a scope the resource needs. */
    INSUFFICIENT_SCOPE("insufficient_scope", 403),
    /**
     * The token cannot be checked now (the issuer's keys, discovery document or introspection endpoint
     * cannot be reached, or the revocation channels are not subscribed): the request is refused, never
     * let through (fail closed). The code is RFC 6749 §4.1.2.1's.
     */
    TEMPORARILY_UNAVAILABLE("temporarily_unavailable", 503);

    private final String wire;
    private final int status;

    Code(String wire, int status) {
      this.wire = wire;
      this.status = status;
    }

    public String wire() {
      return wire;
    }

    public int status() {
      return status;
    }
  }

  private final Code code;
  private final String description;
  private final String scope;
  private final long retryAfterSeconds;

  private BearerTokenException(Code code, String description, String scope) {
    this(code, description, scope, -1);
  }

  private BearerTokenException(Code code, String description, String scope, long retryAfterSeconds) {
    super(code.wire + ": " + description, null, false, false);
    this.code = code;
    this.description = description;
    this.scope = scope;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  public static BearerTokenException invalidRequest(String description) {
    return new BearerTokenException(Code.INVALID_REQUEST, description, null);
  }

  public static BearerTokenException invalidToken(String description) {
    return new BearerTokenException(Code.INVALID_TOKEN, description, null);
  }

  /** {@code scope}: the space-separated scopes the resource needs (sent as the challenge's {@code scope}). */
  public static BearerTokenException insufficientScope(String description, String scope) {
    return new BearerTokenException(Code.INSUFFICIENT_SCOPE, description, scope);
  }

  public static BearerTokenException unavailable(String description) {
    return new BearerTokenException(Code.TEMPORARILY_UNAVAILABLE, description, null);
  }

  /** 503 with {@code Retry-After: retryAfterSeconds} (RFC 9110 §10.2.3; at least 1). */
  public static BearerTokenException unavailable(String description, long retryAfterSeconds) {
    return new BearerTokenException(Code.TEMPORARILY_UNAVAILABLE, description, null, Math.max(1, retryAfterSeconds));
  }

  /** Seconds for {@code Retry-After}, or -1 when the answer has none. */
  public long retryAfterSeconds() {
    return retryAfterSeconds;
  }

  public Code code() {
    return code;
  }

  public String description() {
    return description;
  }

  /** The scopes needed, for {@link Code#INSUFFICIENT_SCOPE}; else null. */
  public String scope() {
    return scope;
  }
}
