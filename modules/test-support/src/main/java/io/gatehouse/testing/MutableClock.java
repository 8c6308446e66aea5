package io.gatehouse.testing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A clock that stands still until a test moves it: what waits for time to pass (an expiry, a
 * refill, a staleness bound) is tested by {@link #advance advancing} it, never by sleeping. Safe to
 * read and move from any thread.
 */
public final class MutableClock extends Clock {
  private final AtomicReference<Instant> now;

  public MutableClock(Instant start) {
    this.now = new AtomicReference<>(start);
  }

  /** A clock standing at the real time of the call (for code that compares it with times from elsewhere). */
  public static MutableClock fromSystemTime() {
    return new MutableClock(Instant.now());
  }

  /** Moves the clock by {@code by} (negative: back). */
  public void advance(Duration by) {
    now.updateAndGet(i -> i.plus(by));
  }

  public void set(Instant instant) {
    now.set(instant);
  }

  public long epochSecond() {
    return instant().getEpochSecond();
  }

  @Override
  public Instant instant() {
    return now.get();
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    return this;
  }
}
