package io.gatehouse.core.user;

import io.gatehouse.core.model.User;
import io.gatehouse.core.store.UserStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.Optional;

/**
 * Checks a username and password. The Argon2id comparison runs on a worker thread (never an event
 * loop); an unknown username costs the same comparison against a dummy hash, and answers the same as a
 * wrong password, so the login form does not reveal which usernames exist.
 */
public final class LoginService {
  private final Vertx vertx;
  private final UserStore users;
  private final PasswordHasher hasher;
  private final LoginThrottle throttle;

  public LoginService(Vertx vertx, UserStore users, PasswordHasher hasher, LoginThrottle throttle) {
    this.vertx = vertx;
    this.users = users;
    this.hasher = hasher;
    this.throttle = throttle;
  }

  /** The outcome of a login attempt. */
  public sealed interface Outcome {}

  public record Success(User user) implements Outcome {}

  public record InvalidCredentials() implements Outcome {}

  /** Too many recent failures for this account from this address (or from this address). */
  public record Throttled(Duration retryAfter) implements Outcome {}

  public UserStore users() {
    return users;
  }

  public Future<Outcome> login(String username, String password, String address) {
    LoginThrottle.Verdict verdict = throttle.begin(username, address);
    if (!verdict.allowed()) {
      return Future.succeededFuture(new Throttled(verdict.retryAfter()));
    }
    Future<Void> delayed = verdict.delay().isZero()
        ? Future.succeededFuture()
        : Future.future(p -> vertx.setTimer(verdict.delay().toMillis(), t -> p.complete()));
    // a username no store can hold is no user: the password is still checked (against nothing), so it
    // costs what an unknown user costs
    return delayed.compose(v -> io.gatehouse.core.model.Identifiers.isValid(username) ? users.findByUsername(username)
        : Future.succeededFuture(java.util.Optional.<User>empty())).compose(found -> {
      String stored = found.map(User::passwordHash).orElse(null);
      return vertx.executeBlocking(() -> hasher.verify(password, stored), false).map(ok -> outcome(found, ok, username, address));
    });
  }

  private Outcome outcome(Optional<User> found, boolean ok, String username, String address) {
    if (ok && found.isPresent()) {
      throttle.succeeded(username, address);
      return new Success(found.get());
    }
    // already counted as a failure by begin()
    return new InvalidCredentials();
  }
}
