package io.gatehouse.core.token;

import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.function.Function;

/**
 * Issues OpenID Connect ID tokens (OIDC Core §2): {@code iss}, {@code sub}, {@code aud} (the client
 * id), {@code exp}, {@code iat}, {@code auth_time}, {@code nonce} when the request had one, and
 * {@code at_hash} (OIDC Core §3.3.2.11) binding it to the access token issued with it. Signed RS256 by
 * default: OIDC Core §15.1 requires every relying party to support it; a client that registered
 * {@code id_token_signed_response_alg} (OIDC Registration §2) gets its ID tokens signed with that
 * algorithm's key.
 */
public final class IdTokenIssuer {
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

  private final String issuer;
  private final Function<SigningAlgorithm, JwsSigner> signers;
  private final Clock clock;
  private final Duration ttl;
  private final SigningAlgorithm algorithm;

  /** Signs every ID token with {@code signer} (its algorithm is the only one). */
  public IdTokenIssuer(String issuer, JwsSigner signer, Clock clock, Duration ttl) {
    this(issuer, signer.algorithm(), alg -> signer, clock, ttl);
  }

  /**
   * @param algorithm the default algorithm: for clients that registered no {@code id_token_signed_response_alg}
   * @param signers the key that signs an algorithm now (it changes when keys rotate; its algorithm never
   *     does); throws {@link IllegalArgumentException} for an algorithm the server holds no key for
   */
  public IdTokenIssuer(String issuer, SigningAlgorithm algorithm, Function<SigningAlgorithm, JwsSigner> signers, Clock clock,
      Duration ttl) {
    this.issuer = issuer;
    this.signers = signers;
    this.clock = clock;
    this.ttl = ttl;
    this.algorithm = algorithm;
  }

  /** The default algorithm. */
  public SigningAlgorithm algorithm() {
    return algorithm;
  }

  /** As {@link #issue(SigningAlgorithm, String, String, long, String, String)} with the default algorithm. */
  public String issue(String subject, String clientId, long authTime, String nonce, String accessToken) {
    return issue(null, subject, clientId, authTime, nonce, accessToken);
  }

  /**
   * @param requested the client's {@code id_token_signed_response_alg} (OIDC Registration §2), or null for
   *     the default
   * @param nonce the authorization request's nonce, or null (none on refresh, OIDC Core §12.2)
   * @param accessToken the access token issued alongside, for {@code at_hash}
   * @throws IllegalStateException when the server holds no key for {@code requested} (the registration
   *     rules admit only algorithms it holds keys for, so only a changed configuration gets here)
   */
  public String issue(SigningAlgorithm requested, String subject, String clientId, long authTime, String nonce, String accessToken) {
    SigningAlgorithm alg = requested == null ? algorithm : requested;
    JwsSigner key;
    try {
      key = signers.apply(alg);
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException("client " + clientId + " wants " + alg + " ID tokens, and this server holds no " + alg + " key", e);
    }
    if (key.algorithm() != alg) {
      throw new IllegalStateException("client " + clientId + " wants " + alg + " ID tokens, and this server signs them with " + key.algorithm());
    }
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
    claims.put("at_hash", atHash(alg, accessToken));
    String signingInput = key.encodedHeader("JWT") + "." + B64.encodeToString(claims.encode().getBytes(StandardCharsets.UTF_8));
    return signingInput + "." + B64.encodeToString(key.sign(signingInput.getBytes(StandardCharsets.US_ASCII)));
  }

  /** The {@code at_hash} of an ID token of the default algorithm. */
  String atHash(String accessToken) {
    return atHash(algorithm, accessToken);
  }

  /**
   * OIDC Core §3.3.2.11: base64url of the left half of the hash of the ASCII access token, the hash
   * being that of the JWS alg (SHA-256 for RS256 and ES256; Ed25519 signs with SHA-512).
   */
  static String atHash(SigningAlgorithm alg, String accessToken) {
    String hashAlgorithm = alg == SigningAlgorithm.EdDSA ? "SHA-512" : "SHA-256";
    try {
      byte[] digest = MessageDigest.getInstance(hashAlgorithm).digest(accessToken.getBytes(StandardCharsets.US_ASCII));
      return B64.encodeToString(Arrays.copyOf(digest, digest.length / 2));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
