package io.gatehouse.core.store;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.gatehouse.core.model.Client;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Keeps recently used clients (and recent misses) in memory so the token hot path does no network I/O.
 * Entries live for {@code ttl}; writes through this registry invalidate the local entry at once. Writes
 * on other nodes reach this cache after at most {@code ttl}, or at once when they announce the change
 * (the server's admin API publishes every change on the event bus, and every node calls
 * {@link #invalidate}). Failures are never cached.
 */
public final class CachingClientRegistry implements ClientRegistry {
  private final ClientRegistry delegate;
  private final Cache<String, Optional<Client>> cache;
  /**
   * Counts invalidations. A lookup caches its answer only if no invalidation happened while it was in
   * flight, so a read that raced with a write can never put the old client back after the write.
   */
  private final AtomicLong invalidations = new AtomicLong();

  public CachingClientRegistry(ClientRegistry delegate, Duration ttl, long maxEntries) {
    this.delegate = delegate;
    this.cache = Caffeine.newBuilder().expireAfterWrite(ttl).maximumSize(maxEntries).build();
  }

  @Override
  public Future<Optional<Client>> find(String clientId) {
    if (!io.gatehouse.core.model.ClientCredentials.isPossibleClientId(clientId)) {
      // no such client can be registered: no store round trip, and no cached miss (a flood of 64 KiB
      // client ids would otherwise fill the cache with them)
      return Future.succeededFuture(Optional.empty());
    }
    Optional<Client> cached = cache.getIfPresent(clientId);
    if (cached != null) {
      return Future.succeededFuture(cached);
    }
    long seen = invalidations.get();
    return delegate.find(clientId).onSuccess(found -> {
      if (invalidations.get() == seen) {
        cache.put(clientId, found);
      }
    });
  }

  @Override
  public Future<Void> upsert(Client client) {
    invalidate(client.clientId());
    return delegate.upsert(client).onComplete(ar -> invalidate(client.clientId()));
  }

  @Override
  public Future<Boolean> delete(String clientId) {
    invalidate(clientId);
    return delegate.delete(clientId).onComplete(ar -> invalidate(clientId));
  }

  /** Listing is for operators, never on a hot path: always the registry behind the cache. */
  @Override
  public Future<Page<Client>> list(PageRequest request) {
    return delegate.list(request);
  }

  /** Drops one cached entry (for example on a change event from another node). */
  public void invalidate(String clientId) {
    invalidations.incrementAndGet();
    cache.invalidate(clientId);
  }

  @Override
  public Future<Void> ping() {
    return delegate.ping();
  }
}
