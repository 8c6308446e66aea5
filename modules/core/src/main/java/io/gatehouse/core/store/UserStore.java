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
 *   <li>{@link #list} answers one page of the users by folded username: those whose folded username
 *       ({@code toLowerCase(Locale.ROOT)}) starts with the folded {@link PageRequest#prefix prefix} and sorts
 *       after the request's {@link PageRequest#after after} key (a folded username), in
 *       {@link PageRequest#ORDER code point order} of their folded usernames, at most
 *       {@link PageRequest#limit limit} of them, equal in every field as {@link #findBySubject} answers them;
 *       {@link Page#next} is the last one's folded username when more such users exist, else null. Paging
 *       from the first page to the one whose {@code next} is null visits every user that existed
 *       throughout, once.
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

  /** One page of the users, by folded username (see the contract above). */
  Future<Page<User>> list(PageRequest request);

  /** The folded form of a username that the contract compares and orders by. */
  static String fold(String username) {
    return username.toLowerCase(java.util.Locale.ROOT);
  }

  /** Raised by {@link #upsert} when the username belongs to another subject. */
  final class DuplicateUsernameException extends RuntimeException {
    public DuplicateUsernameException(String username) {
      super("the username is taken: " + username, null, false, false);
    }
  }
}
