package io.gatehouse.resource;

import io.gatehouse.core.revocation.RevocationCache;
import io.gatehouse.core.revocation.RevocationChannel;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * What a {@link GatehouseJwtHandler} needs to know: the issuer it trusts, the audience it is, how
 * lenient it is about clocks, how often it may ask for keys, and where revocations come from. Fluent
 * setters in the Vert.x style; {@link #validate()} (called by the handler) rejects a bad combination
 * with a message naming the option.
 *
 * <table>
 *   <caption>Options</caption>
 *   <tr><th>option</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>{@code issuer}</td><td>(required)</td><td>The issuer identifier, compared as an exact string
 *       with the discovery document's {@code issuer} (RFC 8414 §3.3) and every token's {@code iss}
 *       (RFC 9068 §4). {@code https} unless the host is loopback.</td></tr>
 *   <tr><td>{@code audience}</td><td>(required)</td><td>This API's identifier: a token's {@code aud}
 *       (a string or an array) must contain it (RFC 9068 §4, RFC 7519 §4.1.3).</td></tr>
 *   <tr><td>{@code clockSkew}</td><td>30 s</td><td>Leeway for {@code exp}, {@code nbf} and {@code iat}
 *       (0–5 min).</td></tr>
 *   <tr><td>{@code jwksMinRefetchInterval}</td><td>30 s</td><td>At most one JWKS (or discovery) fetch
 *       per interval, however many unknown {@code kid}s arrive; concurrent requests share one
 *       in-flight fetch.</td></tr>
 *   <tr><td>{@code jwksRefreshInterval}</td><td>5 min</td><td>A key set older than this is re-fetched
 *       in the background on the next request (so a key the issuer withdrew stops verifying); the
 *       request itself is answered with the keys at hand.</td></tr>
 *   <tr><td>{@code allowedAlgorithms}</td><td>ES256, RS256, EdDSA</td><td>JWS algorithms a token may use
 *       (never {@code none} or an HMAC: RFC 8725 §3.1, §3.2).</td></tr>
 *   <tr><td>{@code httpTimeout}</td><td>5 s</td><td>Timeout of each discovery, JWKS or introspection
 *       request.</td></tr>
 *   <tr><td>{@code realm}</td><td>(none)</td><td>The {@code realm} of the {@code WWW-Authenticate}
 *       challenge (RFC 6750 §3), when set.</td></tr>
 *   <tr><td>{@code revocationChannels}</td><td>(none)</td><td>Channels the local deny-set listens to
 *       (the event bus, Redis pub/sub).</td></tr>
 *   <tr><td>{@code revocationCache}</td><td>(none)</td><td>A shared cache loaded once at start (warm
 *       start) and after a channel reconnects, and every {@code revocationResyncInterval}.</td></tr>
 *   <tr><td>{@code revocationPurgeInterval}</td><td>1 min</td><td>How often expired deny-set entries are
 *       dropped.</td></tr>
 *   <tr><td>{@code revocationResyncInterval}</td><td>5 min</td><td>How often the deny-set is
 *       re-read from the cache (0 = never; only with a cache).</td></tr>
 *   <tr><td>{@code revocationSnapshot}</td><td>(none)</td><td>Client id and secret of a Gatehouse client with
 *       {@code can_introspect}: the deny-set warm-starts, catches up and resyncs from Gatehouse's
 *       {@code GET /revocations} (HTTP Basic) when the cache cannot vouch (no Redis needed).</td></tr>
 *   <tr><td>{@code revocationSnapshotUri}</td><td>{@code <issuer>/revocations}</td><td>Where that list is.</td></tr>
 *   <tr><td>{@code revocationMaxStaleness}</td><td>10 min</td><td>With the channels down (or after they may
 *       have lost events), requests are refused with 503 once the last successful sync is older than this
 *       (at least twice {@code revocationResyncInterval}).</td></tr>
 *   <tr><td>{@code revocationCatchUpInterval}</td><td>1 s</td><td>While a channel is down, and for
 *       {@code revocationCatchUpWindow} after it reconnects (it catches up at once too), the deny-set
 *       catches up this often (from the endpoint with the {@code since} cursor, else from the cache), so
 *       an event Gatehouse publishes again once its own Redis answers is not missed (issue 12).</td></tr>
 *   <tr><td>{@code revocationCatchUpWindow}</td><td>30 s</td><td>How long after a reconnect the short
 *       catch-ups go on (0: only the one at the reconnect).</td></tr>
 *   <tr><td>{@code revocationMaxPause}</td><td>5 s</td><td>A pause of this process longer than this
 *       (SIGSTOP, a stop-the-world GC), measured on the monotonic {@code ticker}, may have lost events:
 *       requests are refused with 503 until a sync that began after the resume has succeeded (one is
 *       started at once). Above {@code revocationMaxStaleness} it acts as that.</td></tr>
 *   <tr><td>{@code revocationRecoverySettle}</td><td>3 s</td><td>When a channel reconnects, or the cache
 *       answers again after a sync failed, Gatehouse nodes write and publish again what they kept while it
 *       failed, within their {@code redis.command_timeout} plus a second of it answering them (chaos
 *       finding K8). Syncs from the cache that begin within this time are applied but vouch for nothing;
 *       one is started once it has passed. With {@code revocationSnapshotUri} the sync reads Gatehouse's
 *       list instead and vouches at once. Until then only the staleness rule vouches.</td></tr>
 *   <tr><td>{@code revocationMaxEventLag}</td><td>2 s</td><td>An event that arrives this much later than
 *       its node's events usually do (a slow Redis queueing messages, chaos finding K9; a steady clock
 *       offset between the hosts is not counted) counts as a possible loss: the deny-set is vouched for
 *       only by the staleness rule until no late event came for {@code revocationRecoverySettle} and a
 *       sync that began after that has succeeded. Zero turns it off.</td></tr>
 *   <tr><td>{@code clock}</td><td>system UTC</td><td>Every time the library reads: a token's {@code exp},
 *       {@code nbf} and {@code iat}, an introspection answer's, the deny-set's staleness and expiries.</td></tr>
 *   <tr><td>{@code ticker}</td><td>{@code System::nanoTime}</td><td>Monotonic nanoseconds, for intervals:
 *       {@code revocationMaxPause}, the JWKS rate limit and refresh, discovery retries, how long an
 *       introspection answer is cached.</td></tr>
 *   <tr><td>{@code introspection}</td><td>(none)</td><td>When set, every token is checked by RFC 7662
 *       introspection instead of locally (see {@link IntrospectionOptions}).</td></tr>
 * </table>
 */
