package io.gatehouse.server.verticle;

import io.gatehouse.server.Services;
import io.gatehouse.server.http.AdminGuard;
import io.gatehouse.server.http.AdminRegistryEndpoints;
import io.gatehouse.server.http.AdminRevocationsEndpoint;
import io.gatehouse.server.http.ConnectionGuard;
import io.gatehouse.server.http.Cors;
import io.gatehouse.server.http.RateLimits;
import io.gatehouse.server.http.HealthEndpoint;
import io.gatehouse.server.http.IntrospectionEndpoint;
import io.gatehouse.server.http.RevocationEndpoint;
import io.gatehouse.server.http.MetadataEndpoints;
import io.gatehouse.server.http.OAuthErrorResponder;
import io.gatehouse.server.http.Queries;
import io.gatehouse.server.http.TokenEndpoint;
import io.gatehouse.server.http.UserInfoEndpoint;
import io.gatehouse.server.http.interact.AuthorizeEndpoints;
import io.gatehouse.server.http.interact.ConsentsPage;
import io.gatehouse.server.http.interact.LogoutEndpoints;
import io.gatehouse.server.http.interact.Pages;
import io.gatehouse.server.config.GatehouseConfig;
import io.vertx.core.http.CookieSameSite;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.handler.SessionHandler;
import io.gatehouse.core.error.OAuthException;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;

/**
 * One HTTP server instance (deployed once per event loop). {@code /token}, {@code /introspect} and
 * {@code /revoke} call the service operations that the service verticles serve on the event bus
 * ({@link io.gatehouse.server.bus.ServiceOperations}, docs/EVENT-BUS.md) in this verticle: the same
 * operations and answers, without the local hop to another event loop, which measured slower
 * (docs/PERFORMANCE.md, "The HTTP edge and the service API").
 */
public final class HttpVerticle extends VerticleBase {
  private final Services services;
  private final int port;
  private final ConnectionGuard connections;
  private HttpServer server;

  /** @param connections the node's connection bounds, shared by every instance */
  public HttpVerticle(Services services, int port, ConnectionGuard connections) {
    this.services = services;
    this.port = port;
    this.connections = connections;
  }

