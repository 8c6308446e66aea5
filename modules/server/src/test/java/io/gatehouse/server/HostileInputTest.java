package io.gatehouse.server;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.StackTraceElementProxy;
import ch.qos.logback.core.read.ListAppender;
import io.gatehouse.testing.Await;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * What a hostile or broken client can send that no well-behaved client library would (so over a raw
 * socket): malformed percent-encoding in the request line, aborted and malformed bodies. Each is a
 * clear 4xx (or a closed connection), never a 500, and no log line quotes the raw request.
 */
class HostileInputTest {
  static final String SECRET = "hunter2-Secret-Pa55word";
  static TestServer server;
  static ListAppender<ILoggingEvent> logs;

  @BeforeAll
  static void start() throws Exception {
    server = TestServer.start(Map.of());
    logs = new ListAppender<>();
    logs.setContext((LoggerContext) LoggerFactory.getILoggerFactory());
    logs.start();
    ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).addAppender(logs);
  }

  @AfterAll
  static void stop() throws Exception {
    ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).detachAppender(logs);
    server.close();
  }

  @BeforeEach
  void clearLogs() {
    logs.list.clear();
  }

  /** A status line, headers and body as received. */
  record Raw(int status, String head, String body) {
    JsonObject json() {
      return new JsonObject(body);
    }
  }

  /** Sends {@code request} as is and reads the answer until the server closes the connection. */
  static Raw send(String request) throws Exception {
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), server.gatehouse.port())) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      out.write(request.getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      return read(socket.getInputStream());
    }
  }

  static Raw read(InputStream in) throws Exception {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    byte[] buf = new byte[8192];
    for (int n; (n = in.read(buf)) >= 0; ) {
      all.write(buf, 0, n);
    }
    String text = all.toString(StandardCharsets.UTF_8);
    if (text.isEmpty()) {
      return new Raw(0, "", "");
    }
    int split = text.indexOf("\r\n\r\n");
    String head = split < 0 ? text : text.substring(0, split);
    return new Raw(Integer.parseInt(head.substring(9, 12)), head, split < 0 ? "" : text.substring(split + 4));
  }

  static Raw get(String target) throws Exception {
    return send("GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/html\r\nConnection: close\r\n\r\n");
  }

  /** Every line logged since the test began, with the messages of any exception and its causes. */
  static String logged() {
    StringBuilder sb = new StringBuilder();
    for (ILoggingEvent e : List.copyOf(logs.list)) {
      sb.append(e.getLevel()).append(' ').append(e.getLoggerName()).append(' ').append(e.getFormattedMessage()).append('\n');
      for (IThrowableProxy t = e.getThrowableProxy(); t != null; t = t.getCause()) {
        sb.append("  ").append(t.getClassName()).append(": ").append(t.getMessage()).append('\n');
        for (StackTraceElementProxy frame : t.getStackTraceElementProxyArray()) {
          sb.append("    ").append(frame.getSTEAsString()).append('\n');
        }
      }
    }
    return sb.toString();
  }

  static void assertNoErrorsLogged() {
    assertThat(List.copyOf(logs.list)).as(logged()).noneMatch(e -> e.getLevel().isGreaterOrEqual(ch.qos.logback.classic.Level.ERROR));
  }

  @Test
  void queryWhenPercentEncodingMalformedThen400InvalidRequestOnEveryRouteAndTheQueryIsNeverLogged() throws Exception {
    String query = "?password=" + SECRET + "&x=%";
    for (String path : List.of("/login", "/consent", "/authorize/resume", "/authorize", "/logout", "/consents", "/token", "/introspect",
        "/revoke", "/userinfo", "/jwks", "/health", "/.well-known/openid-configuration", "/admin/revocations", "/admin/clients/x",
        "/no-such-route")) {
      Raw r = get(path + query);
      assertThat(r.status()).as(path + ": " + r.head()).isEqualTo(400);
      assertThat(r.head()).as(path).containsIgnoringCase("Cache-Control: no-store");
      assertThat(r.json().getString("error")).as(path).isEqualTo("invalid_request");
      assertThat(r.json().getString("error_description")).as(path).isEqualTo("the query string has invalid percent-encoding");
      assertThat(r.body()).doesNotContain(SECRET);
    }
    assertThat(logged()).doesNotContain(SECRET).doesNotContain("x=%");
    assertNoErrorsLogged();
  }

  @Test
  void queryWhenEscapeTruncatedOrNotHexOrNotUtf8Then400InvalidRequest() throws Exception {
    for (String query : List.of("rid=%", "rid=%4", "rid=%G1", "rid=%C3%28", "rid=%ED%A0%80", "rid=a\u00ff")) {
      Raw r = get("/login?" + query);
      assertThat(r.status()).as(query).isEqualTo(400);
      assertThat(r.json().getString("error")).as(query).isEqualTo("invalid_request");
    }
    assertThat(logged()).doesNotContain("rid=");
    assertNoErrorsLogged();
  }

  @Test
  void queryWhenWellFormedThenRouteAnswersAsBefore() throws Exception {
    // an unknown rid is the login page's own 400 page (not the query guard's)
    Raw login = get("/login?rid=a%20b+c");
    assertThat(login.status()).isEqualTo(400);
    assertThat(login.head()).containsIgnoringCase("Content-Type: text/html");
    assertThat(get("/jwks?x=%41").status()).isEqualTo(200);
  }

  static double metric(String series) throws Exception {
    return TelemetryTest.value(server.get("/metrics").body(), series);
  }

  static final String SERVER_ERRORS = "gatehouse_errors_total{error=\"server_error\"}";
  static final String CLIENT_IO = "gatehouse_client_io_errors_total";

  static String tokenHead(String framing) {
    return "POST /token HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\nAuthorization: "
        + TokenEndpointTest.BILLING + "\r\n" + framing + "\r\n\r\n";
  }

  @Test
  void tokenWhenUploadAbortedThenCountedAsAClientFailureWithoutErrorLogOrServerError() throws Exception {
    double serverErrors = metric(SERVER_ERRORS);
    double clientIo = metric(CLIENT_IO);
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), server.gatehouse.port())) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write((tokenHead("Content-Length: 200") + "grant_type=client_credentials&client_secret=" + SECRET)
          .getBytes(StandardCharsets.ISO_8859_1));
      socket.getOutputStream().flush();
      socket.shutdownOutput(); // the client goes away before the declared body is complete
      read(socket.getInputStream());
    }
    Await.until("the client I/O error counted", () -> metric(CLIENT_IO) == clientIo + 1);
    assertThat(metric(SERVER_ERRORS)).isEqualTo(serverErrors);
    assertNoErrorsLogged();
    assertThat(logged()).doesNotContain(SECRET);
  }

  @Test
  void tokenWhenChunkedBodyMalformedThen400OrClosedWithoutErrorLogOrServerError() throws Exception {
    double serverErrors = metric(SERVER_ERRORS);
    double clientIo = metric(CLIENT_IO);
    Raw r = send(tokenHead("Transfer-Encoding: chunked") + "zz-not-a-size\r\ngrant_type=client_credentials&client_secret=" + SECRET
        + "\r\n0\r\n\r\n");
    assertThat(r.status()).as(r.head()).isIn(0, 400);
    Await.until("the client I/O error counted", () -> metric(CLIENT_IO) == clientIo + 1);
    assertThat(metric(SERVER_ERRORS)).isEqualTo(serverErrors);
    assertNoErrorsLogged();
    assertThat(logged()).doesNotContain(SECRET);
  }

  @Test
  void pathWhenPercentEncodingMalformedThen400InvalidRequestAndThePathIsNeverLogged() throws Exception {
    String admin = AdminApiTest.adminToken(server);
    for (String path : List.of("/admin/clients/%zz" + SECRET, "/admin/users/%" + SECRET, "/%C3%28" + SECRET, "/login%" + SECRET)) {
      Raw r = send("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + admin + "\r\nConnection: close\r\n\r\n");
      assertThat(r.status()).as(path + ": " + r.head()).isEqualTo(400);
      assertThat(r.json().getString("error")).as(path).isEqualTo("invalid_request");
      assertThat(r.json().getString("error_description")).as(path).startsWith("the request path ");
      assertThat(r.body()).doesNotContain(SECRET);
    }
    assertThat(logged()).doesNotContain(SECRET);
    assertNoErrorsLogged();
  }
}
