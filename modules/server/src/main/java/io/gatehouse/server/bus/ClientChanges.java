package io.gatehouse.server.bus;

import io.gatehouse.core.store.CachingClientRegistry;
import io.gatehouse.core.store.ClientRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;

/**
 * Client changes reach every node's client cache at once: after each create, update, secret rotation
 * or delete the admin API publishes {@code {"client_id": "..."}} on {@value #ADDRESS} (the clustered
 * event bus when clustered), and every node drops that client from its {@link CachingClientRegistry},
 * so its next lookup reads the registry. Without the event a node would serve the old client (and a
 * rotated secret would keep working there) for up to {@code store.client_cache_ttl}.
 */
public final class ClientChanges {
  public static final String ADDRESS = "gatehouse.clients.changed";

  private ClientChanges() {}

  /** Tells every node (this one included) that {@code clientId} changed. */
  public static void publish(Vertx vertx, String clientId) {
    vertx.eventBus().publish(ADDRESS, new JsonObject().put("client_id", clientId));
  }

  /**
   * Invalidates {@code clients}' cache entry of every changed client; completes once the consumer is
   * registered (cluster-wide), with null when {@code clients} keeps no cache.
   */
  public static Future<MessageConsumer<Object>> listen(Vertx vertx, ClientRegistry clients) {
    if (!(clients instanceof CachingClientRegistry cache)) {
      return Future.succeededFuture();
    }
    MessageConsumer<Object> consumer = vertx.eventBus().consumer(ADDRESS, message -> {
      if (message.body() instanceof JsonObject body && body.getValue("client_id") instanceof String id) {
        cache.invalidate(id);
      }
    });
    return consumer.completion().map(v -> consumer);
  }
}
