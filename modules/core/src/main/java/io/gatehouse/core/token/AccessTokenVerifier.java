package io.gatehouse.core.token;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.SignedJWT;
import io.vertx.core.json.JsonObject;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.text.ParseException;
import java.time.Clock;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;

/**
 * Verifies Gatehouse's own JWT access tokens (RFC 9068 §4): the JWS signature against a published key
 * by {@code kid}, the algorithm the key is for, {@code typ at+jwt}, {@code iss} equal to this issuer,
 * and {@code exp} in the future. Parsing is Nimbus JOSE's; ECDSA and RSA verification are Nimbus's
 * verifiers, Ed25519 the JDK's (through whichever JCA provider ranks first).
 */
public final class AccessTokenVerifier {
  private static final byte[] ED25519_X509_PREFIX = HexFormat.of().parseHex("302a300506032b6570032100");
  private static final JOSEObjectType AT_JWT = new JOSEObjectType("at+jwt");
  private static final JOSEObjectType AT_JWT_FULL = new JOSEObjectType("application/at+jwt");

  /** How far in the future {@code iat} and {@code nbf} may be (clocks of nodes differ a little). */
  public static final long MAX_CLOCK_SKEW_SECONDS = 60;

  private final String issuer;
  private final Clock clock;
  /** The algorithm of the keys that sign access tokens, and of those that sign ID tokens (null: any). */
  private final JWSAlgorithm accessAlgorithm;
  private final JWSAlgorithm idAlgorithm;
  private volatile Map<String, KeyEntry> byKid;

  private record KeyEntry(JWSAlgorithm algorithm, JWSVerifier verifier, PublicKey ed25519) {}

  public AccessTokenVerifier(String issuer, JsonObject publicJwks, Clock clock) {
    this(issuer, publicJwks, clock, null, null);
  }

  /**
   * Keeps keys to their use: only a key of {@code accessAlgorithm} verifies an access token, only one
   * of {@code idAlgorithm} an ID token (when the two are one algorithm, {@code typ} still tells them apart).
   */
  public AccessTokenVerifier(String issuer, JsonObject publicJwks, Clock clock, SigningAlgorithm accessAlgorithm,
      SigningAlgorithm idAlgorithm) {
    this.issuer = issuer;
    this.clock = clock;
    this.accessAlgorithm = accessAlgorithm == null ? null : JWSAlgorithm.parse(accessAlgorithm.name());
    this.idAlgorithm = idAlgorithm == null ? null : JWSAlgorithm.parse(idAlgorithm.name());
    this.byKid = keys(publicJwks);
  }

  /**
   * Trusts exactly the keys of {@code publicJwks} from now on (key rotation: a new key is published
   * before it signs, an old one stays until its tokens have expired).
   */
  public void update(JsonObject publicJwks) {
    this.byKid = keys(publicJwks);
  }

