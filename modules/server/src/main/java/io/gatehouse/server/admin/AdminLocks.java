package io.gatehouse.server.admin;

import io.gatehouse.core.error.OAuthException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.function.Supplier;

/**
 * One admin change of a client or a user at a time, across the cluster: a change reads the stored
 * record and writes it back (an update keeps the secret hash, a rotation keeps the metadata, a create
 * must not overwrite), so two changes of one record must not interleave. The lock is Vert.x's shared
 * data lock (the cluster manager's when clustered), released when the change completes.
 */
final class AdminLocks {
  static final long TIMEOUT_MS = 10_000;

  private AdminLocks() {}

  static <T> Future<T> withLock(Vertx vertx, String name, Supplier<Future<T>> change) {
    return vertx.sharedData().getLockWithTimeout("gatehouse.admin." + name, TIMEOUT_MS)
        .recover(e -> Future.failedFuture(OAuthException.temporarilyUnavailable("another change of this record is in progress; try again")))
        .compose(lock -> {
          Future<T> done;
          try {
            done = change.get();
          } catch (RuntimeException e) {
            done = Future.failedFuture(e);
          }
          return done.andThen(ar -> lock.release());
        });
  }
}