  @Override
  public Future<?> start() {
    String base = services.config().basePath();
    Router router = Router.router(vertx);
    boolean hsts = services.config().https();
    router.route().handler(ctx -> {
      ctx.response().putHeader("X-Content-Type-Options", "nosniff");
      if (hsts) {
        // RFC 6797: the issuer is https, so browsers must never come back over plain http
        ctx.response().putHeader("Strict-Transport-Security", "max-age=31536000; includeSubDomains");
      }
      ctx.put(OAuthErrorResponder.TELEMETRY, services.telemetry());
      ctx.put(RateLimits.KEY, services.rateLimits());
      // then a malformed path or query is refused before any other handler (it calls next otherwise)
      Queries.guard(ctx);
    });
    Cors cors = new Cors(services.clients());
    // the HTTP edge is a client of the service API (docs/EVENT-BUS.md): it calls the operations the bus
    // serves in its own verticle, since the local bus hop measured slower (docs/PERFORMANCE.md)
    io.gatehouse.server.bus.ServiceClient service = io.gatehouse.server.bus.ServiceClient.direct(services.operations());
    TokenEndpoint token = new TokenEndpoint(service, services.config().http().maxBodyBytes(), cors, services.telemetry());
    MetadataEndpoints metadata = services.metadata();
    HealthEndpoint health = new HealthEndpoint(vertx, services.clients(), services.draining()::get, services.revocationHub()::vouched,
        services.telemetry()::storeLatency);
    router.route(base + "/token").handler(token);
    router.route(base + "/revoke").handler(new RevocationEndpoint(service, services.config().http().maxBodyBytes()));
    router.route(base + "/introspect").handler(new IntrospectionEndpoint(service, services.config().http().maxBodyBytes(),
        services.telemetry()));
    // the revocation list for resource servers' warm start and catch-up (can_introspect clients, Basic)
    router.route(base + "/revocations").handler(new io.gatehouse.server.http.RevocationListEndpoint(services.authenticator(),
        new io.gatehouse.core.service.RevocationFeedService(services.revocationHub().denySet(), services.revocationHub()::vouched,
            java.time.Clock.systemUTC())));
    AdminRevocationsEndpoint admin = new AdminRevocationsEndpoint(services.bearer(), services.revocations(), services.revocationHub(),
        services.config().adminScope(), services.config().http().maxBodyBytes());
    router.post(base + "/admin/revocations").handler(admin::create);
    router.get(base + "/admin/revocations").handler(admin::list);
    AdminRegistryEndpoints registry = new AdminRegistryEndpoints(new AdminGuard(services.bearer(), services.config().adminScope(),
        services.config().http().maxBodyBytes()), services.clientAdmin(), services.userAdmin(), services.config().issuerString());
    router.post(base + "/admin/clients").handler(registry::createClient);
    router.get(base + "/admin/clients/:id").handler(registry::getClient);
    router.put(base + "/admin/clients/:id").handler(registry::replaceClient);
    router.delete(base + "/admin/clients/:id").handler(registry::deleteClient);
    router.post(base + "/admin/clients/:id/secret").handler(registry::rotateSecret);
    router.post(base + "/admin/users").handler(registry::createUser);
    router.get(base + "/admin/users/:subject").handler(registry::getUser);
    router.put(base + "/admin/users/:subject").handler(registry::replaceUser);
    router.delete(base + "/admin/users/:subject").handler(registry::deleteUser);
    // signing keys: the set and its schedule; an on-demand rotation (the embedded default's own key file)
    AdminGuard keysGuard = new AdminGuard(services.bearer(), services.config().adminScope(), services.config().http().maxBodyBytes());
    router.get(base + "/admin/keys").handler(ctx -> keysGuard.handle(ctx, operator -> Future.succeededFuture(services.keyManager().describe()),
        keys -> io.gatehouse.server.http.OAuthErrorResponder.json(ctx, 200, keys)));
    router.post(base + "/admin/keys/rotate").handler(ctx -> keysGuard.handle(ctx,
        operator -> services.keyManager().rotate().onSuccess(keys -> services.telemetry().keysRotated(operator, keys)),
        keys -> io.gatehouse.server.http.OAuthErrorResponder.json(ctx, 200, keys)));
    GatehouseConfig.Session sc = services.config().session();
    // the login session: only on the interactive routes, never on the token path
    SessionHandler sessions = SessionHandler.create(services.sessions())
        .setSessionCookieName(sc.cookieName())
        .setSessionTimeout(sc.idleTimeout().toMillis())
        .setCookieHttpOnlyFlag(true)
        .setCookieSameSite(CookieSameSite.LAX)
        .setCookieSecureFlag(services.config().https())
        .setSessionCookiePath(base.isEmpty() ? "/" : base)
        .setMinLength(32)
        // a session is stored only when a handler used it: anonymous requests leave nothing behind
        .setLazySession(true);
    Pages pages = new Pages(vertx, base, sessions, sc.cookieName());
    AuthorizeEndpoints authorize = new AuthorizeEndpoints(services.authorization(), services.logins(), pages, base,
        java.time.Clock.systemUTC(), services.config().http().maxBodyBytes(), services.telemetry(),
        services.config().authorize().pendingTtl(), sc.cookieName() + "_login", services.config().https());
    // the interactive pages need no credentials: each address has a budget (429 page over it)
    io.vertx.core.Handler<io.vertx.ext.web.RoutingContext> paced = ctx -> {
      try {
        services.rateLimits().checkPages(services.rateLimits().address(ctx.request()));
        ctx.next();
      } catch (OAuthException tooMany) {
        ctx.response().putHeader("Retry-After", Long.toString(tooMany.retryAfterSeconds()));
        pages.error(ctx, 429, "Too many requests", "Too many requests from your address. Wait a moment and try again.", "too_many_requests");
      }
    };
    router.route(HttpMethod.GET, base + "/authorize").handler(sessions).handler(paced).handler(authorize::authorize);
    router.route(HttpMethod.POST, base + "/authorize").handler(sessions).handler(paced).handler(authorize::authorize);
    router.get(base + "/authorize/resume").handler(sessions).handler(paced).handler(authorize::resume);
    router.get(base + "/login").handler(sessions).handler(paced).handler(authorize::loginPage);
    router.post(base + "/login").handler(sessions).handler(authorize::login);
    router.get(base + "/consent").handler(sessions).handler(paced).handler(authorize::consentPage);
    router.post(base + "/consent").handler(sessions).handler(paced).handler(authorize::consent);
    router.get(base + "/assets/gatehouse.css").handler(pages::css);
    LogoutEndpoints logout = new LogoutEndpoints(services.logouts(), pages, services.config().http().maxBodyBytes());
    router.route(HttpMethod.GET, base + "/logout").handler(sessions).handler(paced).handler(logout::logout);
    router.route(HttpMethod.POST, base + "/logout").handler(sessions).handler(paced).handler(logout::logout);
    router.post(base + "/logout/confirm").handler(sessions).handler(paced).handler(logout::confirm);
    ConsentsPage consents = new ConsentsPage(services.consents(), services.refreshTokens(), services.revocations(), pages, base, services.config().http().maxBodyBytes(),
        services.telemetry());
    router.get(base + "/consents").handler(sessions).handler(paced).handler(consents::list);
    router.post(base + "/consents/withdraw").handler(sessions).handler(paced).handler(consents::withdraw);
    UserInfoEndpoint userInfo = new UserInfoEndpoint(services.userInfo(), cors);
    router.route(HttpMethod.GET, base + "/userinfo").handler(userInfo::handle);
    router.route(HttpMethod.POST, base + "/userinfo").handler(userInfo::handle);
    router.route(HttpMethod.OPTIONS, base + "/userinfo").handler(userInfo::handle);
    // RFC 8414 §3: the well-known suffix goes between the host and the issuer's path
    router.get("/.well-known/oauth-authorization-server" + base).handler(metadata::metadata);
    router.get(base + "/.well-known/openid-configuration").handler(metadata::metadata);
    router.get(base + "/jwks").handler(metadata::jwks);
    if (services.config().metricsEnabled()) {
      // Prometheus text exposition (keep it off the public ingress: it names clients)
      router.get(base + "/metrics").handler(ctx -> {
        String text = services.telemetry().scrape();
        ctx.response().putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8").putHeader("Cache-Control", "no-store")
            .end(text == null ? "" : text);
      });
    }
    router.get(base + "/health").handler(health::ready);
    router.get(base + "/health/ready").handler(health::ready);
    router.get(base + "/health/live").handler(health::live);
    // the router's own 404 and 405 are errors like every other: one body, written in one place
    router.errorHandler(404, ctx -> OAuthErrorResponder.respond(ctx,
        io.gatehouse.core.error.OAuthException.of(io.gatehouse.core.error.OAuthErrorCode.NOT_FOUND, "no endpoint at this path")));
    router.errorHandler(405, ctx -> {
      // RFC 9110 §15.5.6: a 405 names the methods the resource serves
      String allow = allowedMethods(router, ctx.normalizedPath());
      if (!allow.isEmpty()) {
        ctx.response().putHeader("Allow", allow);
      }
      OAuthErrorResponder.respond(ctx, new io.gatehouse.core.error.OAuthException(
          io.gatehouse.core.error.OAuthErrorCode.INVALID_REQUEST, 405, "this endpoint does not serve this method"));
    });
    // any other 4xx the router raises itself (a path it cannot decode, ...): a JSON error, and never
    // vertx-web's default of logging the failure, whose message may quote the request
    for (int status = 400; status < 500; status++) {
      if (status != 404 && status != 405) {
        router.errorHandler(status, OAuthErrorResponder::routerFailure);
      }
    }
    router.errorHandler(500, ctx -> OAuthErrorResponder.respond(ctx,
        ctx.failure() != null ? ctx.failure() : OAuthException.serverError()));
    HttpServerOptions options = new HttpServerOptions()
        .setHost(services.config().http().host())
        .setPort(port)
        .setCompressionSupported(false)
        // No cleartext HTTP/2 (h2c): its upgrade path stalls a POST that also expects 100 Continue
        // (java.net.http sends both); HTTP/2 arrives with TLS and ALPN.
        .setHttp2ClearTextEnabled(false);
    connections.configure(options);
    GatehouseConfig.Http http = services.config().http();
    if (http.tlsCert().isPresent()) {
      // HTTPS served directly; HTTP/2 by ALPN
      options.setSsl(true).setUseAlpn(true).setKeyCertOptions(new io.vertx.core.net.PemKeyCertOptions()
          .setCertPath(http.tlsCert().get().toString()).setKeyPath(http.tlsKey().orElseThrow().toString()));
    }
    return connections.install(vertx.createHttpServer(options), options).requestHandler(router).listen().onSuccess(s -> server = s);
  }

