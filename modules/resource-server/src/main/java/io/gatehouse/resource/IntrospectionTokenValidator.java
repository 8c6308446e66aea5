package io.gatehouse.resource;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import io.gatehouse.core.token.TokenHashes;
import io.gatehouse.jose.JwtVerifier;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Validates tokens (opaque or not) by RFC 7662 introspection at the issuer's discovered
 * {@code introspection_endpoint}, or over Gatehouse's event bus ({@link BusIntrospection}, with
 * {@link IntrospectionOptions.Transport#EVENT_BUS}): the same request, answer, checks, cache and failure
 * rules either way.
 *
 * <ul>
 *   <li>Request (RFC 7662 §2.1): {@code POST}, form body {@code token=...&token_type_hint=access_token},
 *       authenticated with {@code client_secret_basic} (id and secret form-encoded, then Base64:
 *       RFC 6749 §2.3.1).
 *   <li>Answer (§2.2): {@code active} must be {@code true}, else {@code invalid_token "token is not
 *       active"}. An active answer is also refused when its {@code token_type} (if given) is not
 *       {@code Bearer} (a refresh token is not an access token), its {@code iss} (if given) is not the
 *       issuer, its {@code aud} does not contain the audience, or its {@code exp}/{@code nbf} are out of
 *       range (with the clock skew).
 *   <li>Cache: an accepted answer is kept under the token's SHA-256 until {@code min(exp, now +
 *       maxCacheTtl)}, so the issuer is asked once per token per TTL; concurrent requests with one token
 *       share one introspection call. {@code active:false} is not cached. The cached claims are checked
 *       against the revocation deny-set on every hit by {@link GatehouseJwtHandler}, so a revocation
 *       event denies a cached token at once.
 *   <li>Failures fail closed: a 5xx, a timeout, an unreachable endpoint, an answer that is not JSON, or
 *       the issuer refusing this resource server's own credentials (401/403) are
 *       {@code temporarily_unavailable} (503), never a pass.
 * </ul>
 */
public final class IntrospectionTokenValidator implements TokenValidator {
  private static final Logger LOG = LoggerFactory.getLogger(IntrospectionTokenValidator.class);
  private static final int MAX_TOKEN_LENGTH = 8192;

  private final WebClient client;
  private final boolean ownsClient;
  private final IssuerDiscovery discovery;
  private final String issuer;
  private final String audience;
  private final long skewSeconds;
  private final java.time.Clock clock;
  private final long timeoutMillis;
  private final long maxCacheTtlNanos;
  private final String authorization;
  private final Cache<String, Cached> cache;
  private final ConcurrentHashMap<String, Future<JsonObject>> inFlight = new ConcurrentHashMap<>();
  private final AtomicLong calls = new AtomicLong();
  /** The event-bus transport, or null for HTTP. */
  private final BusIntrospection bus;

  private record Cached(JsonObject claims, long ttlNanos) {}

  IntrospectionTokenValidator(WebClient client, boolean ownsClient, IssuerDiscovery discovery, ResourceServerOptions options) {
    this(null, client, ownsClient, discovery, options);
  }

  /** @param vertx for the event-bus transport (may be null with {@link IntrospectionOptions.Transport#HTTP}) */
  IntrospectionTokenValidator(Vertx vertx, WebClient client, boolean ownsClient, IssuerDiscovery discovery, ResourceServerOptions options) {
    IntrospectionOptions io = options.getIntrospection();
    this.bus = io.getTransport() == IntrospectionOptions.Transport.EVENT_BUS
        ? new BusIntrospection(vertx, io.getClientId(), io.getClientSecret(), options.getHttpTimeout().toMillis()) : null;
    this.client = client;
    this.ownsClient = ownsClient;
    this.discovery = discovery;
    this.issuer = options.getIssuer();
    this.audience = options.getAudience();
    this.skewSeconds = options.getClockSkew().toSeconds();
    this.clock = options.getClock();
    this.timeoutMillis = options.getHttpTimeout().toMillis();
    this.maxCacheTtlNanos = io.getMaxCacheTtl().toNanos();
    this.authorization = ClientSecretBasic.header(io.getClientId(), io.getClientSecret());
    // the answer's lifetime is measured on the options' ticker, its exp on the options' clock
    this.cache = Caffeine.newBuilder().ticker(options.getTicker()::getAsLong).maximumSize(io.getCacheSize()).expireAfter(new Expiry<String, Cached>() {
      @Override
      public long expireAfterCreate(String key, Cached value, long currentTime) {
        return value.ttlNanos;
      }

      @Override
      public long expireAfterUpdate(String key, Cached value, long currentTime, long currentDuration) {
        return value.ttlNanos;
      }

      @Override
      public long expireAfterRead(String key, Cached value, long currentTime, long currentDuration) {
        return currentDuration;
      }
    }).build();
  }

