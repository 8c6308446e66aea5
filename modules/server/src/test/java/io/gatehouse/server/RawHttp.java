package io.gatehouse.server;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One raw TCP connection to a test server, to send what an HTTP client library would never send
 * (slow bytes, conflicting framing) and to see exactly what comes back, including whether the server
 * closed the connection. Every wait is bounded.
 */
final class RawHttp implements AutoCloseable {
  /** A parsed response: status, headers (lower-case names) and body (by Content-Length). */
  record Response(int status, Map<String, String> headers, String body) {}

  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;

  RawHttp(int port) throws IOException {
    socket = new Socket("127.0.0.1", port);
    socket.setSoTimeout(10_000);
    socket.setTcpNoDelay(true);
    in = socket.getInputStream();
    out = socket.getOutputStream();
  }

  RawHttp send(String text) throws IOException {
    out.write(text.getBytes(StandardCharsets.ISO_8859_1));
    out.flush();
    return this;
  }

  /** Reads one response; fails if the connection ends before it is complete. */
  Response read() throws IOException {
    String statusLine = line();
    if (statusLine == null) {
      throw new IOException("the connection was closed before a response");
    }
    int status = Integer.parseInt(statusLine.split(" ")[1]);
    Map<String, String> headers = new LinkedHashMap<>();
    for (String h = line(); h != null && !h.isEmpty(); h = line()) {
      int colon = h.indexOf(':');
      headers.put(h.substring(0, colon).trim().toLowerCase(Locale.ROOT), h.substring(colon + 1).trim());
    }
    if (headers.containsKey("transfer-encoding")) {
      throw new IOException("chunked responses are not read here");
    }
    int length = Integer.parseInt(headers.getOrDefault("content-length", "0"));
    byte[] body = in.readNBytes(length);
    return new Response(status, headers, new String(body, StandardCharsets.UTF_8));
  }

  /**
   * Whether the server closes the connection within {@code bound}: end of stream or a reset, and
   * nothing else arrives before it. Returns what arrived instead, or null when closed.
   */
  String awaitClosed(Duration bound) throws IOException {
    long end = System.nanoTime() + bound.toNanos();
    ByteArrayOutputStream extra = new ByteArrayOutputStream();
    while (System.nanoTime() < end) {
      socket.setSoTimeout((int) Math.max(1, Math.min(100, (end - System.nanoTime()) / 1_000_000)));
      try {
        int b = in.read();
        if (b < 0) {
          return extra.size() == 0 ? null : extra.toString(StandardCharsets.ISO_8859_1);
        }
        extra.write(b);
      } catch (SocketTimeoutException e) {
        // still open: keep waiting until the bound
      } catch (SocketException e) {
        // reset by the server
        return extra.size() == 0 ? null : extra.toString(StandardCharsets.ISO_8859_1);
      }
    }
    throw new AssertionError("the connection was still open after " + bound.toMillis() + " ms"
        + (extra.size() == 0 ? "" : "; it sent " + extra.size() + " byte(s)"));
  }

  /**
   * Sends {@code text} one byte every {@code gap} (cycling through it) until the server closes the
   * connection; fails if it is still open after {@code bound}. Returns how long it stayed open.
   */
  Duration trickleUntilClosed(String text, Duration gap, Duration bound) throws IOException {
    byte[] bytes = text.getBytes(StandardCharsets.ISO_8859_1);
    long start = System.nanoTime();
    long end = start + bound.toNanos();
    int i = 0;
    while (System.nanoTime() < end) {
      try {
        out.write(bytes[i++ % bytes.length]);
        out.flush();
        socket.setSoTimeout((int) Math.max(1, gap.toMillis()));
        if (in.read() < 0) {
          return Duration.ofNanos(System.nanoTime() - start);
        }
        throw new AssertionError("the server answered a request that was never complete");
      } catch (SocketTimeoutException e) {
        // still open after one gap: send the next byte
      } catch (SocketException e) {
        return Duration.ofNanos(System.nanoTime() - start);
      }
    }
    throw new AssertionError("the connection was still open after " + bound.toMillis() + " ms of trickling");
  }

  private String line() throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    int c;
    while ((c = in.read()) >= 0) {
      if (c == '\n') {
        String s = b.toString(StandardCharsets.ISO_8859_1);
        return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
      }
      b.write(c);
    }
    return b.size() == 0 ? null : b.toString(StandardCharsets.ISO_8859_1);
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