  /**
   * Stops accepting connections and lets the requests in flight finish, for at most
   * {@code shutdown.timeout}; then the remaining connections are closed.
   */
  @Override
  public Future<?> stop() {
    return server == null ? Future.succeededFuture()
        : server.shutdown(services.config().shutdown().timeout().toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
  }

  /** The port this instance listens on. */
  public int actualPort() {
    return server.actualPort();
  }

  /**
   * The methods the router's routes serve at {@code path} (a route's {@code :param} segment matches any
   * one segment), sorted, comma-separated; empty when none names a method.
   */
  static String allowedMethods(Router router, String path) {
    String[] wanted = path.split("/", -1);
    java.util.TreeSet<String> methods = new java.util.TreeSet<>();
    for (io.vertx.ext.web.Route route : router.getRoutes()) {
      String routePath = route.getPath();
      if (routePath == null || route.methods() == null) {
        continue;
      }
      String[] segments = routePath.split("/", -1);
      if (segments.length != wanted.length) {
        continue;
      }
      boolean match = true;
      for (int i = 0; i < segments.length && match; i++) {
        match = segments[i].startsWith(":") ? !wanted[i].isEmpty() : segments[i].equals(wanted[i]);
      }
      if (match) {
        route.methods().forEach(m -> methods.add(m.name()));
      }
    }
    return String.join(", ", methods);
  }
}
