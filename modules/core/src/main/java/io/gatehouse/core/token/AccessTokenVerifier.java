package io.gatehouse.core.token;

import io.gatehouse.jose.JwsAlgorithm;
import io.gatehouse.jose.JwtRejection;
import io.gatehouse.jose.JwtVerifier;
import io.gatehouse.jose.KeySet;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

/**
 * Verifies Gatehouse's own JWTs with the shared {@link JwtVerifier} (module gatehouse-jose, which the
 * resource-server library uses too): access tokens (RFC 9068 §4: signature by a published key of the key's own
 * algorithm, {@code typ at+jwt}, no {@code crit}, {@code iss} this issuer, {@code exp} in the future, {@code iat}
 * required and, like {@code nbf}, not beyond the skew) and ID token hints. Every refusal is the same to callers:
 * an empty answer (introspection says {@code active: false}, the bearer endpoints {@code invalid_token}).
 */
public final class AccessTokenVerifier {
  /** How far in the future {@code iat} and {@code nbf} may be (clocks of nodes differ a little). */
  public static final long MAX_CLOCK_SKEW_SECONDS = 60;

  private final JwtVerifier accessTokens;
  private final JwtVerifier idTokenHints;
  private volatile KeySet keys;

  public AccessTokenVerifier(String issuer, JsonObject publicJwks, Clock clock) {
    this(issuer, publicJwks, clock, null, null);
  }

  /**
   * Keeps keys to their use: only a key of {@code accessAlgorithm} verifies an access token, only one
   * of {@code idAlgorithms} an ID token (when an algorithm is both, {@code typ} still tells them apart).
   * ID tokens may be of several algorithms: the server signs them with the one each client registered
   * ({@code id_token_signed_response_alg}, OIDC Registration §2). Null trusts every algorithm.
   */
  public AccessTokenVerifier(String issuer, JsonObject publicJwks, Clock clock, SigningAlgorithm accessAlgorithm,
      Set<SigningAlgorithm> idAlgorithms) {
    Duration skew = Duration.ofSeconds(MAX_CLOCK_SKEW_SECONDS);
    // RFC 9068 §4 / RFC 7519 §4.1.4-6: exp strictly (no leeway: this issuer's own clock set it), iat required
    this.accessTokens = JwtVerifier.builder(issuer).clock(clock).clockSkew(skew).expiryLeeway(Duration.ZERO)
        .algorithms(only(accessAlgorithm)).build();
    // OIDC RP-Initiated Logout §2: a hint may be an expired ID token; typ JWT or absent; iat, if any, not in the future
    this.idTokenHints = JwtVerifier.builder(issuer).clock(clock).clockSkew(skew).checkExpiry(false).requireIssuedAt(false)
        .types(JwtVerifier.JWT_TYPES).typeOptional(true).algorithms(only(idAlgorithms)).build();
    this.keys = keys(publicJwks);
  }

  private static Set<JwsAlgorithm> only(SigningAlgorithm algorithm) {
    return algorithm == null ? EnumSet.allOf(JwsAlgorithm.class) : EnumSet.of(JwsAlgorithm.valueOf(algorithm.name()));
  }

  private static Set<JwsAlgorithm> only(Set<SigningAlgorithm> algorithms) {
    if (algorithms == null) {
      return EnumSet.allOf(JwsAlgorithm.class);
    }
    Set<JwsAlgorithm> out = EnumSet.noneOf(JwsAlgorithm.class);
    algorithms.forEach(a -> out.add(JwsAlgorithm.valueOf(a.name())));
    return out;
  }

  /**
   * Trusts exactly the keys of {@code publicJwks} from now on (key rotation: a new key is published
   * before it signs, an old one stays until its tokens have expired).
   */
  public void update(JsonObject publicJwks) {
    this.keys = keys(publicJwks);
  }

  private static KeySet keys(JsonObject publicJwks) {
    // this issuer's own set: a key it cannot use is a bug, not something to skip
    return KeySet.parse(publicJwks.encode(), EnumSet.allOf(JwsAlgorithm.class), KeySet.REFUSE);
  }

  /**
   * The claims of an ID token this issuer signed, for {@code id_token_hint} (OIDC RP-Initiated Logout
   * §2): signature, algorithm, {@code iss} and {@code typ} (JWT or absent) are checked; expiry is not,
   * since a hint may be an expired ID token.
   */
  public Optional<JsonObject> verifyIdTokenHint(String token) {
    return verify(idTokenHints, token);
  }

  /** The token's claims when it is a valid, unexpired access token of this issuer; else empty. */
  public Optional<JsonObject> verify(String token) {
    return verify(accessTokens, token);
  }

  private Optional<JsonObject> verify(JwtVerifier verifier, String token) {
    try {
      return Optional.of(verifier.verify(token, keys).claims());
    } catch (JwtRejection e) {
      return Optional.empty();
    }
  }

  /**
   * {@code verify(token)} for a resource that only accepts tokens meant for it: the claims when the
   * token is valid and {@code aud} is {@code audience} or a list holding it (RFC 9068 §4, RFC 7519 §4.1.3).
   */
  public Optional<JsonObject> verify(String token, String audience) {
    return verify(token).filter(claims -> hasAudience(claims, audience));
  }

  /** Whether the claims' {@code aud} is {@code audience} or a list holding it (RFC 7519 §4.1.3). */
  public static boolean hasAudience(JsonObject claims, String audience) {
    return JwtVerifier.audienceContains(claims.getValue("aud"), audience);
  }
}
