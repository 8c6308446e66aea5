package io.gatehouse.core.store;

import io.gatehouse.core.model.Client;
import io.vertx.core.Future;
import java.util.Optional;

/**
 * Where clients are registered.
 *
 * <h2>Contract</h2>
 * <ul>
 *   <li>{@link #find} answers the client last {@link #upsert upserted} under that id, equal in every
 *       field (sets compare as sets; the order of {@code redirectUris} is kept), or empty when there is
 *       none or it was {@link #delete deleted}. Client ids are compared exactly (case-sensitive).
 *   <li>{@link #upsert} creates or wholly replaces the client with that id.
 *   <li>{@link #delete} answers true when a client was removed, false when there was none.
 *   <li>{@link #list} answers one page of the clients whose id starts with the request's
 *       {@link PageRequest#prefix prefix} (exactly, case-sensitive) and sorts after its
 *       {@link PageRequest#after after} key, in {@link PageRequest#ORDER code point order} of their ids, at
 *       most {@link PageRequest#limit limit} of them, equal in every field as {@link #find} answers them;
 *       {@link Page#next} is the last one's id when more such clients exist, else null. Paging from the
 *       first page to the one whose {@code next} is null visits every client that existed throughout,
 *       once; an {@code after} key that is no client (deleted since) continues with the next id.
 *   <li>The registry stores exactly what it is given: a client's {@code secretHash} is already a hash;
 *       the registry never sees a secret.
 *   <li>A failure of the backing service fails the future; it never answers "not found" instead.
 *   <li>Methods never block the calling event loop.
 * </ul>
 */
public interface ClientRegistry {
  Future<Optional<Client>> find(String clientId);

  Future<Void> upsert(Client client);

  Future<Boolean> delete(String clientId);

  /** One page of the clients, by id (see the contract above). */
  Future<Page<Client>> list(PageRequest request);

  /** Whether the backing service answers now (used by health checks). */
  default Future<Void> ping() {
    return Future.succeededFuture();
  }
}