public final class ResourceServerOptions {
  /** The JWS algorithms this library can verify. */
  public enum Algorithm {
    ES256, RS256, EdDSA;

    /** The gatehouse-jose algorithms of {@code algorithms} (one name for one algorithm). */
    static java.util.Set<io.gatehouse.jose.JwsAlgorithm> jose(java.util.Set<Algorithm> algorithms) {
      java.util.Set<io.gatehouse.jose.JwsAlgorithm> out = EnumSet.noneOf(io.gatehouse.jose.JwsAlgorithm.class);
      for (Algorithm a : algorithms) {
        out.add(io.gatehouse.jose.JwsAlgorithm.valueOf(a.name()));
      }
      return out;
    }
  }

  public static final Duration DEFAULT_CLOCK_SKEW = Duration.ofSeconds(30);
  public static final Duration DEFAULT_JWKS_MIN_REFETCH_INTERVAL = Duration.ofSeconds(30);
  public static final Duration DEFAULT_JWKS_REFRESH_INTERVAL = Duration.ofMinutes(5);
  public static final Duration DEFAULT_HTTP_TIMEOUT = Duration.ofSeconds(5);
  public static final Duration DEFAULT_REVOCATION_PURGE_INTERVAL = Duration.ofMinutes(1);
  public static final Duration DEFAULT_REVOCATION_RESYNC_INTERVAL = Duration.ofMinutes(5);
  public static final Duration DEFAULT_REVOCATION_MAX_STALENESS = Duration.ofMinutes(10);
  public static final Duration DEFAULT_REVOCATION_CATCH_UP_INTERVAL = Duration.ofSeconds(1);
  public static final Duration DEFAULT_REVOCATION_CATCH_UP_WINDOW = Duration.ofSeconds(30);
  public static final Duration DEFAULT_REVOCATION_MAX_PAUSE = Duration.ofSeconds(5);
  public static final Duration DEFAULT_REVOCATION_RECOVERY_SETTLE = Duration.ofSeconds(3);
  public static final Duration DEFAULT_REVOCATION_MAX_EVENT_LAG = Duration.ofSeconds(2);

