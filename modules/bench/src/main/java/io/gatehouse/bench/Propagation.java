package io.gatehouse.bench;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.HdrHistogram.Histogram;

/**
 * R1 (DESIGN.md "Benchmark workloads"): revocation propagation. For each of N rounds:
 *
 * <ol>
 *   <li>a fresh access token from the origin node by client credentials (not measured);
 *   <li>every observer must show it active first: each introspecting node ({@code POST /introspect},
 *       {@code "active":true}) and each resource server (a {@code GET} of the protected URL answered
 *       200), which also warms their caches, as in production;
 *   <li>the clock starts, and {@code POST /revoke} of the token goes to the origin; at once every
 *       observer is polled, each on its own connection, one request after the other, until it rejects
 *       ({@code "active":false}; 401 at a resource server). The time from the start to an observer's
 *       first rejection is its propagation time; the round's time is the slowest observer's. Polls
 *       are {@code pollIntervalMicros} apart (1 ms by default; 0: back to back), which bounds the
 *       resolution and keeps the polling from loading the nodes it measures.
 * </ol>
 *
 * A round fails (counted by kind) when the revocation is not answered 200, an observer never rejects
 * within {@link #GIVE_UP_MS}, or answers anything but accepted or rejected. The times include the
 * revoke request itself: the revocation is durably recorded before the origin answers, then
 * published.
 */
public final class Propagation {
  static final long GIVE_UP_MS = 5_000;

  /** What to measure: the origin node, the observers and the clients. */
  public record Settings(URI origin, List<URI> introspectAt, List<URI> resourceUrls, String clientId, String clientSecret, String scope,
      String rsClientId, String rsClientSecret, int revocations, long pollIntervalMicros, int warmupRounds) {}

  /** The outcome: times in microseconds. */
  public record Result(int rounds, int measured, Histogram all, Histogram revoke, Map<String, Histogram> perObserver, Map<String, Long> errors) {}

  private interface Observer {
    String name();

    /** TRUE: rejected; FALSE: still accepted; a failed future: an unexpected answer (its message the error kind). */
    Future<Boolean> rejected(String token);
  }

  private final Vertx vertx;
  private final Settings settings;
  private final Map<URI, HttpClient> clients = new LinkedHashMap<>();
  private final List<Observer> observers = new ArrayList<>();

  public Propagation(Vertx vertx, Settings settings) {
    this.vertx = vertx;
    this.settings = settings;
    for (URI node : settings.introspectAt()) {
      HttpClient c = client(node);
      String path = path(node) + "/introspect";
      String auth = Introspection.basic(settings.rsClientId(), settings.rsClientSecret());
      observers.add(new Observer() {
        @Override
        public String name() {
          return "introspect " + node.getAuthority();
        }

        @Override
        public Future<Boolean> rejected(String token) {
          return send(c, node, HttpMethod.POST, path, auth, "application/x-www-form-urlencoded",
              Buffer.buffer("token=" + java.net.URLEncoder.encode(token, StandardCharsets.UTF_8)))
              .map(answer -> {
                String err = Introspection.check(answer.status, answer.body.toString(StandardCharsets.UTF_8));
                if (err == null) {
                  return false;
                }
                if (err.equals("inactive")) {
                  return true;
                }
                throw new IllegalStateException(err);
              });
        }
      });
    }
    for (URI url : settings.resourceUrls()) {
      HttpClient c = client(url);
      String path = url.getRawPath() + (url.getRawQuery() == null ? "" : "?" + url.getRawQuery());
      observers.add(new Observer() {
        @Override
        public String name() {
          return "resource " + url.getAuthority() + url.getRawPath();
        }

        @Override
        public Future<Boolean> rejected(String token) {
          return send(c, url, HttpMethod.GET, path, "Bearer " + token, null, null).map(answer -> {
            if (answer.status == 200) {
              return false;
            }
            // RFC 6750 §3.1: a revoked token is invalid_token
            if (answer.status == 401 && answer.challenge != null && answer.challenge.contains("invalid_token")) {
              return true;
            }
            throw new IllegalStateException("status_" + answer.status);
          });
        }
      });
    }
  }

