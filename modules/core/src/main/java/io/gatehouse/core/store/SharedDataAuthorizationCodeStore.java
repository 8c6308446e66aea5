package io.gatehouse.core.store;

import io.gatehouse.core.model.AuthorizationCode;
import io.gatehouse.core.model.Scopes;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.AsyncMap;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * Authorization codes in a Vert.x {@link AsyncMap}: process-local when Vert.x runs alone (the embedded
 * default), cluster-wide when it runs clustered (Hazelcast: an {@code IMap}), with no code of its own
 * for either.
 *
 * <p>Exactly-once redemption rests on one atomic operation of the map: {@code putIfAbsent} of the
 * used-marker {@code "u:" + hash}. Only the caller whose put created the marker wins. The marker is
 * written before the live entry is removed, so a concurrent {@link #peek} that misses the live entry
 * always finds the marker. Entries expire through the map's own TTL; this store also checks each
 * expiry against its clock (a code's {@code exp}, a marker's {@code used_until}), so what a map still
 * holds a moment past its TTL is never answered, and a test clock controls expiry exactly.
 *
 * <p>The map is looked up on first use (and again until a lookup succeeds), and each call goes to it
 * from the caller's thread: the answer completes on the caller's context, as Vert.x's own clients do,
 * never on the context that happened to create the store. A failure of the map, including a lookup
 * that throws (a cluster member that has left), fails the answer.
 */
public final class SharedDataAuthorizationCodeStore implements AuthorizationCodeStore {
  /** The name of the (cluster-wide when clustered) map. */
  public static final String MAP_NAME = "gatehouse.authorization-codes";

  private final Vertx vertx;
  private final Clock clock;
  private final Duration usedMarkerTtl;
  /** The map once looked up; null before. A plain stateless handle, so sharing it is safe. */
  private volatile AsyncMap<String, JsonObject> map;

  /** Bounds every call to the map: a partitioned or frozen cluster fails the call, never hangs it. */
  private final StoreCalls calls;

  private SharedDataAuthorizationCodeStore(Vertx vertx, Clock clock, Duration usedMarkerTtl, Duration callTimeout) {
    this.vertx = vertx;
    this.clock = clock;
    this.usedMarkerTtl = usedMarkerTtl;
    // any failure of the map is the cluster's (the values are our own JSON): unavailable, answered 503
    this.calls = new StoreCalls("cluster", callTimeout, failure -> true);
  }

  /** The default {@code callTimeout}. */
  public static final Duration DEFAULT_CALL_TIMEOUT = Duration.ofSeconds(2);

  /**
   * @param usedMarkerTtl how long a consumed code is remembered, so that a replay is recognised; it
   *     should outlive the access tokens issued from a code. At least one millisecond: the maps read
   *     a zero TTL as "forever" (Hazelcast) or refuse it (the local map)
   */
  public static SharedDataAuthorizationCodeStore create(Vertx vertx, Clock clock, Duration usedMarkerTtl) {
    return create(vertx, clock, usedMarkerTtl, DEFAULT_CALL_TIMEOUT);
  }

  /**
   * {@link #create(Vertx, Clock, Duration)} with {@code callTimeout}: how long one operation on the map
   * may take before it fails with {@link StoreUnavailableException}.
   */
  public static SharedDataAuthorizationCodeStore create(Vertx vertx, Clock clock, Duration usedMarkerTtl, Duration callTimeout) {
    Objects.requireNonNull(callTimeout, "callTimeout");
    Objects.requireNonNull(vertx, "vertx");
    Objects.requireNonNull(clock, "clock");
    Objects.requireNonNull(usedMarkerTtl, "usedMarkerTtl");
    if (usedMarkerTtl.toMillis() < 1) {
      throw new IllegalArgumentException("usedMarkerTtl must be at least 1 ms, was " + usedMarkerTtl);
    }
    return new SharedDataAuthorizationCodeStore(vertx, clock, usedMarkerTtl, callTimeout);
  }

  /**
   * Applies {@code op} to the map, called on the caller's thread so that the map's answers complete on
   * the caller's context; anything thrown becomes a failed future.
   */
  private <T> Future<T> withMap(Function<AsyncMap<String, JsonObject>, Future<T>> op) {
    try {
      AsyncMap<String, JsonObject> m = map;
      if (m != null) {
        return calls.bounded(op.apply(m));
      }
      return calls.bounded(vertx.sharedData().<String, JsonObject>getAsyncMap(MAP_NAME).compose(found -> {
        map = found;
        return op.apply(found);
      }));
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }

  @Override
  public Future<Void> put(String codeHash, AuthorizationCode code) {
    long ttlMillis = code.expiresAt() * 1000 - clock.millis();
    if (ttlMillis <= 0) {
      return Future.succeededFuture();
    }
    return withMap(m -> m.put(codeHash, toJson(code), ttlMillis));
  }

  @Override
  public Future<Optional<Stored>> peek(String codeHash) {
    long now = clock.instant().getEpochSecond();
    return withMap(m -> m.get(codeHash).compose(live -> {
      if (live != null) {
        AuthorizationCode code = fromJson(live);
        // the TTL is the backing map's; check the expiry ourselves too, to the second
        return Future.succeededFuture(code.expiresAt() > now ? Optional.of(new Stored(code, false)) : Optional.empty());
      }
      long nowMillis = clock.millis();
      return m.get(usedKey(codeHash)).map(used -> Optional.ofNullable(used)
          // a marker written before used_until existed lives by the map's TTL alone
          .filter(j -> j.getLong(USED_UNTIL, Long.MAX_VALUE) > nowMillis)
          .map(j -> new Stored(fromJson(j), true)));
    }));
  }

  @Override
  public Future<Boolean> consume(String codeHash) {
    long now = clock.instant().getEpochSecond();
    return withMap(m -> m.get(codeHash).compose(live -> {
      if (live == null || fromJson(live).expiresAt() <= now) {
        return Future.succeededFuture(false);
      }
      JsonObject marker = live.copy().put(USED_UNTIL, clock.millis() + usedMarkerTtl.toMillis());
      return m.putIfAbsent(usedKey(codeHash), marker, usedMarkerTtl.toMillis())
          .compose(previous -> previous != null
              ? Future.succeededFuture(false)
              : m.remove(codeHash).map(true));
    }));
  }

  /** The used-marker's end (epoch ms, by the consuming node's clock): the map's TTL, checked by the clock too. */
  private static final String USED_UNTIL = "used_until";

  private static String usedKey(String codeHash) {
    return "u:" + codeHash;
  }

  static JsonObject toJson(AuthorizationCode c) {
    return new JsonObject()
        .put("grant_id", c.grantId())
        .put("client_id", c.clientId())
        .put("sub", c.subject())
        .put("redirect_uri", c.redirectUri())
        .put("redirect_uri_sent", c.redirectUriSent())
        .put("scope", c.scopes().wire())
        .put("code_challenge", c.codeChallenge())
        .put("nonce", c.nonce())
        .put("sid", c.sessionId())
        .put("auth_time", c.authTime())
        .put("exp", c.expiresAt());
  }

  static AuthorizationCode fromJson(JsonObject j) {
    return new AuthorizationCode(
        j.getString("grant_id"),
        j.getString("client_id"),
        j.getString("sub"),
        j.getString("redirect_uri"),
        j.getBoolean("redirect_uri_sent"),
        Scopes.fromStored(j.getString("scope")),
        j.getString("code_challenge"),
        j.getString("nonce"),
        j.getString("sid"),
        j.getLong("auth_time"),
        j.getLong("exp"));
  }
}
