package io.gatehouse.bench;

import io.vertx.core.Context;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
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
 *
 * <p>A {@link UserWorkload} runs {@code connections} virtual users instead, each with a connection
 * and state of its own, prepared once by {@link #setup()} (not measured). An operation takes an idle
 * virtual user for its whole length: in the closed loop every loop has one; at a fixed rate an
 * operation that finds none waits for one, and the wait counts in its latency. Each virtual user
 * lives on one Vert.x context (spread over the event loops) and every exchange of its is started
 * there, so its connection's answers never cross threads (a response whose body is read on another
 * context than its connection's can end before the reader is attached, and the operation would hang).
 */
public final class LoadRunner {
  /**
   * Virtual users prepared at once (after the first, prepared alone). Setup signs in; Gatehouse counts
   * a sign-in as a failed attempt until its password check passes, and refuses further attempts for
   * an (account, address) pair once five are counted, so more parallel sign-ins as one user from one
   * address would throttle themselves.
   */
  static final int SETUP_PARALLELISM = 4;

  private final Vertx vertx;
  private final HttpClient client;
  private final URI target;
  private final Workload workload;
  private final UserWorkload userWorkload;
  private final String name;
  private final int connections;
  private final List<HttpClient> userClients = new ArrayList<>();
  private final Object lock = new Object();
  private final ArrayDeque<Slot> idle = new ArrayDeque<>();
  private final ArrayDeque<Promise<Slot>> waiting = new ArrayDeque<>();
  private volatile String contextsDeployment;
  private volatile boolean ready;

  public LoadRunner(Vertx vertx, URI target, Workload workload, int connections) {
    this.vertx = vertx;
    this.target = target;
    this.workload = workload;
    this.userWorkload = null;
    this.name = workload.name();
    this.connections = connections;
    this.client = vertx.createHttpClient(options(target), new PoolOptions().setHttp1MaxSize(connections));
    this.ready = true;
  }

  /** Virtual users of {@code userWorkload}; call {@link #setup()} before the first {@link #run}. */
  public LoadRunner(Vertx vertx, URI target, UserWorkload userWorkload, int connections) {
    this.vertx = vertx;
    this.target = target;
    this.workload = null;
    this.userWorkload = userWorkload;
    this.name = userWorkload.name();
    this.connections = connections;
    this.client = null;
  }

  /** A prepared virtual user and the context all its exchanges start on. */
  private record Slot(UserWorkload.VirtualUser user, Context context) {}

  private static HttpClientOptions options(URI target) {
    return new HttpClientOptions().setKeepAlive(true).setPipelining(false).setDefaultHost(target.getHost())
        .setDefaultPort(target.getPort() < 0 ? 80 : target.getPort());
  }

  /** HTTP exchanges per operation: 1, or what the user workload says. */
  public int exchangesPerOperation() {
    return userWorkload == null ? 1 : userWorkload.exchangesPerOperation();
  }

  /**
   * Prepares the virtual users, the first alone and then {@link #SETUP_PARALLELISM} at a time, each on
   * a client with a pool of one keep-alive connection. Fails at the first user that cannot be
   * prepared, naming it and why.
   */
  public Future<Void> setup() {
    if (userWorkload == null || ready) {
      return Future.succeededFuture();
    }
    Slot[] slots = new Slot[connections];
    for (int i = 0; i < connections; i++) {
      userClients.add(vertx.createHttpClient(options(target), new PoolOptions().setHttp1MaxSize(1)));
    }
    // contexts for the virtual users: one per no-op verticle instance, handed out round robin over the event loops
    List<Context> contexts = Collections.synchronizedList(new ArrayList<>());
    Future<String> deployed = vertx.deployVerticle(() -> new VerticleBase() {
      @Override
      public Future<?> start() {
        contexts.add(context);
        return Future.succeededFuture();
      }
    }, new DeploymentOptions().setInstances(Math.min(connections, 64)));
    AtomicInteger next = new AtomicInteger();
    AtomicBoolean failed = new AtomicBoolean();
    return deployed.compose(id -> {
      contextsDeployment = id;
      // the first alone: a wrong password then costs one failed attempt, not SETUP_PARALLELISM, and its
      // success clears the throttle's count for this user and address before the others sign in
      return setupOne(slots, contexts, next, failed);
    }).compose(first -> {
      List<Future<Void>> chains = new ArrayList<>();
      for (int c = 0; c < Math.min(SETUP_PARALLELISM, connections - 1); c++) {
        chains.add(setupChain(slots, contexts, next, failed));
      }
      return Future.all(chains);
    }).<Void>mapEmpty().onSuccess(v -> {
      synchronized (lock) {
        idle.addAll(List.of(slots));
      }
      ready = true;
    });
  }

  /** Prepares the remaining virtual users one after the other, until none is left or one failed. */
  private Future<Void> setupChain(Slot[] slots, List<Context> contexts, AtomicInteger next, AtomicBoolean failed) {
    return setupOne(slots, contexts, next, failed)
        .compose(more -> more ? setupChain(slots, contexts, next, failed) : Future.succeededFuture());
  }

  /** Prepares the next virtual user; true when there was one. */
  private Future<Boolean> setupOne(Slot[] slots, List<Context> contexts, AtomicInteger next, AtomicBoolean failed) {
    int i = next.getAndIncrement();
    if (i >= slots.length || failed.get()) {
      return Future.succeededFuture(false);
    }
    Context context = contexts.get(i % contexts.size());
    return on(context, () -> userWorkload.setup(userClients.get(i), i))
        .recover(e -> {
          failed.set(true);
          String why = e instanceof UserWorkload.SetupException ? e.getMessage() : "I/O error: " + e;
          return Future.failedFuture(new IllegalStateException(
              userWorkload.name() + " setup of virtual user " + (i + 1) + " of " + slots.length + " failed: " + why));
        })
        .map(user -> {
          slots[i] = new Slot(user, context);
          return true;
        });
  }

  /** Runs {@code work} on {@code context} (at once when already there); a throw becomes a failed future. */
  private static <T> Future<T> on(Context context, Supplier<Future<T>> work) {
    if (Vertx.currentContext() == context) {
      return safely(work);
    }
    Promise<T> promise = Promise.promise();
    context.runOnContext(v -> safely(work).onComplete(promise));
    return promise.future();
  }

  private static <T> Future<T> safely(Supplier<Future<T>> work) {
    try {
      return work.get();
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }

  /**
   * What one phase measured. {@code requests} and {@code ok} count operations (one HTTP exchange for
   * W1, W2 and W3; {@code exchangesPerOperation} for a user workload, W4's being a complete flow).
   */
  public record Result(String workload, String mode, int connections, double seconds, long requests, long ok,
      Map<String, Long> errors, Histogram latencyMicros, int exchangesPerOperation) {
    public double requestsPerSecond() {
      return ok / seconds;
    }
  }

  public Future<Result> run(Duration duration, int rate) {
    if (!ready) {
      throw new IllegalStateException("setup() first");
    }
    Phase phase = new Phase(System.nanoTime(), duration.toNanos());
    // Every loop runs on one Vert.x context, never on the caller's thread: a request started outside a
    // context gets one of its own, and its response could then end before the body handler was set,
    // which hung a run now and then.
    Context context = vertx.getOrCreateContext();
    context.runOnContext(v -> {
      if (rate > 0) {
        fixedRate(phase, rate);
      } else {
        for (int i = 0; i < connections; i++) {
          closedLoop(phase);
        }
      }
    });
    return phase.done.future().map(v -> phase.result(rate > 0 ? "fixed-rate " + rate + "/s" : "closed-loop"));
  }

  public Future<Void> close() {
    List<Future<Void>> closing = new ArrayList<>();
    if (client != null) {
      closing.add(client.close());
    }
    userClients.forEach(c -> closing.add(c.close()));
    if (contextsDeployment != null) {
      closing.add(vertx.undeploy(contextsDeployment));
    }
    return Future.join(closing).mapEmpty();
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
      return new Result(name, mode, connections, length / 1e9, requests.sum(), ok.sum(), errs,
          recorder.getIntervalHistogram(), exchangesPerOperation());
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
      long elapsed = System.nanoTime() - phase.start;
      boolean last = elapsed >= phase.length;
      // every operation due inside the window is started, late if this loop was late (a stalled load
      // tool then shows in the latencies, which count from the intended start, instead of sending less)
      long due = (last ? phase.length - 1 : elapsed) * rate / 1_000_000_000L + 1;
      while (started.get() < due) {
        long n = started.getAndIncrement();
        long intended = phase.start + n * 1_000_000_000L / rate;
        send(phase, intended);
      }
      if (last) {
        vertx.cancelTimer(timer[0]);
        phase.stop();
      }
    });
  }

  /**
   * Starts one operation; latency counts from {@code startNanos} (a wait for an idle virtual user
   * included). Completes when the answer is judged (and the virtual user is idle again).
   */
  private Future<Void> send(Phase phase, long startNanos) {
    phase.inFlight.incrementAndGet();
    phase.requests.increment();
    if (userWorkload == null) {
      RequestOptions options = new RequestOptions().setMethod(workload.method()).setURI(target.getRawPath() + workload.path())
          .setHeaders(workload.headers());
      Buffer body = workload.body();
      return judge(phase, startNanos, client.request(options)
          .compose(req -> body == null ? req.send() : req.send(body))
          .compose(resp -> resp.body().map(b -> workload.check(resp.statusCode(), b))));
    }
    return acquire().compose(slot ->
        judge(phase, startNanos, on(slot.context(), () -> slot.user().operate())).andThen(ar -> release(slot)));
  }

  /** Records an operation's outcome: null is a success, else an error kind; a failure is an I/O error. */
  private static Future<Void> judge(Phase phase, long startNanos, Future<String> operation) {
    return operation.transform(ar -> {
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

  private Future<Slot> acquire() {
    synchronized (lock) {
      Slot slot = idle.poll();
      if (slot != null) {
        return Future.succeededFuture(slot);
      }
      Promise<Slot> promise = Promise.promise();
      waiting.add(promise);
      return promise.future();
    }
  }

  private void release(Slot slot) {
    Promise<Slot> next;
    synchronized (lock) {
      next = waiting.poll();
      if (next == null) {
        idle.add(slot);
        return;
      }
    }
    next.complete(slot);
  }
}
