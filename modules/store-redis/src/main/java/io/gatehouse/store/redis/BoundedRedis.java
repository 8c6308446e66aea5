package io.gatehouse.store.redis;

import io.gatehouse.core.store.StoreCalls;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxException;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.io.IOException;
import java.util.List;

/**
 * A pooled Redis client whose every command (and pipelined batch) is bounded by
 * {@link RedisStoreOptions#commandTimeout()} through {@link StoreCalls}: a silent or unreachable server
 * fails the call with {@link io.gatehouse.core.store.StoreUnavailableException} within the timeout.
 * {@link #connect} (a dedicated connection, the subscriber's) is not bounded here: its user bounds its
 * own handshake.
 */
final class BoundedRedis implements Redis {
  private final Redis redis;
  private final StoreCalls calls;

  private BoundedRedis(Redis redis, StoreCalls calls) {
    this.redis = redis;
    this.calls = calls;
  }

  /** A client of a pool of {@code maxPoolSize} connections to {@code options}' server. */
  static BoundedRedis create(Vertx vertx, RedisStoreOptions options, int maxPoolSize) {
    return new BoundedRedis(Redis.createClient(vertx, options.clientOptions(maxPoolSize)),
        new StoreCalls("redis", options.commandTimeout(), BoundedRedis::unreachable));
  }

  @Override
  public Future<RedisConnection> connect() {
    return redis.connect();
  }

  @Override
  public Future<Void> close() {
    return redis.close();
  }

  @Override
  public Future<Response> send(Request command) {
    return calls.bounded(redis.send(command));
  }

  @Override
  public Future<List<Response>> batch(List<Request> commands) {
    return calls.bounded(redis.batch(commands));
  }

  /** The client's connection and I/O failures; an error reply from the server (a bug, a script error) passes unchanged. */
  static boolean unreachable(Throwable failure) {
    return failure instanceof IOException || failure instanceof VertxException;
  }
}
