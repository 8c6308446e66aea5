package io.gatehouse.store.redis;

import static io.gatehouse.testing.Await.await;

import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import java.net.URI;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP proxy in front of the test Redis that can play a Redis outage for the clients connected
 * through it alone (the server is shared, so it is never restarted): {@link #refuse} drops every
 * proxied connection and closes each new one as soon as it is accepted, {@link #forward} serves
 * again. It counts the connections it accepts.
 */
final class RedisProxy {
  private final NetServer server;
  private final NetClient client;
  private final String targetHost;
  private final int targetPort;
  private final Set<NetSocket> open = ConcurrentHashMap.newKeySet();
  private final AtomicInteger accepted = new AtomicInteger();
  private volatile boolean forwarding = true;
  private volatile boolean silent;
  private volatile long delayMillis;
  private final Vertx vertx;

  private RedisProxy(Vertx vertx) {
    this.vertx = vertx;
    URI target = URI.create(TestRedis.URI);
    this.targetHost = target.getHost();
    this.targetPort = target.getPort() == -1 ? 6379 : target.getPort();
    this.client = vertx.createNetClient();
    this.server = vertx.createNetServer().connectHandler(this::accept);
  }

  static RedisProxy start(Vertx vertx) {
    RedisProxy proxy = new RedisProxy(vertx);
    await(proxy.server.listen(0, "127.0.0.1"));
    return proxy;
  }

  /** A Redis URI that connects through the proxy. */
  String uri() {
    return "redis://127.0.0.1:" + server.actualPort();
  }

  int accepted() {
    return accepted.get();
  }

  void resetAccepted() {
    accepted.set(0);
  }

  /** Closes every proxied connection, and from now on every new one as soon as it is accepted. */
  void refuse() {
    forwarding = false;
    open.forEach(NetSocket::close);
  }

  void forward() {
    forwarding = true;
    silent = false;
    delayMillis = 0;
  }

  /** Forwards each chunk {@code millis} after it arrived, in order, both ways: a slow server (0: at once). */
  void delay(long millis) {
    delayMillis = millis;
  }

  /** Keeps every connection open and forwards nothing either way: a frozen server, a dropped route. */
  void silence() {
    silent = true;
  }

  void close() {
    refuse();
    await(server.close());
    await(client.close());
  }

  private void relay(io.vertx.core.buffer.Buffer chunk, NetSocket to) {
    if (silent) {
      return;
    }
    long delay = delayMillis;
    if (delay <= 0) {
      to.write(chunk);
    } else {
      // timers of one delay fire in the order they were set: the chunks stay in order
      vertx.setTimer(delay, t -> to.write(chunk));
    }
  }

  private void accept(NetSocket in) {
    accepted.incrementAndGet();
    if (!forwarding) {
      in.close();
      return;
    }
    in.pause();
    client.connect(targetPort, targetHost)
        .onFailure(failure -> in.close())
        .onSuccess(
            out -> {
              open.add(in);
              open.add(out);
              in.closeHandler(v -> {
                open.remove(in);
                out.close();
              });
              out.closeHandler(v -> {
                open.remove(out);
                in.close();
              });
              in.handler(b -> relay(b, out));
              out.handler(b -> relay(b, in));
              in.resume();
            });
  }
}
