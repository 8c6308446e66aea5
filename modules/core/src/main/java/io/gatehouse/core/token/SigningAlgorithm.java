package io.gatehouse.core.token;

import java.util.Arrays;
import java.util.Optional;

/** The JWS algorithms Gatehouse signs with (RFC 7518 §3.1, RFC 8037 §3.1). */
public enum SigningAlgorithm {
  ES256("SHA256withECDSA", 64),
  RS256("SHA256withRSA", 0),
  EdDSA("Ed25519", 0);

  private final String jcaName;
  /** For ECDSA: the length of the JOSE R||S signature; 0 when the JCA output is already JOSE form. */
  private final int joseSignatureLength;

  SigningAlgorithm(String jcaName, int joseSignatureLength) {
    this.jcaName = jcaName;
    this.joseSignatureLength = joseSignatureLength;
  }

  public String jcaName() {
    return jcaName;
  }

  int joseSignatureLength() {
    return joseSignatureLength;
  }

  public static Optional<SigningAlgorithm> fromJose(String name) {
    return Arrays.stream(values()).filter(a -> a.name().equals(name)).findFirst();
  }
}
