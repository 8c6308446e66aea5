package io.gatehouse.core.token;

import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;

/**
 * Issues OpenID Connect ID tokens (OIDC Core §2): {@code iss}, {@code sub}, {@code aud} (the client
 * id), {@code exp}, {@code iat}, {@code auth_time}, {@code nonce} when the request had one, and
 * {@code at_hash} (OIDC Core §3.3.2.11) binding it to the access token issued with it. Signed RS256 by
 * default: OIDC Core §15.1 requires every relying party to support it.
 */
public final class IdTokenIssuer {
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

  private final String issuer;
  private final java.util.function.Supplier<JwsSigner> signer;
  private final Clock clock;
  private final Duration ttl;
  private final SigningAlgorithm algorithm;
  private final String hashAlgorithm;

  public IdTokenIssuer(String issuer, JwsSigner signer, Clock clock, Duration ttl) {
    this(issuer, () -> signer, clock, ttl);
  }

  /** @param signer the key that signs now (it changes when keys rotate; its algorithm never does) */
  public IdTokenIssuer(String issuer, java.util.function.Supplier<JwsSigner> signer, Clock clock, Duration ttl) {
    this.issuer = issuer;
    this.signer = signer;
    this.clock = clock;
    this.ttl = ttl;
    this.algorithm = signer.get().algorithm();
    // OIDC Core §3.3.2.11: the hash of the JWS alg (SHA-256 for RS256/ES256; Ed25519 signs with SHA-512)
    this.hashAlgorithm = algorithm == SigningAlgorithm.EdDSA ? "SHA-512" : "SHA-256";
  }

  public SigningAlgorithm algorithm() {
    return algorithm;
  }

  /**
   * @param nonce the authorization request's nonce, or null (none on refresh, OIDC Core §12.2)
   * @param accessToken the access token issued alongside, for {@code at_hash}
   */
  public String issue(String subject, String clientId, long authTime, String nonce, String accessToken) {
    long iat = clock.instant().getEpochSecond();
    JsonObject claims = new JsonObject()
        .put("iss", issuer)
        .put("sub", subject)
        .put("aud", clientId)
        .put("exp", iat + ttl.toSeconds())
        .put("iat", iat)
        .put("auth_time", authTime);
    if (nonce != null) {
      claims.put("nonce", nonce);
    }
    claims.put("at_hash", atHash(accessToken));
    JwsSigner key = signer.get();
    String signingInput = key.encodedHeader("JWT") + "." + B64.encodeToString(claims.encode().getBytes(StandardCharsets.UTF_8));
    return signingInput + "." + B64.encodeToString(key.sign(signingInput.getBytes(StandardCharsets.US_ASCII)));
  }

  /** OIDC Core §3.3.2.11: base64url of the left half of the hash of the ASCII access token. */
  String atHash(String accessToken) {
    try {
      byte[] digest = MessageDigest.getInstance(hashAlgorithm).digest(accessToken.getBytes(StandardCharsets.US_ASCII));
      return B64.encodeToString(Arrays.copyOf(digest, digest.length / 2));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
