package io.gatehouse.server;

import io.gatehouse.core.revocation.RevocationHub;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The node's periodic work. */
final class Timers {
  // the logs keep the name they always had
  private static final Logger LOG = LoggerFactory.getLogger(Gatehouse.class);
  static final Duration PURGE_INTERVAL = Duration.ofMinutes(10);
  /** How often a node compares its clock with the database's ({@code postgres.max_clock_offset}). */
  static final Duration CLOCK_CHECK_INTERVAL = Duration.ofSeconds(5);

  private Timers() {}

  /**
   * This node's clock against the database's, now and every {@link #CLOCK_CHECK_INTERVAL}; a failed
   * measurement (the database did not answer) is left to the store's own check. Answers the timer, or -1
   * when there is no monitor.
   */
  static long startClockCheck(Vertx vertx, io.gatehouse.core.time.ClockOffsetMonitor monitor) {
    if (monitor == null) {
      return -1;
    }
    monitor.check();
    return vertx.setPeriodic(CLOCK_CHECK_INTERVAL.toMillis(), timer -> monitor.check());
  }

  /**
   * Expired refresh families and tombstones, redeemed codes and revocations are deleted so storage stays
   * bounded (every node runs it; the delete is idempotent). Answers the timer, to cancel at close.
   */
  static long startPurge(Vertx vertx, Clock clock, Stores stores, RevocationHub hub) {
    return vertx.setPeriodic(PURGE_INTERVAL.toMillis(), timer -> {
      stores.refreshTokens().purgeExpired(clock.instant().getEpochSecond())
          .onSuccess(n -> { if (n > 0) LOG.info("purged {} expired refresh token famil(ies)", n); })
          .onFailure(e -> LOG.warn("purging expired refresh tokens failed: {}", e.toString()));
      if (stores.redeemedCodes() != null) {
        stores.redeemedCodes().purgeExpired(clock.instant().getEpochSecond())
            .onFailure(e -> LOG.warn("purging the ledger of redeemed codes failed: {}", e.toString()));
      }
      hub.purgeDurable()
          .onSuccess(n -> { if (n > 0) LOG.info("purged {} expired revocation(s)", n); })
          .onFailure(e -> LOG.warn("purging expired revocations failed: {}", e.toString()));
    });
  }
}
