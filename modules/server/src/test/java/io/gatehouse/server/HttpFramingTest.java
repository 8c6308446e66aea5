package io.gatehouse.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * HTTP/1.1 message framing (RFC 9112) over raw sockets: what could let a request be smuggled past a
 * proxy that frames it differently is answered 400 with {@code Connection: close}, the connection is
 * closed, and nothing sent after it is served.
 */
class HttpFramingTest {
  static final Duration BOUND = Duration.ofSeconds(5);
  static TestServer server;

  @BeforeAll
  static void start() throws Exception {
    server = TestServer.start(Map.of());
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
  }

  /** Sends {@code request} and asserts the exact refusal: one 400, Connection: close, then the connection ends. */
  private static void assertRefused(String request) throws Exception {
    try (RawHttp c = new RawHttp(server.gatehouse.port())) {
      RawHttp.Response r = c.send(request).read();

      assertThat(r.status()).isEqualTo(400);
      assertThat(r.headers()).containsEntry("connection", "close");
      assertThat(r.body()).isEmpty();
      assertThat(c.awaitClosed(BOUND)).as("nothing more is served; the connection ends").isNull();
    }
  }

  @Test
  void contentLengthAndChunkedThen400AndTheSmuggledRequestIsNeverServed() throws Exception {
    assertRefused("GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n"
        + "0\r\n\r\n"
        + "GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
  }

  @Test
  void chunkedAndContentLengthInTheOtherOrderThen400() throws Exception {
    assertRefused("POST /token HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 30\r\n"
        + "Content-Type: application/x-www-form-urlencoded\r\n\r\n0\r\n\r\nGET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
  }

  @Test
  void transferEncodingOtherThanChunkedThen400() throws Exception {
    assertRefused("POST /token HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: gzip\r\n\r\nGET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
  }

  @Test
  void transferEncodingOnHttp10Then400() throws Exception {
    assertRefused("POST /token HTTP/1.0\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
  }

  @Test
  void twoHostHeadersThen400() throws Exception {
    assertRefused("GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\nHost: evil.example\r\n\r\n");
  }

  @Test
  void http11WithoutHostThen400() throws Exception {
    assertRefused("GET /health/live HTTP/1.1\r\n\r\n");
  }

  @Test
  void obsoleteLineFoldingThen400() throws Exception {
    assertRefused("GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Folded: a\r\n b\r\n\r\n");
  }

  @Test
  void obsoleteLineFoldingWithATabThen400() throws Exception {
    assertRefused("GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Folded: a\r\n\tb\r\n\r\nGET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
  }

  @Test
  void whitespaceBeforeTheFirstHeaderThen400() throws Exception {
    assertRefused("GET /health/live HTTP/1.1\r\n Host: 127.0.0.1\r\nHost: 127.0.0.1\r\n\r\n");
  }

  @Test
  void bareLineFeedLineEndingsThen400() throws Exception {
    // RFC 9112 §2.2 lets a recipient accept a bare LF; a proxy that does not would frame the request differently
    assertRefused("GET /health/live HTTP/1.1\nHost: 127.0.0.1\n\nGET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
  }

  @Test
  void invalidChunkSizeThenClosedAndNothingAfterItServed() throws Exception {
    // the head was accepted and routed already: a body that cannot be framed ends the connection unanswered
    try (RawHttp c = new RawHttp(server.gatehouse.port())) {
      c.send(ConnectionLimitsTest.tokenHead("Transfer-Encoding: chunked") + "zz\r\ngrant_type=client_credentials\r\n0\r\n\r\n"
          + "GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");

      assertThat(c.awaitClosed(BOUND)).isNull();
    }
  }

  @Test
  void chunkedBodyAloneIsServedAndTheConnectionKeptForTheNextRequest() throws Exception {
    try (RawHttp c = new RawHttp(server.gatehouse.port())) {
      String body = "grant_type=client_credentials";
      RawHttp.Response r = c.send(ConnectionLimitsTest.tokenHead("Transfer-Encoding: chunked")
          + Integer.toHexString(body.length()) + "\r\n" + body + "\r\n0\r\n\r\n").read();

      assertThat(r.status()).isEqualTo(200);
      assertThat(new JsonObject(r.body()).getString("token_type")).isEqualTo("Bearer");
      assertThat(c.send("GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").read().status()).isEqualTo(200);
    }
  }

  @Test
  void pipelinedRequestsAreAllServedInOrder() throws Exception {
    try (RawHttp c = new RawHttp(server.gatehouse.port())) {
      String body = "grant_type=client_credentials";
      c.send("GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
          + ConnectionLimitsTest.tokenHead("Content-Length: " + body.length()) + body
          + "GET /nowhere HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");

      assertThat(c.read().status()).isEqualTo(200);
      assertThat(c.read().status()).isEqualTo(200);
      assertThat(c.read().status()).isEqualTo(404);
    }
  }
}