  private HttpClient client(URI uri) {
    return clients.computeIfAbsent(uri, u -> vertx.createHttpClient(new HttpClientOptions().setDefaultHost(u.getHost())
        .setDefaultPort(u.getPort() < 0 ? 80 : u.getPort()).setKeepAlive(true).setIdleTimeout(30), new PoolOptions().setHttp1MaxSize(2)));
  }

  private static String path(URI node) {
    String p = node.getRawPath();
    return p == null || p.equals("/") ? "" : p;
  }

  private record Answer(int status, Buffer body, String challenge) {}

  private static Future<Answer> send(HttpClient c, URI base, HttpMethod method, String path, String auth, String contentType, Buffer body) {
    RequestOptions o = new RequestOptions().setMethod(method).setURI(path).setHost(base.getHost())
        .setPort(base.getPort() < 0 ? 80 : base.getPort()).setTimeout(10_000).putHeader("Authorization", auth);
    if (contentType != null) {
      o.putHeader("Content-Type", contentType);
    }
    return c.request(o).compose(req -> (body == null ? req.send() : req.send(body))
        .compose(resp -> resp.body().map(b -> new Answer(resp.statusCode(), b, resp.getHeader("WWW-Authenticate")))));
  }

  /** Runs every round, one after the other, on one Vert.x context. */
  public Future<Result> run() {
    Promise<Result> done = Promise.promise();
    Context context = vertx.getOrCreateContext();
    context.runOnContext(v -> {
      Histogram all = new Histogram(60_000_000L, 3);
      Histogram revoke = new Histogram(60_000_000L, 3);
      Map<String, Histogram> per = new LinkedHashMap<>();
      observers.forEach(o -> per.put(o.name(), new Histogram(60_000_000L, 3)));
      Map<String, Long> errors = new TreeMap<>();
      int[] measured = {0};
      Future<Void> chain = Future.succeededFuture();
      // warm-up rounds first (the same rounds, not recorded), so the figures are of warmed-up JIT code
      Histogram wAll = new Histogram(60_000_000L, 3);
      Histogram wRevoke = new Histogram(60_000_000L, 3);
      Map<String, Histogram> wPer = new LinkedHashMap<>();
      observers.forEach(o -> wPer.put(o.name(), new Histogram(60_000_000L, 3)));
      Map<String, Long> wErrors = new TreeMap<>();
      for (int i = 0; i < settings.warmupRounds(); i++) {
        chain = chain.compose(x -> round(wAll, wRevoke, wPer, wErrors).mapEmpty());
      }
      chain = chain.map(x -> {
        wErrors.forEach((k, n) -> errors.merge("warmup " + k, n, Long::sum));
        return null;
      });
      for (int i = 0; i < settings.revocations(); i++) {
        chain = chain.compose(x -> round(all, revoke, per, errors).map(ok -> {
          if (ok) {
            measured[0]++;
          }
          return null;
        }));
      }
      chain.onComplete(ar -> {
        if (ar.failed()) {
          done.fail(ar.cause());
        } else {
          done.complete(new Result(settings.revocations(), measured[0], all, revoke, per, errors));
        }
      });
    });
    return done.future();
  }

  private Future<Boolean> round(Histogram all, Histogram revoke, Map<String, Histogram> per, Map<String, Long> errors) {
    return Introspection.obtain(vertx, settings.origin(), settings.clientId(), settings.clientSecret(), settings.scope())
        .compose(token -> precheck(token.value()).compose(ok -> {
          if (ok != null) {
            errors.merge(ok, 1L, Long::sum);
            return Future.succeededFuture(false);
          }
          long start = System.nanoTime();
          Future<Boolean> revoked = send(client(settings.origin()), settings.origin(), HttpMethod.POST, path(settings.origin()) + "/revoke",
              Introspection.basic(settings.clientId(), settings.clientSecret()), "application/x-www-form-urlencoded",
              Buffer.buffer("token=" + java.net.URLEncoder.encode(token.value(), StandardCharsets.UTF_8)))
              .map(a -> {
                revoke.recordValue(Math.max(1, (System.nanoTime() - start) / 1000));
                if (a.status != 200) {
                  errors.merge("revoke_status_" + a.status, 1L, Long::sum);
                  return false;
                }
                return true;
              });
          List<Future<Long>> polls = new ArrayList<>();
          for (Observer o : observers) {
            polls.add(pollUntilRejected(o, token.value(), start));
          }
          return Future.join(polls).transform(ar -> revoked.map(revokeOk -> {
            long slowest = 0;
            boolean ok2 = revokeOk;
            for (int i = 0; i < observers.size(); i++) {
              Future<Long> f = polls.get(i);
              if (f.failed()) {
                errors.merge(f.cause().getMessage() + " (" + observers.get(i).name() + ")", 1L, Long::sum);
                ok2 = false;
              } else {
                per.get(observers.get(i).name()).recordValue(Math.max(1, f.result()));
                slowest = Math.max(slowest, f.result());
              }
            }
            if (ok2) {
              all.recordValue(Math.max(1, slowest));
            }
            return ok2;
          }));
        }));
  }

