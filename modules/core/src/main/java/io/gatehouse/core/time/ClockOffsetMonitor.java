package io.gatehouse.core.time;

import io.vertx.core.Future;
import java.time.Clock;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Measures how far this node's wall clock is from the shared store's ({@link ReferenceClock}) and says
 * whether it can be trusted.
 *
 * <p>Why it matters: times one node writes are read against other machines' clocks. A token's
 * {@code iat} and {@code exp} are checked by the other nodes and by resource servers; a revocation of
 * a user or client covers the tokens issued up to its {@code revokedAt}, both from different nodes;
 * expired revocations are purged by any node. A node whose clock is 20 s ahead issues tokens whose
 * {@code iat} falls after a revocation made 20 s later elsewhere, which that revocation then does not
 * cover (docs/RELIABILITY.md, clock skew).
 *
 * <p>How: like one NTP exchange. The local clock is read before ({@code t0}) and after ({@code t1}) the
 * store's ({@code r}); the offset is {@code r - (t0 + t1) / 2}, known within {@code (t1 - t0) / 2}. The
 * clock is untrusted when the offset exceeds {@code maxOffset} by more than that uncertainty (a slow
 * answer never makes a right clock look wrong), and trusted again when a measurement says it is within.
 * A failed measurement (the store did not answer) changes nothing: store trouble has its own check.
 */
public final class ClockOffsetMonitor {
  private static final Logger LOG = LoggerFactory.getLogger(ClockOffsetMonitor.class);

  private final ReferenceClock reference;
  private final Clock clock;
  private final long maxOffsetMillis;
  private volatile boolean trusted = true;
  private volatile long offsetMillis;
  private volatile boolean measured;

  /** @param maxOffset the largest offset from the reference that is still trusted (positive) */
  public ClockOffsetMonitor(ReferenceClock reference, Clock clock, Duration maxOffset) {
    if (maxOffset.isNegative() || maxOffset.isZero()) {
      throw new IllegalArgumentException("maxOffset must be positive");
    }
    this.reference = reference;
    this.clock = clock;
    this.maxOffsetMillis = maxOffset.toMillis();
  }

  /** One measurement; the future fails when the reference did not answer (the state is left as it was). */
  public Future<Void> check() {
    long t0 = clock.millis();
    return reference.now().map(r -> {
      long t1 = clock.millis();
      long uncertainty = Math.max(0, t1 - t0) / 2;
      // positive: the reference is ahead of this node (this clock is behind)
      long offset = r.toEpochMilli() - (t0 + (t1 - t0) / 2);
      offsetMillis = offset;
      measured = true;
      boolean wrong = Math.abs(offset) - uncertainty > maxOffsetMillis;
      if (wrong && trusted) {
        LOG.warn("this node's clock is {} ms {} the database's (more than the {} ms allowed): readiness DOWN until it is right",
            Math.abs(offset), offset > 0 ? "behind" : "ahead of", maxOffsetMillis);
      } else if (!wrong && !trusted) {
        LOG.info("this node's clock is within {} ms of the database's again ({} ms)", maxOffsetMillis, offset);
      }
      trusted = !wrong;
      return null;
    });
  }

  /** False while the last measurement found this clock further than the allowed offset from the reference. */
  public boolean trusted() {
    return trusted;
  }

  /**
   * The last measured offset of the reference from this clock, in seconds (positive: this clock is
   * behind); 0 before the first measurement.
   */
  public double offsetSeconds() {
    return measured ? offsetMillis / 1000.0 : 0;
  }
}
