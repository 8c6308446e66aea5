package io.gatehouse.core.token;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * Random opaque tokens (authorization codes, refresh tokens) and the hashes stores keep instead of
 * them. A token of 128 or 256 random bits needs no salt or work factor: SHA-256 of it cannot be
 * reversed by search, and it keeps stores from ever holding a usable token.
 */
public final class TokenHashes {
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
  private static final ThreadLocal<SecureRandom> RANDOM = ThreadLocal.withInitial(SecureRandom::new);
  private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(TokenHashes::sha256);

  private TokenHashes() {}

  /** {@code bytes} random bytes, base64url without padding. */
  public static String random(int bytes) {
    byte[] b = new byte[bytes];
    RANDOM.get().nextBytes(b);
    return B64.encodeToString(b);
  }

  /** base64url(SHA-256(token)): the key stores keep a token under. */
  public static String hash(String token) {
    return B64.encodeToString(SHA256.get().digest(token.getBytes(StandardCharsets.UTF_8)));
  }

  /** base64url(SHA-256(ASCII(value))), as PKCE S256 computes it (RFC 7636 §4.2). */
  public static String s256(String value) {
    return B64.encodeToString(SHA256.get().digest(value.getBytes(StandardCharsets.US_ASCII)));
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
