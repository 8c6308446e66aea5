package io.gatehouse.server;

import io.gatehouse.core.revocation.DenySet;
import io.gatehouse.core.revocation.EventBusRevocationChannel;
import io.gatehouse.core.revocation.RevocationCache;
import io.gatehouse.core.revocation.RevocationChannel;
import io.gatehouse.core.revocation.RevocationHub;
import io.gatehouse.core.revocation.DurableRevocationList;
import io.gatehouse.server.config.GatehouseConfig;
import io.gatehouse.store.redis.RedisRevocationCache;
import io.gatehouse.store.redis.RedisRevocationChannel;
import io.gatehouse.store.redis.RedisStoreOptions;
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

  static Future<RevocationHub> open(Vertx vertx, GatehouseConfig config, DurableRevocationList durable, boolean durableIsLocal, Clock clock,
      io.gatehouse.server.observe.Telemetry telemetry) {
    List<RevocationChannel> channels = new ArrayList<>();
    channels.add(new EventBusRevocationChannel(vertx));
    RevocationCache cache = null;
    RedisRevocationCache redisCache = null;
    if (config.redis().enabled()) {
      GatehouseConfig.Redis redis = config.redis();
      RedisStoreOptions options = new RedisStoreOptions(redis.uri(), redis.keyPrefix(), redis.channel(), RedisStoreOptions.DEFAULT_POOL_SIZE,
          redis.connectTimeout(), redis.commandTimeout());
      redisCache = RedisRevocationCache.create(vertx, options);
      cache = redisCache;
      channels.add(RedisRevocationChannel.create(vertx, options));
    }
    GatehouseConfig.Revocations r = config.revocation();
    RevocationHub hub = new RevocationHub(vertx, new DenySet(), durable, durableIsLocal, cache, channels, clock,
        new RevocationHub.Settings(r.resyncInterval(), r.maxStaleness(), r.maxPause(), System::nanoTime, r.catchUpInterval()), UUID.randomUUID().toString());
    hub.onLag(telemetry::propagationLag);
    hub.onRevoked(telemetry::revoked);
    hub.onPropagationFailure(telemetry::revocationNotPropagated);
    hub.onCaughtUp(telemetry::revocationsCaughtUp);
    hub.onRelayed(telemetry::revocationsRelayed);
    List<String> targets = new ArrayList<>(channels.stream().map(RevocationChannel::name).toList());
    if (cache != null) {
      targets.add(0, "cache");
    }
    telemetry.revocationTargets(targets);
    RedisRevocationCache toClose = redisCache;
    return hub.start().map(v -> hub).recover(e -> {
      hub.close();
      if (toClose != null) {
        toClose.close();
      }
      return Future.failedFuture(e);
    });
  }

  /** Closes what {@link #open} opened besides the hub's channels: the Redis cache's pool. */
  static Future<Void> closeCache(RevocationHub hub) {
    return hub.cache() instanceof RedisRevocationCache redis ? redis.close() : Future.succeededFuture();
  }
}
