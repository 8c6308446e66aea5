package io.gatehouse.resource;

import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A loopback TCP proxy a test puts between one client and a shared server (Redis) to cut that client
 * alone off: {@link #cut} closes every connection through it and refuses new ones (closed on accept);
 * {@link #restore} lets new connections through again. The shared server is never touched.
 */
final class CuttableProxy implements AutoCloseable {
  private final NetClient client;
  private final NetServer server;
  private final int targetPort;
  private final Set<NetSocket> sockets = ConcurrentHashMap.newKeySet();
  private volatile boolean cut;

  private CuttableProxy(Vertx vertx, int targetPort) {
    this.client = vertx.createNetClient();
    this.targetPort = targetPort;
    this.server = vertx.createNetServer().connectHandler(this::accept);
  }

  static CuttableProxy to(Vertx vertx, int targetPort) throws Exception {
    CuttableProxy proxy = new CuttableProxy(vertx, targetPort);
    Http.await(proxy.server.listen(0, "127.0.0.1"));
    return proxy;
  }

  int port() {
    return server.actualPort();
  }

  void cut() {
    cut = true;
    sockets.forEach(NetSocket::close);
  }

  void restore() {
    cut = false;
  }

  @Override
  public void close() throws Exception {
    cut();
    Http.await(server.close());
    Http.await(client.close());
  }

  private void accept(NetSocket downstream) {
    if (cut) {
      downstream.close();
      return;
    }
    downstream.pause();
    client.connect(targetPort, "127.0.0.1").onFailure(e -> downstream.close()).onSuccess(upstream -> {
      sockets.add(downstream);
      sockets.add(upstream);
      downstream.closeHandler(v -> upstream.close());
      upstream.closeHandler(v -> downstream.close());
      downstream.pipeTo(upstream);
      upstream.pipeTo(downstream);
      downstream.resume();
    });
  }
}
