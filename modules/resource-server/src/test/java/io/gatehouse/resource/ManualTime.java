package io.gatehouse.resource;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Time a test moves instead of waiting for it: a {@link Clock} (for {@link ResourceServerOptions#setClock}) and a
 * monotonic ticker (for {@link ResourceServerOptions#setTicker}) that stand still until {@link #advance} moves
 * both by the same amount.
 */
final class ManualTime {
  private final AtomicLong offsetNanos = new AtomicLong();
  private final Instant start;
  private final long tickerStart;

  ManualTime(Instant start) {
    this.start = start;
    this.tickerStart = System.nanoTime();
  }

  /** Starting at the system clock's now. */
  ManualTime() {
    this(Instant.now());
  }

  void advance(Duration by) {
    offsetNanos.addAndGet(by.toNanos());
  }

  Clock clock() {
    return new Clock() {
      @Override
      public ZoneId getZone() {
        return ZoneOffset.UTC;
      }

      @Override
      public Clock withZone(ZoneId zone) {
        return this;
      }

      @Override
      public Instant instant() {
        return start.plusNanos(offsetNanos.get());
      }
    };
  }

  LongSupplier ticker() {
    return () -> tickerStart + offsetNanos.get();
  }

  /** Options reading this time for both the clock and the ticker. */
  ResourceServerOptions on(ResourceServerOptions options) {
    return options.setClock(clock()).setTicker(ticker());
  }
}
