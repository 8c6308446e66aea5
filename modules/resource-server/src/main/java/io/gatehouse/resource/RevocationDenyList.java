package io.gatehouse.resource;

import io.gatehouse.core.revocation.DenySet;
import io.gatehouse.core.revocation.Revocation;
import io.gatehouse.core.revocation.RevocationCache;
import io.gatehouse.core.revocation.RevocationChannel;
import io.gatehouse.core.revocation.RevocationEvent;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This API's local copy of Gatehouse's revocation list: core's {@link DenySet}, kept current from one
 * or more {@link RevocationChannel}s and optionally warm-started from a {@link RevocationCache}. A
 * lookup ({@link #denies}) is a few hash-map reads, no network hop; the covering rule is
 * {@link Revocation#covers}'s, not re-implemented here.
 *
 * <h2>Contract</h2>
 * <ul>
 *   <li>{@link #start} subscribes to every channel first and then (with a cache) loads its snapshot, so
 *       no revocation published in between is missed. It succeeds only when every channel is
 *       subscribed and the cache (when configured) answered: until then {@link GatehouseJwtHandler}
 *       refuses requests with 503 (it cannot vouch for its deny-set). A failed start may be called
 *       again: it retries only the channels not yet subscribed and the warm start if it failed.
 *   <li>A cache that is not known to be complete ({@code snapshot} empty) does not fail the start: its
 *       {@code active} entries are loaded as a partial list and {@link #warmStartComplete()} stays false.
 *   <li>Every event received is applied (merged) at once. When a channel reports it reconnected (events
 *       may have been lost), the deny-set is resynchronised from the cache; without a cache a warning
 *       is logged. With a cache the deny-set is also resynchronised every {@code resyncInterval}. A
 *       resync only adds: nothing but expiry removes an entry.
 *   <li>Entries whose {@code expires_at} has passed are purged every {@code purgeInterval}
 *       ({@link DenySet#purgeExpired}).
 *   <li>{@link #size()}, {@link #lastPropagationLagMillis()}, {@link #eventsReceived()} and
 *       {@link #connected()} are for metrics: the last event's lag is the receiving time minus its
 *       {@code published_at_ms} (clocks of the two hosts permitting).
 * </ul>
 */
public final class RevocationDenyList {
  private static final Logger LOG = LoggerFactory.getLogger(RevocationDenyList.class);

  private final Vertx vertx;
  private final DenySet denySet = new DenySet();
  private final List<RevocationChannel> channels;
  private final boolean[] subscribed;
  private final RevocationCache cache;
  private final long purgeMillis;
  private final long resyncMillis;
  private final AtomicLong events = new AtomicLong();
  private volatile long lastLagMillis = -1;
  private volatile boolean warmStarted;
  private volatile boolean warmStartComplete;
  private long purgeTimer = -1;
  private long resyncTimer = -1;
  private boolean closed;

  /**
   * @param channels where revocation events come from (may be empty: the deny-set then only holds what
   *     the cache had)
   * @param cache the shared cache to warm-start and resync from, or null
   * @param purgeInterval how often expired entries are dropped
   * @param resyncInterval how often the cache is re-read (zero: never; ignored without a cache)
   */
  public RevocationDenyList(Vertx vertx, List<RevocationChannel> channels, RevocationCache cache, Duration purgeInterval, Duration resyncInterval) {
    this.vertx = vertx;
    this.channels = List.copyOf(channels);
    this.subscribed = new boolean[this.channels.size()];
    this.cache = cache;
    this.purgeMillis = Math.max(10, purgeInterval.toMillis());
    this.resyncMillis = resyncInterval.toMillis();
  }

  /** Subscribes to the channels not yet subscribed, then warm-starts from the cache (once), then starts the timers. */
  public synchronized Future<Void> start() {
    if (closed) {
      return Future.failedFuture(new IllegalStateException("closed"));
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
    if (cache == null || warmStarted) {
      return Future.succeededFuture();
    }
    return load("warm start").onSuccess(v -> warmStarted = true);
  }

  /** Reads the cache into the deny-set: the snapshot when complete, else the active entries as a partial list. */
  private Future<Void> load(String why) {
    long now = nowSeconds();
    return cache.snapshot(now).compose(snapshot -> {
      if (snapshot.isPresent()) {
        denySet.applyAll(snapshot.get());
        warmStartComplete = true;
        LOG.info("revocation deny-set {}: {} entr(ies) from the cache's complete snapshot", why, snapshot.get().size());
        return Future.succeededFuture();
      }
      return cache.active(now).map(active -> {
        denySet.applyAll(active);
        LOG.warn("revocation deny-set {}: the cache is not known to be complete; loaded its {} entr(ies) as a partial list", why, active.size());
        return (Void) null;
      });
    }).recover(e -> Future.failedFuture(new IllegalStateException("loading revocations from the cache failed (" + why + "): " + e.getMessage(), e)));
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
      });
    }
    if (resyncTimer < 0 && cache != null && resyncMillis > 0) {
      resyncTimer = vertx.setPeriodic(resyncMillis, t -> load("resync").onFailure(e -> LOG.warn(e.getMessage())));
    }
  }

  private void onEvent(RevocationEvent event) {
    denySet.apply(event.revocation());
    events.incrementAndGet();
    if (event.publishedAtMillis() > 0) {
      lastLagMillis = Math.max(0, System.currentTimeMillis() - event.publishedAtMillis());
    }
  }

  private void onReconnected(RevocationChannel channel) {
    if (cache == null) {
      LOG.warn("revocation channel {} reconnected; events published while it was down may be lost and there is no cache to resync from",
          channel.name());
      return;
    }
    load("resync after " + channel.name() + " reconnected").onFailure(e -> LOG.warn(e.getMessage()));
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

  /** Whether every channel's subscription is up now. */
  public boolean connected() {
    return channels.stream().allMatch(RevocationChannel::connected);
  }

  /** Whether the warm start (or a later resync) loaded a snapshot the cache vouched complete. */
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
    return Future.join(channels.stream().map(RevocationChannel::close).toList()).mapEmpty();
  }

  private static long nowSeconds() {
    return System.currentTimeMillis() / 1000;
  }
}
