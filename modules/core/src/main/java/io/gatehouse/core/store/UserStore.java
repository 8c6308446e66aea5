package io.gatehouse.core.store;

import io.gatehouse.core.model.User;
import io.vertx.core.Future;
import java.util.Optional;

/**
 * Where users are kept.
 *
 * <h2>Contract</h2>
 * <ul>
 *   <li>{@link #findBySubject} answers the user last {@link #upsert upserted} with that subject, equal
 *       in every field, or empty. Subjects are compared exactly.
 *   <li>{@link #findByUsername} compares usernames ignoring case ({@code toLowerCase(Locale.ROOT)}),
 *       and answers the user with the username as it was stored.
 *   <li>{@link #upsert} creates or wholly replaces the user with that subject. It fails with
 *       {@link DuplicateUsernameException} (and changes nothing) when another subject already has the
 *       username, ignoring case.
 *   <li>{@link #delete} answers true when a user was removed, false when there was none.
 *   <li>The store keeps only the password hash it is given; it never sees a password.
 *   <li>A failure of the backing service fails the future; it never answers "not found" instead.
 *   <li>Methods never block the calling event loop.
 * </ul>
 */
public interface UserStore {
  Future<Optional<User>> findBySubject(String subject);

  Future<Optional<User>> findByUsername(String username);

  Future<Void> upsert(User user);

  Future<Boolean> delete(String subject);

  /** Raised by {@link #upsert} when the username belongs to another subject. */
  final class DuplicateUsernameException extends RuntimeException {
    public DuplicateUsernameException(String username) {
      super("the username is taken: " + username, null, false, false);
    }
  }
}
