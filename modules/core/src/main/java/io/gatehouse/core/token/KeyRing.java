package io.gatehouse.core.token;

/**
 * The signing keys in use now: swapped whole when keys rotate or the key file changes, read by the
 * token issuers on every token (a volatile read). Thread-safe.
 */
public final class KeyRing {
  private volatile SigningKeys keys;

  public KeyRing(SigningKeys initial) {
    this.keys = initial;
  }

  public SigningKeys current() {
    return keys;
  }

  /** The key that signs access tokens now. */
  public JwsSigner signer() {
    return keys.signer();
  }

  /** The key that signs {@code algorithm} now (ID tokens). */
  public JwsSigner signer(SigningAlgorithm algorithm) {
    return keys.signer(algorithm);
  }

  public void set(SigningKeys next) {
    this.keys = next;
  }
}
