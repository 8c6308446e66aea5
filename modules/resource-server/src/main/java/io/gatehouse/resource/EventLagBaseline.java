package io.gatehouse.resource;

import java.util.HashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * How much later than usual an event arrives, per origin (the Gatehouse node that published it): its
 * lag ({@code now - published_at_ms}, clocks of two hosts) minus the smallest lag seen from that origin
 * over the last one to two {@link #WINDOW_NANOS windows}. So a steady clock offset between this host
 * and a node (a node's clock 20 s behind) is not taken for lateness, while a channel that starts
 * queueing its messages (a slow Redis, chaos finding K9) is. The first event of an origin is its own
 * baseline (excess 0); at most {@link #MAX_ORIGINS} origins are tracked per window, and events of the
 * others count as on time. Not thread-safe: the caller synchronizes.
 */
final class EventLagBaseline {
  /** How long a window lasts (monotonic): a baseline is the least lag of the current and the previous window. */
  static final long WINDOW_NANOS = 300_000_000_000L;
  /** The most origins tracked per window. */
  static final int MAX_ORIGINS = 1_024;

  private final LongSupplier ticker;
  private Map<String, Long> current = new HashMap<>();
  private Map<String, Long> previous = new HashMap<>();
  private long windowStartNanos;

  EventLagBaseline(LongSupplier ticker) {
    this.ticker = ticker;
    this.windowStartNanos = ticker.getAsLong();
  }

  /** Records {@code lagMillis} for {@code origin} and answers how much it exceeds the origin's baseline (0 or more). */
  long excess(String origin, long lagMillis) {
    long now = ticker.getAsLong();
    if (now - windowStartNanos >= WINDOW_NANOS) {
      // two windows passed without an event: nothing of the previous is recent enough to keep
      previous = now - windowStartNanos >= 2 * WINDOW_NANOS ? new HashMap<>() : current;
      current = new HashMap<>();
      windowStartNanos = now;
    }
    Long before = previous.get(origin);
    Long inWindow = current.get(origin);
    if (inWindow == null && current.size() >= MAX_ORIGINS) {
      return 0;
    }
    current.put(origin, inWindow == null ? lagMillis : Math.min(inWindow, lagMillis));
    long base = lagMillis;
    if (before != null) {
      base = Math.min(base, before);
    }
    if (inWindow != null) {
      base = Math.min(base, inWindow);
    }
    return lagMillis - base;
  }
}
