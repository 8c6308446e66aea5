package io.gatehouse.core.user;

import static io.gatehouse.testing.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.core.model.User;
import io.gatehouse.core.store.UserStore;
import io.gatehouse.core.store.memory.InMemoryUserStore;
import io.gatehouse.core.user.LoginService.InvalidCredentials;
import io.gatehouse.core.user.LoginService.Outcome;
import io.gatehouse.core.user.LoginService.Success;
import io.gatehouse.core.user.LoginService.Throttled;
import io.gatehouse.testing.MutableClock;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class LoginServiceTest {
  private static final PasswordHasher HASHER = new PasswordHasher(64, 1, 1);
  private static final int FREE = 3;
  private static final Duration ACCOUNT_DELAY = Duration.ofMillis(150);
  private static final String ADDRESS = "203.0.113.7";
  private static final String PASSWORD = "correct horse battery staple";
  private static Vertx vertx;

  private MutableClock clock;
  private CountingUsers users;
  private LoginService service;

  /** The memory user store, counting the lookups that reach it (a lookup means the password is checked). */
  private static final class CountingUsers implements UserStore {
    final InMemoryUserStore store = new InMemoryUserStore();
    final AtomicInteger lookups = new AtomicInteger();

    @Override
    public Future<Optional<User>> findBySubject(String subject) {
      return store.findBySubject(subject);
    }

    @Override
    public Future<Optional<User>> findByUsername(String username) {
      lookups.incrementAndGet();
      return store.findByUsername(username);
    }

    @Override
    public Future<Void> upsert(User user) {
      return store.upsert(user);
    }

    @Override
    public Future<Boolean> delete(String subject) {
      return store.delete(subject);
    }

    @Override
    public Future<io.gatehouse.core.store.Page<User>> list(io.gatehouse.core.store.PageRequest request) {
      return store.list(request);
    }
  }

  @BeforeAll
  static void startVertx() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stopVertx() {
    await(vertx.close());
  }

  @BeforeEach
  void setUp() {
    clock = new MutableClock(Instant.parse("2025-03-04T05:06:07Z"));
    users = new CountingUsers();
    await(users.upsert(new User("sub-alice", "Alice", HASHER.hash(PASSWORD), new JsonObject().put("name", "Alice A."))));
    LoginThrottle throttle = new LoginThrottle(clock, FREE, Duration.ofMinutes(15), ACCOUNT_DELAY, Duration.ofHours(1));
    service = new LoginService(vertx, users, HASHER, throttle);
  }

  private Outcome login(String username, String password, String address) {
    return await(service.login(username, password, address));
  }

  @Test
  void loginWhenPasswordRightThenSuccessWithTheUser() {
    Outcome outcome = login("alice", PASSWORD, ADDRESS);
    assertThat(outcome).isInstanceOf(Success.class);
    User user = ((Success) outcome).user();
    assertThat(user.subject()).isEqualTo("sub-alice");
    assertThat(user.username()).isEqualTo("Alice");
  }

  @Test
  void loginWhenPasswordWrongThenInvalidCredentials() {
    assertThat(login("alice", "wrong", ADDRESS)).isEqualTo(new InvalidCredentials());
    assertThat(login("alice", PASSWORD.toUpperCase(), ADDRESS)).isEqualTo(new InvalidCredentials());
    assertThat(login("alice", null, ADDRESS)).isEqualTo(new InvalidCredentials());
  }

  @Test
  void loginWhenUserUnknownThenTheSameAnswerAsAWrongPassword() {
    Outcome unknown = login("mallory", PASSWORD, ADDRESS);
    Outcome wrong = login("alice", "wrong", "198.51.100.1");
    assertThat(unknown).isEqualTo(wrong).isEqualTo(new InvalidCredentials());
    assertThat(unknown.toString()).isEqualTo(wrong.toString());
  }

  @Test
  void loginWhenUserUnknownThenItIsThrottledExactlyLikeAKnownOne() {
    List<Outcome> unknown = new ArrayList<>();
    List<Outcome> known = new ArrayList<>();
    for (int i = 0; i <= FREE; i++) {
      unknown.add(login("mallory", "guess" + i, "10.0.0.1"));
      known.add(login("alice", "guess" + i, "10.0.0.2"));
    }
    assertThat(unknown).isEqualTo(known);
    assertThat(unknown.get(FREE)).isEqualTo(new Throttled(Duration.ofSeconds(1)));
  }

  @Test
  void loginWhenThrottledThenRefusedWithoutCheckingEvenTheRightPassword() {
    for (int i = 0; i < FREE; i++) {
      assertThat(login("alice", "wrong" + i, ADDRESS)).isInstanceOf(InvalidCredentials.class);
    }
    int lookups = users.lookups.get();
    assertThat(login("alice", PASSWORD, ADDRESS)).isEqualTo(new Throttled(Duration.ofSeconds(1)));
    assertThat(users.lookups.get()).as("the store is not asked, the password not checked").isEqualTo(lookups);

    clock.advance(Duration.ofMillis(250));
    assertThat(login("alice", PASSWORD, ADDRESS)).isEqualTo(new Throttled(Duration.ofMillis(750)));
  }

  @Test
  void loginAfterTheBackoffThenTheRightPasswordSucceedsAndResetsTheAllowance() {
    for (int i = 0; i < FREE; i++) {
      login("alice", "wrong" + i, ADDRESS);
    }
    clock.advance(Duration.ofSeconds(1));
    assertThat(login("ALICE", PASSWORD, ADDRESS)).isInstanceOf(Success.class);
    for (int i = 0; i < FREE; i++) {
      assertThat(login("alice", "wrong" + i, ADDRESS)).isInstanceOf(InvalidCredentials.class);
    }
    assertThat(login("alice", PASSWORD, ADDRESS)).isInstanceOf(Throttled.class);
  }

  @Test
  void loginWhenThrottledFromOneAddressThenTheRealUserElsewhereGetsIn() {
    for (int i = 0; i < FREE; i++) {
      login("alice", "wrong" + i, "10.6.6.6");
    }
    assertThat(login("alice", "wrong", "10.6.6.6")).isInstanceOf(Throttled.class);
    assertThat(login("alice", PASSWORD, ADDRESS)).isInstanceOf(Success.class);
  }

  @Test
  void loginWhenAccountAttackedFromManyAddressesThenTheRealUserIsDelayedButNotRefused() {
    for (int i = 0; i < 4 * FREE; i++) {
      assertThat(login("alice", "wrong", "10.0.0." + i)).isInstanceOf(InvalidCredentials.class);
    }
    long start = System.nanoTime();
    assertThat(login("alice", PASSWORD, ADDRESS)).isInstanceOf(Success.class);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(ACCOUNT_DELAY);
  }

  @Test
  void loginWhenManyAttemptsAreInFlightAtOnceThenNoMoreThanTheFreeAllowanceAreChecked() {
    // a realistic hash cost keeps the attempts in flight together, as they would be in production
    PasswordHasher slower = new PasswordHasher(8 * 1024, 1, 1);
    await(users.upsert(new User("sub-alice", "Alice", slower.hash(PASSWORD), null)));
    LoginService realistic = new LoginService(vertx, users, slower,
        new LoginThrottle(clock, FREE, Duration.ofMinutes(15), ACCOUNT_DELAY, Duration.ofHours(1)));
    List<Future<Outcome>> attempts = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      attempts.add(realistic.login("alice", "guess" + i, ADDRESS));
    }
    long checked = attempts.stream().map(f -> await(f)).filter(o -> o instanceof InvalidCredentials).count();
    assertThat(checked).isLessThanOrEqualTo(FREE);
  }
}
