package io.gatehouse.server;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP proxy a test owns, between Gatehouse and a shared PostgreSQL or Redis, that plays their faults
 * for the connections through it alone (the shared servers are never stopped): {@link #forward} passes
 * bytes both ways; {@link #silence} goes silent like a frozen host (connections are still accepted,
 * whatever arrives is read and discarded, nothing is ever answered, on open and new connections alike).
 * Plain threads, so the proxy shares nothing with the Vert.x under test.
 */
final class FaultProxy implements AutoCloseable {
  private final ServerSocket server;
  private final String targetHost;
  private final int targetPort;
  private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
  private volatile boolean silent;
  private volatile boolean closed;

  private FaultProxy(String targetHost, int targetPort) throws IOException {
    this.targetHost = targetHost;
    this.targetPort = targetPort;
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread acceptor = new Thread(this::acceptLoop, "fault-proxy-accept-" + server.getLocalPort());
    acceptor.setDaemon(true);
    acceptor.start();
  }

  static FaultProxy to(String host, int port) throws IOException {
    return new FaultProxy(host, port);
  }

  int port() {
    return server.getLocalPort();
  }

  /** From now on nothing is answered (see the class comment). */
  void silence() {
    silent = true;
  }

  void forward() {
    silent = false;
  }

  @Override
  public void close() throws IOException {
    closed = true;
    server.close();
    for (Socket s : sockets) {
      s.close();
    }
  }

  private void acceptLoop() {
    while (!closed) {
      Socket in;
      try {
        in = server.accept();
      } catch (IOException e) {
        return;
      }
      sockets.add(in);
      if (silent) {
        // accepted, then read and discarded: the client waits for an answer that never comes
        pump(in, null);
        continue;
      }
      try {
        Socket out = new Socket(targetHost, targetPort);
        sockets.add(out);
        pump(in, out);
        pump(out, in);
      } catch (IOException e) {
        quietly(in);
      }
    }
  }

  /** Copies {@code from} to {@code to} while forwarding; discards what arrives while silent or when {@code to} is null. */
  private void pump(Socket from, Socket to) {
    Thread t = new Thread(() -> {
      byte[] buffer = new byte[8192];
      try (InputStream read = from.getInputStream()) {
        OutputStream write = to == null ? null : to.getOutputStream();
        int n;
        while ((n = read.read(buffer)) >= 0) {
          if (write != null && !silent) {
            write.write(buffer, 0, n);
            write.flush();
          }
        }
      } catch (IOException e) {
        // the peer closed, or the proxy did
      } finally {
        if (!silent) {
          quietly(from);
          if (to != null) {
            quietly(to);
          }
        }
      }
    }, "fault-proxy-pump");
    t.setDaemon(true);
    t.start();
  }

  private static void quietly(Socket s) {
    try {
      s.close();
    } catch (IOException e) {
      // closing anyway
    }
  }
}
