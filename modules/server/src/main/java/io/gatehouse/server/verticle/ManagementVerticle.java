package io.gatehouse.server.verticle;

import io.gatehouse.server.http.routes.Routes;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;

/**
 * The management listener ({@code management.enabled}): {@code /metrics} and {@code /health/*} on an address
 * and port of their own (issue 14 item 11), so the public listener never serves the metrics (they name
 * clients). One instance; anything else on it is a bare 404.
 */
public final class ManagementVerticle extends VerticleBase {
  private final String host;
  private final int port;
  private final Routes routes;
  private volatile HttpServer server;

  public ManagementVerticle(String host, int port, Routes routes) {
    this.host = host;
    this.port = port;
    this.routes = routes;
  }

  @Override
  public Future<?> start() {
    Router router = Router.router(vertx);
    router.route().handler(ctx -> {
      ctx.response().putHeader("X-Content-Type-Options", "nosniff");
      ctx.next();
    });
    routes.mount(vertx, router);
    return vertx.createHttpServer(new HttpServerOptions().setHost(host).setPort(port).setCompressionSupported(false)
        // scrapes and probes every few seconds are not traced (tracing.*): they would drown the requests' traces
        .setTracingPolicy(io.vertx.core.tracing.TracingPolicy.IGNORE))
        .requestHandler(router).listen().onSuccess(s -> server = s);
  }

  @Override
  public Future<?> stop() {
    return server == null ? Future.succeededFuture() : server.close();
  }

  /** The port it listens on (the one chosen when {@code management.port} is 0). */
  public int actualPort() {
    return server == null ? -1 : server.actualPort();
  }
}