  /** A validator with its own WebClient (closed by {@link #close}); {@code options} must have {@link ResourceServerOptions#getIntrospection()}. */
  public static IntrospectionTokenValidator create(Vertx vertx, ResourceServerOptions options) {
    options = new ResourceServerOptions(options).validate();
    if (options.getIntrospection() == null) {
      throw new IllegalArgumentException("introspection options are required");
    }
    WebClient client = WebClient.create(vertx);
    return new IntrospectionTokenValidator(vertx, client, true,
        new IssuerDiscovery(client, options), options);
  }

  /** Discovers the issuer's introspection endpoint (nothing to discover on the event bus). */
  @Override
  public Future<Void> start() {
    return bus != null ? Future.succeededFuture() : endpoint().mapEmpty();
  }

  @Override
  public Future<Void> close() {
    if (ownsClient) {
      client.close();
    }
    return Future.succeededFuture();
  }

  /** How many introspection requests were sent (for metrics and tests). */
  public long introspectionCalls() {
    return calls.get();
  }

  /** How many answers are cached now. */
  public long cachedAnswers() {
    cache.cleanUp();
    return cache.estimatedSize();
  }

  @Override
  public Future<JsonObject> validate(String token) {
    if (token.length() > MAX_TOKEN_LENGTH) {
      return Future.failedFuture(BearerTokenException.invalidToken("malformed token"));
    }
    String hash = TokenHashes.hash(token);
    Cached hit = cache.getIfPresent(hash);
    if (hit != null) {
      try {
        checkTimes(hit.claims, clock.instant().getEpochSecond());
        return Future.succeededFuture(hit.claims.copy());
      } catch (BearerTokenException e) {
        cache.invalidate(hash);
        return Future.failedFuture(e);
      }
    }
    Promise<JsonObject> promise = Promise.promise();
    Future<JsonObject> existing = inFlight.putIfAbsent(hash, promise.future());
    if (existing != null) {
      return existing.map(JsonObject::copy);
    }
    introspect(token).onComplete(ar -> {
      if (ar.succeeded()) {
        long ttl = ttlNanos(ar.result());
        if (ttl > 0) {
          cache.put(hash, new Cached(ar.result(), ttl));
        }
      }
      inFlight.remove(hash, promise.future());
      promise.handle(ar);
    });
    return promise.future().map(JsonObject::copy);
  }

  private Future<String> endpoint() {
    return discovery.metadata()
        .recover(e -> Future.failedFuture(BearerTokenException.unavailable("the authorization server's metadata could not be loaded")))
        .compose(md -> md.introspectionEndpoint() != null ? Future.succeededFuture(md.introspectionEndpoint())
            : Future.failedFuture(BearerTokenException.unavailable("the authorization server advertises no introspection endpoint")));
  }

  private Future<JsonObject> introspect(String token) {
    if (bus != null) {
      calls.incrementAndGet();
      return bus.introspect(token).compose(reply -> answer(BusIntrospection.WHERE, reply.status(), reply::body));
    }
    return endpoint().compose(url -> {
      calls.incrementAndGet();
      MultiMap form = MultiMap.caseInsensitiveMultiMap().add("token", token).add("token_type_hint", "access_token");
      return client.postAbs(url).timeout(timeoutMillis)
          .putHeader("Authorization", authorization)
          .putHeader("Accept", "application/json")
          .sendForm(form)
          .transform(ar -> ar.succeeded() ? answer(url, ar.result().statusCode(), () -> new JsonObject(ar.result().bodyAsString()))
              : unreachable(url, ar.cause()));
    });
  }

