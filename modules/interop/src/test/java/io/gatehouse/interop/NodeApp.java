package io.gatehouse.interop;

import io.gatehouse.testing.Await;
import io.gatehouse.testing.FreePort;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One of the Node.js recipes (src/test/node, its dependencies installed by the pom's {@code npm ci}) running as a
 * child process on a free loopback port: started with the issuer, audience and port in its environment, awaited
 * until it answers {@code GET /health}, and ended with its descendants when closed (also when a test failed).
 * Its output goes to {@code target/node-<script>.log}, which a failed start quotes.
 */
final class NodeApp implements AutoCloseable {
  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(2)).build();

  private final Process process;
  final String base;

  private NodeApp(Process process, String base) {
    this.process = process;
    this.base = base;
  }

  static NodeApp start(String script, InteropGatehouse gatehouse) throws Exception {
    Path dir = Path.of(System.getProperty("interop.node.dir", "src/test/node")).toAbsolutePath();
    Path log = Path.of(System.getProperty("interop.log.dir", "target")).toAbsolutePath().resolve("node-" + script + ".log");
    Files.createDirectories(log.getParent());
    int port = FreePort.loopback();
    ProcessBuilder builder = new ProcessBuilder(System.getProperty("interop.node", "node"), script)
        .directory(dir.toFile())
        .redirectErrorStream(true)
        .redirectOutput(log.toFile());
    builder.environment().putAll(Map.of(
        "GATEHOUSE_ISSUER", gatehouse.issuer,
        "API_AUDIENCE", InteropGatehouse.AUDIENCE,
        "API_PORT", String.valueOf(port),
        "NODE_ENV", "production"));
    NodeApp app = new NodeApp(builder.start(), "http://127.0.0.1:" + port);
    try {
      Await.until("node " + script + " answers GET /health", () -> {
        if (!app.process.isAlive()) {
          throw new AssertionError("node " + script + " exited with " + app.process.exitValue() + ":\n" + Files.readString(log));
        }
        return app.healthy();
      });
      return app;
    } catch (RuntimeException | Error e) {
      app.close();
      throw e;
    }
  }

  private boolean healthy() throws Exception {
    try {
      HttpResponse<Void> r = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/health")).timeout(Duration.ofSeconds(2)).GET().build(),
          HttpResponse.BodyHandlers.discarding());
      return r.statusCode() == 200;
    } catch (ConnectException e) {
      return false;
    } catch (IOException e) {
      // not listening yet, or a connection it reset while starting
      return false;
    }
  }

  @Override
  public void close() {
    process.descendants().forEach(ProcessHandle::destroy);
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
