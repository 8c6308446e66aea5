package io.gatehouse.core.store;

import io.gatehouse.core.model.AuthorizationCode;
import io.vertx.core.Future;
import java.util.Optional;

/**
 * Short-lived authorization codes, keyed by the SHA-256 of the code (the code itself is never
 * stored). On a cluster every node must see the same codes.
 *
 * <h2>Contract</h2>
 * <ul>
 *   <li>{@link #put} stores a code until its {@code expiresAt}; after that {@link #peek} answers empty
 *       (expiry may be enforced by the backing service's TTL, to the second).
 *   <li>{@link #peek} answers the code and whether it has been consumed, without changing anything. A
 *       consumed code stays visible (as consumed) for the store's used-marker lifetime, so a replay can
 *       be recognised and the grant it produced revoked (RFC 6749 §4.1.2).
 *   <li>{@link #consume} answers true for exactly one caller per code, across every node and thread,
 *       and false for every other call and for an unknown or expired code.
 *   <li>A failure of the backing service fails the future; it never answers "unknown" instead.
 *   <li>Methods never block the calling event loop.
 * </ul>
 */
public interface AuthorizationCodeStore {
  Future<Void> put(String codeHash, AuthorizationCode code);

  Future<Optional<Stored>> peek(String codeHash);

  Future<Boolean> consume(String codeHash);

  /** A stored code and whether it has already been redeemed. */
  record Stored(AuthorizationCode code, boolean consumed) {}
}
