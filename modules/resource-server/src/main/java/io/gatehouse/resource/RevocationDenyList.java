package io.gatehouse.resource;

import io.gatehouse.core.revocation.DenySet;
import io.gatehouse.core.revocation.Revocation;
import io.gatehouse.core.revocation.RevocationCache;
import io.gatehouse.core.revocation.RevocationChannel;
import io.gatehouse.core.revocation.RevocationEvent;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This API's local copy of Gatehouse's revocation list: core's {@link DenySet}, kept current from one
 * or more {@link RevocationChannel}s and warm-started from a {@link RevocationCache} and/or Gatehouse's
 * {@code GET /revocations} ({@link RevocationSnapshotClient}). A
 * lookup ({@link #denies}) is a few hash-map reads, no network hop; the covering rule is
 * {@link Revocation#covers}'s, not re-implemented here.
 *
 * <h2>Contract</h2>
 * <ul>
 *   <li>{@link #start} subscribes to every channel first and then loads the snapshot (the warm start),
 *       so no revocation published in between is missed: the cache's complete snapshot; else (no
 *       cache, the cache unreachable or not known complete) the whole list from the endpoint. It
 *       succeeds only when every channel is subscribed and a source answered: until then
 *       {@link GatehouseJwtHandler} refuses requests with 503 (it cannot vouch for its deny-set). A
 *       failed start may be called again: it retries only the channels not yet subscribed and the warm
 *       start if it failed.
 *   <li>With a cache but no endpoint, a cache that is not known to be complete ({@code snapshot} empty)
 *       does not fail the start: its {@code active} entries are loaded as a partial list and
 *       {@link #warmStartComplete()} stays false. Without any source a warning is logged: revocations
 *       made before the start are not known.
 *   <li>Every event received is applied (merged) at once. When a channel reports it reconnected (events
 *       may have been lost), the deny-set catches up: from the endpoint, the entries revoked since
 *       {@value #CATCH_UP_OVERLAP_SECONDS} s before the last successful sync began (an overlap for the
 *       clocks and propagation between Gatehouse nodes); else from the cache; without either a warning
 *       is logged. While a channel is down, and for {@code catchUpWindow} after it reconnects, it also
 *       catches up every {@code catchUpInterval} (Gatehouse publishes again, within about a second of its
 *       Redis answering, what its Redis missed; a catch-up finds what this library missed of that). With
 *       a source the deny-set is also resynchronised in full every
 *       {@code resyncInterval}. A resync only adds: nothing but expiry removes an entry.
 *   <li>{@link #vouched()} (fail closed, as Gatehouse nodes do with {@code revocation.max_staleness}): after
 *       the warm start, the deny-set is vouched for while every channel is up and no event may have been
 *       lost since the last successful sync, or while the last successful sync is at most
 *       {@code maxStaleness} old (by the injected clock). So when the channels are down and no
 *       resync succeeds, requests are refused after {@code maxStaleness}. And with a source, after a pause
 *       of this process longer than {@code maxPause} ({@link io.gatehouse.core.revocation.PauseDetector},
 *       on the monotonic {@code ticker}), it is not vouched for until a sync that began after the resume
 *       has succeeded (one starts at once): events published during the pause may be lost.
 *   <li>A sync counts for {@link #vouched()} (as "the last successful sync", and as covering a possible
 *       loss) only when it read Gatehouse's list, or read the cache at least {@code recoverySettle}
 *       (on the {@code ticker}) after the last sign that the nodes may not have written everything yet:
 *       a channel reconnected, the cache answered after a sync had failed (chaos finding K8: the nodes
 *       write again what they kept within about a second of Redis answering them, which may be after
 *       this library's first read), an event arrived more than {@code maxEventLag} later than its
 *       node's events usually do ({@link EventLagBaseline}), or a channel reported itself
 *       {@link RevocationChannel#slow() slow} (chaos finding K9: a slow Redis queues messages and times
 *       out the nodes' writes). A sync that does not count is still applied. While settling, a sync
 *       with an endpoint reads the endpoint; once the time has passed a sync starts by itself.
 *   <li>Entries whose {@code expires_at} has passed are purged every {@code purgeInterval}
 *       ({@link DenySet#purgeExpired}).
 *   <li>{@link #size()}, {@link #lastPropagationLagMillis()}, {@link #eventsReceived()} and
 *       {@link #connected()} are for metrics: the last event's lag is the receiving time minus its
 *       {@code published_at_ms} (clocks of the two hosts permitting).
 * </ul>
 */
public final class RevocationDenyList {
  private static final Logger LOG = LoggerFactory.getLogger(RevocationDenyList.class);
  /** How far before the last successful sync a catch-up starts: clock skew and propagation between Gatehouse nodes. */
  static final long CATCH_UP_OVERLAP_SECONDS = 120;
  /** The {@code why} of the periodic short catch-ups. */
  private static final String PERIODIC_CATCH_UP = "catch-up";

  /** Where the deny-set's snapshot comes from, and how stale it may grow (see the class comment). */
  record Settings(Duration purgeInterval, Duration resyncInterval, Duration maxStaleness, Duration retryInterval, Duration catchUpInterval,
      Duration catchUpWindow, Duration maxPause, Duration recoverySettle, Duration maxEventLag, Clock clock,
      java.util.function.LongSupplier ticker) {}

  private final Vertx vertx;
  private final DenySet denySet = new DenySet();
  private final List<RevocationChannel> channels;
  private final boolean[] subscribed;
  private final RevocationCache cache;
  private final RevocationSnapshotClient endpoint;
  private final Clock clock;
  private final long purgeMillis;
  private final long resyncMillis;
  private final long maxStalenessMillis;
  private final long retryMillis;
  /** Successful syncs begin at these clock times (epoch ms); {@code Long.MIN_VALUE} before the first. */
  private final AtomicLong lastSyncMillis = new AtomicLong(Long.MIN_VALUE);
  /** Counts the moments an event may have been lost (a channel down, a reconnect). */
  private final AtomicLong gaps = new AtomicLong();
  /** The {@link #gaps} count a successful sync began after: the gaps it covers. */
  private final AtomicLong gapsCovered = new AtomicLong();
  private volatile boolean channelsWereUp;
  private volatile long lastKickNanos = Long.MIN_VALUE;
  private Future<Void> syncing; // guarded by this
  private final AtomicLong events = new AtomicLong();
  private volatile long lastLagMillis = -1;
  private volatile boolean warmStarted;
  private volatile boolean warmStartComplete;
  private long purgeTimer = -1;
  private long resyncTimer = -1;
  private long catchUpTimer = -1;
  private boolean closed;
  private final long catchUpMillis;
  private final long catchUpWindowNanos;
  private final java.util.function.LongSupplier ticker;
  /** Short catch-ups go on until this ticker reading (set while a channel is down and at a reconnect). */
  private volatile long catchUpUntilNanos;
  private volatile boolean catchingUp;
  private final io.gatehouse.core.revocation.PauseDetector pauses;
  /** The pause epoch at which the last successful sync began. */
  private final AtomicLong syncedPauseEpoch = new AtomicLong();
  private final long settleNanos;
  private final long maxEventLagMillis;
  /** Syncs that begin before this ticker reading do not count (a source recovering, or events late); passed at construction. */
  private volatile long settleUntilNanos;
  /** The last sync failed: the next one that succeeds found a source that recovered. */
  private volatile boolean sourceFailing;
  private long settleTimer = -1; // guarded by this
  private final AtomicLong lateEvents = new AtomicLong();
  private final AtomicLong syncsSucceeded = new AtomicLong();
  private final AtomicLong syncsFailed = new AtomicLong();
  private final EventLagBaseline lagBaseline;

  /**
   * @param channels where revocation events come from (may be empty: the deny-set then only holds what
   *     the snapshot sources had)
   * @param cache the shared cache to warm-start and resync from, or null
   * @param endpoint Gatehouse's {@code GET /revocations}, or null
   */
  RevocationDenyList(Vertx vertx, List<RevocationChannel> channels, RevocationCache cache, RevocationSnapshotClient endpoint,
      Settings settings) {
    this.vertx = vertx;
    this.channels = List.copyOf(channels);
    this.subscribed = new boolean[this.channels.size()];
    this.cache = cache;
    this.endpoint = endpoint;
    this.clock = settings.clock();
    this.purgeMillis = Math.max(10, settings.purgeInterval().toMillis());
    this.resyncMillis = settings.resyncInterval().toMillis();
    this.maxStalenessMillis = settings.maxStaleness().toMillis();
    this.retryMillis = settings.retryInterval().toMillis();
    this.channelsWereUp = !this.channels.isEmpty();
    this.catchUpMillis = settings.catchUpInterval().toMillis();
    this.catchUpWindowNanos = settings.catchUpWindow().toNanos();
    this.ticker = settings.ticker();
    this.settleNanos = Math.max(0, settings.recoverySettle().toNanos());
    this.maxEventLagMillis = settings.maxEventLag().toMillis();
    this.lagBaseline = new EventLagBaseline(ticker);
    this.settleUntilNanos = ticker.getAsLong();
    this.pauses = new io.gatehouse.core.revocation.PauseDetector(vertx, ticker, settings.maxPause(), "resource server's revocation deny-set")
        .onPause(this::syncAfterPause);
  }

  /** Subscribes to the channels not yet subscribed, then warm-starts from the cache (once), then starts the timers. */
  public synchronized Future<Void> start() {
    if (closed) {
      return Future.failedFuture(new IllegalStateException("closed"));
    }
    if (cache != null || endpoint != null) {
      // without a source nothing could heal a pause: the deny-set would fail closed for good
      pauses.start();
    }
    List<Future<Void>> subscriptions = new ArrayList<>();
    for (int i = 0; i < channels.size(); i++) {
      if (subscribed[i]) {
        continue;
      }
      int index = i;
      RevocationChannel channel = channels.get(i);
      subscriptions.add(channel.subscribe(this::onEvent, () -> onReconnected(channel))
          .onSuccess(v -> {
            synchronized (this) {
              subscribed[index] = true;
            }
            LOG.info("revocation deny-set subscribed to channel {}", channel.name());
          })
          .recover(e -> Future.failedFuture(new IllegalStateException("subscribing to revocation channel " + channel.name() + " failed: " + e.getMessage(), e))));
    }
    return Future.join(subscriptions).compose(v -> warmStart()).onSuccess(v -> timers()).mapEmpty();
  }

  private Future<Void> warmStart() {
    if (warmStarted) {
      return Future.succeededFuture();
    }
    if (cache == null && endpoint == null) {
      LOG.warn("no revocation snapshot source (cache or Gatehouse's /revocations): revocations made before this start are not known");
      warmStarted = true;
      lastSyncMillis.accumulateAndGet(clock.millis(), Math::max);
      return Future.succeededFuture();
    }
    return sync("warm start", false).onSuccess(v -> warmStarted = true);
  }

  /**
   * Brings the deny-set up to date (concurrent calls share one run): the cache's complete snapshot, else
   * the endpoint (in full, or from the catch-up point when {@code catchUp}), else the cache's entries as
   * a partial list. On success the sync counts for {@link #vouched()} from the moment it began.
   */
  private Future<Void> sync(String why, boolean catchUp) {
    io.vertx.core.Promise<Void> done;
    synchronized (this) {
      if (syncing != null) {
        return syncing;
      }
      done = io.vertx.core.Promise.promise();
      syncing = done.future();
    }
    long startedMillis = clock.millis();
    long gapsAtStart = gaps.get();
    long pauseEpochAtStart = pauses.epoch();
    boolean settlingAtStart = settlingNow();
    boolean failingAtStart = sourceFailing;
    // While settling, Gatehouse's list (the durable one) is read rather than the cache, which may still
    // lack what the nodes kept during the fault: with an endpoint a sync counts at once.
    boolean skipCache = settlingAtStart && endpoint != null;
    Future<Boolean> fromCache = cache == null || skipCache ? Future.succeededFuture(false) : loadCache(why, endpoint == null);
    // true when Gatehouse's list was read
    fromCache.compose(loaded -> loaded || endpoint == null ? Future.succeededFuture(false) : loadEndpoint(why, catchUp).map(true))
        .onSuccess(fromEndpoint -> {
          sourceFailing = false;
          syncsSucceeded.incrementAndGet();
          if (!fromEndpoint && settleNanos > 0 && (settlingAtStart || failingAtStart)) {
            // chaos finding K8: the cache answers again, but the nodes may not have re-written yet what
            // they kept while it failed; what was read is applied, and vouches only for a later sync
            if (failingAtStart) {
              settle("its snapshot source answers again");
            }
            return;
          }
          lastSyncMillis.accumulateAndGet(startedMillis, Math::max);
          gapsCovered.accumulateAndGet(gapsAtStart, Math::max);
          syncedPauseEpoch.accumulateAndGet(pauseEpochAtStart, Math::max);
        })
        .onFailure(e -> {
          sourceFailing = true;
          syncsFailed.incrementAndGet();
        })
        .onComplete(ar -> {
          synchronized (this) {
            syncing = null;
          }
          done.handle(ar.mapEmpty());
        });
    return done.future();
  }

  /**
   * Reads the cache into the deny-set: true when it held a complete snapshot. Otherwise, when
   * {@code partialCounts} (no other source), its active entries as a partial list (true); else false,
   * the cache failing included.
   */
  private Future<Boolean> loadCache(String why, boolean partialCounts) {
    long now = nowSeconds();
    Future<Boolean> loaded = cache.snapshot(now).compose(snapshot -> {
      if (snapshot.isPresent()) {
        denySet.applyAll(snapshot.get());
        warmStartComplete = true;
        logSync(why, "revocation deny-set {}: {} entr(ies) from the cache's complete snapshot", snapshot.get().size());
        return Future.succeededFuture(true);
      }
      if (!partialCounts) {
        logSync(why, "revocation deny-set {}: the cache is not known to be complete; reading Gatehouse's revocation list");
        return Future.succeededFuture(false);
      }
      return cache.active(now).map(active -> {
        denySet.applyAll(active);
        LOG.warn("revocation deny-set {}: the cache is not known to be complete; loaded its {} entr(ies) as a partial list", why, active.size());
        return true;
      });
    });
    if (partialCounts) {
      return loaded.recover(e -> Future.failedFuture(new IllegalStateException("loading revocations from the cache failed (" + why + "): " + e.getMessage(), e)));
    }
    return loaded.recover(e -> {
      if (PERIODIC_CATCH_UP.equals(why)) {
        LOG.debug("revocation deny-set {}: the cache failed ({}); reading Gatehouse's revocation list", why, e.getClass().getSimpleName());
      } else {
        LOG.warn("revocation deny-set {}: the cache failed ({}); reading Gatehouse's revocation list", why, e.getClass().getSimpleName());
      }
      return Future.succeededFuture(false);
    });
  }

  /** Reads Gatehouse's list into the deny-set: in full, or from the catch-up point. */
  private Future<Void> loadEndpoint(String why, boolean catchUp) {
    long last = lastSyncMillis.get();
    long since = catchUp && last != Long.MIN_VALUE ? Math.max(0, last / 1000 - CATCH_UP_OVERLAP_SECONDS) : 0;
    return endpoint.fetch(since).map(entries -> {
      denySet.applyAll(entries);
      warmStartComplete = true;
      logSync(why, "revocation deny-set {}: {} entr(ies) from Gatehouse's revocation list{}", entries.size(),
          since > 0 ? " (revoked since " + since + ")" : "");
      return (Void) null;
    }).recover(e -> Future.failedFuture(new IllegalStateException("loading revocations from Gatehouse failed (" + why + "): " + e.getMessage(), e)));
  }

  private synchronized void timers() {
    if (closed) {
      return;
    }
    if (purgeTimer < 0) {
      purgeTimer = vertx.setPeriodic(purgeMillis, t -> {
        int n = denySet.purgeExpired(nowSeconds());
        if (n > 0) {
          LOG.debug("purged {} expired revocation(s)", n);
        }
        vouched(); // notices a channel that went down even when no request comes
      });
    }
    if (resyncTimer < 0 && (cache != null || endpoint != null) && resyncMillis > 0) {
      resyncTimer = vertx.setPeriodic(resyncMillis, t -> sync("resync", false).onFailure(e -> LOG.warn(e.getMessage())));
    }
    if (catchUpTimer < 0 && (cache != null || endpoint != null) && !channels.isEmpty()) {
      catchUpTimer = vertx.setPeriodic(catchUpMillis, t -> catchUpTick());
    }
  }

  /**
   * The short catch-ups: while a channel is down, and for the catch-up window after it is back, the
   * deny-set catches up every catch-up interval. Gatehouse publishes again what its Redis missed once
   * Redis answers it (within about a second), which may be before this library resubscribed; a catch-up
   * after that finds it. Failures are logged at DEBUG (the staleness rule decides what they cost).
   */
  private void catchUpTick() {
    long now = ticker.getAsLong();
    if (channels.stream().anyMatch(RevocationChannel::slow)) {
      // chaos finding K9: a slow channel may deliver events late, and the nodes' writes to a slow cache
      // may time out: like a late event, and for as long as it stays slow
      late("a revocation channel answers slowly; the deny-set is vouched for only by its last sync until it is prompt again");
    }
    if (!connected()) {
      catchUpUntilNanos = now + catchUpWindowNanos;
      catchingUp = true;
    } else if (!catchingUp || now - catchUpUntilNanos > 0) {
      catchingUp = false;
      return;
    }
    sync(PERIODIC_CATCH_UP, true).onFailure(e -> LOG.debug(e.getMessage()));
  }

  /** What a sync found: at DEBUG for the periodic short catch-ups (one a second while they go on), else INFO. */
  private static void logSync(String why, String format, Object... args) {
    Object[] all = new Object[args.length + 1];
    all[0] = why;
    System.arraycopy(args, 0, all, 1, args.length);
    if (PERIODIC_CATCH_UP.equals(why)) {
      LOG.debug(format, all);
    } else {
      LOG.info(format, all);
    }
  }

  /** A pause was noticed: a sync that begins now (one in flight began before the resume and does not count). */
  private void syncAfterPause() {
    gaps.incrementAndGet();
    long epoch = pauses.epoch();
    sync("catch-up after a pause", true).onComplete(ar -> {
      if (syncedPauseEpoch.get() < epoch) {
        sync("catch-up after a pause", true).onFailure(e -> LOG.warn(e.getMessage()));
      }
    });
  }

  private void onEvent(RevocationEvent event) {
    denySet.apply(event.revocation());
    events.incrementAndGet();
    if (event.publishedAtMillis() > 0) {
      long lag = clock.millis() - event.publishedAtMillis();
      lastLagMillis = Math.max(0, lag);
      long excess;
      synchronized (lagBaseline) {
        excess = lagBaseline.excess(event.origin() == null ? "" : event.origin(), lag);
      }
      if (maxEventLagMillis > 0 && excess > maxEventLagMillis && (cache != null || endpoint != null)) {
        // chaos finding K9: a channel this late (a slow Redis queueing its messages) may be later still
        // for events not yet here; and the nodes' writes to a slow cache may have timed out
        lateEvents.incrementAndGet();
        late("a revocation event arrived {} ms later than its node's events usually do (more than {} ms: a slow channel); "
            + "the deny-set is vouched for only by its last sync until events are timely again and a sync has succeeded", excess, maxEventLagMillis);
      }
    }
  }

  /** Events may have been lost: a sync must cover it, and the short catch-ups go on for the catch-up window. */
  private void possibleLoss() {
    gaps.incrementAndGet();
    catchUpUntilNanos = ticker.getAsLong() + catchUpWindowNanos;
    catchingUp = true;
  }

  /** A sign the channels deliver late (K9): logs {@code warning} unless already settling, then settles. */
  private void late(String warning, Object... args) {
    if (!settlingNow()) {
      LOG.warn(warning, args);
    }
    possibleLoss();
    settle(null);
  }

  private boolean settlingNow() {
    return ticker.getAsLong() - settleUntilNanos < 0;
  }

  /**
   * Syncs that begin within {@code recoverySettle} from now do not count for {@link #vouched()}, and one
   * is started once it has passed (chaos findings K8 and K9). Logs {@code why} when not null.
   */
  private void settle(String why) {
    long until = ticker.getAsLong() + settleNanos;
    synchronized (this) {
      if (until - settleUntilNanos > 0) {
        settleUntilNanos = until;
      }
      if (closed || settleTimer >= 0) {
        return;
      }
      settleTimer = vertx.setTimer(Math.max(1, settleNanos / 1_000_000 + 1), t -> afterSettle());
    }
    if (why != null && settleNanos > 0) {
      LOG.info("revocation deny-set: {}; a sync after {} ms vouches for it", why, settleNanos / 1_000_000);
    }
  }

  /** The settle timer fired: a sync if the settling is over, else the timer again for what is left. */
  private void afterSettle() {
    long left;
    synchronized (this) {
      settleTimer = -1;
      if (closed) {
        return;
      }
      left = settleUntilNanos - ticker.getAsLong();
      if (left > 0) {
        settleTimer = vertx.setTimer(Math.max(1, left / 1_000_000 + 1), t -> afterSettle());
        return;
      }
    }
    sync("catch-up after settling", true).onFailure(e -> LOG.debug(e.getMessage()));
  }

  private void onReconnected(RevocationChannel channel) {
    if (cache == null && endpoint == null) {
      LOG.warn("revocation channel {} reconnected; events published while it was down may be lost and there is no source to resync from",
          channel.name());
      return;
    }
    possibleLoss();
    // chaos finding K8: Gatehouse re-publishes what it kept while the channel failed only once it answers
    // the nodes again; a sync that begins before that may lack it
    settle("channel " + channel.name() + " reconnected");
    sync("catch-up after " + channel.name() + " reconnected", true).onFailure(e -> LOG.warn(e.getMessage()));
  }

  /**
   * Whether the deny-set can be vouched for now (see the class comment): false before the warm start,
   * and once the channels are down (or may have lost events) and the last successful sync is older
   * than {@code maxStaleness}.
   */
  public boolean vouched() {
    if (!warmStarted) {
      return false;
    }
    if ((cache != null || endpoint != null) && pauses.epoch() > syncedPauseEpoch.get()) {
      // paused past revocationMaxPause: events may be lost, and no sync since the resume has succeeded
      return false;
    }
    boolean up = !channels.isEmpty() && connected();
    if (!up && channelsWereUp) {
      LOG.warn("a revocation channel is down; the deny-set is vouched for {} ms after its last successful sync", maxStalenessMillis);
    }
    if (up != channelsWereUp && (cache != null || endpoint != null)) {
      // down: events may be lost from now on, until a sync that begins later succeeds
      gaps.incrementAndGet();
    }
    channelsWereUp = up;
    if (up && gapsCovered.get() >= gaps.get()) {
      return true;
    }
    long last = lastSyncMillis.get();
    return last != Long.MIN_VALUE && clock.millis() - last <= maxStalenessMillis;
  }

  /** Starts a catch-up now unless one started within the retry interval (a request found the list stale). */
  void catchUpSoon() {
    if (cache == null && endpoint == null) {
      return;
    }
    long now = ticker.getAsLong();
    long last = lastKickNanos;
    if (last != Long.MIN_VALUE && now - last < retryMillis * 1_000_000L) {
      return;
    }
    lastKickNanos = now;
    sync("catch-up while stale", true).onFailure(e -> LOG.warn(e.getMessage()));
  }

  /** Epoch milliseconds (by the clock) at which the last successful sync began; {@code Long.MIN_VALUE} before the first. */
  public long lastSyncMillis() {
    return lastSyncMillis.get();
  }

  /** Whether a token with these claims ({@code jti}, {@code gid}, {@code sub}, {@code client_id}, {@code iat}) is revoked. */
  public boolean denies(JsonObject claims) {
    return denySet.denies(claims);
  }

  /** Adds a revocation directly (as an event would). */
  public boolean apply(Revocation revocation) {
    return denySet.apply(revocation);
  }

  /** How many entries the deny-set holds. */
  public int size() {
    return denySet.size();
  }

  /** now − {@code published_at_ms} of the last event received, in milliseconds; empty before the first. */
  public Optional<Long> lastPropagationLagMillis() {
    long lag = lastLagMillis;
    return lag < 0 ? Optional.empty() : Optional.of(lag);
  }

  /** How many events were received. */
  public long eventsReceived() {
    return events.get();
  }

  /** How many syncs succeeded, those that vouch for nothing (while settling) included. */
  long syncsSucceeded() {
    return syncsSucceeded.get();
  }

  /** How many syncs failed. */
  long syncsFailed() {
    return syncsFailed.get();
  }

  /** How many events arrived more than {@code revocationMaxEventLag} after they were published. */
  public long lateEventsReceived() {
    return lateEvents.get();
  }

  /** Whether every channel's subscription is up now. */
  public boolean connected() {
    return channels.stream().allMatch(RevocationChannel::connected);
  }

  /** Whether the warm start (or a later resync) loaded a complete list (the cache's vouched snapshot, or Gatehouse's list). */
  public boolean warmStartComplete() {
    return warmStartComplete;
  }

  /** Stops the timers and closes the channels' subscriptions. */
  public synchronized Future<Void> close() {
    closed = true;
    if (purgeTimer >= 0) {
      vertx.cancelTimer(purgeTimer);
    }
    if (resyncTimer >= 0) {
      vertx.cancelTimer(resyncTimer);
    }
    if (catchUpTimer >= 0) {
      vertx.cancelTimer(catchUpTimer);
    }
    if (settleTimer >= 0) {
      vertx.cancelTimer(settleTimer);
    }
    pauses.stop();
    return Future.join(channels.stream().map(RevocationChannel::close).toList()).mapEmpty();
  }

  private long nowSeconds() {
    return clock.instant().getEpochSecond();
  }
}
