package io.gatehouse.bench;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * {@code java -jar gatehouse-bench.jar --workload W1 --target http://127.0.0.1:8080 --connections 32
 * --duration 30s --warmup 15s [--rate N] [--client-id ID --client-secret S --scope S] [--json FILE]}
 *
 * <p>Prints a table and (with {@code --json}) writes JSON. Exits 3 when any response failed its
 * check, 2 on bad arguments.
 */
public final class Bench {
  private Bench() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> opts;
    try {
      opts = parse(List.of(args));
    } catch (IllegalArgumentException e) {
      System.err.println("bench: " + e.getMessage());
      System.exit(2);
      return;
    }
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(Integer.parseInt(opts.getOrDefault("threads", "1"))));
    try {
      LoadRunner.Result result = run(vertx, opts);
      System.out.println(table(result));
      if (opts.containsKey("json")) {
        Files.writeString(Path.of(opts.get("json")), json(result).encodePrettily());
      }
      System.exit(result.errors().isEmpty() ? 0 : 3);
    } finally {
      vertx.close();
    }
  }

  static Map<String, String> parse(List<String> args) {
    Map<String, String> opts = new HashMap<>(Map.of("connections", "32", "duration", "30s", "warmup", "15s", "rate", "0",
        "target", "http://127.0.0.1:8080"));
    List<String> known = List.of("workload", "target", "connections", "duration", "warmup", "rate", "client-id", "client-secret",
        "scope", "json", "threads");
    for (int i = 0; i < args.size(); i++) {
      String a = args.get(i);
      if (!a.startsWith("--") || !known.contains(a.substring(2)) || i + 1 >= args.size()) {
        throw new IllegalArgumentException("unknown or incomplete argument '" + a + "'; known: --" + String.join(" --", known));
      }
      opts.put(a.substring(2), args.get(++i));
    }
    if (!opts.containsKey("workload")) {
      throw new IllegalArgumentException("--workload is required (W1 or W3)");
    }
    workload(opts);
    return opts;
  }

  static Workload workload(Map<String, String> opts) {
    return switch (opts.get("workload")) {
      case "W1" -> {
        if (!opts.containsKey("client-id") || !opts.containsKey("client-secret")) {
          throw new IllegalArgumentException("W1 needs --client-id and --client-secret");
        }
        yield Workload.clientCredentials(opts.get("client-id"), opts.get("client-secret"), opts.get("scope"));
      }
      case "W3" -> Workload.jwks();
      default -> throw new IllegalArgumentException("unknown workload '" + opts.get("workload") + "' (W1, W3)");
    };
  }

  /** Warm-up (not reported), then the measured phase. */
  static LoadRunner.Result run(Vertx vertx, Map<String, String> opts) throws Exception {
    LoadRunner runner = new LoadRunner(vertx, URI.create(opts.get("target")), workload(opts), Integer.parseInt(opts.get("connections")));
    try {
      int rate = Integer.parseInt(opts.get("rate"));
      Duration warmup = duration(opts.get("warmup"));
      if (!warmup.isZero()) {
        runner.run(warmup, rate).toCompletionStage().toCompletableFuture().get(warmup.toSeconds() + 60, TimeUnit.SECONDS);
      }
      Duration measured = duration(opts.get("duration"));
      return runner.run(measured, rate).toCompletionStage().toCompletableFuture().get(measured.toSeconds() + 60, TimeUnit.SECONDS);
    } finally {
      runner.close();
    }
  }

  static Duration duration(String s) {
    if (s.endsWith("ms")) {
      return Duration.ofMillis(Long.parseLong(s.substring(0, s.length() - 2)));
    }
    if (s.endsWith("s")) {
      return Duration.ofSeconds(Long.parseLong(s.substring(0, s.length() - 1)));
    }
    throw new IllegalArgumentException("durations are written 500ms or 30s, got '" + s + "'");
  }

  static double ms(Histogram h, double percentile) {
    return h.getTotalCount() == 0 ? 0 : h.getValueAtPercentile(percentile) / 1000.0;
  }

  static JsonObject json(LoadRunner.Result r) {
    Histogram h = r.latencyMicros();
    JsonObject errors = new JsonObject();
    r.errors().forEach(errors::put);
    return new JsonObject()
        .put("workload", r.workload()).put("mode", r.mode()).put("connections", r.connections())
        .put("seconds", r.seconds()).put("requests", r.requests()).put("ok", r.ok()).put("errors", errors)
        .put("requests_per_second", Math.round(r.requestsPerSecond()))
        .put("latency_ms", new JsonObject().put("p50", ms(h, 50)).put("p90", ms(h, 90)).put("p99", ms(h, 99))
            .put("p99_9", ms(h, 99.9)).put("max", h.getTotalCount() == 0 ? 0 : h.getMaxValue() / 1000.0));
  }

  static String table(LoadRunner.Result r) {
    Histogram h = r.latencyMicros();
    return String.format("| workload | mode | conns | req/s | p50 ms | p90 ms | p99 ms | p99.9 ms | ok | errors |%n"
            + "|---|---|---|---|---|---|---|---|---|---|%n| %s | %s | %d | %.0f | %.2f | %.2f | %.2f | %.2f | %d | %s |",
        r.workload(), r.mode(), r.connections(), r.requestsPerSecond(), ms(h, 50), ms(h, 90), ms(h, 99), ms(h, 99.9), r.ok(),
        r.errors().isEmpty() ? "0" : r.errors().toString());
  }
}
