package io.gatehouse.jose;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * Ed25519 keys between their JWK form (RFC 8037 §2: the raw 32-byte {@code x} and {@code d}) and the JDK's
 * (X.509 SubjectPublicKeyInfo and PKCS#8, RFC 8410 §4 and §7), the one place Gatehouse converts them. The
 * JDK (15+) signs and verifies Ed25519 itself; Nimbus would need Google Tink for it.
 */
public final class Ed25519 {
  /** The JCA name of the key type and of the signature algorithm. */
  public static final String JCA_NAME = "Ed25519";
  /** The length of {@code x} and {@code d}. */
  public static final int KEY_LENGTH = 32;

  // DER prefixes of the X.509 and PKCS#8 encodings of an Ed25519 key (RFC 8410 §4 and §7)
  private static final byte[] X509_PREFIX = HexFormat.of().parseHex("302a300506032b6570032100");
  private static final byte[] PKCS8_PREFIX = HexFormat.of().parseHex("302e020100300506032b657004220420");

  private Ed25519() {}

  /** The public key whose raw form is {@code x}. */
  public static PublicKey publicKey(byte[] x) throws GeneralSecurityException {
    return KeyFactory.getInstance(JCA_NAME).generatePublic(new X509EncodedKeySpec(withPrefix(X509_PREFIX, x)));
  }

  /** The private key whose raw form is {@code d}. */
  public static PrivateKey privateKey(byte[] d) throws GeneralSecurityException {
    return KeyFactory.getInstance(JCA_NAME).generatePrivate(new PKCS8EncodedKeySpec(withPrefix(PKCS8_PREFIX, d)));
  }

  /** The raw {@code x} of a JDK Ed25519 public key. */
  public static byte[] rawPublic(PublicKey key) {
    return tail(key.getEncoded(), X509_PREFIX);
  }

  /** The raw {@code d} of a JDK Ed25519 private key (its PKCS#8 encoding without attributes). */
  public static byte[] rawPrivate(PrivateKey key) {
    return tail(key.getEncoded(), PKCS8_PREFIX);
  }

  private static byte[] withPrefix(byte[] prefix, byte[] raw) throws InvalidKeySpecException {
    if (raw.length != KEY_LENGTH) {
      throw new InvalidKeySpecException("an Ed25519 key is " + KEY_LENGTH + " bytes");
    }
    byte[] der = Arrays.copyOf(prefix, prefix.length + raw.length);
    System.arraycopy(raw, 0, der, prefix.length, raw.length);
    return der;
  }

  private static byte[] tail(byte[] encoded, byte[] prefix) {
    if (encoded.length != prefix.length + KEY_LENGTH || !Arrays.equals(encoded, 0, prefix.length, prefix, 0, prefix.length)) {
      throw new IllegalStateException("unexpected Ed25519 key encoding");
    }
    return Arrays.copyOfRange(encoded, prefix.length, encoded.length);
  }
}
