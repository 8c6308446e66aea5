package io.gatehouse.core.service;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import io.gatehouse.core.error.OAuthException;
import io.gatehouse.core.model.Client;
import io.gatehouse.core.revocation.DenySet;
import io.gatehouse.core.model.RefreshFamily;
import io.gatehouse.core.store.RefreshTokenStore;
import io.gatehouse.core.token.AccessTokenVerifier;
import io.gatehouse.core.token.TokenHashes;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/**
 * RFC 7662 token introspection for an authenticated caller.
 *
 * <ul>
 *   <li>A JWT access token is verified once (signature, {@code typ}, {@code iss}, {@code exp}) and its
 *       claims cached by the token's SHA-256 until it expires, so repeated introspection of one token
 *       costs a hash and a map lookup, never a second signature check.
 *   <li>Anything else is looked up as a refresh token (by hash): active while it is the current
 *       member of a live family.
 *   <li>Visibility (RFC 7662 §4: the server decides what a caller may learn): a resource server
 *       ({@code can_introspect}) sees any token, any other client only tokens issued to it.
 *   <li>Every token is checked against the node's {@link DenySet} (revoked by {@code jti}, grant,
 *       subject or client): no network hop.
 *   <li>Unknown, expired, revoked, malformed or not visible → exactly {@code {"active": false}}.
 *   <li>When the node cannot vouch for its deny-set (it lost the cache and the bus past the
 *       configured bound), it fails closed: {@code temporarily_unavailable} (503) or
 *       {@code {"active": false}} for every token, as configured.
 * </ul>
 */
public final class IntrospectionService {
  private static final JsonObject INACTIVE = new JsonObject().put("active", false);

  /** What introspection answers while the node cannot vouch for its deny-set. */
  public enum FailClosed {
    /** 503 {@code temporarily_unavailable}: callers retry elsewhere or later. */
    UNAVAILABLE,
    /** {@code {"active": false}} for every token. */
    INACTIVE
  }

  private final DenySet denySet;
  private final BooleanSupplier vouched;
  private final FailClosed failClosed;

  private final AccessTokenVerifier verifier;
  private final RefreshTokenStore refreshTokens;
  private final String issuer;
  private final Clock clock;
  private final Cache<String, JsonObject> verified;

  public IntrospectionService(AccessTokenVerifier verifier, RefreshTokenStore refreshTokens, String issuer, Clock clock, long cacheSize,
      DenySet denySet, BooleanSupplier vouched, FailClosed failClosed) {
    this.denySet = denySet;
    this.vouched = vouched;
    this.failClosed = failClosed;
    this.verifier = verifier;
    this.refreshTokens = refreshTokens;
    this.issuer = issuer;
    this.clock = clock;
    this.verified = Caffeine.newBuilder().maximumSize(cacheSize).expireAfter(new Expiry<String, JsonObject>() {
      @Override
      public long expireAfterCreate(String key, JsonObject claims, long currentTime) {
        long seconds = claims.getLong("exp") - clock.instant().getEpochSecond();
        return Math.max(0, seconds) * 1_000_000_000L;
      }

      @Override
      public long expireAfterUpdate(String key, JsonObject claims, long currentTime, long currentDuration) {
        return currentDuration;
      }

      @Override
      public long expireAfterRead(String key, JsonObject claims, long currentTime, long currentDuration) {
        return currentDuration;
      }
    }).build();
  }

  /** The introspection response for {@code token} as {@code caller} may see it. */
  public Future<JsonObject> introspect(Client caller, String token) {
    // RFC 7662 §2.1: the endpoint requires authorization; a public client authenticates with nothing (its
    // client_id is public), so it is not let in: otherwise anyone could ask about the tokens issued to it
    if (caller.isPublic()) {
      return Future.failedFuture(OAuthException.invalidClient(
          "a public client cannot use the introspection endpoint: it has no credentials (RFC 7662 section 2.1)"));
    }
    if (!vouched.getAsBoolean()) {
      return failClosed == FailClosed.UNAVAILABLE
          ? Future.failedFuture(OAuthException.temporarilyUnavailable("this node cannot vouch for its revocation list; try again"))
          : Future.succeededFuture(INACTIVE.copy());
    }
    if (token.length() > 8192) {
      return Future.succeededFuture(INACTIVE.copy());
    }
    String hash = TokenHashes.hash(token);
    long now = clock.instant().getEpochSecond();
    JsonObject claims = verified.getIfPresent(hash);
    if (claims == null && token.indexOf('.') > 0) {
      Optional<JsonObject> checked = verifier.verify(token);
      if (checked.isPresent()) {
        claims = checked.get();
        verified.put(hash, claims);
      }
    }
    if (claims != null) {
      // the cache expires entries by exp, but to the second it is our own check that counts
      if (claims.getLong("exp") <= now || !visible(caller, claims.getString("client_id")) || denySet.denies(claims)) {
        return Future.succeededFuture(INACTIVE.copy());
      }
      return Future.succeededFuture(accessTokenResponse(claims));
    }
    return refreshTokens.find(hash, now).map(member -> {
      if (member.isEmpty() || !member.get().current() || !visible(caller, member.get().family().clientId())) {
        return INACTIVE.copy();
      }
      RefreshFamily f = member.get().family();
      if (denySet.denies(null, f.grantId(), f.subject(), f.clientId(), f.authTime())) {
        return INACTIVE.copy();
      }
      return refreshTokenResponse(member.get().family());
    });
  }

  private static boolean visible(Client caller, String tokenClient) {
    return caller.canIntrospect() || caller.clientId().equals(tokenClient);
  }

  /**
   * RFC 7662 §2.2: the answer for an active access token with {@code claims} (verified, unexpired, visible
   * and not revoked: the caller's checks). Public for the limit probe (modules/bench), which answers the
   * same JSON.
   */
  public static JsonObject accessTokenResponse(JsonObject claims) {
    JsonObject out = new JsonObject().put("active", true);
    if (claims.getString("scope") != null) {
      out.put("scope", claims.getString("scope"));
    }
    out.put("client_id", claims.getString("client_id"))
        .put("sub", claims.getString("sub"))
        .put("aud", claims.getValue("aud"))
        .put("iss", claims.getString("iss"))
        .put("exp", claims.getLong("exp"))
        .put("iat", claims.getLong("iat"))
        .put("jti", claims.getString("jti"))
        .put("token_type", "Bearer");
    // the grant id (an extension member, RFC 7662 §2.2), so that a resource server caching this answer
    // can apply grant revocations too
    if (claims.getValue("gid") instanceof String gid) {
      out.put("gid", gid);
    }
    return out;
  }

  private JsonObject refreshTokenResponse(RefreshFamily family) {
    JsonObject out = new JsonObject().put("active", true);
    if (!family.scopes().isEmpty()) {
      out.put("scope", family.scopes().wire());
    }
    return out.put("client_id", family.clientId())
        .put("sub", family.subject())
        .put("iss", issuer)
        .put("exp", Math.min(family.idleExpiresAt(), family.absoluteExpiresAt()))
        .put("token_type", "refresh_token");
  }
}
