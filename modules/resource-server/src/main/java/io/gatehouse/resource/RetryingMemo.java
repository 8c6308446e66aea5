package io.gatehouse.resource;

import io.vertx.core.Future;
import java.time.Duration;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The future of one action, kept once it succeeds; after a failure the action runs again on the next
 * {@link #get} at most once per {@code retryAfter} (until then callers get the failure at once), so a
 * down dependency is asked once per interval, not once per request.
 */
final class RetryingMemo<T> {
  private final Supplier<Future<T>> action;
  private final long retryAfterNanos;
  private final LongSupplier ticker;
  private Future<T> current;
  private long attemptedAt;

  /** {@code ticker}: monotonic nanoseconds ({@link ResourceServerOptions#getTicker()}). */
  RetryingMemo(Supplier<Future<T>> action, Duration retryAfter, LongSupplier ticker) {
    this.ticker = ticker;
    this.action = action;
    this.retryAfterNanos = retryAfter.toNanos();
  }

  synchronized Future<T> get() {
    long now = ticker.getAsLong();
    if (current == null || (current.failed() && now - attemptedAt >= retryAfterNanos)) {
      attemptedAt = now;
      Future<T> f;
      try {
        f = action.get();
      } catch (RuntimeException e) {
        f = Future.failedFuture(e);
      }
      current = f;
    }
    return current;
  }
}
