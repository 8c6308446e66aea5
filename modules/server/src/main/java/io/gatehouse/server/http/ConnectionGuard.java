package io.gatehouse.server.http;

import io.gatehouse.server.config.GatehouseConfig;
import io.netty.channel.Channel;
import io.netty.channel.ChannelPipeline;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The connection layer's bounds, one per node (shared by every HTTP verticle instance):
 *
 * <ul>
 *   <li>open connections per node and per TCP peer address are capped; a connection over a cap is
 *       closed at once, before it is read. The per-address cap counts the TCP peer, never a forwarded
 *       header (which anyone can write); the {@code http.trusted_proxies} are exempt from it, since
 *       behind a proxy every client shares the proxy's address (the per-node cap still applies);
 *   <li>an idle timeout (no bytes either way), and for HTTP/1.x absolute deadlines for a request's head
 *       and its body, so that a client trickling one byte at a time cannot hold a connection
 *       ({@link StrictRequestDecoder});
 *   <li>HTTP/1.x framing that could desynchronise us from a proxy is refused: 400 with
 *       {@code Connection: close}, and the connection is closed.
 * </ul>
 *
 * The counters are a map with one entry per address that has a connection open, so it never holds
 * more than {@code http.max_connections} entries; an entry is removed with its last connection.
 */
public final class ConnectionGuard {
  /** Netty's name for Vert.x's HTTP/1.x request decoder in a connection's pipeline. */
  private static final String DECODER = "httpDecoder";

  private final GatehouseConfig.Connections limits;
  private final Set<String> exempt;
  private final AtomicInteger open = new AtomicInteger();
  private final ConcurrentHashMap<String, Integer> perAddress = new ConcurrentHashMap<>();

  public ConnectionGuard(GatehouseConfig.Connections limits, Set<String> trustedProxies) {
    this.limits = limits;
    this.exempt = Set.copyOf(trustedProxies);
  }

  /**
   * The server options' part of the bounds: the idle timeout, counted from the last bytes read. A
   * read-side timeout only: Netty's idle handler then leaves writes alone, where an all-idle timeout
   * would add a promise and a listener to every write of the hot path (measured: ~5% of W2). No
   * Gatehouse answer takes near the timeout to produce or to send, so the connection is idle exactly
   * when the client has sent nothing for that long.
   */
  public HttpServerOptions configure(HttpServerOptions options) {
    return options.setReadIdleTimeout((int) limits.idleTimeout().toMillis()).setIdleTimeoutUnit(TimeUnit.MILLISECONDS);
  }

  /** Installs the hooks on a server created with {@link #configure}ed options. */
  public HttpServer install(HttpServer server, HttpServerOptions options) {
    return server.connectionHandler(conn -> accept(conn, options)).invalidRequestHandler(ConnectionGuard::refuse);
  }

  /** Open connections on this node (for tests and metrics). */
  public int open() {
    return open.get();
  }

  private void accept(HttpConnection conn, HttpServerOptions options) {
    Channel channel = conn instanceof io.vertx.core.net.impl.ConnectionBase base ? base.channel() : null;
    SocketAddress peer = conn.remoteAddress(true);
    String address = peer == null || peer.hostAddress() == null ? "" : peer.hostAddress();
    if (!admit(address)) {
      // closed before a byte is read: nothing is answered to a flood
      if (channel != null) {
        channel.close();
      } else {
        conn.close();
      }
      return;
    }
    conn.closeHandler(v -> release(address));
    if (channel != null) {
      ChannelPipeline pipeline = channel.pipeline();
      // HTTP/1.x only: an HTTP/2 connection (TLS with ALPN) has no such decoder, its framing is binary
      if (pipeline.get(DECODER) instanceof io.vertx.core.http.impl.VertxHttpRequestDecoder) {
        pipeline.replace(DECODER, DECODER, new StrictRequestDecoder(options, limits.requestHeadTimeout(), limits.requestBodyTimeout()));
      }
    }
  }

  private boolean admit(String address) {
    if (open.incrementAndGet() > limits.maxConnections()) {
      open.decrementAndGet();
      return false;
    }
    if (exempt.contains(address)) {
      return true;
    }
    boolean[] admitted = {true};
    perAddress.compute(address, (k, n) -> {
      int count = n == null ? 0 : n;
      if (count >= limits.maxConnectionsPerAddress()) {
        admitted[0] = false;
        return n;
      }
      return count + 1;
    });
    if (!admitted[0]) {
      open.decrementAndGet();
    }
    return admitted[0];
  }

  private void release(String address) {
    open.decrementAndGet();
    if (!exempt.contains(address)) {
      perAddress.computeIfPresent(address, (k, n) -> n <= 1 ? null : n - 1);
    }
  }

  /**
   * A request Netty could not decode, or one {@link StrictRequestDecoder} refused: RFC 9112 §3.2,
   * §5.2, §6.1: 400 (414 or 431 when the line or the headers are too long, RFC 9110 §15.5.15, RFC 6585
   * §5), no body, and the connection is closed, since where the next request starts is unknown.
   */
  private static void refuse(HttpServerRequest request) {
    Throwable cause = request.decoderResult().cause();
    int status = cause instanceof io.netty.handler.codec.http.TooLongHttpLineException ? 414
        : cause instanceof io.netty.handler.codec.http.TooLongHttpHeaderException ? 431 : 400;
    request.response().setStatusCode(status).putHeader(HttpHeaders.CONNECTION, "close").putHeader(HttpHeaders.CONTENT_LENGTH, "0")
        .end().onComplete(ar -> request.connection().close());
  }
}
