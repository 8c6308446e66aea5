package io.gatehouse.core.store.memory;

import io.gatehouse.core.model.Consent;
import io.gatehouse.core.model.Scopes;
import io.gatehouse.core.store.ConsentStore;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** The embedded default: consent in process memory. */
public final class InMemoryConsentStore implements ConsentStore {
  // subject -> client id -> consent
  private final Map<String, TreeMap<String, Consent>> consents = new java.util.HashMap<>();

  @Override
  public synchronized Future<Optional<Consent>> find(String subject, String clientId) {
    TreeMap<String, Consent> mine = consents.get(subject);
    return Future.succeededFuture(Optional.ofNullable(mine == null ? null : mine.get(clientId)));
  }

  @Override
  public synchronized Future<Void> grant(String subject, String clientId, Scopes scopes, long grantedAt) {
    TreeMap<String, Consent> mine = consents.computeIfAbsent(subject, s -> new TreeMap<>());
    Consent previous = mine.get(clientId);
    LinkedHashSet<String> union = new LinkedHashSet<>();
    if (previous != null) {
      union.addAll(previous.scopes().values());
    }
    union.addAll(scopes.values());
    mine.put(clientId, new Consent(subject, clientId, Scopes.of(union), grantedAt));
    return Future.succeededFuture();
  }

  @Override
  public synchronized Future<Boolean> withdraw(String subject, String clientId) {
    TreeMap<String, Consent> mine = consents.get(subject);
    return Future.succeededFuture(mine != null && mine.remove(clientId) != null);
  }

  @Override
  public synchronized Future<List<Consent>> list(String subject) {
    TreeMap<String, Consent> mine = consents.get(subject);
    return Future.succeededFuture(mine == null ? List.of() : new ArrayList<>(mine.values()));
  }
}