  /** Null when every observer accepts the token now, else the error kind. */
  private Future<String> precheck(String token) {
    List<Future<Boolean>> checks = observers.stream().map(o -> o.rejected(token)).toList();
    return Future.join(checks).transform(ar -> {
      for (int i = 0; i < checks.size(); i++) {
        Future<Boolean> c = checks.get(i);
        if (c.failed()) {
          return Future.succeededFuture("precheck_" + c.cause().getMessage() + " (" + observers.get(i).name() + ")");
        }
        if (c.result()) {
          return Future.succeededFuture("rejected_before_revocation (" + observers.get(i).name() + ")");
        }
      }
      return Future.succeededFuture(null);
    });
  }

  /** Microseconds from {@code start} to the observer's first rejection. */
  private Future<Long> pollUntilRejected(Observer o, String token, long start) {
    return o.rejected(token).compose(rejected -> {
      long elapsed = (System.nanoTime() - start) / 1000;
      if (rejected) {
        return Future.succeededFuture(elapsed);
      }
      if (elapsed > GIVE_UP_MS * 1000) {
        return Future.failedFuture(new IllegalStateException("never_rejected"));
      }
      if (settings.pollIntervalMicros() <= 0) {
        return pollUntilRejected(o, token, start);
      }
      // a pause between polls, so that the polling does not load the very nodes whose propagation it measures
      Promise<Long> next = Promise.promise();
      vertx.setTimer(Math.max(1, settings.pollIntervalMicros() / 1000), t -> pollUntilRejected(o, token, start).onComplete(next));
      return next.future();
    });
  }

  public Future<Void> close() {
    return Future.join(clients.values().stream().map(HttpClient::close).toList()).mapEmpty();
  }

  static JsonObject json(Result r) {
    JsonObject per = new JsonObject();
    r.perObserver().forEach((name, h) -> per.put(name, latency(h)));
    JsonObject errors = new JsonObject();
    r.errors().forEach(errors::put);
    return new JsonObject().put("workload", "R1").put("revocations", r.rounds()).put("measured", r.measured()).put("errors", errors)
        .put("all_rejected_ms", latency(r.all())).put("revoke_request_ms", latency(r.revoke())).put("per_observer_ms", per);
  }

  private static JsonObject latency(Histogram h) {
    return new JsonObject().put("p50", Bench.ms(h, 50)).put("p90", Bench.ms(h, 90)).put("p99", Bench.ms(h, 99))
        .put("max", h.getTotalCount() == 0 ? 0 : h.getMaxValue() / 1000.0);
  }

  static String table(Result r) {
    StringBuilder sb = new StringBuilder();
    sb.append(String.format("| R1 | revocations | measured | p50 ms | p90 ms | p99 ms | max ms | errors |%n|---|---|---|---|---|---|---|---|%n"));
    sb.append(row("every observer rejects", r.rounds(), r.measured(), r.all(), r.errors().isEmpty() ? "0" : r.errors().toString()));
    sb.append(row("revoke request answered", r.rounds(), (int) r.revoke().getTotalCount(), r.revoke(), ""));
    r.perObserver().forEach((name, h) -> sb.append(row(name, r.rounds(), (int) h.getTotalCount(), h, "")));
    return sb.toString().stripTrailing();
  }

  private static String row(String what, int rounds, int measured, Histogram h, String errors) {
    return String.format("| %s | %d | %d | %.2f | %.2f | %.2f | %.2f | %s |%n", what, rounds, measured, Bench.ms(h, 50), Bench.ms(h, 90),
        Bench.ms(h, 99), h.getTotalCount() == 0 ? 0 : h.getMaxValue() / 1000.0, errors);
  }
}
