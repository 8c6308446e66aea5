package io.gatehouse.core.store;

import io.vertx.core.Future;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;

/**
 * The one bound every call to a backing service goes through: a call that has not answered after the
 * store's configured timeout fails with {@link StoreUnavailableException} (the call itself is left to
 * finish or fail on its own: a silent server is not waited for), and a failure the store's adapter
 * classifies as "the service is unreachable" becomes one too. Any other failure (a bug, a constraint
 * the caller handles) is passed on unchanged.
 */
public final class StoreCalls {
  private final String store;
  private final long timeoutMillis;
  private final Predicate<Throwable> unreachable;

  /**
   * @param store the store's name in messages and logs ({@code postgres}, {@code redis}, {@code cluster})
   * @param timeout how long one call may take, at least 1 ms
   * @param unreachable which of the client's failures mean the service cannot be reached now
   */
  public StoreCalls(String store, Duration timeout, Predicate<Throwable> unreachable) {
    if (timeout.toMillis() < 1) {
      throw new IllegalArgumentException("timeout must be at least 1 ms, was " + timeout);
    }
    this.store = store;
    this.timeoutMillis = timeout.toMillis();
    this.unreachable = unreachable;
  }

  /** {@code call}, bounded (see the class comment). */
  public <T> Future<T> bounded(Future<T> call) {
    return call.timeout(timeoutMillis, TimeUnit.MILLISECONDS).recover(e -> {
      if (e instanceof StoreUnavailableException) {
        return Future.failedFuture(e);
      }
      if (e instanceof TimeoutException) {
        return Future.failedFuture(new StoreUnavailableException(store, "no answer within " + timeoutMillis + " ms", null));
      }
      if (unreachable.test(e)) {
        return Future.failedFuture(new StoreUnavailableException(store, e.getClass().getSimpleName(), e));
      }
      return Future.failedFuture(e);
    });
  }

  /** How long one call may take, in milliseconds. */
  public long timeoutMillis() {
    return timeoutMillis;
  }
}
