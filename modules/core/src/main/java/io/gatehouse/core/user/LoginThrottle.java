package io.gatehouse.core.user;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;

/**
 * Slows down password guessing without letting an attacker lock the real user out (OWASP
 * Authentication Cheat Sheet, "Account lockout"; NIST SP 800-63B §5.2.2).
 *
 * <ul>
 *   <li>Per account <em>and</em> address: after {@code freeFailures} failures, each further attempt
 *       from that address for that account must wait an exponentially growing time (1 s, 2 s, 4 s, ...
 *       up to {@code maxBackoff}); earlier attempts are refused without checking the password. The
 *       real user, signing in from another address, is not affected.
 *   <li>Per address, over all accounts: the same, with a larger allowance ({@code 4 × freeFailures}),
 *       so one address spraying many accounts is slowed too.
 *   <li>Per account, over all addresses: never refused, only delayed by at most
 *       {@code accountDelay} per attempt once it has had many failures, so a botnet spread over many
 *       addresses is slowed while the real user still gets in.
 * </ul>
 * {@link #begin} counts an attempt as a failure before its password is checked, so attempts sent in
 * parallel cannot all slip through the check; a success then clears the (account, address) counter and
 * takes the attempt back from the other two. Counters live in this node's memory and expire
 * after {@code window} of quiet; on a cluster each node counts on its own.
 */
public final class LoginThrottle {
  private static final class Counter {
    int failures;
    long lastFailureMillis;
  }

  private final Clock clock;
  private final int freeFailures;
  private final Duration maxBackoff;
  private final Duration accountDelay;
  private final Cache<String, Counter> counters;

  public LoginThrottle(Clock clock, int freeFailures, Duration maxBackoff, Duration accountDelay, Duration window) {
    this.clock = clock;
    this.freeFailures = freeFailures;
    this.maxBackoff = maxBackoff;
    this.accountDelay = accountDelay;
    this.counters = Caffeine.newBuilder().expireAfterAccess(window).maximumSize(1_000_000).build();
  }

  public static LoginThrottle defaults(Clock clock) {
    return new LoginThrottle(clock, 5, Duration.ofMinutes(15), Duration.ofSeconds(1), Duration.ofHours(1));
  }

  /** Whether an attempt may be checked now, and if not for how long to wait. */
  public record Verdict(boolean allowed, Duration retryAfter, Duration delay) {}

  public Verdict check(String username, String address) {
    long now = clock.millis();
    long waitPair = wait(counters.getIfPresent(pairKey(username, address)), freeFailures, now);
    long waitAddress = wait(counters.getIfPresent("a|" + address), freeFailures * 4, now);
    long wait = Math.max(waitPair, waitAddress);
    if (wait > 0) {
      return new Verdict(false, Duration.ofMillis(wait), Duration.ZERO);
    }
    Counter account = counters.getIfPresent(accountKey(username));
    boolean slow = account != null && account.failures >= freeFailures * 4;
    return new Verdict(true, Duration.ZERO, slow ? accountDelay : Duration.ZERO);
  }

  /**
   * {@link #check}, and when allowed, counts the attempt as a failure at once (taken back by
   * {@link #succeeded}), so that concurrent attempts see each other.
   */
  public Verdict begin(String username, String address) {
    synchronized (this) {
      Verdict v = check(username, address);
      if (v.allowed()) {
        failed(username, address);
      }
      return v;
    }
  }

  public void failed(String username, String address) {
    long now = clock.millis();
    for (String key : new String[] {pairKey(username, address), "a|" + address, accountKey(username)}) {
      Counter c = counters.get(key, k -> new Counter());
      synchronized (c) {
        c.failures++;
        c.lastFailureMillis = now;
      }
    }
  }

  /** A success after {@link #begin}: clears the pair, and takes the attempt back from the others. */
  public void succeeded(String username, String address) {
    counters.invalidate(pairKey(username, address));
    for (String key : new String[] {"a|" + address, accountKey(username)}) {
      Counter c = counters.getIfPresent(key);
      if (c != null) {
        synchronized (c) {
          c.failures = Math.max(0, c.failures - 1);
        }
      }
    }
  }

  private long wait(Counter c, int free, long now) {
    if (c == null) {
      return 0;
    }
    synchronized (c) {
      if (c.failures < free) {
        return 0;
      }
      int excess = Math.min(c.failures - free, 30);
      long backoff = Math.min(1000L << excess, maxBackoff.toMillis());
      return Math.max(0, c.lastFailureMillis + backoff - now);
    }
  }

  private static String pairKey(String username, String address) {
    return "p|" + username.toLowerCase(Locale.ROOT) + "|" + address;
  }

  private static String accountKey(String username) {
    return "u|" + username.toLowerCase(Locale.ROOT);
  }
}
