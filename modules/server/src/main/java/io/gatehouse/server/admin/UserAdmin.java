package io.gatehouse.server.admin;

import io.gatehouse.core.error.OAuthErrorCode;
import io.gatehouse.core.error.OAuthException;
import io.gatehouse.core.model.Identifiers;
import io.gatehouse.core.model.Consent;
import io.gatehouse.core.model.User;
import io.gatehouse.core.service.RevocationService;
import io.gatehouse.core.store.ConsentStore;
import io.gatehouse.core.store.UserStore;
import io.gatehouse.core.user.PasswordHasher;
import io.gatehouse.server.config.FieldException;
import io.gatehouse.server.config.Fields;
import io.gatehouse.server.config.UserAttributes;
import io.gatehouse.server.observe.Telemetry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * The admin operations on users. A user is checked by the seed file's rules ({@link UserAttributes});
 * a password is hashed with Argon2id on a worker thread and never kept or logged as given. Each change
 * runs under the subject's cluster-wide lock and is an audit event (never carrying a password).
 */
public final class UserAdmin {
  private final Vertx vertx;
  private final UserStore users;
  private final ConsentStore consents;
  private final PasswordHasher hasher;
  private final RevocationService revocations;
  private final Telemetry telemetry;

  public UserAdmin(Vertx vertx, UserStore users, ConsentStore consents, PasswordHasher hasher, RevocationService revocations,
      Telemetry telemetry) {
    this.vertx = vertx;
    this.users = users;
    this.consents = consents;
    this.hasher = hasher;
    this.revocations = revocations;
    this.telemetry = telemetry;
  }

  /**
   * Creates a user; without a {@code subject} a random one is chosen (so a deleted user's identifier
   * never passes to someone who later takes the username). 409 when the subject or the username is
   * taken.
   */
  public Future<User> create(JsonObject body, JsonObject admin) {
    UserAttributes u;
    try {
      u = UserAttributes.read(Fields.of(body), Set.of());
      if (u.password() == null) {
        throw FieldException.of("password", "is required");
      }
    } catch (FieldException e) {
      return Future.failedFuture(OAuthException.invalidRequest(e.describe()));
    }
    String subject = u.subject() != null ? u.subject() : UUID.randomUUID().toString();
    return hash(u.password()).compose(hash -> AdminLocks.withLock(vertx, "user:" + subject, () -> users.findBySubject(subject)
        .compose(existing -> {
          if (existing.isPresent()) {
            return Future.failedFuture(new OAuthException(OAuthErrorCode.INVALID_REQUEST, 409,
                "subject '" + FieldException.printable(subject) + "' is already registered"));
          }
          User user = new User(subject, u.username(), hash, u.claims());
          return users.upsert(user).map(user);
        })))
        .recover(UserAdmin::usernameTaken)
        .onSuccess(user -> telemetry.adminChange(Telemetry.AdminChange.USER_CREATED, subject, admin));
  }

  /** A user (never the password hash); 404 when there is none. */
  public Future<User> find(String subject) {
    return Identifiers.checked("subject", subject, () -> users.findBySubject(subject)).map(found -> found.orElseThrow(UserAdmin::notFound));
  }

  /**
   * A page of the users by username, ignoring case ({@code GET /admin/users}): {@code limit}, {@code cursor} and
   * the {@code username} prefix filter (ignoring case) of {@code query} ({@link io.gatehouse.core.store.PageQuery}).
   * {@code {"users": [...], "next_cursor": "..."}}, the cursor only when more follow.
   */
  public Future<JsonObject> list(Map<String, String> query) {
    return ClientAdmin.listing("users", query, "username", users::list, UserAttributes::toJson);
  }

  /**
   * Replaces a user's username and claims; a {@code password} sets a new one (hashed anew) and revokes
   * every token and login session of the user from before, without one the password is kept.
   */
  public Future<User> replace(String subject, JsonObject body, JsonObject admin) {
    return Identifiers.checked("subject", subject, () -> replaceValid(subject, body, admin));
  }

  private Future<User> replaceValid(String subject, JsonObject body, JsonObject admin) {
    UserAttributes u;
    try {
      u = UserAttributes.read(Fields.of(body), Set.of());
      if (u.subject() != null && !u.subject().equals(subject)) {
        throw FieldException.of("subject", "must be the subject of the path (a subject is never reassigned)");
      }
    } catch (FieldException e) {
      return Future.failedFuture(OAuthException.invalidRequest(e.describe()));
    }
    Future<String> newHash = u.password() == null ? Future.succeededFuture() : hash(u.password());
    return newHash.compose(hash -> AdminLocks.withLock(vertx, "user:" + subject, () -> users.findBySubject(subject)
        .compose(existing -> {
          User old = existing.orElseThrow(UserAdmin::notFound);
          User user = new User(subject, u.username(), hash != null ? hash : old.passwordHash(), u.claims());
          return users.upsert(user).map(user);
        })))
        .recover(UserAdmin::usernameTaken)
        .onSuccess(user -> telemetry.adminChange(Telemetry.AdminChange.USER_CHANGED, subject, admin))
        // a new password ends what the old one opened: the user's tokens and login sessions (the session check
        // refuses sessions signed in before a revocation of the subject)
        .compose(user -> u.password() == null ? Future.succeededFuture(user) : revocations.revokeSubject(subject).map(user)
            .recover(e -> Future.failedFuture(OAuthException.temporarilyUnavailable(
                "the password was changed, but revoking the user's tokens failed; revoke them with POST /admin/revocations (kind subject)"))));
  }

  /**
   * Deletes a user, then revokes every token of the subject issued until now (refresh families and
   * access tokens, on every node) and forgets the user's consents.
   */
  public Future<Void> delete(String subject, JsonObject admin) {
    return Identifiers.checked("subject", subject, () -> deleteValid(subject, admin));
  }

  private Future<Void> deleteValid(String subject, JsonObject admin) {
    return AdminLocks.withLock(vertx, "user:" + subject, () -> users.delete(subject).map(removed -> {
      if (!removed) {
        throw notFound();
      }
      return (Void) null;
    })).compose(v -> {
      telemetry.adminChange(Telemetry.AdminChange.USER_DELETED, subject, admin);
      return revocations.revokeSubject(subject)
          .compose(r -> consents.list(subject))
          .compose(list -> Future.all(list.stream().map(Consent::clientId).map(c -> consents.withdraw(subject, c)).toList()))
          .<Void>mapEmpty()
          .recover(e -> Future.failedFuture(OAuthException.temporarilyUnavailable(
              "the user was deleted, but revoking their tokens or consents failed; revoke them with POST /admin/revocations (kind subject)")));
    });
  }

  private Future<String> hash(String password) {
    return vertx.executeBlocking(() -> hasher.hash(password), false);
  }

  private static <T> Future<T> usernameTaken(Throwable e) {
    return Future.failedFuture(e instanceof UserStore.DuplicateUsernameException
        ? new OAuthException(OAuthErrorCode.INVALID_REQUEST, 409, "username is already taken (usernames are unique ignoring case)")
        : e);
  }

  static OAuthException notFound() {
    return OAuthException.of(OAuthErrorCode.NOT_FOUND, "no user has this subject");
  }
}
