package io.gatehouse.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The connection layer's bounds, over raw sockets: the idle timeout, the absolute deadlines on a
 * request's head and body (a client trickling one byte at a time is cut off), and the caps on open
 * connections. The timeouts are small so that every wait is short; each wait has a bound.
 */
class ConnectionLimitsTest {
  static final String LIVE = "GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
  static final Duration GAP = Duration.ofMillis(100);
  static final Duration BOUND = Duration.ofSeconds(5);
  static TestServer server;

  @BeforeAll
  static void start() throws Exception {
    // the gap between trickled bytes (100 ms) is well under the idle timeout: only the deadlines can end them
    server = TestServer.start(Map.of("GATEHOUSE_HTTP_IDLE_TIMEOUT", "700ms", "GATEHOUSE_HTTP_REQUEST_HEAD_TIMEOUT", "300ms",
        "GATEHOUSE_HTTP_REQUEST_BODY_TIMEOUT", "300ms"));
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
  }

  int port() {
    return server.gatehouse.port();
  }

  @Test
  void keepAliveConnectionIdleLongerThanIdleTimeoutThenClosed() throws Exception {
    try (RawHttp c = new RawHttp(port())) {
      RawHttp.Response r = c.send(LIVE).read();
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.headers()).doesNotContainKey("connection");

      assertThat(c.awaitClosed(BOUND)).isNull();
    }
  }

  @Test
  void connectionThatNeverSendsARequestThenClosedAtTheHeadDeadline() throws Exception {
    try (RawHttp c = new RawHttp(port())) {
      assertThat(c.awaitClosed(BOUND)).isNull();
    }
  }

  @Test
  void requestLineTrickledOneByteAtATimeThenClosedAtTheHeadDeadlineWhileOthersAreServed() throws Exception {
    try (RawHttp slow = new RawHttp(port()); RawHttp other = new RawHttp(port())) {
      slow.send("GET /hea");
      // a legitimate request on another connection is served while the slow one is held
      assertThat(server.form("grant_type=client_credentials", "Authorization", TokenEndpointTest.BILLING).statusCode()).isEqualTo(200);
      assertThat(other.send(LIVE).read().status()).isEqualTo(200);

      Duration open = slow.trickleUntilClosed("lth/live/and/more/and/more/and/more/and/more/and/more/and/more", GAP, BOUND);

      // absolute from the connection's start: never the idle timeout (700 ms) per byte
      assertThat(open).isLessThan(Duration.ofSeconds(3));
    }
  }

  @Test
  void headersTrickledOneLineAtATimeThenClosedAtTheHeadDeadline() throws Exception {
    assertCutOff("GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\n",
        "X-A: 1\r\nX-B: 2\r\nX-C: 3\r\nX-D: 4\r\nX-E: 5\r\nX-F: 6\r\nX-G: 7\r\nX-H: 8\r\nX-I: 9\r\n");
  }

  @Test
  void secondRequestHeadTrickledOnAKeepAliveConnectionThenClosedAtTheHeadDeadline() throws Exception {
    try (RawHttp c = new RawHttp(port())) {
      assertThat(c.send(LIVE).read().status()).isEqualTo(200);

      c.trickleUntilClosed("GET /health/live/and/more/and/more/and/more/and/more/and/more/and/more/and/more", GAP, BOUND);
    }
  }

  @Test
  void bodyTrickledOneByteAtATimeThenClosedAtTheBodyDeadline() throws Exception {
    assertCutOff(tokenHead("Content-Length: 200"),
        "grant_type=client_credentials&scope=read%3Ausers&padding=0123456789012345678901234567890123456789");
  }

  @Test
  void chunkedBodyTrickledThenClosedAtTheBodyDeadline() throws Exception {
    assertCutOff(tokenHead("Transfer-Encoding: chunked"), "1\r\ng\r\n1\r\nr\r\n1\r\na\r\n1\r\nn\r\n1\r\nt\r\n1\r\n_\r\n1\r\nt\r\n1\r\ny\r\n");
  }

  /** The head of a /token request from billing-service, with the given framing header. */
  static String tokenHead(String framing) {
    return "POST /token HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n"
        + "Authorization: " + TokenEndpointTest.BILLING + "\r\n" + framing + "\r\n\r\n";
  }

  /** Sends {@code sent} at once, then {@code trickled} a byte per {@link #GAP}: the server must close the connection. */
  private void assertCutOff(String sent, String trickled) throws Exception {
    try (RawHttp c = new RawHttp(port())) {
      c.send(sent);

      c.trickleUntilClosed(trickled, GAP, BOUND);
    }
  }

  @Test
  void completeRequestsOnAKeepAliveConnectionAreServedWellPastTheDeadlines() throws Exception {
    try (RawHttp c = new RawHttp(port())) {
      long end = System.nanoTime() + Duration.ofMillis(1200).toNanos();
      int served = 0;
      // requests keep coming for four head deadlines: each one has its own
      while (System.nanoTime() < end) {
        String body = "grant_type=client_credentials";
        RawHttp.Response r = c.send(tokenHead("Content-Length: " + body.length()) + body).read();
        assertThat(r.status()).isEqualTo(200);
        served++;
      }
      assertThat(served).isGreaterThan(1);
    }
  }

  @Test
  void headerSectionOverTheLimitThen431AndClosed() throws Exception {
    assertAnsweredAndClosed("GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + "a".repeat(9000) + "\r\n\r\n", 431);
  }

  @Test
  void requestLineOverTheLimitThen414AndClosed() throws Exception {
    assertAnsweredAndClosed("GET /health/live?" + "a".repeat(5000) + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", 414);
  }

  private void assertAnsweredAndClosed(String request, int status) throws Exception {
    try (RawHttp c = new RawHttp(port())) {
      RawHttp.Response r = c.send(request).read();

      assertThat(r.status()).isEqualTo(status);
      assertThat(r.headers()).containsEntry("connection", "close");
      assertThat(c.awaitClosed(BOUND)).isNull();
    }
  }

  @Test
  void connectionsFromOneAddressOverTheCapThenClosedAtOnceAndAdmittedAgainOnceOneCloses() throws Exception {
    try (TestServer capped = TestServer.start(Map.of("GATEHOUSE_HTTP_MAX_CONNECTIONS_PER_ADDRESS", "3"))) {
      int port = capped.gatehouse.port();
      List<RawHttp> held = new ArrayList<>();
      try {
        openServed(port, 3, held);

        assertOverCapClosed(port);
        held.remove(0).close();
        assertThat(servedWithin(port, BOUND)).isTrue();
      } finally {
        closeAll(held);
      }
    }
  }

  @Test
  void trustedProxyIsExemptFromThePerAddressCapButNotFromTheNodeCap() throws Exception {
    try (TestServer capped = TestServer.start(Map.of("GATEHOUSE_HTTP_MAX_CONNECTIONS_PER_ADDRESS", "2",
        "GATEHOUSE_HTTP_MAX_CONNECTIONS", "4", "GATEHOUSE_HTTP_TRUSTED_PROXIES", "127.0.0.1"))) {
      int port = capped.gatehouse.port();
      List<RawHttp> held = new ArrayList<>();
      try {
        openServed(port, 4, held);

        assertOverCapClosed(port);
      } finally {
        closeAll(held);
      }
    }
  }

  /** Opens {@code n} keep-alive connections (into {@code held}), each serving one request. */
  private static void openServed(int port, int n, List<RawHttp> held) throws Exception {
    for (int i = 0; i < n; i++) {
      RawHttp c = new RawHttp(port);
      held.add(c);
      assertThat(c.send(LIVE).read().status()).isEqualTo(200);
    }
  }

  private static void assertOverCapClosed(int port) throws Exception {
    try (RawHttp over = new RawHttp(port)) {
      assertThat(over.awaitClosed(BOUND)).as("a connection over the cap is closed unread").isNull();
    }
  }

  private static void closeAll(List<RawHttp> held) throws Exception {
    for (RawHttp c : held) {
      c.close();
    }
  }

  /** Whether a new connection is served within the bound (a closed connection's slot is freed asynchronously). */
  private static boolean servedWithin(int port, Duration bound) throws Exception {
    long end = System.nanoTime() + bound.toNanos();
    while (System.nanoTime() < end) {
      try (RawHttp c = new RawHttp(port)) {
        if (c.send(LIVE).read().status() == 200) {
          return true;
        }
      } catch (java.io.IOException e) {
        // refused while the slot is not yet free: try again
      }
    }
    return false;
  }
}
