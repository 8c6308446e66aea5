package io.gatehouse.resource;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.KeyOperation;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.SignedJWT;
import io.gatehouse.resource.ResourceServerOptions.Algorithm;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Set;

/**
 * One public key of the issuer's JWK set with the one algorithm it verifies (RFC 8725 §3.1: the
 * algorithm comes from the key, never from the token): its {@code alg} member when present, else the
 * only algorithm of its type this library accepts (EC P-256 → ES256, RSA → RS256, OKP Ed25519 →
 * EdDSA). ECDSA and RSA are verified by Nimbus; Ed25519 by the JDK, as
 * {@code io.gatehouse.core.token.AccessTokenVerifier} does (Nimbus would need Google Tink).
 */
final class VerificationKey {
  private static final byte[] ED25519_X509_PREFIX = HexFormat.of().parseHex("302a300506032b6570032100");
  private static final int MIN_RSA_BITS = 2048;

  private final String kid;
  private final Algorithm algorithm;
  private final JWSVerifier verifier;
  private final PublicKey ed25519;

  private VerificationKey(String kid, Algorithm algorithm, JWSVerifier verifier, PublicKey ed25519) {
    this.kid = kid;
    this.algorithm = algorithm;
    this.verifier = verifier;
    this.ed25519 = ed25519;
  }

  String kid() {
    return kid;
  }

  Algorithm algorithm() {
    return algorithm;
  }

  /**
   * The verification key for {@code jwk}; {@code IllegalArgumentException} saying why it cannot be
   * used: no {@code kid}, not for signatures, an algorithm not allowed or not matching the key type, an
   * RSA key under 2048 bits.
   */
  static VerificationKey of(JWK jwk, Set<Algorithm> allowed) {
    if (jwk.getKeyID() == null || jwk.getKeyID().isEmpty()) {
      throw new IllegalArgumentException("it has no kid");
    }
    // RFC 7517 §4.2, §4.3
    if (jwk.getKeyUse() != null && !KeyUse.SIGNATURE.equals(jwk.getKeyUse())) {
      throw new IllegalArgumentException("its use is not sig");
    }
    if (jwk.getKeyOperations() != null && !jwk.getKeyOperations().contains(KeyOperation.VERIFY)) {
      throw new IllegalArgumentException("its key_ops do not include verify");
    }
    Algorithm declared = null;
    if (jwk.getAlgorithm() != null) {
      declared = Algorithm.fromJose(jwk.getAlgorithm().getName());
      if (declared == null) {
        throw new IllegalArgumentException("its alg " + jwk.getAlgorithm().getName() + " is not one this library verifies");
      }
    }
    try {
      VerificationKey key;
      if (jwk instanceof ECKey ec) {
        if (!Curve.P_256.equals(ec.getCurve())) {
          throw new IllegalArgumentException("its curve is not P-256");
        }
        key = new VerificationKey(jwk.getKeyID(), Algorithm.ES256, new ECDSAVerifier(ec.toPublicJWK()), null);
      } else if (jwk instanceof RSAKey rsa) {
        if (rsa.size() < MIN_RSA_BITS) {
          throw new IllegalArgumentException("its modulus has fewer than " + MIN_RSA_BITS + " bits");
        }
        key = new VerificationKey(jwk.getKeyID(), Algorithm.RS256, new RSASSAVerifier(rsa.toPublicJWK()), null);
      } else if (jwk instanceof OctetKeyPair okp && Curve.Ed25519.equals(okp.getCurve())) {
        byte[] x = okp.getDecodedX();
        if (x.length != 32) {
          throw new IllegalArgumentException("its x is not 32 bytes");
        }
        byte[] der = Arrays.copyOf(ED25519_X509_PREFIX, ED25519_X509_PREFIX.length + x.length);
        System.arraycopy(x, 0, der, ED25519_X509_PREFIX.length, x.length);
        PublicKey pub = KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(der));
        key = new VerificationKey(jwk.getKeyID(), Algorithm.EdDSA, null, pub);
      } else {
        throw new IllegalArgumentException("its key type " + jwk.getKeyType() + " is not EC P-256, RSA or OKP Ed25519");
      }
      if (declared != null && declared != key.algorithm) {
        throw new IllegalArgumentException("its alg " + declared + " does not fit its key type");
      }
      if (!allowed.contains(key.algorithm)) {
        throw new IllegalArgumentException("its algorithm " + key.algorithm + " is not allowed");
      }
      return key;
    } catch (JOSEException | GeneralSecurityException e) {
      throw new IllegalArgumentException("it is unusable (" + e.getClass().getSimpleName() + ")");
    }
  }

  /** Whether {@code jwt}'s signature verifies with this key (the caller checked the header's alg is ours). */
  boolean verify(SignedJWT jwt) throws JOSEException, GeneralSecurityException {
    if (verifier != null) {
      return jwt.verify(verifier);
    }
    Signature sig = Signature.getInstance("Ed25519");
    sig.initVerify(ed25519);
    sig.update(jwt.getSigningInput());
    return sig.verify(jwt.getSignature().decode());
  }
}
