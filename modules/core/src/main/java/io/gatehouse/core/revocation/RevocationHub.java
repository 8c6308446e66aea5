package io.gatehouse.core.revocation;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;
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
 *       In the background the cache is written (a failure marks the cache stale: this node resyncs from
 *       the durable list meanwhile) and the event is published on every channel. Both kinds of failure
 *       are counted ({@link #onPropagationFailure}) and kept, per target, at most {@link #PENDING_CAP}
 *       (merged by key; over it the oldest is dropped, and for the cache a full refill from the durable
 *       list replaces it), and propagated again once the target answers: a retry timer backing off from
 *       {@value #FIRST_RETRY_MILLIS} to {@value #MAX_RETRY_MILLIS} ms, and at once when a channel
 *       reconnects; the cache first, then the channels, with the original event (issue 12, fault
 *       finding 1: a resource server on the Redis channel alone would otherwise miss it until its own
 *       resync). Kept events live in memory only.
 *   <li><b>Warm start</b> ({@link #start}): the deny-set is loaded from the cache's snapshot; when the
 *       cache is absent, unreachable or not complete (it lost its data, say after a restart), from the
 *       durable list, which then refills the cache. The channels are subscribed to first, so nothing
 *       published during the load is missed.
 *   <li><b>Events</b> from any node are applied as they arrive; their propagation lag is reported.
 *   <li><b>Resync</b> every {@code resyncInterval} and after a channel reconnects, the same way as the
 *       warm start; at least every {@code maxStaleness} from the durable list even when the cache says it
 *       is complete, refilling it (so a cache that missed writes of a node that stopped is short for that
 *       long at most). A resync only ever adds: nothing but expiry removes an entry.
 *   <li><b>Catch-up</b> every {@code catchUpInterval} (not for the embedded default): the durable list's
 *       change feed ({@link DurableRevocationList#changesSince}) from the cursor of the last catch-up; the first
 *       catch-up, and one with more than {@value #CATCH_UP_LIMIT} changes, reads the whole list. An entry
 *       that covers more than the deny-set did is one no event brought (its node died between its durable
 *       write and its publish, or the event is still on its way): it is applied and propagated again from
 *       here (the cache, every channel), so the other nodes, the cache and the resource servers have it
 *       within about one interval (issue 12, chaos finding K1). A successful catch-up counts as a sync.
 *       Each catch-up first relays what another node published on some channels only ({@link #relayUnheard},
 *       chaos finding K6: its node died between its event-bus and its Redis publish).
 *   <li><b>Vouching</b> ({@link #vouched}): the node vouches for its deny-set while its last
 *       successful sync is at most {@code maxStaleness} old and no pause of the process longer than
 *       {@code maxPause} ({@link PauseDetector}, on the monotonic ticker) was noticed since the last
 *       successful sync began (issue 12, fault finding 2: a node resumed from SIGSTOP or a long GC may have
 *       missed events; a resync starts at once); or always when the durable list lives in
 *       this process (the embedded default, where every revocation passes through this hub).
 * </ul>
 */
public final class RevocationHub implements Revoker {
  private static final Logger LOG = LoggerFactory.getLogger(RevocationHub.class);

  /**
   * How often to resync, how old the last successful sync may be before the node stops vouching, and
   * the longest pause of this process ({@link PauseDetector}, on the monotonic {@code ticker}) after
   * which it stops vouching until a resync after the resume.
   */
  public record Settings(Duration resyncInterval, Duration maxStaleness, Duration maxPause, LongSupplier ticker, Duration catchUpInterval) {
    /** The default pause bound, {@link #DEFAULT_MAX_PAUSE}, on {@code System::nanoTime}, and the default catch-up interval. */
    public Settings(Duration resyncInterval, Duration maxStaleness) {
      this(resyncInterval, maxStaleness, DEFAULT_MAX_PAUSE, System::nanoTime);
    }

    /** The default catch-up interval, {@link #DEFAULT_CATCH_UP_INTERVAL}. */
    public Settings(Duration resyncInterval, Duration maxStaleness, Duration maxPause, LongSupplier ticker) {
      this(resyncInterval, maxStaleness, maxPause, ticker, DEFAULT_CATCH_UP_INTERVAL);
    }
  }

  /** The default of {@code revocation.catch_up_interval}. */
  public static final Duration DEFAULT_CATCH_UP_INTERVAL = Duration.ofSeconds(1);

  /** The most changes one catch-up reads from the durable list's feed; with more it reads the whole list. */
  static final int CATCH_UP_LIMIT = 10_000;

  /** The default of {@code revocation.max_pause}. */
  public static final Duration DEFAULT_MAX_PAUSE = Duration.ofSeconds(5);

  /** The most revocations kept per target (the cache, each channel) for re-propagation once it answers again. */
  public static final int PENDING_CAP = 10_000;

  /** The first wait before re-propagating; it doubles up to {@link #MAX_RETRY_MILLIS} while the target keeps failing. */
  static final long FIRST_RETRY_MILLIS = 100;

  /** The longest wait between two attempts to re-propagate (the bound on healing once Redis answers again). */
  public static final long MAX_RETRY_MILLIS = 1_000;

  /**
   * How long another node's event may have been heard on some channels but not on every one before this
   * node relays it to the others (chaos finding K6).
   */
  public static final long RELAY_AFTER_MILLIS = 1_000;

  /** How many kept revocations are re-propagated to one target at once. */
  static final int FLUSH_WINDOW = 64;

  /** The target name of the cache in {@link #onPropagationFailure} and the pending sets. */
  static final String CACHE_TARGET = "cache";

  private final Vertx vertx;
  private final DenySet denySet;
  private final DurableRevocationList durable;
  private final boolean durableIsLocal;
  private final RevocationCache cache;
  private final List<RevocationChannel> channels;
  private final Clock clock;
  private final Settings settings;
  private final String nodeId;
  private final AtomicLong lastSyncMillis = new AtomicLong(Long.MIN_VALUE);
  private final AtomicLong lastLagMillis = new AtomicLong(-1);
  private volatile boolean cacheStale;
  /** When (by the clock, epoch ms) the cache was last filled from the durable list: set at construction, so a warm start still reads the cache. */
  private volatile long lastCacheRefillMillis;
  private volatile LongConsumer lagListener = lag -> {};
  private volatile LongConsumer caughtUpListener = n -> {};
  private volatile LongConsumer relayedListener = n -> {};
  /** The durable list's change-feed cursor of the last successful catch-up, or -1 before the first. */
  private long changeCursor = -1; // guarded by this
  private boolean catchingUp; // guarded by this
  private long catchUpTimer = -1;
  private volatile java.util.function.Consumer<Revocation> revokedListener = r -> {};
  private volatile java.util.function.Consumer<String> propagationFailureListener = target -> {};
  private Future<Void> syncing; // guarded by this
  private long timer = -1;
  private volatile boolean closed;
  private volatile boolean cacheDown;
  private volatile boolean syncFailing;
  private final PauseDetector pauses;
  /** The pause epoch ({@link PauseDetector#epoch}) at which the last successful sync began. */
  private final AtomicLong syncedPauseEpoch = new AtomicLong();
  /**
   * Per target (the cache, each channel by name): the events whose write or publish failed, by
   * revocation key, oldest first, at most {@link #PENDING_CAP}; re-propagated once the target answers.
   */
  private final java.util.Map<String, java.util.LinkedHashMap<String, RevocationEvent>> pending = new java.util.HashMap<>(); // guarded by itself
  /** A cache write was dropped from the pending set (over the cap): the cache needs a full refill from the durable list. */
  private boolean cacheRefillNeeded; // guarded by pending
  private long retryTimer = -1; // guarded by pending
  private long retryDelayMillis = FIRST_RETRY_MILLIS; // guarded by pending
  private boolean flushing; // guarded by pending
  private int pendingCap = PENDING_CAP;
  /**
   * Other nodes' events heard on some channels but not yet on every one, oldest first, at most
   * {@link #pendingCap}: relayed by the catch-up after {@link #RELAY_AFTER_MILLIS} (chaos finding K6).
   */
  private final java.util.LinkedHashMap<String, Heard> heard = new java.util.LinkedHashMap<>(); // guarded by heard
  /**
   * Events heard on every channel, or relayed, in the last {@link #SETTLED_MILLIS}, at most
   * {@link #pendingCap}: copies that arrive later (other nodes relay too) are not tracked again, so no
   * event is relayed back and forth.
   */
  private final java.util.LinkedHashMap<String, Long> settled = new java.util.LinkedHashMap<>(); // guarded by heard

  /** How long a settled event is remembered. */
  static final long SETTLED_MILLIS = 60_000;

  /** An event of another node, the channels it was heard on, and when (by the clock) it was first heard. */
  private record Heard(String key, RevocationEvent event, java.util.Set<String> channels, long firstMillis) {}

  /**
   * @param durableIsLocal the durable list is this process's memory (no other node can write it)
   * @param cache the shared cache, or null when there is none
   */
  public RevocationHub(Vertx vertx, DenySet denySet, DurableRevocationList durable, boolean durableIsLocal, RevocationCache cache,
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
    this.lastCacheRefillMillis = clock.millis();
    this.pauses = new PauseDetector(vertx, settings.ticker(), settings.maxPause(), "revocation deny-set").onPause(this::resyncAfterPause);
  }

  /** Subscribes to every channel, loads the deny-set, and starts the periodic resync and purge. */
  public Future<Void> start() {
    List<Future<Void>> subscriptions = channels.stream().map(ch -> subscribe(ch, false)).toList();
    if (!durableIsLocal) {
      pauses.start();
    }
    return Future.all(subscriptions).compose(v -> resync()).onSuccess(v -> {
      timer = vertx.setPeriodic(settings.resyncInterval().toMillis(), t -> {
        int purged = denySet.purgeExpired(clock.instant().getEpochSecond());
        if (purged > 0) {
          LOG.debug("dropped {} expired deny-set entr(ies)", purged);
        }
        resync();
      });
      if (!durableIsLocal && !settings.catchUpInterval().isZero()) {
        catchUpTimer = vertx.setPeriodic(settings.catchUpInterval().toMillis(), t -> catchUp());
      }
      LOG.info("deny-set loaded: {} entr(ies); channels {}", denySet.size(), channels.stream().map(RevocationChannel::name).toList());
    }).mapEmpty();
  }

  /**
   * Subscribes to {@code channel}. A channel that cannot subscribe now (its service is down at start)
   * does not stop the node: it is retried every resync interval, and the deny-set resynced once it is
   * up (the periodic resync covers the time in between).
   */
  private Future<Void> subscribe(RevocationChannel channel, boolean retry) {
    return channel.subscribe(event -> received(event, channel.name()), () -> {
      LOG.info("revocation channel {} reconnected; resyncing the deny-set", channel.name());
      resync();
      // the service answers again: what it missed goes out now, not at the next retry
      flushPending();
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
      propagate(new RevocationEvent(revocation, nodeId, clock.millis()));
      return null;
    });
  }

  /**
   * Writes {@code event}'s revocation to the cache and publishes it on every channel, in the background;
   * what fails is kept to be propagated again ({@link #keep}).
   */
  private void propagate(RevocationEvent event) {
    if (cache != null) {
      cache.add(event.revocation()).onFailure(e -> {
        cacheStale = true;
        propagationFailureListener.accept(CACHE_TARGET);
        LOG.warn("revocation recorded but not cached ({}); kept to be written again once the cache answers", describe(e));
        keep(CACHE_TARGET, event);
      });
    }
    for (RevocationChannel channel : channels) {
      channel.publish(event).onFailure(e -> {
        propagationFailureListener.accept(channel.name());
        LOG.warn("revocation event not published on {} ({}); kept to be published again once it answers", channel.name(), describe(e));
        keep(channel.name(), event);
      });
    }
  }

  /** Notes that another node's {@code event} was heard on {@code channel} (see {@link #relayUnheard}). */
  private void heardOn(RevocationEvent event, String channel) {
    Revocation r = event.revocation();
    String key = event.origin() + '|' + event.publishedAtMillis() + '|' + r.kind() + '|' + r.value() + '|' + r.revokedAt();
    synchronized (heard) {
      if (settled.containsKey(key)) {
        return;
      }
      Heard h = heard.computeIfAbsent(key, k -> new Heard(k, event, new java.util.HashSet<>(), clock.millis()));
      h.channels().add(channel);
      if (h.channels().size() >= channels.size()) {
        heard.remove(key);
        settle(key);
      } else if (heard.size() > pendingCap) {
        // bounded: the oldest is given up (the resync and the cache refill still cover it, later)
        heard.remove(heard.keySet().iterator().next());
      }
    }
  }

  /**
   * Relays what another node published on some channels only (chaos finding K6): an event heard on one
   * channel and not on another within {@link #RELAY_AFTER_MILLIS} is published on the channels that did
   * not carry it, with its origin and publish time, and written to the cache. Its node may have died
   * between its publishes (the event bus's got out, the Redis one did not): the catch-up would not cover
   * it, since an event did come, and a resource server that hears Redis only would miss it until the
   * next cache refill. Every node relays it (publishes are idempotent); this runs only when a channel
   * missed an event.
   */
  void relayUnheard() {
    long now = clock.millis();
    List<Heard> due = new java.util.ArrayList<>();
    synchronized (heard) {
      for (var it = heard.values().iterator(); it.hasNext(); ) {
        Heard h = it.next();
        if (now - h.firstMillis() < RELAY_AFTER_MILLIS) {
          break; // oldest first: the rest are younger
        }
        due.add(h);
        it.remove();
        settle(h.key());
      }
    }
    for (Heard h : due) {
      RevocationEvent event = h.event();
      if (cache != null) {
        cache.add(event.revocation()).onFailure(e -> {
          cacheStale = true;
          propagationFailureListener.accept(CACHE_TARGET);
          keep(CACHE_TARGET, event);
        });
      }
      for (RevocationChannel channel : channels) {
        if (!h.channels().contains(channel.name())) {
          channel.publish(event).onFailure(e -> {
            propagationFailureListener.accept(channel.name());
            keep(channel.name(), event);
          });
        }
      }
    }
    if (!due.isEmpty()) {
      relayedListener.accept(due.size());
      LOG.info("relayed {} revocation event(s) of other nodes that reached this node on some channels only", due.size());
    }
  }

  /** Remembers {@code key} as settled; the oldest are forgotten past the cap or the age. Holds {@code heard}'s lock. */
  private void settle(String key) {
    long now = clock.millis();
    settled.put(key, now);
    for (var it = settled.values().iterator(); it.hasNext(); ) {
      long at = it.next();
      if (settled.size() <= pendingCap && now - at < SETTLED_MILLIS) {
        break;
      }
      it.remove();
    }
  }

  /** Called with how many events {@link #relayUnheard} relayed (metrics). */
  public void onRelayed(LongConsumer listener) {
    this.relayedListener = listener;
  }

  /**
   * Brings the deny-set up to the durable list from the last catch-up's cursor (see the class comment);
   * one at a time. The cursor is taken before the read, so nothing committed in between is skipped.
   * Relays first what other nodes' events missed on a channel ({@link #relayUnheard}).
   */
  Future<Void> catchUp() {
    relayUnheard();
    long from;
    synchronized (this) {
      if (closed || catchingUp) {
        return Future.succeededFuture();
      }
      catchingUp = true;
      from = changeCursor;
    }
    long now = clock.instant().getEpochSecond();
    long startedMillis = clock.millis();
    long pauseEpochAtStart = pauses.epoch();
    return durable.changeCursor().compose(next -> {
      Future<List<Revocation>> read = from < 0 ? durable.active(now)
          : durable.changesSince(from, CATCH_UP_LIMIT, now).compose(c -> c.truncated() ? durable.active(now) : Future.succeededFuture(c.revocations()));
      return read.map(entries -> {
        int rescued = 0;
        for (Revocation r : entries) {
          if (denySet.apply(r)) {
            rescued++;
            // publishedAt 0: no lag is measured for an event whose first publish time is unknown
            propagate(new RevocationEvent(r, nodeId, 0));
          }
        }
        if (rescued > 0) {
          caughtUpListener.accept(rescued);
          LOG.info("caught up {} revocation(s) from the durable list that no event had brought; propagated them again", rescued);
        }
        synchronized (this) {
          changeCursor = Math.max(changeCursor, next);
        }
        return (Void) null;
      });
    }).onSuccess(v -> {
      lastSyncMillis.accumulateAndGet(startedMillis, Math::max);
      syncedPauseEpoch.accumulateAndGet(pauseEpochAtStart, Math::max);
    }).onFailure(e -> LOG.debug("revocation catch-up failed ({}); the resync covers it", e.getClass().getSimpleName()))
        .onComplete(ar -> {
          synchronized (this) {
            catchingUp = false;
          }
        });
  }

  /**
   * Keeps {@code event} for {@code target} (the cache or a channel) to be propagated again, merged with
   * one already kept for the same revocation key, and schedules a retry. Over {@link #PENDING_CAP} the
   * oldest is dropped: for the cache that forces a full refill from the durable list; a channel's
   * subscribers catch up at their own resync.
   */
  private void keep(String target, RevocationEvent event) {
    synchronized (pending) {
      if (closed) {
        return;
      }
      var kept = pending.computeIfAbsent(target, t -> new java.util.LinkedHashMap<>());
      String key = event.revocation().key();
      RevocationEvent old = kept.remove(key);
      kept.put(key, old == null ? event : new RevocationEvent(old.revocation().merge(event.revocation()), event.origin(),
          event.publishedAtMillis()));
      if (kept.size() > pendingCap) {
        var eldest = kept.keySet().iterator();
        eldest.next();
        eldest.remove();
        if (CACHE_TARGET.equals(target)) {
          cacheRefillNeeded = true;
        }
        LOG.warn("more than {} revocations wait to be propagated to {}; dropped the oldest{}", pendingCap, target,
            CACHE_TARGET.equals(target) ? " (the cache is refilled from the durable list instead)" : " (subscribers catch up at their resync)");
      }
      scheduleRetry();
    }
  }

  /** Arms the retry timer unless it is armed or a flush is running (which re-arms it when something is left). */
  private void scheduleRetry() {
    synchronized (pending) {
      if (closed || retryTimer >= 0 || flushing) {
        return;
      }
      long delay = retryDelayMillis;
      retryDelayMillis = Math.min(MAX_RETRY_MILLIS, retryDelayMillis * 2);
      retryTimer = vertx.setTimer(delay, t -> {
        synchronized (pending) {
          retryTimer = -1;
        }
        flushPending();
      });
    }
  }

  /**
   * Propagates what is pending: the cache first (a refill from the durable list when an entry was
   * dropped, else each kept entry again), then each channel's kept events (with their original
   * {@code published_at_ms}). An event goes to the cache before the channels, so that a subscriber that
   * catches up from the cache after seeing the re-published event finds the entry there; but the events
   * of each {@link #FLUSH_WINDOW} the cache took are published at once, before the next window is
   * written, so that a long backlog reaches the subscribers while it is still being written (a
   * Redis-only resource server keeps settling while late events arrive, chaos finding K8). What fails
   * stays pending for the next retry; when nothing is left the backoff starts over.
   */
  private void flushPending() {
    java.util.Map<String, List<RevocationEvent>> batch = new java.util.HashMap<>();
    boolean refill;
    synchronized (pending) {
      if (closed || flushing) {
        return;
      }
      if (retryTimer >= 0) {
        vertx.cancelTimer(retryTimer);
        retryTimer = -1;
      }
      pending.forEach((target, kept) -> batch.put(target, List.copyOf(kept.values())));
      refill = cacheRefillNeeded;
      if (batch.values().stream().allMatch(List::isEmpty) && !refill) {
        retryDelayMillis = FIRST_RETRY_MILLIS;
        return;
      }
      flushing = true;
    }
    Future<Void> cacheDone = cache == null ? Future.succeededFuture()
        : refill ? refillCache() : propagateInterleaved(batch);
    // what is left for the channels: what no cache window carried, and what failed
    cacheDone.eventually(() -> Future.join(channels.stream()
        .map(ch -> propagate(ch.name(), stillPending(ch.name(), batch.getOrDefault(ch.name(), List.of())), ch::publish)).toList()))
        .onComplete(ar -> {
          boolean left;
          synchronized (pending) {
            flushing = false;
            left = cacheRefillNeeded || pending.values().stream().anyMatch(kept -> !kept.isEmpty());
            if (!left) {
              retryDelayMillis = FIRST_RETRY_MILLIS;
            }
          }
          if (left) {
            scheduleRetry();
          }
        });
  }

  /**
   * The cache's kept entries, {@link #FLUSH_WINDOW} at a time; after each window the events of its keys
   * that are kept for a channel are published there (a channel that fails is left for the end). Stops at
   * the first cache window that fails.
   */
  private Future<Void> propagateInterleaved(java.util.Map<String, List<RevocationEvent>> batch) {
    List<RevocationEvent> toCache = batch.getOrDefault(CACHE_TARGET, List.of());
    java.util.Map<String, java.util.Map<String, RevocationEvent>> byChannel = new java.util.HashMap<>();
    for (RevocationChannel ch : channels) {
      java.util.Map<String, RevocationEvent> byKey = new java.util.HashMap<>();
      batch.getOrDefault(ch.name(), List.of()).forEach(e -> byKey.put(e.revocation().key(), e));
      byChannel.put(ch.name(), byKey);
    }
    java.util.Set<String> failedChannels = java.util.concurrent.ConcurrentHashMap.newKeySet();
    Future<Void> chain = Future.succeededFuture();
    for (int from = 0; from < toCache.size(); from += FLUSH_WINDOW) {
      List<RevocationEvent> window = toCache.subList(from, Math.min(toCache.size(), from + FLUSH_WINDOW));
      chain = chain.compose(v -> sendWindow(CACHE_TARGET, window, e -> cache.add(e.revocation())))
          .compose(v -> Future.join(channels.stream().filter(ch -> !failedChannels.contains(ch.name())).map(ch -> {
            List<RevocationEvent> events = window.stream().map(e -> byChannel.get(ch.name()).get(e.revocation().key()))
                .filter(java.util.Objects::nonNull).toList();
            return sendWindow(ch.name(), events, ch::publish).onFailure(e -> failedChannels.add(ch.name()));
          }).toList()).<Void>transform(ar -> Future.succeededFuture()));
    }
    return chain.onSuccess(v -> {
      if (!toCache.isEmpty()) {
        LOG.info("{} revocation(s) propagated to {} after it answered again", toCache.size(), CACHE_TARGET);
      }
    });
  }

  /** Those of {@code events} still kept for {@code target} (not sent since, nor replaced by a later failure). */
  private List<RevocationEvent> stillPending(String target, List<RevocationEvent> events) {
    synchronized (pending) {
      var kept = pending.get(target);
      return kept == null ? List.of() : events.stream().filter(e -> kept.get(e.revocation().key()) == e).toList();
    }
  }

  /** Sends one window of {@code events} to {@code target} at once, dropping from the pending set each that went out. */
  private Future<Void> sendWindow(String target, List<RevocationEvent> events, java.util.function.Function<RevocationEvent, Future<Void>> send) {
    return Future.all(events.stream().map(event -> send.apply(event).onSuccess(ok -> {
      synchronized (pending) {
        var kept = pending.get(target);
        // a later failure of the same key may have replaced it: drop only what was sent
        if (kept != null && kept.get(event.revocation().key()) == event) {
          kept.remove(event.revocation().key());
        }
      }
    })).toList()).mapEmpty();
  }

  /**
   * Sends {@code events} to {@code target}, {@value #FLUSH_WINDOW} at a time (each a merge, so their order does
   * not matter), dropping from the pending set each that went out; stops after the first window with a
   * failure. One at a time, a slow Redis (300 ms a round trip) took minutes to heal a 30 s outage's
   * revocations (chaos finding K9).
   */
  private Future<Void> propagate(String target, List<RevocationEvent> events, java.util.function.Function<RevocationEvent, Future<Void>> send) {
    Future<Void> chain = Future.succeededFuture();
    for (int from = 0; from < events.size(); from += FLUSH_WINDOW) {
      List<RevocationEvent> window = events.subList(from, Math.min(events.size(), from + FLUSH_WINDOW));
      chain = chain.compose(v -> sendWindow(target, window, send));
    }
    return chain.onSuccess(v -> {
      if (!events.isEmpty()) {
        LOG.info("{} revocation(s) propagated to {} after it answered again", events.size(), target);
      }
    });
  }

  /** The full refill after a dropped cache write: every active entry of the durable list, then the cache is complete again. */
  private Future<Void> refillCache() {
    synchronized (pending) {
      cacheRefillNeeded = false;
      pending.remove(CACHE_TARGET);
    }
    return durable.active(clock.instant().getEpochSecond()).compose(cache::fill)
        .onSuccess(v -> LOG.info("revocation cache refilled from the durable list after it missed writes"))
        .onFailure(e -> {
          synchronized (pending) {
            cacheRefillNeeded = true;
          }
        });
  }

  /** A smaller {@link #PENDING_CAP} (tests). */
  RevocationHub pendingCap(int cap) {
    this.pendingCap = cap;
    return this;
  }

  /** How many revocations wait to be propagated to {@code target} ("cache" or a channel's name), for tests and metrics. */
  public int pendingFor(String target) {
    synchronized (pending) {
      var kept = pending.get(target);
      return (kept == null ? 0 : kept.size()) + (CACHE_TARGET.equals(target) && cacheRefillNeeded ? 1 : 0);
    }
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
    // the embedded default vouches anyway (and does not run the detector, whose check would see every gap)
    long pauseEpochAtStart = durableIsLocal ? 0 : pauses.epoch();
    // at least every maxStaleness the durable list refills the cache even when it says it is complete: a
    // node that stopped before it could write again what the cache missed leaves it short that long at most
    boolean refillDue = cache != null && !cacheStale && startedMillis - lastCacheRefillMillis >= settings.maxStaleness().toMillis();
    Future<java.util.Optional<List<Revocation>>> fromCache = cache == null || cacheStale || refillDue
        ? Future.succeededFuture(java.util.Optional.empty())
        : cacheSnapshot(now);
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
        return cache.fill(all).onSuccess(v -> lastCacheRefillMillis = Math.max(lastCacheRefillMillis, startedMillis)).recover(e -> {
          cacheStale = cacheStale || wasStale;
          return Future.succeededFuture();
        });
      }).recover(e -> !refillDue ? Future.failedFuture(e)
          // only the periodic refill asked the durable list: the cache's complete snapshot still serves
          : cacheSnapshot(now).compose(complete -> {
            if (complete.isEmpty()) {
              return Future.failedFuture(e);
            }
            denySet.applyAll(complete.get());
            return Future.succeededFuture();
          }));
    }).onSuccess(v -> {
      lastSyncMillis.accumulateAndGet(startedMillis, Math::max);
      syncedPauseEpoch.accumulateAndGet(pauseEpochAtStart, Math::max);
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

  /** The cache's complete snapshot; empty when it is not complete or does not answer (logged when that changes). */
  private Future<java.util.Optional<List<Revocation>>> cacheSnapshot(long now) {
    return cache.snapshot(now).onSuccess(v -> {
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
  }

  private void received(RevocationEvent event, String channel) {
    denySet.apply(event.revocation());
    if (channels.size() > 1 && !nodeId.equals(event.origin())) {
      heardOn(event, channel);
    }
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
    if (pauses.epoch() > syncedPauseEpoch.get()) {
      // paused past revocation.max_pause, and no resync since the resume has succeeded yet
      return false;
    }
    long last = lastSyncMillis.get();
    return last != Long.MIN_VALUE && clock.millis() - last <= settings.maxStaleness().toMillis();
  }

  /**
   * After a pause: a resync that begins now. One already running began before the resume and does
   * not count, so another follows it; a failed one is retried by the periodic resync.
   */
  private void resyncAfterPause() {
    if (closed || durableIsLocal) {
      return;
    }
    long epoch = pauses.epoch();
    resync().onComplete(ar -> {
      if (!closed && syncedPauseEpoch.get() < epoch) {
        resync();
      }
    });
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

  /** Called with how many revocations a catch-up found that no event had brought (for metrics). */
  public void onCaughtUp(LongConsumer listener) {
    this.caughtUpListener = listener;
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
    pauses.stop();
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
    if (catchUpTimer >= 0) {
      vertx.cancelTimer(catchUpTimer);
    }
    synchronized (pending) {
      if (retryTimer >= 0) {
        vertx.cancelTimer(retryTimer);
        retryTimer = -1;
      }
    }
    return Future.join(channels.stream().map(RevocationChannel::close).toList()).mapEmpty();
  }
}
