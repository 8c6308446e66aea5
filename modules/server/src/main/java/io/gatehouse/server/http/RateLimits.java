package io.gatehouse.server.http;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.gatehouse.core.error.OAuthException;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.TimeMeter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * Rate limits on the endpoints a client or a browser can flood: {@code /token}, {@code /introspect},
 * {@code /revoke} (per address, and per client id per address), the login form (per address) and the
 * interactive pages (per address).
 * Token buckets (Bucket4j) refilled continuously at the configured rate, holding twice that as
 * burst; over a limit the request is answered 429 {@code too_many_requests} with {@code Retry-After}
 * before any work is done for it.
 *
 * <p>A client's bucket is per client id <em>and</em> address, so a flood of guesses at one client's
 * secret throttles only the flooding address: the client's correct credentials from elsewhere keep
 * working. The limits are per node (each node admits its own share); idle buckets are forgotten after
 * ten minutes, and at most 100,000 of each kind are kept. The buckets refill by the node's
 * {@link Clock} (the system clock in production; a test moves its own instead of waiting).
 */
public final class RateLimits {
  /** Requests per second (0: no limit). */
  public record Settings(boolean enabled, long perAddress, long perClientAddress, long loginPerAddress, long authorizePerAddress) {}

  private final Settings settings;
  private final Cache<String, Bucket> byAddress;
  private final Cache<String, Bucket> byClientAddress;
  private final Cache<String, Bucket> loginByAddress;
  private final Cache<String, Bucket> pagesByAddress;

  private final java.util.Set<String> trustedProxies;
  private final TimeMeter time;

  public RateLimits(Settings settings, java.util.Set<String> trustedProxies) {
    this(settings, trustedProxies, Clock.systemUTC());
  }

  /** Limits whose buckets refill by {@code clock}. */
  public RateLimits(Settings settings, java.util.Set<String> trustedProxies, Clock clock) {
    this.trustedProxies = trustedProxies;
    this.settings = settings;
    this.time = timeMeter(clock);
    this.byAddress = cache();
    this.byClientAddress = cache();
    this.loginByAddress = cache();
    this.pagesByAddress = cache();
  }

  private static Cache<String, Bucket> cache() {
    return Caffeine.newBuilder().maximumSize(100_000).expireAfterAccess(Duration.ofMinutes(10)).build();
  }

  /** {@code clock} as Bucket4j's time source: wall-clock nanoseconds (epoch seconds up to the year 2262 fit a long). */
  private static TimeMeter timeMeter(Clock clock) {
    return new TimeMeter() {
      @Override
      public long currentTimeNanos() {
        Instant now = clock.instant();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
      }

      @Override
      public boolean isWallClockBased() {
        return true;
      }
    };
  }

  private Bucket bucket(long perSecond) {
    return Bucket.builder().withCustomTimePrecision(time)
        .addLimit(limit -> limit.capacity(perSecond * 2).refillGreedy(perSecond, Duration.ofSeconds(1))).build();
  }

  private void take(Cache<String, Bucket> buckets, String key, long perSecond, String what) {
    ConsumptionProbe probe = buckets.get(key, k -> bucket(perSecond)).tryConsumeAndReturnRemaining(1);
    if (!probe.isConsumed()) {
      long seconds = (probe.getNanosToWaitForRefill() + 999_999_999L) / 1_000_000_000L;
      throw OAuthException.tooManyRequests("too many requests " + what + "; retry after " + Math.max(1, seconds) + " s", seconds);
    }
  }

  /** Before reading the request: the address's limit. */
  public void checkAddress(String address) {
    if (settings.enabled() && settings.perAddress() > 0) {
      take(byAddress, address, settings.perAddress(), "from this address");
    }
  }

  /** Once the client id is known: the limit of that client id from that address. */
  public void checkClient(String clientId, String address) {
    if (settings.enabled() && settings.perClientAddress() > 0 && clientId != null) {
      // a client id no client can have shares one bucket per address: the keys stay short and few
      String client = io.gatehouse.core.model.ClientCredentials.isPossibleClientId(clientId) ? clientId : "";
      take(byClientAddress, client + '\n' + address, settings.perClientAddress(), "for this client from this address");
    }
  }

  /** A login form post from {@code address}. */
  public void checkLogin(String address) {
    if (settings.enabled() && settings.loginPerAddress() > 0) {
      take(loginByAddress, address, settings.loginPerAddress(), "to sign in from this address");
    }
  }

  /**
   * A request to the interactive pages ({@code /authorize}, {@code /authorize/resume}, {@code /login},
   * {@code /consent}, {@code /logout}, {@code /consents}) from {@code address}: none of them needs
   * credentials, so each address gets a budget.
   */
  public void checkPages(String address) {
    if (settings.enabled() && settings.authorizePerAddress() > 0) {
      take(pagesByAddress, address, settings.authorizePerAddress(), "to the sign-in pages from this address");
    }
  }

  /**
   * The client's address: the TCP peer, unless the peer is a trusted proxy ({@code http.trusted_proxies});
   * then the right-most address of {@code X-Forwarded-For} that is not a trusted proxy (entries further left
   * are the client's own claims and cannot be trusted).
   */
  public static String address(io.vertx.core.http.HttpServerRequest request, java.util.Set<String> trustedProxies) {
    String peer = request.remoteAddress() == null ? "unknown" : request.remoteAddress().hostAddress();
    if (trustedProxies.isEmpty() || !trustedProxies.contains(peer)) {
      return peer;
    }
    java.util.List<String> forwarded = request.headers().getAll("X-Forwarded-For");
    String client = peer;
    for (int i = forwarded.size() - 1; i >= 0; i--) {
      String[] hops = forwarded.get(i).split(",");
      for (int j = hops.length - 1; j >= 0; j--) {
        String hop = hops[j].trim();
        if (hop.isEmpty()) {
          continue;
        }
        client = hop;
        if (!trustedProxies.contains(hop)) {
          return hop;
        }
      }
    }
    return client;
  }

  /** {@link #address(io.vertx.core.http.HttpServerRequest, java.util.Set)} with this node's trusted proxies. */
  public String address(io.vertx.core.http.HttpServerRequest request) {
    return address(request, trustedProxies);
  }
}
