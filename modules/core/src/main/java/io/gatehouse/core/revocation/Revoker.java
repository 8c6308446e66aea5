package io.gatehouse.core.revocation;

import io.vertx.core.Future;

/**
 * Records a revocation so that every node and every subscriber stops accepting what it covers. The
 * future succeeds only once the revocation is durably recorded; it then covers the tokens on this
 * node at once, and on the others as the event reaches them.
 */
@FunctionalInterface
public interface Revoker {
  Future<Void> revoke(Revocation revocation);
}