  private String issuer;
  private String audience;
  private Duration clockSkew = DEFAULT_CLOCK_SKEW;
  private Duration jwksMinRefetchInterval = DEFAULT_JWKS_MIN_REFETCH_INTERVAL;
  private Duration jwksRefreshInterval = DEFAULT_JWKS_REFRESH_INTERVAL;
  private Set<Algorithm> allowedAlgorithms = EnumSet.allOf(Algorithm.class);
  private Duration httpTimeout = DEFAULT_HTTP_TIMEOUT;
  private String realm;
  private final List<RevocationChannel> revocationChannels = new ArrayList<>();
  private RevocationCache revocationCache;
  private Duration revocationPurgeInterval = DEFAULT_REVOCATION_PURGE_INTERVAL;
  private Duration revocationResyncInterval = DEFAULT_REVOCATION_RESYNC_INTERVAL;
  private String revocationSnapshotClientId;
  private String revocationSnapshotClientSecret;
  private String revocationSnapshotUri;
  private Duration revocationMaxStaleness = DEFAULT_REVOCATION_MAX_STALENESS;
  private Duration revocationCatchUpInterval = DEFAULT_REVOCATION_CATCH_UP_INTERVAL;
  private Duration revocationCatchUpWindow = DEFAULT_REVOCATION_CATCH_UP_WINDOW;
  private Duration revocationMaxPause = DEFAULT_REVOCATION_MAX_PAUSE;
  private Duration revocationRecoverySettle = DEFAULT_REVOCATION_RECOVERY_SETTLE;
  private Duration revocationMaxEventLag = DEFAULT_REVOCATION_MAX_EVENT_LAG;
  private java.time.Clock clock = java.time.Clock.systemUTC();
  private java.util.function.LongSupplier ticker = System::nanoTime;
  private IntrospectionOptions introspection;

  public ResourceServerOptions() {}

  /** A copy (the channel list is copied; channels, the cache and introspection options are shared). */
  public ResourceServerOptions(ResourceServerOptions other) {
    this.issuer = other.issuer;
    this.audience = other.audience;
    this.clockSkew = other.clockSkew;
    this.jwksMinRefetchInterval = other.jwksMinRefetchInterval;
    this.jwksRefreshInterval = other.jwksRefreshInterval;
    this.allowedAlgorithms = EnumSet.copyOf(other.allowedAlgorithms);
    this.httpTimeout = other.httpTimeout;
    this.realm = other.realm;
    this.revocationChannels.addAll(other.revocationChannels);
    this.revocationCache = other.revocationCache;
    this.revocationPurgeInterval = other.revocationPurgeInterval;
    this.revocationResyncInterval = other.revocationResyncInterval;
    this.revocationSnapshotClientId = other.revocationSnapshotClientId;
    this.revocationSnapshotClientSecret = other.revocationSnapshotClientSecret;
    this.revocationSnapshotUri = other.revocationSnapshotUri;
    this.revocationMaxStaleness = other.revocationMaxStaleness;
    this.revocationCatchUpInterval = other.revocationCatchUpInterval;
    this.revocationCatchUpWindow = other.revocationCatchUpWindow;
    this.revocationMaxPause = other.revocationMaxPause;
    this.revocationRecoverySettle = other.revocationRecoverySettle;
    this.revocationMaxEventLag = other.revocationMaxEventLag;
    this.clock = other.clock;
    this.ticker = other.ticker;
    this.introspection = other.introspection == null ? null : new IntrospectionOptions(other.introspection);
  }

