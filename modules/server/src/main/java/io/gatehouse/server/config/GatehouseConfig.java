package io.gatehouse.server.config;

import io.gatehouse.core.token.SigningAlgorithm;
import io.gatehouse.server.crypto.CryptoProvider;
import io.gatehouse.store.cluster.HazelcastClusterOptions;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/** The whole configuration, typed and validated; loaded once at start by {@link ConfigLoader}. */
public record GatehouseConfig(
    URI issuer, Http http, Token token, Authorize authorize, Session session, Login login, Keys keys, Store store,
    Cluster cluster, Postgres postgres, Optional<Path> seedFile, boolean demoEnabled, long introspectionCacheSize,
    Revocations revocation, Redis redis, String adminScope, boolean metricsEnabled, boolean auditTokenEvents,
    io.gatehouse.server.http.RateLimits.Settings rateLimits, Shutdown shutdown, Management management, Tracing tracing) {

  /**
   * OpenTelemetry tracing ({@code tracing.*}); nothing of it runs when {@code enabled} is false.
   *
   * @param otlpEndpoint the collector's OTLP/HTTP base URL: spans are sent to its {@code /v1/traces}
   * @param serviceName the {@code service.name} of every span
   * @param sampleRatio the share of traces recorded (0 to 1), a caller's sampled {@code traceparent} included
   */
  public record Tracing(boolean enabled, URI otlpEndpoint, String serviceName, double sampleRatio) {}

  /** The management listener: {@code /metrics} and {@code /health/*} on an address of their own when enabled. */
  public record Management(boolean enabled, String host, int port) {}

  /** Graceful shutdown: how long to keep serving after readiness turned DOWN, and how long requests in flight may take. */
  public record Shutdown(Duration drainDelay, Duration timeout) {}

  /** The deny-set's upkeep, and what introspection answers when the node cannot vouch for it. */
  public record Revocations(Duration resyncInterval, Duration maxStaleness, io.gatehouse.core.service.IntrospectionService.FailClosed failClosed,
      Duration maxPause, Duration catchUpInterval) {}

  /**
   * The Redis revocation cache and channel; {@code enabled} false runs without them.
   *
   * @param connectTimeout how long opening a connection may take
   * @param commandTimeout how long one command may take (then the call fails as unavailable)
   */
  public record Redis(boolean enabled, String uri, String keyPrefix, String channel, Duration connectTimeout, Duration commandTimeout) {
    @Override
    public String toString() {
      // the URI may carry a password
      return "Redis[enabled=" + enabled + ", prefix " + keyPrefix + ", channel " + channel + "]";
    }
  }

  /**
   * Clustering: {@code options} is null when the node runs alone.
   *
   * @param callTimeout how long one call to the cluster's maps (authorization codes, sessions) may take
   * @param codeLedger whether every code redemption is also claimed in PostgreSQL's ledger of redeemed
   *     codes, the arbiter that keeps a split code map from redeeming a code on both sides
   * @param eventBusTls mutual TLS between the nodes' event buses; null when off
   */
  public record Cluster(boolean enabled, HazelcastClusterOptions options, int eventBusPort, Duration callTimeout,
      boolean codeLedger, EventBusTls eventBusTls) {}

  /**
   * @param tlsCert PEM certificate chain: HTTPS served directly when present (with {@code tlsKey})
   * @param trustedProxies peer addresses whose {@code X-Forwarded-For} names the client (rate limits,
   *     login throttle); empty: the TCP peer is the client
   * @param connections what one connection, and one address, may hold open
   */
  public record Http(String host, int port, int maxBodyBytes, int instances, Optional<Path> tlsCert, Optional<Path> tlsKey,
      java.util.Set<String> trustedProxies, Connections connections) {}

  /**
   * The connection layer's bounds (per node).
   *
   * @param idleTimeout a connection with no bytes read or written this long is closed
   * @param requestHeadTimeout a request's line and headers must all arrive this long after its first byte (or the connection's start)
   * @param requestBodyTimeout a request's body must all arrive this long after its head
   * @param maxConnections open connections per node; more are closed at once
   * @param maxConnectionsPerAddress open connections per TCP peer address (trusted proxies exempt); more are closed at once
   */
  public record Connections(Duration idleTimeout, Duration requestHeadTimeout, Duration requestBodyTimeout, int maxConnections,
      int maxConnectionsPerAddress) {}

  /** @param maxAccessTokenTtl the longest access token lifetime (default and per-client): every revocation is kept that long */
  public record Token(Duration accessTokenTtl, String audience, Duration idTokenTtl, SigningAlgorithm idTokenAlgorithm,
      Duration refreshIdleTtl, Duration refreshAbsoluteTtl, Duration maxAccessTokenTtl) {}

  /**
   * @param pendingTtl how long a signed-in user's pending authorization request is kept (the consent step)
   * @param advertisedScopes the API scopes discovery lists in {@code scopes_supported} besides the OpenID ones
   */
  public record Authorize(Duration codeTtl, Duration codeUsedTtl, boolean requirePkce, Duration pendingTtl,
      java.util.List<String> advertisedScopes) {
    public Authorize {
      advertisedScopes = java.util.List.copyOf(advertisedScopes);
    }
  }

  /** @param maxSessions the most login sessions one node keeps in its local store (the oldest are dropped) */
  public record Session(Duration idleTimeout, String cookieName, int maxSessions) {}

  public record Login(int freeFailures, Duration maxBackoff, Duration accountDelay) {}

  /**
   * @param rotateEvery the embedded default's scheduled rotation (zero: never)
   * @param publishLead how long a new key is published before it signs
   * @param reloadInterval how often every node re-reads the key file and re-selects the signing key
   */
  public record Keys(SigningAlgorithm algorithm, CryptoProvider.Mode provider, Optional<Path> jwksFile, Path dataDir,
      Duration rotateEvery, Duration publishLead, Duration reloadInterval) {}

  public enum StoreType {
    MEMORY,
    POSTGRES
  }

  public record Store(StoreType type, Duration clientCacheTtl, long clientCacheSize) {}

  /**
   * @param connectTimeout how long opening a connection may take
   * @param queryTimeout how long one call may take, the wait for a pooled connection included (the server
   *     cancels a longer statement too)
   * @param maxClockOffset how far this node's clock may be from the database's before readiness turns
   *     DOWN; zero: not checked
   */
  public record Postgres(String host, int port, String database, String user, String password, String schema, int poolSize,
      Duration connectTimeout, Duration queryTimeout, Duration maxClockOffset) {
    @Override
    public String toString() {
      return "Postgres[" + user + "@" + host + ":" + port + "/" + database + " schema " + schema + "]";
    }
  }

  /**
   * The algorithms ID tokens are signed with, the default ({@code token.id_token_algorithm}) first: the
   * server holds a key for each, so a client may register any of them as its {@code id_token_signed_response_alg}
   * (OIDC Registration §2), and discovery lists them all ({@code id_token_signing_alg_values_supported}).
   */
  public java.util.List<SigningAlgorithm> idTokenAlgorithms() {
    return token.idTokenAlgorithm() == keys.algorithm() ? java.util.List.of(token.idTokenAlgorithm())
        : java.util.List.of(token.idTokenAlgorithm(), keys.algorithm());
  }

  /** Whether the issuer is served over HTTPS (then cookies are Secure). */
  public boolean https() {
    return "https".equals(issuer.getScheme());
  }

  /** The issuer as a string, exactly as configured. */
  public String issuerString() {
    return issuer.toString();
  }

  /** The issuer's path ("" or "/something" without a trailing slash): endpoints are served under it. */
  public String basePath() {
    return issuer.getRawPath() == null ? "" : issuer.getRawPath();
  }
}
