package io.gatehouse.core.store.memory;

import io.gatehouse.core.model.Client;
import io.gatehouse.core.store.ClientRegistry;
import io.gatehouse.core.store.Page;
import io.gatehouse.core.store.PageRequest;
import io.vertx.core.Future;
import java.util.Optional;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * The embedded default: clients in a process-local map, sorted by id in code point order for
 * {@link #list}. Lost on restart; reloaded from the seed file.
 */
public final class InMemoryClientRegistry implements ClientRegistry {
  private final ConcurrentNavigableMap<String, Client> clients = new ConcurrentSkipListMap<>(PageRequest.ORDER);

  @Override
  public Future<Optional<Client>> find(String clientId) {
    return Future.succeededFuture(Optional.ofNullable(clients.get(clientId)));
  }

  @Override
  public Future<Void> upsert(Client client) {
    clients.put(client.clientId(), client);
    return Future.succeededFuture();
  }

  @Override
  public Future<Boolean> delete(String clientId) {
    return Future.succeededFuture(clients.remove(clientId) != null);
  }

  @Override
  public Future<Page<Client>> list(PageRequest request) {
    return Future.succeededFuture(Page.scan(clients, request, c -> c));
  }
}
