package io.gatehouse.core.user;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.core.user.LoginThrottle.Verdict;
import io.gatehouse.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class LoginThrottleTest {
  private static final int FREE = 3;
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(60);
  private static final Duration ACCOUNT_DELAY = Duration.ofSeconds(1);
  private static final String ME = "203.0.113.7";
  private static final String ELSEWHERE = "198.51.100.20";

  private MutableClock clock;
  private LoginThrottle throttle;

  @BeforeEach
  void setUp() {
    clock = new MutableClock(Instant.parse("2025-03-04T05:06:07Z"));
    throttle = new LoginThrottle(clock, FREE, MAX_BACKOFF, ACCOUNT_DELAY, Duration.ofHours(1));
  }

  private void fail(String user, String address, int times) {
    for (int i = 0; i < times; i++) {
      throttle.failed(user, address);
    }
  }

  private static void assertAllowedWithoutDelay(Verdict v) {
    assertThat(v.allowed()).isTrue();
    assertThat(v.retryAfter()).isEqualTo(Duration.ZERO);
    assertThat(v.delay()).isEqualTo(Duration.ZERO);
  }

  private static void assertRefused(Verdict v, Duration retryAfter) {
    assertThat(v.allowed()).isFalse();
    assertThat(v.retryAfter()).isEqualTo(retryAfter);
    assertThat(v.delay()).isEqualTo(Duration.ZERO);
  }

  @Test
  void checkWhenNoHistoryThenAllowedWithoutDelay() {
    assertAllowedWithoutDelay(throttle.check("alice", ME));
  }

  @Test
  void checkWhenFewerFailuresThanTheFreeAllowanceThenAllowed() {
    fail("alice", ME, FREE - 1);
    assertAllowedWithoutDelay(throttle.check("alice", ME));
  }

  @Test
  void checkAfterTheFreeFailuresThenBackoffDoublesFromOneSecond() {
    fail("alice", ME, FREE);
    assertRefused(throttle.check("alice", ME), Duration.ofSeconds(1));
    clock.advance(Duration.ofSeconds(1));
    assertAllowedWithoutDelay(throttle.check("alice", ME));

    throttle.failed("alice", ME);
    assertRefused(throttle.check("alice", ME), Duration.ofSeconds(2));
    clock.advance(Duration.ofSeconds(2));
    assertAllowedWithoutDelay(throttle.check("alice", ME));

    throttle.failed("alice", ME);
    assertRefused(throttle.check("alice", ME), Duration.ofSeconds(4));
    clock.advance(Duration.ofSeconds(4));
    throttle.failed("alice", ME);
    assertRefused(throttle.check("alice", ME), Duration.ofSeconds(8));
  }

  @Test
  void checkRetryAfterCountsFromTheLastFailure() {
    fail("alice", ME, FREE);
    clock.advance(Duration.ofMillis(400));
    assertRefused(throttle.check("alice", ME), Duration.ofMillis(600));
    clock.advance(Duration.ofMillis(599));
    assertRefused(throttle.check("alice", ME), Duration.ofMillis(1));
    clock.advance(Duration.ofMillis(1));
    assertThat(throttle.check("alice", ME).allowed()).isTrue();
  }

  @Test
  void checkBackoffNeverExceedsTheMaximum() {
    fail("alice", ME, FREE + 50);
    assertRefused(throttle.check("alice", ME), MAX_BACKOFF);
    clock.advance(MAX_BACKOFF);
    assertThat(throttle.check("alice", ME).allowed()).isTrue();
  }

  @Test
  void succeededResetsTheAccountAddressPair() {
    fail("alice", ME, FREE + 2);
    clock.advance(MAX_BACKOFF);
    throttle.succeeded("alice", ME);
    assertAllowedWithoutDelay(throttle.check("alice", ME));
    // the full free allowance is back
    fail("alice", ME, FREE - 1);
    assertAllowedWithoutDelay(throttle.check("alice", ME));
  }

  @Test
  void checkWhenAccountThrottledFromOneAddressThenTheSameAccountFromAnotherAddressIsUnaffected() {
    fail("alice", ME, FREE + 5);
    assertThat(throttle.check("alice", ME).allowed()).isFalse();
    assertAllowedWithoutDelay(throttle.check("alice", ELSEWHERE));
  }

  @Test
  void checkWhenOneAccountThrottledThenOtherAccountsFromTheSameAddressAreUnaffectedBelowTheAddressAllowance() {
    fail("alice", ME, FREE);
    assertThat(throttle.check("alice", ME).allowed()).isFalse();
    assertAllowedWithoutDelay(throttle.check("bob", ME));
  }

  @Test
  void checkUsernamesIgnoreCase() {
    fail("Alice", ME, FREE);
    assertThat(throttle.check("alice", ME).allowed()).isFalse();
    assertThat(throttle.check("ALICE", ME).allowed()).isFalse();
    throttle.succeeded("aLiCe", ME);
    assertThat(throttle.check("alice", ME).allowed()).isTrue();
  }

  @Test
  void checkWhenOneAddressSpraysManyAccountsThenThatAddressIsThrottledForEveryAccount() {
    // one failure each on 4 × FREE accounts: no pair reaches its allowance, the address does
    for (int i = 0; i < 4 * FREE; i++) {
      throttle.failed("user" + i, ME);
    }
    assertRefused(throttle.check("fresh-account", ME), Duration.ofSeconds(1));
    assertRefused(throttle.check("user0", ME), Duration.ofSeconds(1));
    assertAllowedWithoutDelay(throttle.check("fresh-account", ELSEWHERE));
    clock.advance(Duration.ofSeconds(1));
    assertAllowedWithoutDelay(throttle.check("fresh-account", ME));
  }

  @Test
  void checkWhenAddressSprayedJustBelowItsAllowanceThenAllowed() {
    for (int i = 0; i < 4 * FREE - 1; i++) {
      throttle.failed("user" + i, ME);
    }
    assertAllowedWithoutDelay(throttle.check("fresh-account", ME));
  }

  @Test
  void checkWhenAnAccountFailsFromManyAddressesThenItIsDelayedButNeverRefused() {
    // a botnet: two failures from each of many addresses, never reaching any pair's allowance
    for (int i = 0; i < 100; i++) {
      fail("alice", "10.0.0." + i, FREE - 1);
    }
    for (int i = 0; i < 5; i++) {
      Verdict v = throttle.check("alice", "10.1.0." + i);
      assertThat(v.allowed()).isTrue();
      assertThat(v.retryAfter()).isEqualTo(Duration.ZERO);
      assertThat(v.delay()).isEqualTo(ACCOUNT_DELAY);
    }
    // the real user from home is only delayed
    Verdict home = throttle.check("alice", ELSEWHERE);
    assertThat(home.allowed()).isTrue();
    assertThat(home.delay()).isEqualTo(ACCOUNT_DELAY);
  }

  @Test
  void checkAccountDelayStartsAtFourTimesTheFreeAllowance() {
    for (int i = 0; i < 4 * FREE - 1; i++) {
      throttle.failed("alice", "10.0.0." + i);
    }
    assertAllowedWithoutDelay(throttle.check("alice", ELSEWHERE));
    throttle.failed("alice", "10.0.1.1");
    assertThat(throttle.check("alice", ELSEWHERE).delay()).isEqualTo(ACCOUNT_DELAY);
    assertAllowedWithoutDelay(throttle.check("bob", ELSEWHERE));
  }

  @Test
  void checkAccountDelayIsNotClearedBySuccessFromOneAddress() {
    for (int i = 0; i < 4 * FREE; i++) {
      throttle.failed("alice", "10.0.0." + i);
    }
    // a real sign-in: begin() counts the attempt, succeeded() takes it back
    throttle.begin("alice", ELSEWHERE);
    throttle.succeeded("alice", ELSEWHERE);
    assertThat(throttle.check("alice", "10.9.9.9").delay()).isEqualTo(ACCOUNT_DELAY);
  }

  @Test
  void defaultsAllowFiveFreeFailures() {
    LoginThrottle defaults = LoginThrottle.defaults(clock);
    for (int i = 0; i < 4; i++) {
      defaults.failed("alice", ME);
    }
    assertThat(defaults.check("alice", ME).allowed()).isTrue();
    defaults.failed("alice", ME);
    assertThat(defaults.check("alice", ME).allowed()).isFalse();
    assertThat(defaults.check("alice", ME).retryAfter()).isEqualTo(Duration.ofSeconds(1));
  }
}
