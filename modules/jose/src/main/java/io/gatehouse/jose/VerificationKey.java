package io.gatehouse.jose;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
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
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Set;

/**
 * One public key of a JWK set with the one algorithm it verifies (RFC 8725 §3.1: the algorithm comes from
 * the key, never from the token): its {@code alg} member when present, else the only algorithm of its type
 * Gatehouse uses (EC P-256 → ES256, RSA → RS256, OKP Ed25519 → EdDSA). ECDSA and RSA are verified by
 * Nimbus's public verifiers; Ed25519 by the JDK ({@link Ed25519}).
 */
public final class VerificationKey {
  private static final int MIN_RSA_BITS = 2048;

  private final String kid;
  private final JwsAlgorithm algorithm;
  private final JWSVerifier verifier;
  private final PublicKey ed25519;

  private VerificationKey(String kid, JwsAlgorithm algorithm, JWSVerifier verifier, PublicKey ed25519) {
    this.kid = kid;
    this.algorithm = algorithm;
    this.verifier = verifier;
    this.ed25519 = ed25519;
  }

  public String kid() {
    return kid;
  }

  public JwsAlgorithm algorithm() {
    return algorithm;
  }

  /**
   * The verification key for {@code jwk}; {@code IllegalArgumentException} saying why it cannot be used: no
   * {@code kid}, not for signatures (RFC 7517 §4.2, §4.3), an {@code alg} not in {@code allowed} or not fitting
   * the key type, an EC curve other than P-256, an RSA modulus under 2048 bits (RFC 7518 §3.3).
   */
  public static VerificationKey of(JWK jwk, Set<JwsAlgorithm> allowed) {
    if (jwk.getKeyID() == null || jwk.getKeyID().isEmpty()) {
      throw new IllegalArgumentException("it has no kid");
    }
    if (jwk.getKeyUse() != null && !KeyUse.SIGNATURE.equals(jwk.getKeyUse())) {
      throw new IllegalArgumentException("its use is not sig");
    }
    if (jwk.getKeyOperations() != null && !jwk.getKeyOperations().contains(KeyOperation.VERIFY)) {
      throw new IllegalArgumentException("its key_ops do not include verify");
    }
    JwsAlgorithm declared = null;
    if (jwk.getAlgorithm() != null) {
      declared = JwsAlgorithm.fromJose(jwk.getAlgorithm().getName());
      if (declared == null) {
        throw new IllegalArgumentException("its alg " + jwk.getAlgorithm().getName() + " is not one Gatehouse verifies");
      }
    }
    try {
      VerificationKey key;
      if (jwk instanceof ECKey ec) {
        if (!Curve.P_256.equals(ec.getCurve())) {
          throw new IllegalArgumentException("its curve is not P-256");
        }
        key = new VerificationKey(jwk.getKeyID(), JwsAlgorithm.ES256, new ECDSAVerifier(ec.toPublicJWK()), null);
      } else if (jwk instanceof RSAKey rsa) {
        if (rsa.size() < MIN_RSA_BITS) {
          throw new IllegalArgumentException("its modulus has fewer than " + MIN_RSA_BITS + " bits");
        }
        key = new VerificationKey(jwk.getKeyID(), JwsAlgorithm.RS256, new RSASSAVerifier(rsa.toPublicJWK()), null);
      } else if (jwk instanceof OctetKeyPair okp && Curve.Ed25519.equals(okp.getCurve())) {
        byte[] x = okp.getDecodedX();
        if (x.length != Ed25519.KEY_LENGTH) {
          throw new IllegalArgumentException("its x is not " + Ed25519.KEY_LENGTH + " bytes");
        }
        key = new VerificationKey(jwk.getKeyID(), JwsAlgorithm.EdDSA, null, Ed25519.publicKey(x));
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

  /** Whether {@code jwt}'s signature verifies with this key (the caller checked the header's alg is this key's). */
  boolean verify(SignedJWT jwt) throws JOSEException, GeneralSecurityException {
    if (verifier != null) {
      // a header of the alg alone: the verifier checked crit itself (Nimbus would refuse every name it does not know)
      return verifier.verify(new JWSHeader(JWSAlgorithm.parse(algorithm.name())), jwt.getSigningInput(), jwt.getSignature());
    }
    Signature sig = Signature.getInstance(Ed25519.JCA_NAME);
    sig.initVerify(ed25519);
    sig.update(jwt.getSigningInput());
    return sig.verify(jwt.getSignature().decode());
  }
}
