package io.gatehouse.resource;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.handler.AuthenticationHandler;
import java.util.List;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A vertx-web handler that accepts Gatehouse access tokens: the Vert.x counterpart of
 * express-oauth2-jwt-bearer or Spring Security's resource server.
 *
 * <pre>{@code
 * GatehouseJwtHandler auth = GatehouseJwtHandler.create(vertx, new ResourceServerOptions()
 *     .setIssuer("https://id.example.com").setAudience("billing-api")
 *     .addRevocationChannel(new EventBusRevocationChannel(vertx)));
 * router.get("/user").handler(auth.requireScopes("read:users")).handler(ctx -> ...GatehouseJwtHandler.claims(ctx)...);
 * }</pre>
 *
 * <h2>Contract</h2>
 * <ul>
 *   <li>The token is read from {@code Authorization: Bearer <token>} only (RFC 6750 §2.1; the scheme
 *       ignoring case). No such header, or one of another scheme: 401 with a bare
 *       {@code WWW-Authenticate: Bearer} (plus {@code realm} when configured) and an empty body
 *       (RFC 6750 §3.1: no error code when the request has no authentication). Two Authorization
 *       headers, a malformed one (not {@code Bearer} + one b64token), or an {@code access_token}
 *       query/form parameter (RFC 6750 §2.2/§2.3 are not supported; §2: never more than one method):
 *       400 {@code invalid_request}.
 *   <li>The token is checked by the {@link TokenValidator}: local JWT validation
 *       ({@link JwtTokenValidator}) or, with {@link ResourceServerOptions#setIntrospection},
 *       {@link IntrospectionTokenValidator}. Then against the local revocation deny-set
 *       ({@link RevocationDenyList}): a revoked token is 401 {@code invalid_token "token revoked"}. Any
 *       other invalid token: 401 {@code WWW-Authenticate: Bearer error="invalid_token",
 *       error_description="..."} with the same JSON body. The description never contains the token.
 *   <li>When the token cannot be checked (keys, metadata or introspection unreachable; revocation
 *       channels not subscribed): 503 {@code temporarily_unavailable}, never a pass (fail closed).
 *   <li>On success the claims are put in the context ({@link #CLAIMS_KEY}: a {@code JsonObject};
 *       {@link #claims(RoutingContext)}: typed) and {@code ctx.next()} is called, on the request's own
 *       context. A request this same handler already authenticated (mounted on the route and again
 *       through {@link #requireScopes}) is not checked twice; another handler's verdict does not count.
 *   <li>{@link #requireScopes} adds a per-route scope check (403 {@code insufficient_scope}).
 *   <li>The first request (or {@link #start()}) subscribes the revocation channels and loads the cache;
 *       discovery and the JWK set are fetched lazily (or by {@link #start()}) and shared by all event
 *       loops. The handler owns the channels it was given: {@link #close()} closes them.
 *   <li>Mount it after a {@code BodyHandler} (as any vertx-web authentication handler), since the check
 *       may wait for I/O. Logs never contain a token.
 * </ul>
 */
public final class GatehouseJwtHandler implements AuthenticationHandler {
  /** The context key of the verified claims ({@code JsonObject}). */
  public static final String CLAIMS_KEY = "gatehouse.claims";
  /** The context key of the typed claims ({@link TokenClaims}). */
  public static final String TOKEN_CLAIMS_KEY = "gatehouse.token_claims";
  /** The context key of the handler that verified them. */
  static final String VERIFIED_BY_KEY = "gatehouse.verified_by";

  private static final Logger LOG = LoggerFactory.getLogger(GatehouseJwtHandler.class);
  // RFC 6750 §2.1: b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
  private static final Pattern B64TOKEN = Pattern.compile("[A-Za-z0-9\\-._~+/]+=*");

  private final ResourceServerOptions options;
  private final TokenValidator validator;
  private final RevocationDenyList revocations;
  private final RetryingMemo<Void> revocationStart;
  private final WebClient client;
  private final String realm;

  private GatehouseJwtHandler(ResourceServerOptions options, TokenValidator validator, RevocationDenyList revocations, WebClient client) {
    this.options = options;
    this.validator = validator;
    this.revocations = revocations;
    this.client = client;
    this.realm = options.getRealm();
    this.revocationStart = new RetryingMemo<>(() -> revocations.start()
        .onFailure(e -> LOG.error("the revocation deny-set cannot be vouched for; refusing requests: {}", e.getMessage())),
        options.getJwksMinRefetchInterval(), options.getTicker());
  }

  /**
   * A handler for {@code options} (validated here: {@code IllegalArgumentException} naming a bad
   * option): local JWT validation, or introspection when {@link ResourceServerOptions#getIntrospection()} is set.
   */
  public static GatehouseJwtHandler create(Vertx vertx, ResourceServerOptions options) {
    ResourceServerOptions o = new ResourceServerOptions(options).validate();
    WebClient client = WebClient.create(vertx);
    IssuerDiscovery discovery = new IssuerDiscovery(client, o);
    TokenValidator validator = o.getIntrospection() != null
        ? new IntrospectionTokenValidator(vertx, client, false, discovery, o)
        : new JwtTokenValidator(o, JwtTokenValidator.jwks(client, discovery, o), null);
    return new GatehouseJwtHandler(o, validator, denyList(vertx, o, client), client);
  }

  /** A handler checking tokens with {@code validator} (which it closes with itself) instead of the built-in ones. */
  public static GatehouseJwtHandler create(Vertx vertx, ResourceServerOptions options, TokenValidator validator) {
    ResourceServerOptions o = new ResourceServerOptions(options).validate();
    WebClient client = o.getRevocationSnapshotClientId() == null ? null : WebClient.create(vertx);
    return new GatehouseJwtHandler(o, validator, denyList(vertx, o, client), client);
  }

  private static java.time.Duration min(java.time.Duration a, java.time.Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  private static RevocationDenyList denyList(Vertx vertx, ResourceServerOptions o, WebClient client) {
    boolean snapshot = o.getRevocationSnapshotClientId() != null;
    if (o.getRevocationChannels().isEmpty() && o.getRevocationCache() == null && !snapshot) {
      LOG.warn("no revocation channel, cache or snapshot endpoint configured for issuer {}: a revoked token is accepted until it expires",
          o.getIssuer());
    } else if (o.getRevocationChannels().isEmpty()) {
      LOG.warn("no revocation channel configured for issuer {}: revocations are seen only at the resync every {}", o.getIssuer(),
          o.getRevocationResyncInterval());
    }
    RevocationSnapshotClient endpoint = snapshot ? new RevocationSnapshotClient(client, o.revocationSnapshotUri(),
        o.getRevocationSnapshotClientId(), o.getRevocationSnapshotClientSecret(), o.getHttpTimeout().toMillis()) : null;
    return new RevocationDenyList(vertx, o.getRevocationChannels(), o.getRevocationCache(), endpoint, new RevocationDenyList.Settings(
        o.getRevocationPurgeInterval(), o.getRevocationResyncInterval(), o.getRevocationMaxStaleness(), o.getJwksMinRefetchInterval(),
        o.getRevocationCatchUpInterval(), o.getRevocationCatchUpWindow(), min(o.getRevocationMaxPause(), o.getRevocationMaxStaleness()),
        o.getRevocationRecoverySettle(), o.getRevocationMaxEventLag(), o.getClock(), o.getTicker()));
  }

  /**
   * Subscribes the revocation channels, warm-starts the deny-set and fetches the issuer's metadata and
   * keys now rather than on the first request. Its failure says what is missing; the handler keeps
   * working (retrying, and answering 503 meanwhile).
   */
  public Future<Void> start() {
    return Future.all(revocationStart.get(), validator.start()).mapEmpty();
  }

  /** Closes the revocation channels and the HTTP client. */
  public Future<Void> close() {
    Future<Void> r = revocations.close();
    Future<Void> v = validator.close();
    if (client != null) {
      client.close();
    }
    return Future.join(r, v).mapEmpty();
  }

  /** The local deny-set: size, last propagation lag, connection state (for metrics). */
  public RevocationDenyList revocations() {
    return revocations;
  }

  /** The validator in use ({@link JwtTokenValidator} or {@link IntrospectionTokenValidator} unless given). */
  public TokenValidator validator() {
    return validator;
  }

  /** The options in force (a copy). */
  public ResourceServerOptions options() {
    return new ResourceServerOptions(options);
  }

  /**
   * The typed claims of the request's verified token; {@code IllegalStateException} when the request
   * did not pass a {@link GatehouseJwtHandler} (a wiring bug).
   */
  public static TokenClaims claims(RoutingContext ctx) {
    TokenClaims claims = ctx.get(TOKEN_CLAIMS_KEY);
    if (claims == null) {
      throw new IllegalStateException("no verified token on this request: is the route behind a GatehouseJwtHandler?");
    }
    return claims;
  }

  /**
   * A handler that authenticates the request (unless a handler before already did) and then requires
   * every one of {@code scopes} (403 {@code insufficient_scope} otherwise, RFC 6750 §3.1).
   */
  public AuthenticationHandler requireScopes(String... scopes) {
    ScopeHandler check = ScopeHandler.require(realm, List.of(scopes));
    return ctx -> {
      if (ctx.get(VERIFIED_BY_KEY) == this) {
        check.handle(ctx);
      } else {
        authenticate(ctx, () -> check.handle(ctx));
      }
    };
  }

  @Override
  public void handle(RoutingContext ctx) {
    // only this handler's own verdict counts: another one may trust another issuer or audience
    if (ctx.get(VERIFIED_BY_KEY) == this) {
      ctx.next();
      return;
    }
    authenticate(ctx, ctx::next);
  }

  private void authenticate(RoutingContext ctx, Runnable then) {
    String token;
    try {
      token = bearerToken(ctx);
    } catch (BearerTokenException e) {
      BearerResponses.error(ctx, e, realm);
      return;
    }
    if (token == null) {
      BearerResponses.missingToken(ctx, realm);
      return;
    }
    long retryAfter = options.getJwksMinRefetchInterval().toSeconds();
    Future<JsonObject> checked = revocationStart.get()
        .transform(ar -> {
          if (ar.failed()) {
            return Future.failedFuture(BearerTokenException.unavailable("the revocation list is not available", retryAfter));
          }
          if (!revocations.vouched()) {
            // fail closed, as Gatehouse nodes do past revocation.max_staleness
            revocations.catchUpSoon();
            return Future.failedFuture(BearerTokenException.unavailable("the revocation list is stale", retryAfter));
          }
          return validator.validate(token);
        })
        .compose(claims -> revocations.denies(claims)
            ? Future.failedFuture(BearerTokenException.invalidToken("token revoked"))
            : Future.succeededFuture(claims));
    Contexts.onCurrentContext(checked).onComplete(ar -> {
      if (ar.succeeded()) {
        JsonObject claims = ar.result();
        ctx.put(CLAIMS_KEY, claims);
        ctx.put(TOKEN_CLAIMS_KEY, new TokenClaims(claims));
        ctx.put(VERIFIED_BY_KEY, this);
        then.run();
      } else if (ar.cause() instanceof BearerTokenException e) {
        BearerResponses.error(ctx, e, realm);
      } else {
        LOG.error("checking a bearer token failed unexpectedly: {}", ar.cause().getClass().getName());
        BearerResponses.serverError(ctx);
      }
    });
  }

  /** The bearer token of the request (RFC 6750 §2.1), null when it has none; {@code invalid_request} when malformed. */
  private static String bearerToken(RoutingContext ctx) {
    MultiMap headers = ctx.request().headers();
    List<String> values = headers.getAll("Authorization");
    // RFC 6750 §2: one method only; §2.2 (form) and §2.3 (query) are not accepted, so a token there is refused outright
    boolean inParams;
    try {
      inParams = ctx.request().params().contains("access_token");
    } catch (RuntimeException e) {
      throw BearerTokenException.invalidRequest("malformed query string");
    }
    if (inParams) {
      throw BearerTokenException.invalidRequest("send the access token in the Authorization header only");
    }
    if (values.isEmpty()) {
      return null;
    }
    if (values.size() > 1) {
      throw BearerTokenException.invalidRequest("more than one Authorization header");
    }
    String value = values.get(0);
    int space = value.indexOf(' ');
    String scheme = space < 0 ? value : value.substring(0, space);
    if (!scheme.equalsIgnoreCase("Bearer")) {
      // another scheme (Basic, DPoP, ...): no bearer token here
      return null;
    }
    String token = space < 0 ? "" : value.substring(space + 1);
    if (!B64TOKEN.matcher(token).matches()) {
      throw BearerTokenException.invalidRequest("malformed Authorization header: expected Bearer and one token");
    }
    return token;
  }
}
