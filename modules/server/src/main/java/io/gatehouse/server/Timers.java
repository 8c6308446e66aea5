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

  private Timers() {}

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
