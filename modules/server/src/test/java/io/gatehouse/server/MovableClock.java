package io.gatehouse.server;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;

/** A server's clock a test moves forward (instead of sleeping); it starts at the real time. */
final class MovableClock extends Clock {
  private final AtomicReference<Instant> now = new AtomicReference<>(Instant.now());

  void forward(Duration by) {
    now.updateAndGet(i -> i.plus(by));
  }

  long epochSecond() {
    return now.get().getEpochSecond();
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