  private static Map<String, KeyEntry> keys(JsonObject publicJwks) {
    Map<String, KeyEntry> byKid = new HashMap<>();
    try {
      for (JWK jwk : JWKSet.parse(publicJwks.encode()).getKeys()) {
        if (jwk.getKeyID() == null) {
          continue;
        }
        if (jwk instanceof ECKey ec) {
          byKid.put(jwk.getKeyID(), new KeyEntry(JWSAlgorithm.ES256, new ECDSAVerifier(ec), null));
        } else if (jwk instanceof RSAKey rsa) {
          byKid.put(jwk.getKeyID(), new KeyEntry(JWSAlgorithm.RS256, new RSASSAVerifier(rsa), null));
        } else if (jwk instanceof OctetKeyPair okp) {
          byte[] x = okp.getDecodedX();
          byte[] der = java.util.Arrays.copyOf(ED25519_X509_PREFIX, ED25519_X509_PREFIX.length + x.length);
          System.arraycopy(x, 0, der, ED25519_X509_PREFIX.length, x.length);
          PublicKey key = KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(der));
          byKid.put(jwk.getKeyID(), new KeyEntry(JWSAlgorithm.EdDSA, null, key));
        }
      }
    } catch (ParseException | JOSEException | GeneralSecurityException e) {
      throw new IllegalArgumentException("unusable public key set: " + e.getMessage(), e);
    }
    return Map.copyOf(byKid);
  }

  /**
   * The claims of an ID token this issuer signed, for {@code id_token_hint} (OIDC RP-Initiated Logout
   * §2): signature, algorithm, {@code iss} and {@code typ} (JWT or absent) are checked; expiry is not,
   * since a hint may be an expired ID token.
   */
  public Optional<JsonObject> verifyIdTokenHint(String token) {
    if (token == null || token.length() > 8192) {
      return Optional.empty();
    }
    try {
      SignedJWT jwt = SignedJWT.parse(token);
      JOSEObjectType typ = jwt.getHeader().getType();
      if ((typ != null && !JOSEObjectType.JWT.equals(typ)) || !signedBy(jwt, idAlgorithm)) {
        return Optional.empty();
      }
      JsonObject claims = new JsonObject(jwt.getPayload().toString());
      // an expired hint is fine (RP-Initiated Logout §2); one issued in the future is not ours
      return issuer.equals(claims.getValue("iss")) && notInFuture(claims, "iat", false) ? Optional.of(claims) : Optional.empty();
    } catch (ParseException | JOSEException | GeneralSecurityException | RuntimeException e) {
      return Optional.empty();
    }
  }

  /** The token's claims when it is a valid, unexpired access token of this issuer; else empty. */
  public Optional<JsonObject> verify(String token) {
    if (token == null || token.length() > 8192) {
      return Optional.empty();
    }
    try {
      SignedJWT jwt = SignedJWT.parse(token);
      // RFC 9068 §4: typ must be at+jwt
      if (!(AT_JWT.equals(jwt.getHeader().getType()) || AT_JWT_FULL.equals(jwt.getHeader().getType())) || !signedBy(jwt, accessAlgorithm)) {
        return Optional.empty();
      }
      JsonObject claims = new JsonObject(jwt.getPayload().toString());
      Object exp = claims.getValue("exp");
      if (!issuer.equals(claims.getValue("iss")) || !(exp instanceof Number n) || n.longValue() <= clock.instant().getEpochSecond()) {
        return Optional.empty();
      }
      // RFC 9068 §4 / RFC 7519 §4.1.5-6: iat is required; neither it nor nbf may lie beyond the skew
      if (!notInFuture(claims, "iat", true) || !notInFuture(claims, "nbf", false)) {
        return Optional.empty();
      }
      return Optional.of(claims);
    } catch (ParseException | JOSEException | GeneralSecurityException | RuntimeException e) {
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
    Object aud = claims.getValue("aud");
    return audience.equals(aud) || (aud instanceof io.vertx.core.json.JsonArray list && list.contains(audience));
  }

  /**
   * Whether {@code jwt} is signed by one of the trusted keys, of {@code use} when given, with the
   * key's own algorithm (RFC 8725 §3.1), and carries no {@code crit} header: Gatehouse understands no
   * extension, so RFC 7515 §4.1.11 makes every critical one a reason to refuse, on every algorithm.
   */
  private boolean signedBy(SignedJWT jwt, JWSAlgorithm use) throws JOSEException, GeneralSecurityException {
    if (jwt.getHeader().getCriticalParams() != null && !jwt.getHeader().getCriticalParams().isEmpty()) {
      return false;
    }
    KeyEntry key = jwt.getHeader().getKeyID() == null ? null : byKid.get(jwt.getHeader().getKeyID());
    if (key == null || !key.algorithm.equals(jwt.getHeader().getAlgorithm()) || (use != null && !use.equals(key.algorithm))) {
      return false;
    }
    return verifySignature(jwt, key);
  }

  /** Whether the time claim {@code name} is absent (when not {@code required}) or a number not beyond now plus the skew. */
  private boolean notInFuture(JsonObject claims, String name, boolean required) {
    Object v = claims.getValue(name);
    if (v == null) {
      return !required;
    }
    return v instanceof Number n && n.longValue() <= clock.instant().getEpochSecond() + MAX_CLOCK_SKEW_SECONDS;
  }

  private static boolean verifySignature(SignedJWT jwt, KeyEntry key) throws JOSEException, GeneralSecurityException {
    if (key.verifier != null) {
      return jwt.verify(key.verifier);
    }
    Signature sig = Signature.getInstance("Ed25519");
    sig.initVerify(key.ed25519);
    sig.update(jwt.getSigningInput());
    return sig.verify(jwt.getSignature().decode());
  }
}
