package io.gatehouse.resource;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** Blocking HTTP for the test thread (never an event loop) and small Vert.x helpers. */
final class Http {
  static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

  private Http() {}

  static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  static HttpResponse<String> get(String url, String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(15)).GET();
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  static HttpResponse<String> bearer(String url, String token) throws Exception {
    return get(url, "Authorization", "Bearer " + token);
  }

  static HttpResponse<String> post(String url, String form, String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(15))
        .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(form));
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** Serves {@code router} on a free loopback port. */
  static HttpServer serve(Vertx vertx, Router router) throws Exception {
    return await(vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1"));
  }

  static String base(HttpServer server) {
    return "http://127.0.0.1:" + server.actualPort();
  }

  static int freePort() throws java.io.IOException {
    try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private static final java.util.concurrent.ScheduledExecutorService POLLER = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "eventually-poller");
    t.setDaemon(true);
    return t;
  });

  /** Waits up to 10 s for {@code condition}, checked every 10 ms on a poller thread (the test thread blocks on the answer). */
  static void eventually(BooleanSupplier condition) throws InterruptedException {
    java.util.concurrent.CompletableFuture<Void> met = new java.util.concurrent.CompletableFuture<>();
    java.util.concurrent.ScheduledFuture<?> poll = POLLER.scheduleWithFixedDelay(() -> {
      try {
        if (condition.getAsBoolean()) {
          met.complete(null);
        }
      } catch (RuntimeException | Error e) {
        met.completeExceptionally(e);
      }
    }, 0, 10, TimeUnit.MILLISECONDS);
    try {
      met.get(10, TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new AssertionError("condition not met within 10 s");
    } catch (java.util.concurrent.ExecutionException e) {
      throw new AssertionError("condition failed", e.getCause());
    } finally {
      poll.cancel(false);
    }
  }
}
