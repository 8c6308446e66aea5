package io.gatehouse.core.store.memory;

import io.gatehouse.core.model.User;
import io.gatehouse.core.store.Page;
import io.gatehouse.core.store.PageRequest;
import io.gatehouse.core.store.UserStore;
import io.vertx.core.Future;
import java.util.HashMap;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;

/** The embedded default: users in process memory, reloaded from the seed file at start. */
public final class InMemoryUserStore implements UserStore {
  private final Map<String, User> bySubject = new HashMap<>();
  /** Folded username to subject, in code point order for {@link #list}. */
  private final NavigableMap<String, String> subjectByUsername = new TreeMap<>(PageRequest.ORDER);

  @Override
  public synchronized Future<Optional<User>> findBySubject(String subject) {
    return Future.succeededFuture(Optional.ofNullable(bySubject.get(subject)));
  }

  @Override
  public synchronized Future<Optional<User>> findByUsername(String username) {
    String subject = subjectByUsername.get(fold(username));
    return Future.succeededFuture(Optional.ofNullable(subject == null ? null : bySubject.get(subject)));
  }

  @Override
  public synchronized Future<Void> upsert(User user) {
    String owner = subjectByUsername.get(fold(user.username()));
    if (owner != null && !owner.equals(user.subject())) {
      return Future.failedFuture(new DuplicateUsernameException(user.username()));
    }
    User previous = bySubject.put(user.subject(), user);
    if (previous != null) {
      subjectByUsername.remove(fold(previous.username()));
    }
    subjectByUsername.put(fold(user.username()), user.subject());
    return Future.succeededFuture();
  }

  @Override
  public synchronized Future<Boolean> delete(String subject) {
    User removed = bySubject.remove(subject);
    if (removed != null) {
      subjectByUsername.remove(fold(removed.username()));
    }
    return Future.succeededFuture(removed != null);
  }

  @Override
  public synchronized Future<Page<User>> list(PageRequest request) {
    PageRequest folded = new PageRequest(fold(request.prefix()), request.after(), request.limit());
    return Future.succeededFuture(Page.scan(subjectByUsername, folded, bySubject::get));
  }

  private static String fold(String username) {
    return UserStore.fold(username);
  }
}
