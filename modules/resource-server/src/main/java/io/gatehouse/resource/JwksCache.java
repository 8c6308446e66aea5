package io.gatehouse.resource;

import io.gatehouse.jose.JwsAlgorithm;
import io.gatehouse.jose.KeySet;
import io.gatehouse.jose.VerificationKey;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.ext.web.client.WebClient;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The issuer's public keys by {@code kid}, fetched from the discovered {@code jwks_uri} with the Vert.x
 * WebClient.
 *
 * <ul>
 *   <li>A {@code kid} it does not know triggers a re-fetch, at most one per {@code minRefetchInterval}
 *       (counted from the start of the previous fetch, whatever its outcome); requests arriving while a
 *       fetch is in flight wait for that one. Within the interval an unknown {@code kid} is simply
 *       unknown.
 *   <li>A set older than {@code refreshInterval} is re-fetched in the background on the next lookup
 *       (same rate limit); the lookup is answered with the keys at hand.
 *   <li>A fetched set replaces the previous one wholly (a withdrawn key stops verifying); a failed
 *       fetch keeps the previous one. Keys that cannot be used are skipped with a warning.
 *   <li>Before the first successful fetch, and when the fetch a lookup waited for failed, the lookup
 *       fails with {@code TEMPORARILY_UNAVAILABLE} (fail closed).
 * </ul>
 */
final class JwksCache {
  private static final Logger LOG = LoggerFactory.getLogger(JwksCache.class);

  private final WebClient client;
  private final Supplier<Future<IssuerMetadata>> metadata;
  private final Set<JwsAlgorithm> allowed;
  private final LongSupplier ticker;
  private final long minRefetchNanos;
  private final long refreshNanos;
  private final long timeoutMillis;
  private final AtomicLong fetches = new AtomicLong();

  private volatile KeySet keys;
  private volatile long fetchedAt;
  private volatile String lastError;
  // guarded by this
  private Future<KeySet> inFlight;
  private boolean attempted;
  private long attemptedAt;

  JwksCache(WebClient client, Supplier<Future<IssuerMetadata>> metadata, Set<JwsAlgorithm> allowed, Duration minRefetchInterval,
      Duration refreshInterval, Duration timeout, LongSupplier ticker) {
    this.ticker = ticker;
    this.client = client;
    this.metadata = metadata;
    this.allowed = Set.copyOf(allowed);
    this.minRefetchNanos = minRefetchInterval.toNanos();
    this.refreshNanos = refreshInterval.toNanos();
    this.timeoutMillis = timeout.toMillis();
  }

  /** The key {@code kid} names; empty when the issuer does not publish it (after the re-fetch the rate limit allows). */
  Future<Optional<VerificationKey>> key(String kid) {
    KeySet current = keys;
    if (current != null) {
      VerificationKey key = current.get(kid);
      if (key != null) {
        if (ticker.getAsLong() - fetchedAt > refreshNanos) {
          Future<KeySet> refresh = refetch();
          if (refresh != null) {
            refresh.onFailure(e -> LOG.warn("background JWKS refresh failed; keeping the {} key(s) at hand", current.size()));
          }
        }
        return Future.succeededFuture(Optional.of(key));
      }
    }
    Future<KeySet> fetch = refetch();
    if (fetch == null) {
      return current != null ? Future.succeededFuture(Optional.empty())
          : Future.failedFuture(BearerTokenException.unavailable("the authorization server's signing keys could not be fetched"));
    }
    return fetch.transform(ar -> ar.succeeded() ? Future.succeededFuture(Optional.ofNullable(ar.result().get(kid)))
        : Future.failedFuture(BearerTokenException.unavailable("the authorization server's signing keys could not be fetched")));
  }

  /**
   * Succeeds once a key set is at hand (fetching one now if the rate limit allows); fails with the last
   * fetch's error otherwise.
   */
  Future<Void> ready() {
    if (keys != null) {
      return Future.succeededFuture();
    }
    Future<KeySet> fetch = refetch();
    if (fetch == null) {
      String last = lastError;
      return keys != null ? Future.succeededFuture()
          : Future.failedFuture(new IllegalStateException(last != null ? last : "the JWK set has not been fetched yet"));
    }
    return fetch.mapEmpty();
  }

  /** Fetches now unless one is in flight (which is answered) or the rate limit forbids (null). */
  Future<KeySet> refetch() {
    Promise<KeySet> promise;
    synchronized (this) {
      if (inFlight != null) {
        return inFlight;
      }
      long now = ticker.getAsLong();
      if (attempted && now - attemptedAt < minRefetchNanos) {
        return null;
      }
      attempted = true;
      attemptedAt = now;
      promise = Promise.promise();
      inFlight = promise.future();
    }
    fetch().onComplete(ar -> {
      synchronized (this) {
        inFlight = null;
      }
      if (ar.succeeded()) {
        keys = ar.result();
        fetchedAt = ticker.getAsLong();
        lastError = null;
      } else {
        lastError = ar.cause().getMessage();
        LOG.warn("fetching the JWK set failed: {}", ar.cause().getMessage());
      }
      promise.handle(ar);
    });
    return promise.future();
  }

  /** How many JWKS fetches were started. */
  long fetches() {
    return fetches.get();
  }

  /** The kids currently known. */
  Set<String> kids() {
    KeySet current = keys;
    return current == null ? Set.of() : Set.copyOf(current.kids());
  }

  private Future<KeySet> fetch() {
    return metadata.get().compose(md -> {
      if (md.jwksUri() == null) {
        return Future.failedFuture(new IllegalStateException("the issuer's metadata (" + md.location() + ") has no usable jwks_uri"));
      }
      fetches.incrementAndGet();
      return client.getAbs(md.jwksUri()).timeout(timeoutMillis).putHeader("Accept", "application/jwk-set+json, application/json").send()
          .transform(ar -> {
            if (ar.failed()) {
              return Future.failedFuture(new IllegalStateException(md.jwksUri() + ": " + ar.cause().getClass().getSimpleName() + " " + ar.cause().getMessage()));
            }
            if (ar.result().statusCode() != 200) {
              return Future.failedFuture(new IllegalStateException(md.jwksUri() + ": HTTP " + ar.result().statusCode()));
            }
            try {
              return Future.succeededFuture(KeySet.parse(ar.result().bodyAsString(), allowed,
                  (kid, why) -> LOG.info("skipping JWK {}: {}", kid, why)));
            } catch (RuntimeException e) {
              return Future.failedFuture(new IllegalStateException(md.jwksUri() + ": not a JWK set"));
            }
          });
    });
  }
}
