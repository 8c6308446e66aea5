package io.gatehouse.resource;

import java.time.Duration;

/**
 * Introspection mode (RFC 7662) for {@link IntrospectionTokenValidator}: this resource server's own
 * client credentials at the issuer (sent as {@code client_secret_basic}, RFC 6749 §2.3.1) and how long
 * an answer may be reused. The client must be allowed to introspect other clients' tokens (in
 * Gatehouse: {@code can_introspect: true}).
 *
 * <ul>
 *   <li>{@code clientId}, {@code clientSecret}: required.
 *   <li>{@code maxCacheTtl} (default 60 s, 0 disables the cache): an active answer is reused until
 *       {@code min(exp, now + maxCacheTtl)}; revocation events still deny a cached token at once.
 *   <li>{@code cacheSize} (default 100 000): most answers kept.
 *   <li>{@code transport} (default {@link Transport#HTTP}): {@link Transport#EVENT_BUS} introspects over
 *       Gatehouse's event-bus service API ({@code gatehouse.introspect}, docs/EVENT-BUS.md) instead of
 *       HTTP, for an API whose Vert.x is clustered with Gatehouse: the same credentials, the same answer,
 *       the same failure rules, no HTTP request.
 * </ul>
 */
public final class IntrospectionOptions {
  public static final Duration DEFAULT_MAX_CACHE_TTL = Duration.ofSeconds(60);
  public static final long DEFAULT_CACHE_SIZE = 100_000;

  private String clientId;
  private String clientSecret;
  private Duration maxCacheTtl = DEFAULT_MAX_CACHE_TTL;
  private long cacheSize = DEFAULT_CACHE_SIZE;
  private Transport transport = Transport.HTTP;

  /** How introspection requests reach Gatehouse. */
  public enum Transport {
    /** {@code POST} to the discovered {@code introspection_endpoint} (RFC 7662 §2). */
    HTTP,
    /** A request on the clustered event bus to {@code gatehouse.introspect} (docs/EVENT-BUS.md). */
    EVENT_BUS
  }

  public IntrospectionOptions() {}

  public IntrospectionOptions(IntrospectionOptions other) {
    this.clientId = other.clientId;
    this.clientSecret = other.clientSecret;
    this.maxCacheTtl = other.maxCacheTtl;
    this.cacheSize = other.cacheSize;
    this.transport = other.transport;
  }

  public Transport getTransport() {
    return transport;
  }

  public IntrospectionOptions setTransport(Transport transport) {
    this.transport = transport;
    return this;
  }

  public String getClientId() {
    return clientId;
  }

  public IntrospectionOptions setClientId(String clientId) {
    this.clientId = clientId;
    return this;
  }

  public String getClientSecret() {
    return clientSecret;
  }

  public IntrospectionOptions setClientSecret(String clientSecret) {
    this.clientSecret = clientSecret;
    return this;
  }

  public Duration getMaxCacheTtl() {
    return maxCacheTtl;
  }

  public IntrospectionOptions setMaxCacheTtl(Duration maxCacheTtl) {
    this.maxCacheTtl = maxCacheTtl;
    return this;
  }

  public long getCacheSize() {
    return cacheSize;
  }

  public IntrospectionOptions setCacheSize(long cacheSize) {
    this.cacheSize = cacheSize;
    return this;
  }

  /** Throws {@code IllegalArgumentException} naming the first bad option (never quoting the secret). */
  public IntrospectionOptions validate() {
    if (clientId == null || clientId.isEmpty()) {
      throw new IllegalArgumentException("introspection.clientId is required");
    }
    if (clientSecret == null || clientSecret.isEmpty()) {
      throw new IllegalArgumentException("introspection.clientSecret is required");
    }
    if (maxCacheTtl == null || maxCacheTtl.isNegative() || maxCacheTtl.compareTo(Duration.ofDays(1)) > 0) {
      throw new IllegalArgumentException("introspection.maxCacheTtl must be between 0s and 1d, was " + maxCacheTtl);
    }
    if (transport == null) {
      throw new IllegalArgumentException("introspection.transport is required");
    }
    if (cacheSize < 1) {
      throw new IllegalArgumentException("introspection.cacheSize must be at least 1, was " + cacheSize);
    }
    return this;
  }

  @Override
  public String toString() {
    return "IntrospectionOptions[clientId=" + clientId + ", maxCacheTtl=" + maxCacheTtl + ", cacheSize=" + cacheSize + ", transport=" + transport + "]";
  }
}
