package io.gatehouse.jose;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jwt.SignedJWT;
import io.gatehouse.jose.JwtRejection.Reason;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * Verifies signed JWTs (RFC 7519, RFC 8725): the one verification component of the server (its own access
 * tokens, ID token hints) and of the resource-server library. A token is valid when, in this order:
 * <ol>
 *   <li>it is a compact JWS of at most {@value #MAX_TOKEN_LENGTH} characters (three base64url parts);
 *   <li>its {@code alg} is an allowed algorithm: never {@code none} nor an HMAC (RFC 8725 §3.1, §3.2);
 *   <li>a {@code crit} header names only extensions this verifier was told it understands (by default none:
 *       every {@code crit} is refused, RFC 7515 §4.1.11);
 *   <li>its {@code typ} is one of the expected types, compared ignoring case (RFC 7515 §4.1.9, RFC 8725 §3.11;
 *       for access tokens {@code at+jwt} or {@code application/at+jwt}, RFC 9068 §4), or absent when allowed;
 *   <li>it names a {@code kid}, a trusted key has that kid, and {@code alg} is that key's own algorithm
 *       (RFC 8725 §3.1);
 *   <li>the signature verifies;
 *   <li>{@code iss} equals the issuer exactly (RFC 9068 §4 step 3);
 *   <li>when an audience is set, {@code aud} (a string or an array) contains it (step 4, RFC 7519 §4.1.3);
 *   <li>{@code exp} is present and now is before {@code exp} + the expiry leeway (step 6, RFC 7519 §4.1.4),
 *       unless expiry is not checked; {@code nbf}, when present, is before now + the skew (§4.1.5);
 *       {@code iat} (required unless told otherwise) is before now + the skew (§4.1.6);
 *   <li>each required string claim is a non-empty string.
 * </ol>
 * Time is read only from the injected {@link Clock}. Any failure is a {@link JwtRejection}. Thread-safe and
 * non-blocking (one signature check).
 */
public final class JwtVerifier {
  public static final int MAX_TOKEN_LENGTH = 8192;
  /** RFC 9068 §4: the types of a JWT access token (the {@code application/} prefix may be left out, RFC 7515 §4.1.9). */
  public static final List<String> ACCESS_TOKEN_TYPES = List.of("at+jwt", "application/at+jwt");
  /** RFC 7519 §5.1: the type of a plain JWT (an ID token). */
  public static final List<String> JWT_TYPES = List.of("JWT", "application/jwt");

  private static final Base64.Decoder B64URL = Base64.getUrlDecoder();

  private final String issuer;
  private final String audience;
  private final List<String> types;
  private final String wrongType;
  private final boolean typeOptional;
  private final Set<JwsAlgorithm> algorithms;
  private final Set<String> understoodCritical;
  private final long skewSeconds;
  private final long expiryLeewaySeconds;
  private final boolean checkExpiry;
  private final boolean requireIssuedAt;
  private final List<String> requiredStringClaims;
  private final Clock clock;

  private JwtVerifier(Builder b) {
    this.issuer = Objects.requireNonNull(b.issuer, "issuer");
    this.audience = b.audience;
    this.types = b.types.stream().map(t -> t.toLowerCase(Locale.ROOT)).toList();
    this.wrongType = "token type must be " + b.types.get(0);
    this.typeOptional = b.typeOptional;
    this.algorithms = Set.copyOf(b.algorithms);
    this.understoodCritical = Set.copyOf(b.understoodCritical);
    this.skewSeconds = b.clockSkew.toSeconds();
    this.expiryLeewaySeconds = (b.expiryLeeway != null ? b.expiryLeeway : b.clockSkew).toSeconds();
    this.checkExpiry = b.checkExpiry;
    this.requireIssuedAt = b.requireIssuedAt;
    this.requiredStringClaims = List.copyOf(b.requiredStringClaims);
    this.clock = Objects.requireNonNull(b.clock, "clock");
  }

  /** A verifier of tokens {@code issuer} signed; by default access tokens (RFC 9068) with no clock skew. */
  public static Builder builder(String issuer) {
    return new Builder(issuer);
  }

  /** {@link #parse} then {@link #verify(ParsedJwt, VerificationKey)} with the key {@code keys} has for its kid. */
  public VerifiedJwt verify(String token, KeySet keys) {
    ParsedJwt jwt = parse(token);
    return verify(jwt, keys.get(jwt.kid()));
  }

  /** The header rules, which need no key: steps 1 to 4, and a {@code kid}. */
  public ParsedJwt parse(String token) {
    if (token == null || token.length() > MAX_TOKEN_LENGTH) {
      throw reject(Reason.MALFORMED, "malformed token");
    }
    int dot = token.indexOf('.');
    int second = dot < 0 ? -1 : token.indexOf('.', dot + 1);
    if (dot <= 0 || second < 0 || token.indexOf('.', second + 1) >= 0) {
      throw reject(Reason.MALFORMED, "malformed token");
    }
    JsonObject header;
    try {
      header = new JsonObject(new String(B64URL.decode(token.substring(0, dot)), StandardCharsets.UTF_8));
    } catch (RuntimeException e) {
      throw reject(Reason.MALFORMED, "malformed token");
    }
    Object algName = header.getValue("alg");
    JwsAlgorithm alg = algName instanceof String s ? JwsAlgorithm.fromJose(s) : null;
    // RFC 8725 §3.1/§3.2: none and HMAC (and anything not allowed) are refused before any key is looked at
    if (alg == null || !algorithms.contains(alg)) {
      throw reject(Reason.ALGORITHM_NOT_ALLOWED, "signing algorithm not allowed");
    }
    if (header.containsKey("crit") && !understood(header)) {
      throw reject(Reason.UNSUPPORTED_CRITICAL_HEADER, "unsupported critical header");
    }
    Object typ = header.getValue("typ");
    if (typ == null ? !typeOptional : !(typ instanceof String t && types.contains(t.toLowerCase(Locale.ROOT)))) {
      throw reject(Reason.WRONG_TYPE, wrongType);
    }
    Object kid = header.getValue("kid");
    if (!(kid instanceof String k) || k.isEmpty()) {
      throw reject(Reason.NO_KEY_ID, "token names no signing key");
    }
    try {
      return new ParsedJwt(header, alg, k, SignedJWT.parse(token));
    } catch (ParseException | RuntimeException e) {
      throw reject(Reason.MALFORMED, "malformed token");
    }
  }

  /** RFC 7515 §4.1.11: a non-empty array of names, each understood and present in the header. */
  private boolean understood(JsonObject header) {
    if (!(header.getValue("crit") instanceof JsonArray crit) || crit.isEmpty()) {
      return false;
    }
    for (Object name : crit) {
      if (!(name instanceof String s) || !understoodCritical.contains(s) || !header.containsKey(s)) {
        return false;
      }
    }
    return true;
  }

  /** The key and claim rules (steps 5 to 10) for a token {@link #parse} passed; {@code key} null when none has its kid. */
  public VerifiedJwt verify(ParsedJwt jwt, VerificationKey key) {
    if (key == null) {
      throw reject(Reason.UNKNOWN_KEY, "unknown signing key");
    }
    // RFC 8725 §3.1: the key's own algorithm, never the one the token asks for
    if (key.algorithm() != jwt.algorithm() || !algorithms.contains(key.algorithm())) {
      throw reject(Reason.ALGORITHM_KEY_MISMATCH, "signing algorithm does not match the key");
    }
    boolean valid;
    try {
      valid = key.verify(jwt.jws());
    } catch (JOSEException | GeneralSecurityException | RuntimeException e) {
      valid = false;
    }
    if (!valid) {
      throw reject(Reason.INVALID_SIGNATURE, "invalid signature");
    }
    JsonObject claims;
    try {
      claims = new JsonObject(jwt.jws().getPayload().toString());
    } catch (RuntimeException e) {
      throw reject(Reason.MALFORMED, "malformed token");
    }
    checkClaims(claims);
    return new VerifiedJwt(jwt.header(), claims, key);
  }

  private void checkClaims(JsonObject claims) {
    if (!issuer.equals(claims.getValue("iss"))) {
      throw reject(Reason.WRONG_ISSUER, "wrong issuer");
    }
    if (audience != null && !audienceContains(claims.getValue("aud"), audience)) {
      throw reject(Reason.WRONG_AUDIENCE, "wrong audience");
    }
    long now = clock.instant().getEpochSecond();
    if (checkExpiry) {
      Double exp = numericDate(claims, "exp");
      if (exp == null) {
        throw reject(Reason.INVALID_CLAIM, "token has no exp");
      }
      if (now >= exp + expiryLeewaySeconds) {
        throw reject(Reason.EXPIRED, "token expired");
      }
    }
    Double nbf = numericDate(claims, "nbf");
    if (nbf != null && nbf > now + skewSeconds) {
      throw reject(Reason.NOT_YET_VALID, "token not yet valid");
    }
    Double iat = numericDate(claims, "iat");
    if (iat == null && requireIssuedAt) {
      throw reject(Reason.INVALID_CLAIM, "token has no iat");
    }
    if (iat != null && iat > now + skewSeconds) {
      throw reject(Reason.ISSUED_IN_FUTURE, "token issued in the future");
    }
    for (String name : requiredStringClaims) {
      if (!(claims.getValue(name) instanceof String s) || s.isEmpty()) {
        throw reject(Reason.INVALID_CLAIM, "token has no " + name);
      }
    }
  }

  /** Whether {@code aud} (a string or an array of strings) contains {@code audience} (RFC 7519 §4.1.3). */
  public static boolean audienceContains(Object aud, String audience) {
    if (aud instanceof String s) {
      return s.equals(audience);
    }
    return aud instanceof JsonArray array && array.contains(audience);
  }

  /** A NumericDate claim (RFC 7519 §2), or null when absent; rejected when not a finite number. */
  private static Double numericDate(JsonObject claims, String name) {
    Object v = claims.getValue(name);
    if (v == null) {
      return null;
    }
    if (!(v instanceof Number n) || !Double.isFinite(n.doubleValue())) {
      throw reject(Reason.INVALID_CLAIM, name + " is not a number");
    }
    return n.doubleValue();
  }

  private static JwtRejection reject(Reason reason, String description) {
    return new JwtRejection(reason, description);
  }

  /** The rules of one kind of token. */
  public static final class Builder {
    private final String issuer;
    private String audience;
    private List<String> types = ACCESS_TOKEN_TYPES;
    private boolean typeOptional;
    private Set<JwsAlgorithm> algorithms = EnumSet.allOf(JwsAlgorithm.class);
    private Set<String> understoodCritical = Set.of();
    private Duration clockSkew = Duration.ZERO;
    private Duration expiryLeeway;
    private boolean checkExpiry = true;
    private boolean requireIssuedAt = true;
    private List<String> requiredStringClaims = List.of();
    private Clock clock = Clock.systemUTC();

    private Builder(String issuer) {
      this.issuer = issuer;
    }

    /** The audience {@code aud} must contain; null (the default): {@code aud} is not checked. */
    public Builder audience(String audience) {
      this.audience = audience;
      return this;
    }

    /** The accepted {@code typ} values, compared ignoring case; the first is named in the rejection. */
    public Builder types(List<String> types) {
      if (types.isEmpty()) {
        throw new IllegalArgumentException("at least one type");
      }
      this.types = new ArrayList<>(types);
      return this;
    }

    /** Whether a token without {@code typ} is accepted (default false). */
    public Builder typeOptional(boolean typeOptional) {
      this.typeOptional = typeOptional;
      return this;
    }

    /** The algorithms a token may use and a trusted key may have (default: all of {@link JwsAlgorithm}). */
    public Builder algorithms(Set<JwsAlgorithm> algorithms) {
      if (algorithms.isEmpty()) {
        throw new IllegalArgumentException("at least one algorithm");
      }
      this.algorithms = EnumSet.copyOf(algorithms);
      return this;
    }

    /** The {@code crit} extensions the caller checks itself (RFC 7515 §4.1.11); default none. */
    public Builder understoodCriticalHeaders(Set<String> names) {
      this.understoodCritical = Set.copyOf(names);
      return this;
    }

    /** How far {@code nbf} and {@code iat} may lie in the future, and by default {@code exp} in the past. */
    public Builder clockSkew(Duration skew) {
      this.clockSkew = Objects.requireNonNull(skew);
      return this;
    }

    /** How long after {@code exp} a token is still accepted (default: the clock skew). */
    public Builder expiryLeeway(Duration leeway) {
      this.expiryLeeway = Objects.requireNonNull(leeway);
      return this;
    }

    /** Whether {@code exp} is required and checked (default true; false for an ID token hint, which may have expired). */
    public Builder checkExpiry(boolean checkExpiry) {
      this.checkExpiry = checkExpiry;
      return this;
    }

    /** Whether {@code iat} is required (default true, RFC 9068 §2.2); when present it is always checked. */
    public Builder requireIssuedAt(boolean requireIssuedAt) {
      this.requireIssuedAt = requireIssuedAt;
      return this;
    }

    /** Claims that must be non-empty strings (RFC 9068 §2.2: {@code sub}, {@code client_id}, {@code jti}). */
    public Builder requiredStringClaims(List<String> names) {
      this.requiredStringClaims = List.copyOf(names);
      return this;
    }

    /** The clock every time rule reads (default: the system's UTC clock). */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock);
      return this;
    }

    public JwtVerifier build() {
      return new JwtVerifier(this);
    }
  }
}