  public String getIssuer() {
    return issuer;
  }

  public ResourceServerOptions setIssuer(String issuer) {
    this.issuer = issuer;
    return this;
  }

  public String getAudience() {
    return audience;
  }

  public ResourceServerOptions setAudience(String audience) {
    this.audience = audience;
    return this;
  }

  public Duration getClockSkew() {
    return clockSkew;
  }

  public ResourceServerOptions setClockSkew(Duration clockSkew) {
    this.clockSkew = clockSkew;
    return this;
  }

  public Duration getJwksMinRefetchInterval() {
    return jwksMinRefetchInterval;
  }

  public ResourceServerOptions setJwksMinRefetchInterval(Duration jwksMinRefetchInterval) {
    this.jwksMinRefetchInterval = jwksMinRefetchInterval;
    return this;
  }

  public Duration getJwksRefreshInterval() {
    return jwksRefreshInterval;
  }

  public ResourceServerOptions setJwksRefreshInterval(Duration jwksRefreshInterval) {
    this.jwksRefreshInterval = jwksRefreshInterval;
    return this;
  }

  public Set<Algorithm> getAllowedAlgorithms() {
    return EnumSet.copyOf(allowedAlgorithms);
  }

  public ResourceServerOptions setAllowedAlgorithms(Set<Algorithm> allowedAlgorithms) {
    Objects.requireNonNull(allowedAlgorithms, "allowedAlgorithms");
    this.allowedAlgorithms = allowedAlgorithms.isEmpty() ? EnumSet.noneOf(Algorithm.class) : EnumSet.copyOf(allowedAlgorithms);
    return this;
  }

  public Duration getHttpTimeout() {
    return httpTimeout;
  }

  public ResourceServerOptions setHttpTimeout(Duration httpTimeout) {
    this.httpTimeout = httpTimeout;
    return this;
  }

  public String getRealm() {
    return realm;
  }

  public ResourceServerOptions setRealm(String realm) {
    this.realm = realm;
    return this;
  }

  public List<RevocationChannel> getRevocationChannels() {
    return List.copyOf(revocationChannels);
  }

  /** Adds a channel the deny-set subscribes to (typed as core's interface: event bus, Redis, ...). */
  public ResourceServerOptions addRevocationChannel(RevocationChannel channel) {
    revocationChannels.add(Objects.requireNonNull(channel, "channel"));
    return this;
  }

  public RevocationCache getRevocationCache() {
    return revocationCache;
  }

  public ResourceServerOptions setRevocationCache(RevocationCache revocationCache) {
    this.revocationCache = revocationCache;
    return this;
  }

  public Duration getRevocationPurgeInterval() {
    return revocationPurgeInterval;
  }

  public ResourceServerOptions setRevocationPurgeInterval(Duration revocationPurgeInterval) {
    this.revocationPurgeInterval = revocationPurgeInterval;
    return this;
  }

  public Duration getRevocationResyncInterval() {
    return revocationResyncInterval;
  }

  public ResourceServerOptions setRevocationResyncInterval(Duration revocationResyncInterval) {
    this.revocationResyncInterval = revocationResyncInterval;
    return this;
  }

  public String getRevocationSnapshotClientId() {
    return revocationSnapshotClientId;
  }

  public String getRevocationSnapshotClientSecret() {
    return revocationSnapshotClientSecret;
  }

  /**
   * Reads Gatehouse's {@code GET /revocations} as this client (it needs {@code can_introspect}) to
   * warm-start, catch up and resync the deny-set; null and null: not used.
   */
  public ResourceServerOptions setRevocationSnapshot(String clientId, String clientSecret) {
    this.revocationSnapshotClientId = clientId;
    this.revocationSnapshotClientSecret = clientSecret;
    return this;
  }