  static Future<JsonObject> unreachable(String url, Throwable cause) {
    LOG.warn("introspection at {} failed: {}", url, cause.getClass().getSimpleName());
    return Future.failedFuture(BearerTokenException.unavailable("the authorization server could not be reached to introspect the token"));
  }

  /**
   * An introspection answer, HTTP or event bus alike: its status (200, or the error's), and its body
   * ({@code body} fails when it is not a JSON object).
   */
  private Future<JsonObject> answer(String url, int status, java.util.function.Supplier<JsonObject> body) {
    if (status == 401 || status == 403) {
      LOG.error("the introspection endpoint {} refused this resource server's client credentials (HTTP {})", url, status);
      return Future.failedFuture(BearerTokenException.unavailable("the authorization server refused this resource server's credentials"));
    }
    if (status != 200) {
      LOG.warn("the introspection endpoint {} answered HTTP {}", url, status);
      return Future.failedFuture(BearerTokenException.unavailable("the authorization server could not introspect the token (HTTP " + status + ")"));
    }
    JsonObject answer;
    try {
      answer = body.get();
    } catch (RuntimeException e) {
      LOG.warn("the introspection endpoint {} answered something that is not a JSON object", url);
      return Future.failedFuture(BearerTokenException.unavailable("the authorization server's introspection answer was malformed"));
    }
    try {
      return Future.succeededFuture(check(answer));
    } catch (BearerTokenException e) {
      return Future.failedFuture(e);
    }
  }

  private JsonObject check(JsonObject answer) {
    // RFC 7662 §2.2: active is a boolean; anything but true is inactive
    if (!Boolean.TRUE.equals(answer.getValue("active"))) {
      throw BearerTokenException.invalidToken("token is not active");
    }
    Object type = answer.getValue("token_type");
    if (type != null && !(type instanceof String s && s.toLowerCase(Locale.ROOT).equals("bearer"))) {
      throw BearerTokenException.invalidToken("not an access token");
    }
    Object iss = answer.getValue("iss");
    if (iss != null && !issuer.equals(iss)) {
      throw BearerTokenException.invalidToken("wrong issuer");
    }
    if (!JwtVerifier.audienceContains(answer.getValue("aud"), audience)) {
      throw BearerTokenException.invalidToken("wrong audience");
    }
    checkTimes(answer, clock.instant().getEpochSecond());
    JsonObject claims = answer.copy();
    claims.remove("active");
    return claims;
  }

  private void checkTimes(JsonObject claims, long now) {
    Double exp = numericDate(claims, "exp");
    if (exp != null && now >= exp + skewSeconds) {
      throw BearerTokenException.invalidToken("token expired");
    }
    Double nbf = numericDate(claims, "nbf");
    if (nbf != null && nbf > now + skewSeconds) {
      throw BearerTokenException.invalidToken("token not yet valid");
    }
  }

  /** A NumericDate member (RFC 7662 §2.2, RFC 7519 §2), or null when absent; {@code invalid_token} when not a number. */
  private static Double numericDate(JsonObject claims, String name) {
    Object v = claims.getValue(name);
    if (v == null) {
      return null;
    }
    if (!(v instanceof Number n) || !Double.isFinite(n.doubleValue())) {
      throw BearerTokenException.invalidToken(name + " is not a number");
    }
    return n.doubleValue();
  }

  /** min(exp − now, maxCacheTtl), in nanoseconds; 0 = do not cache. */
  private long ttlNanos(JsonObject claims) {
    Double exp = numericDate(claims, "exp");
    long ttl = maxCacheTtlNanos;
    if (exp != null) {
      long untilExp = (long) ((exp - clock.millis() / 1000.0) * 1_000_000_000L);
      ttl = Math.min(ttl, untilExp);
    }
    return Math.max(0, ttl);
  }
}
