package io.gatehouse.core.token;

import java.util.Arrays;
import java.util.Optional;

/** The JWS algorithms Gatehouse signs with (RFC 7518 §3.1, RFC 8037 §3.1). */
public enum SigningAlgorithm {
  // RFC 7518 §3.4: an ECDSA JWS signature is R || S (IEEE P1363), not the JCA's default DER sequence; the JCA
  // name with "inP1363Format" (SunEC and ACCP both have it) signs in that form directly
  ES256("SHA256withECDSAinP1363Format"),
  RS256("SHA256withRSA"),
  EdDSA("Ed25519");

  private final String jcaName;

  SigningAlgorithm(String jcaName) {
    this.jcaName = jcaName;
  }

  /** The JCA signature algorithm whose output is the JWS signature as it is (RFC 7515 §5.1). */
  public String jcaName() {
    return jcaName;
  }

  public static Optional<SigningAlgorithm> fromJose(String name) {
    return Arrays.stream(values()).filter(a -> a.name().equals(name)).findFirst();
  }
}