  public String getRevocationSnapshotUri() {
    return revocationSnapshotUri;
  }

  /** Where Gatehouse's revocation list is; null: {@code <issuer>/revocations}. */
  public ResourceServerOptions setRevocationSnapshotUri(String revocationSnapshotUri) {
    this.revocationSnapshotUri = revocationSnapshotUri;
    return this;
  }

  /** The list's address in force. */
  String revocationSnapshotUri() {
    return revocationSnapshotUri != null ? revocationSnapshotUri : issuer + "/revocations";
  }

  public Duration getRevocationMaxStaleness() {
    return revocationMaxStaleness;
  }

  public ResourceServerOptions setRevocationMaxStaleness(Duration revocationMaxStaleness) {
    this.revocationMaxStaleness = revocationMaxStaleness;
    return this;
  }

  public Duration getRevocationCatchUpInterval() {
    return revocationCatchUpInterval;
  }

  public ResourceServerOptions setRevocationCatchUpInterval(Duration revocationCatchUpInterval) {
    this.revocationCatchUpInterval = revocationCatchUpInterval;
    return this;
  }

  public Duration getRevocationCatchUpWindow() {
    return revocationCatchUpWindow;
  }

  public ResourceServerOptions setRevocationCatchUpWindow(Duration revocationCatchUpWindow) {
    this.revocationCatchUpWindow = revocationCatchUpWindow;
    return this;
  }

  public Duration getRevocationMaxPause() {
    return revocationMaxPause;
  }

  public ResourceServerOptions setRevocationMaxPause(Duration revocationMaxPause) {
    this.revocationMaxPause = revocationMaxPause;
    return this;
  }

  public Duration getRevocationRecoverySettle() {
    return revocationRecoverySettle;
  }

  /** See the class comment; zero: a sync vouches as soon as a source answers again. */
  public ResourceServerOptions setRevocationRecoverySettle(Duration revocationRecoverySettle) {
    this.revocationRecoverySettle = revocationRecoverySettle;
    return this;
  }

  public Duration getRevocationMaxEventLag() {
    return revocationMaxEventLag;
  }

  /** See the class comment; zero turns the check off. */
  public ResourceServerOptions setRevocationMaxEventLag(Duration revocationMaxEventLag) {
    this.revocationMaxEventLag = revocationMaxEventLag;
    return this;
  }

  public java.util.function.LongSupplier getTicker() {
    return ticker;
  }

  /** Monotonic nanoseconds that pauses and intervals are measured with (a test moves it instead of waiting). */
  public ResourceServerOptions setTicker(java.util.function.LongSupplier ticker) {
    this.ticker = Objects.requireNonNull(ticker, "ticker");
    return this;
  }

  public java.time.Clock getClock() {
    return clock;
  }

  /** The clock of token times, staleness and expiries (a test moves it instead of waiting). */
  public ResourceServerOptions setClock(java.time.Clock clock) {
    this.clock = Objects.requireNonNull(clock, "clock");
    return this;
  }

  public IntrospectionOptions getIntrospection() {
    return introspection;
  }

  /** Introspection mode (RFC 7662) instead of local JWT validation; null for local validation. */
  public ResourceServerOptions setIntrospection(IntrospectionOptions introspection) {
    this.introspection = introspection;
    return this;
  }

