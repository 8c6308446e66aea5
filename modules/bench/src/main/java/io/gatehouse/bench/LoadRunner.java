package io.gatehouse.bench;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Drives one workload against a target over keep-alive HTTP/1.1 connections, non-blocking.
 *
 * <ul>
 *   <li><b>closed loop</b> ({@code rate == 0}): each of {@code connections} loops sends its next request
 *       when the previous answer arrives; latency is send-to-answer.
 *   <li><b>fixed rate</b> ({@code rate > 0}): requests are started on a schedule of {@code rate} per
 *       second whatever the server does, and latency is measured from the <em>scheduled</em> start, so
 *       a stalled server shows in the percentiles (no coordinated omission).
 * </ul>
 */
public final class LoadRunner {
  private final Vertx vertx;
  private final HttpClient client;
  private final URI target;
  private final Workload workload;
  private final int connections;

  public LoadRunner(Vertx vertx, URI target, Workload workload, int connections) {
    this.vertx = vertx;
    this.target = target;
    this.workload = workload;
    this.connections = connections;
    this.client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true).setPipelining(false)
        .setDefaultHost(target.getHost()).setDefaultPort(target.getPort()), new PoolOptions().setHttp1MaxSize(connections));
  }

  /** What one phase measured. */
  public record Result(String workload, String mode, int connections, double seconds, long requests, long ok,
      Map<String, Long> errors, Histogram latencyMicros) {
    public double requestsPerSecond() {
      return ok / seconds;
    }
  }

  public Future<Result> run(Duration duration, int rate) {
    Phase phase = new Phase(System.nanoTime(), duration.toNanos());
    if (rate > 0) {
      fixedRate(phase, rate);
    } else {
      for (int i = 0; i < connections; i++) {
        closedLoop(phase);
      }
    }
    return phase.done.future().map(v -> phase.result(rate > 0 ? "fixed-rate " + rate + "/s" : "closed-loop"));
  }

  public Future<Void> close() {
    return client.close();
  }

  private final class Phase {
    final long start;
    final long length;
    final Recorder recorder = new Recorder(3);
    final LongAdder requests = new LongAdder();
    final LongAdder ok = new LongAdder();
    final Map<String, LongAdder> errors = new ConcurrentHashMap<>();
    final AtomicLong inFlight = new AtomicLong();
    final Promise<Void> done = Promise.promise();
    volatile boolean stopped;

    Phase(long start, long length) {
      this.start = start;
      this.length = length;
    }

    boolean over() {
      return System.nanoTime() - start >= length;
    }

    void finishedOne() {
      if (inFlight.decrementAndGet() == 0 && stopped) {
        done.tryComplete();
      }
    }

    void stop() {
      stopped = true;
      if (inFlight.get() == 0) {
        done.tryComplete();
      }
    }

    Result result(String mode) {
      Map<String, Long> errs = new java.util.TreeMap<>();
      errors.forEach((k, v) -> errs.put(k, v.sum()));
      // the measured window; answers still in flight at its end are counted when they arrive
      return new Result(workload.name(), mode, connections, length / 1e9, requests.sum(), ok.sum(), errs,
          recorder.getIntervalHistogram());
    }
  }

  private void closedLoop(Phase phase) {
    if (phase.over()) {
      phase.stop();
      return;
    }
    long sent = System.nanoTime();
    send(phase, sent).onComplete(ar -> closedLoop(phase));
  }

  private void fixedRate(Phase phase, int rate) {
    AtomicLong started = new AtomicLong();
    long[] timer = new long[1];
    timer[0] = vertx.setPeriodic(1, id -> {
      long now = System.nanoTime();
      if (now - phase.start >= phase.length) {
        vertx.cancelTimer(timer[0]);
        phase.stop();
        return;
      }
      long due = (now - phase.start) * rate / 1_000_000_000L;
      while (started.get() < due) {
        long n = started.getAndIncrement();
        long intended = phase.start + n * 1_000_000_000L / rate;
        send(phase, intended);
      }
    });
  }

  /** Sends one request; latency counts from {@code startNanos}. Completes when the answer is judged. */
  private Future<Void> send(Phase phase, long startNanos) {
    phase.inFlight.incrementAndGet();
    phase.requests.increment();
    RequestOptions options = new RequestOptions().setMethod(workload.method()).setURI(target.getRawPath() + workload.path())
        .setHeaders(workload.headers());
    Buffer body = workload.body();
    return client.request(options)
        .compose(req -> body == null ? req.send() : req.send(body))
        .compose(resp -> resp.body().map(b -> workload.check(resp.statusCode(), b)))
        .transform(ar -> {
          String error = ar.succeeded() ? ar.result() : "io_" + ar.cause().getClass().getSimpleName();
          if (error == null) {
            phase.recorder.recordValue(Math.max(1, (System.nanoTime() - startNanos) / 1000));
            phase.ok.increment();
          } else {
            phase.errors.computeIfAbsent(error, k -> new LongAdder()).increment();
          }
          phase.finishedOne();
          return Future.<Void>succeededFuture();
        });
  }
}
