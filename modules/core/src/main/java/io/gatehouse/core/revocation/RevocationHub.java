package io.gatehouse.core.revocation;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's revocation machinery: records revocations (durable list first, then the shared cache,
 * then every channel) and keeps the node's {@link DenySet} current.
 *
 * <ul>
 *   <li><b>Record</b> ({@link #revoke}): the durable list's write must succeed, or the revocation
 *       fails (the caller answers 503, never success); then the local deny-set covers it (this node
 *       rejects at once) and the revocation is recorded: the caller answers without waiting for Redis.
 *       In the background the cache is written (a failure marks the cache stale, and the next resync
 *       refills it from the durable list) and the event is published on every channel (a failure is
 *       logged; the other nodes' periodic resync from the durable list covers it). Both kinds of failure
 *       are counted ({@link #onPropagationFailure}).
 *   <li><b>Warm start</b> ({@link #start}): the deny-set is loaded from the cache's snapshot; when the
 *       cache is absent, unreachable or not complete (it lost its data, say after a restart), from the
 *       durable list, which then refills the cache. The channels are subscribed to first, so nothing
 *       published during the load is missed.
 *   <li><b>Events</b> from any node are applied as they arrive; their propagation lag is reported.
 *   <li><b>Resync</b> every {@code resyncInterval} and after a channel reconnects, the same way as the
 *       warm start. A resync only ever adds: nothing but expiry removes an entry.
 *   <li><b>Vouching</b> ({@link #vouched}): the node vouches for its deny-set while its last
 *       successful sync is at most {@code maxStaleness} old, or always when the durable list lives in
 *       this process (the embedded default, where every revocation passes through this hub).
 * </ul>
 */
public final class RevocationHub implements Revoker {
  private static final Logger LOG = LoggerFactory.getLogger(RevocationHub.class);

  /** How often to resync, and how old the last successful sync may be before the node stops vouching. */
  public record Settings(Duration resyncInterval, Duration maxStaleness) {}

  private final Vertx vertx;
  private final DenySet denySet;
  private final RevocationList durable;
  private final boolean durableIsLocal;
  private final RevocationCache cache;
  private final List<RevocationChannel> channels;
  private final Clock clock;
  private final Settings settings;
  private final String nodeId;
  private final AtomicLong lastSyncMillis = new AtomicLong(Long.MIN_VALUE);
  private final AtomicLong lastLagMillis = new AtomicLong(-1);
  private volatile boolean cacheStale;
  private volatile LongConsumer lagListener = lag -> {};
  private volatile java.util.function.Consumer<Revocation> revokedListener = r -> {};
  private volatile java.util.function.Consumer<String> propagationFailureListener = target -> {};
  private Future<Void> syncing; // guarded by this
  private long timer = -1;
  private volatile boolean closed;
  private volatile boolean cacheDown;
  private volatile boolean syncFailing;

  /**
   * @param durableIsLocal the durable list is this process's memory (no other node can write it)
   * @param cache the shared cache, or null when there is none
   */
  public RevocationHub(Vertx vertx, DenySet denySet, RevocationList durable, boolean durableIsLocal, RevocationCache cache,
      List<RevocationChannel> channels, Clock clock, Settings settings, String nodeId) {
    this.vertx = vertx;
    this.denySet = denySet;
    this.durable = durable;
    this.durableIsLocal = durableIsLocal;
    this.cache = cache;
    this.channels = List.copyOf(channels);
    this.clock = clock;
    this.settings = settings;
    this.nodeId = nodeId;
  }

  /** Subscribes to every channel, loads the deny-set, and starts the periodic resync and purge. */
  public Future<Void> start() {
    List<Future<Void>> subscriptions = channels.stream().map(ch -> subscribe(ch, false)).toList();
    return Future.all(subscriptions).compose(v -> resync()).onSuccess(v -> {
      timer = vertx.setPeriodic(settings.resyncInterval().toMillis(), t -> {
        int purged = denySet.purgeExpired(clock.instant().getEpochSecond());
        if (purged > 0) {
          LOG.debug("dropped {} expired deny-set entr(ies)", purged);
        }
        resync();
      });
      LOG.info("deny-set loaded: {} entr(ies); channels {}", denySet.size(), channels.stream().map(RevocationChannel::name).toList());
    }).mapEmpty();
  }

  /**
   * Subscribes to {@code channel}. A channel that cannot subscribe now (its service is down at start)
   * does not stop the node: it is retried every resync interval, and the deny-set resynced once it is
   * up (the periodic resync covers the time in between).
   */
  private Future<Void> subscribe(RevocationChannel channel, boolean retry) {
    return channel.subscribe(this::received, () -> {
      LOG.info("revocation channel {} reconnected; resyncing the deny-set", channel.name());
      resync();
    }).onSuccess(v -> {
      if (retry) {
        LOG.info("revocation channel {} subscribed; resyncing the deny-set", channel.name());
        resync();
      }
    }).recover(e -> {
      if (!retry) {
        LOG.warn("revocation channel {} could not subscribe ({}); retrying every {} ms", channel.name(), e.getClass().getSimpleName(),
            settings.resyncInterval().toMillis());
      }
      if (!closed) {
        vertx.setTimer(settings.resyncInterval().toMillis(), t -> {
          if (!closed) {
            subscribe(channel, true);
          }
        });
      }
      return Future.succeededFuture();
    });
  }

  @Override
  public Future<Void> revoke(Revocation revocation) {
    return durable.add(revocation).map(v -> {
      denySet.apply(revocation);
      revokedListener.accept(revocation);
      // recorded: what follows runs in the background, so a silent Redis never holds the answer (each of
      // its calls is bounded by the store's own timeout)
      if (cache != null) {
        cache.add(revocation).onFailure(e -> {
          cacheStale = true;
          propagationFailureListener.accept("cache");
          LOG.warn("revocation recorded but not cached ({}); the next resync refills the cache", describe(e));
        });
      }
      RevocationEvent event = new RevocationEvent(revocation, nodeId, clock.millis());
      for (RevocationChannel channel : channels) {
        channel.publish(event).onFailure(e -> {
          propagationFailureListener.accept(channel.name());
          LOG.warn("revocation event not published on {}: {}", channel.name(), describe(e));
        });
      }
      return null;
    });
  }

  /** The class and, for a store outage, its message (the store and the timeout; never a key or value). */
  private static String describe(Throwable e) {
    return e instanceof io.gatehouse.core.store.StoreUnavailableException ? e.getMessage() : e.getClass().getSimpleName();
  }

  /**
   * Brings the deny-set up to date (see the class comment); concurrent calls share one run. Fails
   * when neither the cache nor the durable list answered.
   */
  public Future<Void> resync() {
    io.vertx.core.Promise<Void> done;
    synchronized (this) {
      if (syncing != null) {
        return syncing;
      }
      done = io.vertx.core.Promise.promise();
      syncing = done.future();
    }
    doResync().onComplete(ar -> {
      synchronized (this) {
        syncing = null;
      }
      done.handle(ar);
    });
    return done.future();
  }

  private Future<Void> doResync() {
    long now = clock.instant().getEpochSecond();
    long startedMillis = clock.millis();
    Future<java.util.Optional<List<Revocation>>> fromCache = cache == null || cacheStale
        ? Future.succeededFuture(java.util.Optional.empty())
        : cache.snapshot(now).onSuccess(v -> {
          if (cacheDown) {
            cacheDown = false;
            LOG.info("revocation cache reachable again");
          }
        }).recover(e -> {
          // logged when it changes, not at every resync
          if (!cacheDown) {
            cacheDown = true;
            LOG.warn("revocation cache unreachable ({}); resyncing from the durable list until it is back", e.getClass().getSimpleName());
          }
          return Future.succeededFuture(java.util.Optional.empty());
        });
    return fromCache.compose(snapshot -> {
      if (snapshot.isPresent()) {
        denySet.applyAll(snapshot.get());
        return Future.<Void>succeededFuture();
      }
      return durable.active(now).compose(all -> {
        denySet.applyAll(all);
        if (cache == null) {
          return Future.<Void>succeededFuture();
        }
        boolean wasStale = cacheStale;
        cacheStale = false;
        // a failed (or, bounded by the cache's own timeout, silent) refill does not fail the sync: the
        // deny-set is current from the durable list, so this node keeps vouching while Redis is down
        return cache.fill(all).recover(e -> {
          cacheStale = cacheStale || wasStale;
          return Future.succeededFuture();
        });
      });
    }).onSuccess(v -> {
      lastSyncMillis.accumulateAndGet(startedMillis, Math::max);
      if (syncFailing) {
        syncFailing = false;
        LOG.info("deny-set resync succeeds again");
      }
    }).onFailure(e -> {
      if (!syncFailing) {
        syncFailing = true;
        LOG.warn("deny-set resync failed ({}); this node stops vouching for it after {} ms without a sync", e.getClass().getSimpleName(),
            settings.maxStaleness().toMillis());
      }
    });
  }

  private void received(RevocationEvent event) {
    denySet.apply(event.revocation());
    // this node's own events come back too; only other nodes' say how long propagation takes
    if (event.publishedAtMillis() > 0 && !nodeId.equals(event.origin())) {
      long lag = Math.max(0, clock.millis() - event.publishedAtMillis());
      lastLagMillis.set(lag);
      lagListener.accept(lag);
    }
  }

  /** Whether this node can vouch for its deny-set now (see the class comment). */
  public boolean vouched() {
    if (durableIsLocal) {
      return true;
    }
    long last = lastSyncMillis.get();
    return last != Long.MIN_VALUE && clock.millis() - last <= settings.maxStaleness().toMillis();
  }

  /** Epoch milliseconds of the last successful sync, or {@code Long.MIN_VALUE} before the first. */
  public long lastSyncMillis() {
    return lastSyncMillis.get();
  }

  /** The propagation lag of the last event received from a channel, in ms, or -1 before the first. */
  public long lastLagMillis() {
    return lastLagMillis.get();
  }

  /** Called with each revocation this node recorded (for metrics and the audit stream). */
  public void onRevoked(java.util.function.Consumer<Revocation> listener) {
    this.revokedListener = listener;
  }

  /**
   * Called with {@code "cache"} or a channel's name each time a recorded revocation could not be written
   * to the cache or published there (for metrics); the resync repairs both.
   */
  public void onPropagationFailure(java.util.function.Consumer<String> listener) {
    this.propagationFailureListener = listener;
  }

  /** Called with each received event's propagation lag in ms (for metrics and measurement). */
  public void onLag(LongConsumer listener) {
    this.lagListener = listener;
  }

  public DenySet denySet() {
    return denySet;
  }

  /** The shared cache, or null. */
  public RevocationCache cache() {
    return cache;
  }

  /** The durable list's active entries (for the admin API). */
  public Future<List<Revocation>> active() {
    return durable.active(clock.instant().getEpochSecond());
  }

  /** Deletes expired entries from the durable list (every node may run it: it is idempotent). */
  public Future<Integer> purgeDurable() {
    return durable.purgeExpired(clock.instant().getEpochSecond());
  }

  /** Stops the timers and unsubscribes from every channel. */
  public Future<Void> close() {
    closed = true;
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
    return Future.join(channels.stream().map(RevocationChannel::close).toList()).mapEmpty();
  }
}