  /** Throws {@code IllegalArgumentException} naming the first bad option. */
  public ResourceServerOptions validate() {
    if (issuer == null || issuer.isEmpty()) {
      throw new IllegalArgumentException("issuer is required");
    }
    URI uri;
    try {
      uri = new URI(issuer);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("issuer is not a URL: " + e.getMessage());
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (uri.getHost() == null || !(scheme.equals("https") || (scheme.equals("http") && loopback(uri.getHost())))) {
      throw new IllegalArgumentException("issuer must be an https URL (http only for a loopback host): " + issuer);
    }
    // RFC 8414 §2: no query or fragment
    if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
      throw new IllegalArgumentException("issuer must have no query or fragment: " + issuer);
    }
    if (audience == null || audience.isEmpty()) {
      throw new IllegalArgumentException("audience is required");
    }
    requireRange("clockSkew", clockSkew, Duration.ZERO, Duration.ofMinutes(5));
    requireRange("jwksMinRefetchInterval", jwksMinRefetchInterval, Duration.ZERO, Duration.ofHours(1));
    requireRange("jwksRefreshInterval", jwksRefreshInterval, Duration.ofSeconds(1), Duration.ofDays(1));
    requireRange("httpTimeout", httpTimeout, Duration.ofMillis(1), Duration.ofMinutes(2));
    requireRange("revocationPurgeInterval", revocationPurgeInterval, Duration.ofMillis(10), Duration.ofDays(1));
    requireRange("revocationResyncInterval", revocationResyncInterval, Duration.ZERO, Duration.ofDays(1));
    requireRange("revocationMaxStaleness", revocationMaxStaleness, Duration.ofSeconds(1), Duration.ofDays(1));
    requireRange("revocationCatchUpInterval", revocationCatchUpInterval, Duration.ofMillis(10), Duration.ofMinutes(10));
    requireRange("revocationCatchUpWindow", revocationCatchUpWindow, Duration.ZERO, Duration.ofHours(1));
    requireRange("revocationMaxPause", revocationMaxPause, Duration.ofMillis(100), Duration.ofDays(1));
    requireRange("revocationRecoverySettle", revocationRecoverySettle, Duration.ZERO, Duration.ofMinutes(1));
    requireRange("revocationMaxEventLag", revocationMaxEventLag, Duration.ZERO, Duration.ofHours(1));
    if (revocationMaxStaleness.compareTo(revocationResyncInterval.multipliedBy(2)) < 0) {
      throw new IllegalArgumentException("revocationMaxStaleness must be at least twice revocationResyncInterval");
    }
    if ((revocationSnapshotClientId == null) != (revocationSnapshotClientSecret == null)
        || (revocationSnapshotClientId != null && (revocationSnapshotClientId.isEmpty() || revocationSnapshotClientSecret.isEmpty()))) {
      throw new IllegalArgumentException("revocationSnapshot needs both a client id and a client secret");
    }
    if (revocationSnapshotUri != null) {
      try {
        URI snapshot = new URI(revocationSnapshotUri);
        String s = snapshot.getScheme() == null ? "" : snapshot.getScheme().toLowerCase(Locale.ROOT);
        if (snapshot.getHost() == null || !(s.equals("https") || (s.equals("http") && loopback(snapshot.getHost())))
            || snapshot.getRawQuery() != null || snapshot.getRawFragment() != null) {
          throw new URISyntaxException(revocationSnapshotUri, "not an https URL without query or fragment");
        }
      } catch (URISyntaxException e) {
        throw new IllegalArgumentException("revocationSnapshotUri must be an https URL (http only for a loopback host) without query: "
            + revocationSnapshotUri);
      }
    }
    if (allowedAlgorithms.isEmpty()) {
      throw new IllegalArgumentException("allowedAlgorithms must name at least one algorithm");
    }
    if (realm != null && !QuotedStrings.safe(realm)) {
      throw new IllegalArgumentException("realm must be printable ASCII without '\"' or '\\'");
    }
    if (introspection != null) {
      introspection.validate();
    }
    return this;
  }

  private static boolean loopback(String host) {
    return host.equals("localhost") || host.startsWith("127.") || host.equals("[::1]") || host.equals("::1");
  }

  private static void requireRange(String name, Duration value, Duration min, Duration max) {
    if (value == null || value.compareTo(min) < 0 || value.compareTo(max) > 0) {
      throw new IllegalArgumentException(name + " must be between " + min + " and " + max + ", was " + value);
    }
  }
}
