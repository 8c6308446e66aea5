package io.gatehouse.resource;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class EventLagBaselineTest {
  final AtomicLong ticker = new AtomicLong(42);
  final EventLagBaseline baseline = new EventLagBaseline(ticker::get);

  @Test
  void excessWhenFirstEventOfAnOriginThenZero() {
    assertThat(baseline.excess("a", 20_000)).isZero();
  }

  @Test
  void excessIsTheLagAboveTheOriginsLeastLag() {
    baseline.excess("a", 30);
    baseline.excess("a", 10);
    assertThat(baseline.excess("a", 5_010)).isEqualTo(5_000);
    assertThat(baseline.excess("b", 5_010)).as("another origin has its own baseline").isZero();
  }

  @Test
  void excessWhenAClockIsBehindByASteadyOffsetThenZero() {
    baseline.excess("a", -20_000);
    assertThat(baseline.excess("a", -19_990)).isEqualTo(10);
  }

  @Test
  void baselineKeepsThePreviousWindowAndForgetsOlderOnes() {
    baseline.excess("a", 10);
    ticker.addAndGet(EventLagBaseline.WINDOW_NANOS);
    assertThat(baseline.excess("a", 3_010)).as("the previous window still counts").isEqualTo(3_000);
    ticker.addAndGet(EventLagBaseline.WINDOW_NANOS);
    // the window of the 10 ms lag is two windows back; the 3,010 ms one is the previous
    assertThat(baseline.excess("a", 3_020)).isEqualTo(10);
    ticker.addAndGet(2 * EventLagBaseline.WINDOW_NANOS);
    assertThat(baseline.excess("a", 9_000)).as("nothing recent: a new baseline").isZero();
  }

  @Test
  void excessWhenMoreOriginsThanTrackedThenTheOthersCountAsOnTime() {
    for (int i = 0; i < EventLagBaseline.MAX_ORIGINS; i++) {
      baseline.excess("o" + i, 0);
    }
    baseline.excess("late", 0);
    assertThat(baseline.excess("late", 60_000)).isZero();
    assertThat(baseline.excess("o1", 60_000)).isEqualTo(60_000);
  }
}
