package io.gatehouse.jose;

/**
 * Why {@link JwtVerifier} refused a token: one {@link Reason} for each rule, which the server and the
 * resource-server library map to their wire errors (the server: an inactive token / {@code invalid_token};
 * the library: RFC 6750 {@code invalid_token}), and a short description naming the rule. The description is
 * always fixed text: it never quotes the token or any part of it. Carries no stack trace (it is an answer,
 * not a bug).
 */
public final class JwtRejection extends RuntimeException {
  /** The rules a token can break, in the order {@link JwtVerifier} checks them. */
  public enum Reason {
    /** Not a compact JWS of at most {@value JwtVerifier#MAX_TOKEN_LENGTH} characters, or its JSON is not an object. */
    MALFORMED,
    /** {@code alg} is {@code none}, an HMAC or not allowed (RFC 8725 §3.1, §3.2). */
    ALGORITHM_NOT_ALLOWED,
    /** A {@code crit} header names an extension not understood (RFC 7515 §4.1.11). */
    UNSUPPORTED_CRITICAL_HEADER,
    /** {@code typ} is not an expected type (RFC 9068 §4, RFC 8725 §3.11). */
    WRONG_TYPE,
    /** No {@code kid}. */
    NO_KEY_ID,
    /** The {@code kid} names no trusted key. */
    UNKNOWN_KEY,
    /** {@code alg} is not the key's own algorithm (RFC 8725 §3.1). */
    ALGORITHM_KEY_MISMATCH,
    /** The signature does not verify. */
    INVALID_SIGNATURE,
    /** {@code iss} is not the issuer (RFC 9068 §4 step 3). */
    WRONG_ISSUER,
    /** {@code aud} does not hold the audience (RFC 9068 §4 step 4, RFC 7519 §4.1.3). */
    WRONG_AUDIENCE,
    /** A required claim is absent, or a claim has the wrong type. */
    INVALID_CLAIM,
    /** Now is at or after {@code exp} (plus the leeway) (RFC 7519 §4.1.4). */
    EXPIRED,
    /** Now is before {@code nbf} (less the skew) (RFC 7519 §4.1.5). */
    NOT_YET_VALID,
    /** {@code iat} is after now (plus the skew) (RFC 7519 §4.1.6). */
    ISSUED_IN_FUTURE
  }

  private final Reason reason;
  private final String description;

  public JwtRejection(Reason reason, String description) {
    super(reason + ": " + description, null, false, false);
    this.reason = reason;
    this.description = description;
  }

  public Reason reason() {
    return reason;
  }

  public String description() {
    return description;
  }
}
