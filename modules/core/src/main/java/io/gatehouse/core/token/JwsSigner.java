package io.gatehouse.core.token;

import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;

/**
 * Signs JWS signing inputs with one private key. Each thread gets its own {@link Signature},
 * initialised once with the key and reused for every token ({@code sign()} resets it to the
 * initialised state), so event loops never share or lock a signature object. The JCA provider is
 * whatever the platform ranks first for the algorithm.
 */
public final class JwsSigner {
  private final SigningAlgorithm algorithm;
  private final String kid;
  private final ThreadLocal<Signature> signatures;

  JwsSigner(SigningAlgorithm algorithm, String kid, PrivateKey key) {
    this.algorithm = algorithm;
    this.kid = kid;
    this.signatures = ThreadLocal.withInitial(() -> newSignature(algorithm, key));
    // fail at start, not on the first token, if the key and algorithm do not fit
    newSignature(algorithm, key);
  }

  public SigningAlgorithm algorithm() {
    return algorithm;
  }

  private String atJwtHeader;
  private String jwtHeader;

  /** base64url of this key's JWS header with {@code typ} (the same for every token it signs). */
  public String encodedHeader(String typ) {
    if ("at+jwt".equals(typ)) {
      String h = atJwtHeader;
      if (h == null) {
        atJwtHeader = h = encode(typ);
      }
      return h;
    }
    String h = jwtHeader;
    if (h == null || !"JWT".equals(typ)) {
      h = encode(typ);
      if ("JWT".equals(typ)) {
        jwtHeader = h;
      }
    }
    return h;
  }

  private String encode(String typ) {
    io.vertx.core.json.JsonObject header = new io.vertx.core.json.JsonObject().put("alg", algorithm.name()).put("typ", typ).put("kid", kid);
    return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(header.encode().getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  public String kid() {
    return kid;
  }

  /** The name of the JCA provider that signs. */
  public String providerName() {
    return signatures.get().getProvider().getName();
  }

  /** The JWS signature of {@code signingInput} in JOSE form (RFC 7515 §5.1, RFC 7518 §3.4). */
  public byte[] sign(byte[] signingInput) {
    try {
      Signature signature = signatures.get();
      signature.update(signingInput);
      // already JOSE form: ES256 signs in P1363 (R || S) format, see SigningAlgorithm
      return signature.sign();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("signing failed", e);
    }
  }

  private static Signature newSignature(SigningAlgorithm algorithm, PrivateKey key) {
    try {
      Signature signature = Signature.getInstance(algorithm.jcaName());
      signature.initSign(key);
      return signature;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot sign " + algorithm + " with the configured key", e);
    }
  }
}
