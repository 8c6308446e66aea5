package io.gatehouse.jose;

/**
 * The JWS algorithms Gatehouse signs and verifies (RFC 7518 §3.1, RFC 8037 §3.1): one per key type. Never
 * {@code none} nor an HMAC (RFC 8725 §3.1, §3.2).
 */
public enum JwsAlgorithm {
  ES256, RS256, EdDSA;

  /** The algorithm named {@code jose} (the header's exact spelling), or null. */
  public static JwsAlgorithm fromJose(String jose) {
    for (JwsAlgorithm a : values()) {
      if (a.name().equals(jose)) {
        return a;
      }
    }
    return null;
  }
}
