package io.gatehouse.core.revocation;

import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Notices that this process was paused (SIGSTOP, a stop-the-world GC, a frozen VM) for longer than
 * {@code maxPause}: events published meanwhile may have been lost (the cluster evicted the member,
 * Redis dropped the subscriber), so a deny-set cannot be vouched for until a sync that began after
 * the resume has succeeded (issue 12, fault finding 2).
 *
 * <p>A periodic timer ({@code maxPause / 4}, between 25 ms and 1 s) records the monotonic
 * {@code ticker} (nanoseconds, {@code System::nanoTime} outside tests; never the wall clock, which
 * may jump). A gap between two readings above {@code maxPause} is a pause. Every {@link #epoch()} call
 * checks the gap too, so a request handled right after the resume, before the overdue timer has run,
 * already sees it. A pause counts once; {@link #epoch()} tells how many were seen, so a caller records
 * the epoch at which a sync began and vouches only while it is the current one.
 */
public final class PauseDetector {
  private static final Logger LOG = LoggerFactory.getLogger(PauseDetector.class);

  private final Vertx vertx;
  private final LongSupplier ticker;
  private final long maxPauseNanos;
  private final String what;
  private final AtomicLong lastTick;
  private final AtomicLong epoch = new AtomicLong();
  private volatile Runnable onPause = () -> {};
  private long timer = -1;

  /**
   * @param ticker monotonic nanoseconds ({@code System::nanoTime})
   * @param what names the deny-set in the log line
   */
  public PauseDetector(Vertx vertx, LongSupplier ticker, Duration maxPause, String what) {
    this.vertx = Objects.requireNonNull(vertx, "vertx");
    this.ticker = Objects.requireNonNull(ticker, "ticker");
    if (maxPause.isNegative() || maxPause.isZero()) {
      throw new IllegalArgumentException("maxPause must be positive");
    }
    this.maxPauseNanos = maxPause.toNanos();
    this.what = what;
    this.lastTick = new AtomicLong(ticker.getAsLong());
  }

  /** Runs {@code listener} (on the thread that noticed) each time a pause is noticed. */
  public PauseDetector onPause(Runnable listener) {
    this.onPause = Objects.requireNonNull(listener, "listener");
    return this;
  }

  /** Starts the periodic timer. */
  public synchronized PauseDetector start() {
    if (timer < 0) {
      lastTick.set(ticker.getAsLong());
      long period = Math.max(25, Math.min(1_000, maxPauseNanos / 4_000_000));
      timer = vertx.setPeriodic(period, t -> check(true));
    }
    return this;
  }

  /** How many pauses were noticed so far (checking for one now). */
  public long epoch() {
    check(false);
    return epoch.get();
  }

  public synchronized void stop() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
      timer = -1;
    }
  }

  private void check(boolean tick) {
    long now = ticker.getAsLong();
    long last = lastTick.get();
    long gap = now - last;
    if (gap > maxPauseNanos) {
      // one pause, one count: whoever moves the reading on first reports it
      if (lastTick.compareAndSet(last, now)) {
        epoch.incrementAndGet();
        LOG.warn("this process was paused for about {} ms (more than {} ms): the {} is not vouched for until a resync after the resume",
            gap / 1_000_000, maxPauseNanos / 1_000_000, what);
        onPause.run();
      }
    } else if (tick) {
      lastTick.accumulateAndGet(now, Math::max);
    }
  }
}
