package io.gatehouse.core.time;

import static io.gatehouse.testing.Await.await;
import static io.gatehouse.testing.Await.awaitFailure;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class ClockOffsetMonitorTest {
  private static final Instant T = Instant.parse("2026-12-04T12:00:00Z");
  private final Clock local = Clock.fixed(T, ZoneOffset.UTC);
  private final AtomicReference<Future<Instant>> answer = new AtomicReference<>();
  private final ClockOffsetMonitor monitor = new ClockOffsetMonitor(answer::get, local, Duration.ofSeconds(2));

  @Test
  void checkWhenTheClocksAgreeThenTrustedWithNoOffset() {
    answer.set(Future.succeededFuture(T));
    await(monitor.check());
    assertThat(monitor.trusted()).isTrue();
    assertThat(monitor.offsetSeconds()).isZero();
  }

  @Test
  void checkWhenThisClockIsAheadByMoreThanAllowedThenUntrustedAndTheOffsetIsNegative() {
    answer.set(Future.succeededFuture(T.minusSeconds(20)));
    await(monitor.check());
    assertThat(monitor.trusted()).isFalse();
    assertThat(monitor.offsetSeconds()).isEqualTo(-20.0);
  }

  @Test
  void checkWhenThisClockIsBehindByMoreThanAllowedThenUntrusted() {
    answer.set(Future.succeededFuture(T.plusSeconds(20)));
    await(monitor.check());
    assertThat(monitor.trusted()).isFalse();
    assertThat(monitor.offsetSeconds()).isEqualTo(20.0);
  }

  @Test
  void checkWhenTheOffsetIsWithinTheAllowedThenTrusted() {
    answer.set(Future.succeededFuture(T.plusMillis(1_999)));
    await(monitor.check());
    assertThat(monitor.trusted()).isTrue();
  }

  @Test
  void checkWhenTheClockIsRightAgainThenTrustedAgain() {
    answer.set(Future.succeededFuture(T.minusSeconds(20)));
    await(monitor.check());
    answer.set(Future.succeededFuture(T));
    await(monitor.check());
    assertThat(monitor.trusted()).isTrue();
  }

  @Test
  void checkWhenTheReferenceDoesNotAnswerThenTheLastVerdictStands() {
    answer.set(Future.succeededFuture(T.minusSeconds(20)));
    await(monitor.check());
    answer.set(Future.failedFuture("the database did not answer"));
    awaitFailure(monitor.check());
    assertThat(monitor.trusted()).isFalse();
  }

  @Test
  void checkWhenTheAnswerWasSlowThenItsUncertaintyIsNotCountedAgainstTheClock() {
    // the reference read 3 s after this clock's first read, during a 4 s round trip: this clock is right
    Clock ticking = new Clock() {
      private long calls;

      @Override
      public java.time.ZoneId getZone() {
        return ZoneOffset.UTC;
      }

      @Override
      public Clock withZone(java.time.ZoneId zone) {
        return this;
      }

      @Override
      public Instant instant() {
        return T.plusSeconds(4 * calls++);
      }
    };
    ClockOffsetMonitor slow = new ClockOffsetMonitor(() -> Future.succeededFuture(T.plusSeconds(3)), ticking, Duration.ofSeconds(2));
    await(slow.check());
    assertThat(slow.trusted()).isTrue();
    assertThat(slow.offsetSeconds()).isEqualTo(1.0);
  }
}
