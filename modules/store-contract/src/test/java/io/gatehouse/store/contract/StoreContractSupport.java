package io.gatehouse.store.contract;

import static io.gatehouse.testing.Await.await;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.IntFunction;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;

/**
 * What the store contracts share: waiting for futures, firing truly concurrent calls, and making
 * calls from a Vert.x event loop.
 *
 * <p>A contract that needs an event loop uses {@link #vertx()}; by default that is one Vert.x
 * instance made on first use and closed after the test class. An adapter whose store is bound to a
 * Vert.x instance of its own (a connection pool, say) overrides {@link #vertx()} to answer that one.
 */
public abstract class StoreContractSupport {
  /** How long a test waits for one store call. */
  protected static final Duration TIMEOUT = Duration.ofSeconds(10);

  /** How many callers race in a concurrency test. */
  protected static final int CONCURRENT_CALLERS = 20;

  private static Vertx ownVertx;

  /** The Vert.x instance whose event loop {@link #onEventLoop} uses. */
  protected Vertx vertx() {
    synchronized (StoreContractSupport.class) {
      if (ownVertx == null) {
        ownVertx = Vertx.vertx();
      }
      return ownVertx;
    }
  }

  @AfterAll
  static void closeOwnVertx() {
    Vertx toClose;
    synchronized (StoreContractSupport.class) {
      toClose = ownVertx;
      ownVertx = null;
    }
    if (toClose != null) {
      await(toClose.close());
    }
  }

  /** An id no other test (nor another run against the same store) uses. */
  protected static String uniqueId(String label) {
    return label + "-" + UUID.randomUUID();
  }

  /**
   * Makes the call and answers how it failed: a failed future's cause, or what the call threw before
   * it returned a future. Fails the test when the call succeeds (answering empty, false or zero is
   * not failing).
   */
  protected static Throwable failureOf(Supplier<? extends Future<?>> call) {
    Future<?> future;
    try {
      future = call.get();
    } catch (RuntimeException thrown) {
      return thrown;
    }
    Outcome<?> outcome = settle(future);
    assertThat(outcome.failed())
        .as("the call should fail, but it answered %s", outcome.result())
        .isTrue();
    return outcome.failure();
  }

  /** How one future ended: a result, or a failure. */
  protected record Outcome<T>(T result, Throwable failure) {
    public boolean failed() {
      return failure != null;
    }
  }

  /** Waits for {@code future} (at most {@link #TIMEOUT}) whether it succeeds or fails. */
  protected static <T> Outcome<T> settle(Future<T> future) {
    return await(future.transform(done -> Future.succeededFuture(new Outcome<>(done.result(), done.cause()))), TIMEOUT);
  }

  /**
   * Fires {@code count} calls at once: each from its own thread, all released together, so the
   * calls themselves overlap (contention on a lock in one JVM) and then their futures are in flight
   * together (several connections of a pool, several nodes). Answers how each ended, in caller
   * order. A call that throws instead of returning a future counts as a failure.
   */
  protected static <T> List<Outcome<T>> concurrently(int count, IntFunction<Future<T>> call) {
    AtomicReferenceArray<Future<T>> futures = new AtomicReferenceArray<>(count);
    CountDownLatch ready = new CountDownLatch(count);
    CountDownLatch go = new CountDownLatch(1);
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      int caller = i;
      Thread thread =
          new Thread(
              () -> {
                ready.countDown();
                try {
                  go.await();
                  futures.set(caller, call.apply(caller));
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                  futures.set(caller, Future.failedFuture(e));
                } catch (RuntimeException e) {
                  futures.set(caller, Future.failedFuture(e));
                }
              },
              "contract-caller-" + caller);
      threads.add(thread);
      thread.start();
    }
    try {
      assertThat(ready.await(TIMEOUT.toSeconds(), SECONDS)).as("callers ready").isTrue();
      go.countDown();
      for (Thread thread : threads) {
        thread.join(TIMEOUT.toMillis());
        assertThat(thread.isAlive()).as("%s returned a future in time", thread.getName()).isFalse();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while starting concurrent callers", e);
    }
    List<Outcome<T>> outcomes = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      outcomes.add(settle(futures.get(i)));
    }
    return outcomes;
  }

  /**
   * Makes {@code call} on an event loop of {@link #vertx()} and waits for the future it returns. A
   * store that waits for its own I/O on the calling thread never completes here (the reply it waits
   * for needs that very thread), so the test fails after {@link #TIMEOUT} instead of hanging.
   */
  protected <T> T onEventLoop(Supplier<Future<T>> call) {
    Context context = vertx().getOrCreateContext();
    Promise<T> answer = Promise.promise();
    context.runOnContext(
        ignored -> {
          if (!Context.isOnEventLoopThread()) {
            answer.fail(new AssertionError("the test harness is not on an event loop"));
            return;
          }
          try {
            call.get().onComplete(answer);
          } catch (RuntimeException | Error e) {
            answer.fail(e);
          }
        });
    return await(answer.future());
  }
}
