package io.gatehouse.store.redis;

import io.gatehouse.core.revocation.RevocationEvent;
import io.vertx.redis.client.RedisOptions;
import java.time.Duration;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Where the Redis store lives and how it names things there.
 *
 * @param uri the Redis server as a connection string, {@code redis://[[user]:password@]host[:port][/db]}
 *     ({@code rediss://} for TLS, {@code unix://} for a socket), as the Vert.x Redis client reads it
 * @param keyPrefix prepended to every key the store writes (e.g. {@code "gatehouse:"}), so several
 *     deployments (or tests) can share one server; no spaces, quotes or glob characters
 *     ({@code * ? [ ] \}), at most 128 characters, may be empty
 * @param channel the pub/sub channel revocation events travel on (default {@value #DEFAULT_CHANNEL})
 * @param poolSize most connections the store's pool opens, at least 1 (a subscriber holds one more
 *     of its own)
 * @param connectTimeout how long opening a connection (TCP) may take, at least 1 ms
 * @param commandTimeout how long one command (or pipelined batch) may take, the wait for a pooled
 *     connection included, at least 1 ms
 */
public record RedisStoreOptions(String uri, String keyPrefix, String channel, int poolSize, Duration connectTimeout, Duration commandTimeout) {
  /** The default {@link #connectTimeout} and {@link #commandTimeout}. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(2);

  /** Commands one connection may have waiting for their answers before further ones fail fast. */
  static final int MAX_WAITING_HANDLERS = 1024;

  /** With the default timeouts. */
  public RedisStoreOptions(String uri, String keyPrefix, String channel, int poolSize) {
    this(uri, keyPrefix, channel, poolSize, DEFAULT_TIMEOUT, DEFAULT_TIMEOUT);
  }

  /** The default key prefix. */
  public static final String DEFAULT_KEY_PREFIX = "gatehouse:";

  /** The default channel: the same name as the event-bus address. */
  public static final String DEFAULT_CHANNEL = RevocationEvent.ADDRESS;

  /** The default pool size (the Vert.x Redis client's own default). */
  public static final int DEFAULT_POOL_SIZE = 6;

  /** Requests that may wait for a pooled connection before further ones fail fast. */
  static final int MAX_POOL_WAITING = 1024;

  private static final Pattern SCHEME = Pattern.compile("(redis|rediss|unix)://.+");
  private static final Pattern PREFIX = Pattern.compile("[^\\s*?\\[\\]\\\\\"']{0,128}");
  private static final Pattern USER_INFO = Pattern.compile("^([a-z]+://)[^@/]*@");

  public RedisStoreOptions {
    Objects.requireNonNull(uri, "uri");
    Objects.requireNonNull(keyPrefix, "keyPrefix");
    Objects.requireNonNull(channel, "channel");
    if (!SCHEME.matcher(uri).matches()) {
      // not echoed: a malformed uri may still hold a password
      throw new IllegalArgumentException("uri must be redis://host:port, rediss://host:port or unix://path");
    }
    if (!PREFIX.matcher(keyPrefix).matches()) {
      throw new IllegalArgumentException(
          "keyPrefix must have at most 128 characters and no spaces, quotes or glob characters (* ? [ ] \\), was '" + keyPrefix + "'");
    }
    if (channel.isBlank()) {
      throw new IllegalArgumentException("channel must not be blank");
    }
    if (poolSize < 1) {
      throw new IllegalArgumentException("poolSize must be at least 1, was " + poolSize);
    }
    Objects.requireNonNull(connectTimeout, "connectTimeout");
    Objects.requireNonNull(commandTimeout, "commandTimeout");
    if (connectTimeout.toMillis() < 1 || commandTimeout.toMillis() < 1 || connectTimeout.toMillis() > Integer.MAX_VALUE
        || commandTimeout.toMillis() > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("connectTimeout and commandTimeout must be between 1 ms and " + Integer.MAX_VALUE + " ms");
    }
  }

  /** {@code uri} with the default prefix, channel and pool size. */
  public static RedisStoreOptions of(String uri) {
    return new RedisStoreOptions(uri, DEFAULT_KEY_PREFIX, DEFAULT_CHANNEL, DEFAULT_POOL_SIZE);
  }

  /** The Vert.x Redis client's options for a pool of {@code maxPoolSize} connections to {@link #uri}. */
  RedisOptions clientOptions(int maxPoolSize) {
    RedisOptions options = new RedisOptions()
        .setConnectionString(uri)
        .setMaxPoolSize(maxPoolSize)
        .setMaxPoolWaiting(MAX_POOL_WAITING)
        .setMaxWaitingHandlers(MAX_WAITING_HANDLERS);
    options.getNetClientOptions().setConnectTimeout((int) connectTimeout.toMillis()).setTcpKeepAlive(true);
    return options;
  }

  /** Like the record's own, but never shows a password in the uri. */
  @Override
  public String toString() {
    return "RedisStoreOptions[uri=" + masked(uri) + ", keyPrefix=" + keyPrefix + ", channel=" + channel + ", poolSize=" + poolSize
        + ", connectTimeout=" + connectTimeout + ", commandTimeout=" + commandTimeout + "]";
  }

  /** {@code uri} with any user info (which may hold a password) replaced by {@code ***}. */
  static String masked(String uri) {
    return USER_INFO.matcher(uri).replaceFirst("$1***@");
  }
}
