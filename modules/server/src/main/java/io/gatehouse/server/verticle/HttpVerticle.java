package io.gatehouse.server.verticle;

import io.gatehouse.core.error.OAuthErrorCode;
import io.gatehouse.core.error.OAuthException;
import io.gatehouse.server.config.GatehouseConfig;
import io.gatehouse.server.http.ConnectionGuard;
import io.gatehouse.server.http.OAuthErrorResponder;
import io.gatehouse.server.http.Queries;
import io.gatehouse.server.http.routes.Routes;
import io.gatehouse.server.observe.Telemetry;
import io.gatehouse.server.observe.Tracing;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import java.util.List;

/**
 * One HTTP server instance (deployed once per event loop): the common guards (security headers, the
 * path and query check), then the route modules ({@link Routes}: token, introspection and revocation,
 * admin, the browser interaction, metadata, health) mounted in order, then the router's own errors
 * written as every other error. {@code /token}, {@code /introspect} and {@code /revoke} run the service
 * operations that the service verticles serve on the event bus ({@link io.gatehouse.server.bus.ServiceOperations},
 * docs/EVENT-BUS.md) in this verticle: the same operations and answers, without the local hop to another
 * event loop, which measured slower (docs/PERFORMANCE.md, "The HTTP edge and the service API").
 */
public final class HttpVerticle extends VerticleBase {
  private final GatehouseConfig config;
  private final Telemetry telemetry;
  private final List<Routes> routes;
  private final int port;
  private final ConnectionGuard connections;
  private HttpServer server;

  /**
   * @param routes the route modules, mounted in this order
   * @param connections the node's connection bounds, shared by every instance
   */
  public HttpVerticle(GatehouseConfig config, Telemetry telemetry, List<Routes> routes, int port, ConnectionGuard connections) {
    this.config = config;
    this.telemetry = telemetry;
    this.routes = List.copyOf(routes);
    this.port = port;
    this.connections = connections;
  }

  @Override
  public Future<?> start() {
    Router router = Router.router(vertx);
    if (config.tracing().enabled()) {
      // names each request's server span by its route template once it is answered (tracing.*)
      router.route().handler(Tracing.spanNamer());
    }
    boolean hsts = config.https();
    router.route().handler(ctx -> {
      ctx.response().putHeader("X-Content-Type-Options", "nosniff");
      if (hsts) {
        // RFC 6797: the issuer is https, so browsers must never come back over plain http
        ctx.response().putHeader("Strict-Transport-Security", "max-age=31536000; includeSubDomains");
      }
      ctx.put(OAuthErrorResponder.TELEMETRY, telemetry);
      // then a malformed path or query is refused before any other handler (it calls next otherwise)
      Queries.guard(ctx);
    });
    routes.forEach(module -> module.mount(vertx, router));
    // the router's own 404 and 405 are errors like every other: one body, written in one place
    router.errorHandler(404, ctx -> OAuthErrorResponder.respond(ctx,
        OAuthException.of(OAuthErrorCode.NOT_FOUND, "no endpoint at this path")));
    router.errorHandler(405, ctx -> {
      // RFC 9110 §15.5.6: a 405 names the methods the resource serves
      String allow = allowedMethods(router, ctx.normalizedPath());
      if (!allow.isEmpty()) {
        ctx.response().putHeader("Allow", allow);
      }
      OAuthErrorResponder.respond(ctx, new OAuthException(
          OAuthErrorCode.INVALID_REQUEST, 405, "this endpoint does not serve this method"));
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
        .setHost(config.http().host())
        .setPort(port)
        .setCompressionSupported(false)
        // No cleartext HTTP/2 (h2c): its upgrade path stalls a POST that also expects 100 Continue
        // (java.net.http sends both); HTTP/2 arrives with TLS and ALPN.
        .setHttp2ClearTextEnabled(false);
    connections.configure(options);
    GatehouseConfig.Http http = config.http();
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
        : server.shutdown(config.shutdown().timeout().toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
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
