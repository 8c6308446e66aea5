package io.gatehouse.core.store.memory;

import io.gatehouse.core.model.Client;
import io.gatehouse.core.store.ClientRegistry;
import io.vertx.core.Future;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/** The embedded default: clients in a process-local map. Lost on restart; reloaded from the seed file. */
public final class InMemoryClientRegistry implements ClientRegistry {
  private final ConcurrentMap<String, Client> clients = new ConcurrentHashMap<>();

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
}
