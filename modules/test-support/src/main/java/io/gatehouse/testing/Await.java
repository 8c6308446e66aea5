package io.gatehouse.testing;

import io.vertx.core.Future;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;

/**
 * Waiting in tests without a fixed sleep: for a future, or for a condition polled within a bounded
 * deadline. A wait that is satisfied returns at once, so the deadline only ever bounds how long a
 * failing test takes; it is generous ({@link #DEFAULT}) because the machine may be loaded, and a
 * longer deadline cannot make a correct test fail.
 */
public final class Await {
  /** The deadline of every wait that names none. */
  public static final Duration DEFAULT = Duration.ofSeconds(60);

  /** How long a poll waits before asking again. */
  static final Duration POLL = Duration.ofMillis(10);

  private Await() {}

  /** A condition that may throw (an HTTP call, say); what it throws fails the wait. */
  @FunctionalInterface
  public interface Condition {
    boolean holds() throws Exception;
  }

  /** A value read again at each poll; what it throws fails the wait. */
  @FunctionalInterface
  public interface Probe<T> {
    T read() throws Exception;
  }

  /** The result of {@code future} within {@link #DEFAULT}; see {@link #await(Future, Duration)}. */
  public static <T> T await(Future<T> future) {
    return await(future, DEFAULT);
  }

  /**
   * Waits at most {@code within} for {@code future} and answers its result. A failed future rethrows
   * its cause as it is when unchecked (so a test can assert its type), else wrapped in an
   * {@link AssertionError}; a future still pending at the deadline fails the test.
   */
  public static <T> T await(Future<T> future, Duration within) {
    try {
      return outcome(future, within);
    } catch (ExecutionException e) {
      throw unchecked(e.getCause());
    }
  }


  /** How {@code future} failed, within {@link #DEFAULT}; see {@link #awaitFailure(Future, Duration)}. */
  public static Throwable awaitFailure(Future<?> future) {
    return awaitFailure(future, DEFAULT);
  }

  /** Waits at most {@code within} for {@code future} to fail and answers why; its success fails the test. */
  public static Throwable awaitFailure(Future<?> future, Duration within) {
    Object result;
    try {
      result = outcome(future, within);
    } catch (ExecutionException e) {
      return unwrap(e.getCause());
    }
    throw new AssertionError("expected a failure, but the future succeeded with " + result);
  }

  /** The result of {@code future} within {@code within}; its failure as an {@link ExecutionException}. */
  private static <T> T outcome(Future<T> future, Duration within) throws ExecutionException {
    try {
      return future.toCompletionStage().toCompletableFuture().get(within.toNanos(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while waiting for a future", e);
    } catch (TimeoutException e) {
      throw new AssertionError("the future did not complete within " + within, e);
    }
  }


  /** Polls {@code condition} until it holds; fails the test, naming {@code what}, when {@code within} passes first. */
  public static void until(String what, Duration within, Condition condition) {
    until(what, within, () -> condition.holds(), Boolean.TRUE::equals);
  }

  /** {@link #until(String, Duration, Condition)} within {@link #DEFAULT}. */
  public static void until(String what, Condition condition) {
    until(what, DEFAULT, condition);
  }

  /** {@link #until(String, Duration, Probe, Predicate)} within {@link #DEFAULT}. */
  public static <T> T until(String what, Probe<T> probe, Predicate<? super T> done) {
    return until(what, DEFAULT, probe, done);
  }

  /**
   * Reads {@code probe} until its value satisfies {@code done} and answers that value; fails the test,
   * naming {@code what} and the last value read, when {@code within} passes first.
   */
  public static <T> T until(String what, Duration within, Probe<T> probe, Predicate<? super T> done) {
    long deadline = System.nanoTime() + within.toNanos();
    while (true) {
      T value = read(probe);
      if (done.test(value)) {
        return value;
      }
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new AssertionError(what + ": not within " + within + "; last seen: " + value);
      }
      pause(Math.min(left, POLL.toNanos()));
    }
  }

  /**
   * Asserts that {@code condition} holds throughout {@code during}, polling it; fails as soon as it
   * does not. For what must <em>not</em> happen, where no later event can prove it did not: the
   * duration is only a lower bound on how long it was watched, so a slow machine can make the check
   * see less, never fail a correct system.
   */
  public static void throughout(String what, Duration during, Condition condition) {
    long end = System.nanoTime() + during.toNanos();
    while (true) {
      if (!Boolean.TRUE.equals(read(condition::holds))) {
        throw new AssertionError(what + ": stopped holding within " + during);
      }
      long left = end - System.nanoTime();
      if (left <= 0) {
        return;
      }
      pause(Math.min(left, POLL.toNanos()));
    }
  }

  private static <T> T read(Probe<T> probe) {
    try {
      return probe.read();
    } catch (Exception e) {
      throw unchecked(e);
    }
  }

  private static void pause(long nanos) {
    try {
      TimeUnit.NANOSECONDS.sleep(nanos);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while polling", e);
    }
  }

  private static RuntimeException unchecked(Throwable failure) {
    Throwable cause = unwrap(failure);
    if (cause instanceof RuntimeException runtime) {
      throw runtime;
    }
    if (cause instanceof Error error) {
      throw error;
    }
    throw new AssertionError("failed with " + cause, cause);
  }

  private static Throwable unwrap(Throwable failure) {
    Throwable t = failure;
    while (t instanceof CompletionException && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }
}
