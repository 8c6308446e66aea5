package io.gatehouse.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.testing.Await;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Graceful shutdown under load: readiness DOWN first, then the listeners stop, requests in flight finish. */
class ShutdownTest {

  @Test
  void shutdownUnderLoadWhileALoadBalancerFollowsReadinessThenNoRequestFails() throws Exception {
    TestServer server = TestServer.start(Map.of("GATEHOUSE_SHUTDOWN_DRAIN_DELAY", "1s"));
    AtomicBoolean routed = new AtomicBoolean(true); // the "load balancer": sends here while readiness is UP
    AtomicInteger ok = new AtomicInteger();
    Map<String, Integer> failures = new ConcurrentHashMap<>();
    List<Thread> clients = new CopyOnWriteArrayList<>();
    HttpRequest token = HttpRequest.newBuilder(URI.create(server.base + "/token")).timeout(Duration.ofSeconds(10))
        .header("Content-Type", "application/x-www-form-urlencoded").header("Authorization", TokenEndpointTest.BILLING)
        .POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials&scope=read%3Ausers")).build();
    for (int i = 0; i < 8; i++) {
      Thread t = new Thread(() -> {
        HttpClient http = HttpClient.newHttpClient();
        while (routed.get()) {
          try {
            HttpResponse<String> r = http.send(token, HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() == 200 && r.body().contains("\"access_token\"")) {
              ok.incrementAndGet();
            } else {
              failures.merge("status " + r.statusCode(), 1, Integer::sum);
            }
          } catch (Exception e) {
            failures.merge(e.getClass().getSimpleName(), 1, Integer::sum);
          }
        }
      }, "load-" + i);
      clients.add(t);
      t.start();
    }
    Thread balancer = new Thread(() -> {
      HttpClient http = HttpClient.newHttpClient();
      try {
        // polls readiness and stops routing here once it is DOWN (or the node is gone)
        Await.until("readiness DOWN", () -> {
          try {
            return http.send(HttpRequest.newBuilder(URI.create(server.base + "/health/ready")).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode() == 503;
          } catch (java.io.IOException e) {
            return true;
          }
        });
      } finally {
        routed.set(false);
      }
    }, "balancer");
    balancer.start();
    Await.until("load before the shutdown", () -> ok.get() > 100);
    int beforeShutdown = ok.get();

    long started = System.nanoTime();
    CompletableFuture<Void> closed = server.gatehouse.close().toCompletionStage().toCompletableFuture();
    closed.get(30, TimeUnit.SECONDS);
    long tookMs = (System.nanoTime() - started) / 1_000_000;
    for (Thread t : clients) {
      t.join(10_000);
    }
    balancer.join(10_000);

    assertThat(beforeShutdown).as("load before the shutdown").isGreaterThan(100);
    assertThat(failures).as("failed requests").isEmpty();
    assertThat(routed.get()).as("readiness turned DOWN during the drain").isFalse();
    assertThat(tookMs).as("the drain delay is kept").isGreaterThanOrEqualTo(1_000);
    // the listener is gone afterwards
    assertThat(catching(() -> HttpClient.newHttpClient().send(token, HttpResponse.BodyHandlers.ofString())))
        .isInstanceOf(java.net.ConnectException.class);
    server.vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  @Test
  void aRequestInFlightWhenTheListenersStopIsStillAnswered() throws Exception {
    TestServer server = TestServer.start(Map.of());
    Browser browser = new Browser();
    String verifier = io.gatehouse.core.token.TokenHashes.random(32);
    HttpResponse<String> first = browser.get(server.base + "/authorize?" + Browser.encode(Map.of("response_type", "code", "client_id", "rp",
        "redirect_uri", AuthorizationCodeFlowTest.RP_CB, "scope", "read:users", "state", "s",
        "code_challenge", io.gatehouse.core.token.TokenHashes.s256(verifier), "code_challenge_method", "S256")));
    HttpResponse<String> page = browser.get(server.base + first.headers().firstValue("Location").orElseThrow());
    String body = Browser.encode(Map.of("rid", Browser.hidden(page.body(), "rid"), "csrf", Browser.hidden(page.body(), "csrf"),
        "username", "alice", "password", "alice-password-123"));
    String cookies = browser.cookies.getCookieStore().getCookies().stream().map(c -> c.getName() + "=" + c.getValue())
        .collect(java.util.stream.Collectors.joining("; "));
    int port = java.net.URI.create(server.base).getPort();
    try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port)) {
      socket.setSoTimeout(30_000);
      java.io.OutputStream out = socket.getOutputStream();
      java.io.BufferedReader in = new java.io.BufferedReader(new java.io.InputStreamReader(socket.getInputStream(),
          java.nio.charset.StandardCharsets.ISO_8859_1));
      // the head with Expect: 100-continue: the 100 answer proves the server has the request in flight
      out.write(("POST /login HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nContent-Type: application/x-www-form-urlencoded\r\n"
          + "Content-Length: " + body.length() + "\r\nExpect: 100-continue\r\nCookie: " + cookies + "\r\n\r\n")
          .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
      out.flush();
      assertThat(in.readLine()).isEqualTo("HTTP/1.1 100 Continue");
      assertThat(in.readLine()).isEmpty();

      // the listeners stop while the request waits for its body; the body (and its Argon2id check) comes after
      CompletableFuture<Void> closing = server.gatehouse.close().toCompletionStage().toCompletableFuture();
      out.write(body.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
      out.flush();

      assertThat(in.readLine()).isEqualTo("HTTP/1.1 303 See Other");
      closing.get(30, TimeUnit.SECONDS);
    }
    server.vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  interface Call {
    Object call() throws Exception;
  }

  static Throwable catching(Call call) {
    try {
      call.call();
      return null;
    } catch (Throwable t) {
      return t;
    }
  }
}
