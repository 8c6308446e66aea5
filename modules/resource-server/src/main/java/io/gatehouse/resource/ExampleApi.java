package io.gatehouse.resource;

import io.gatehouse.core.revocation.EventBusRevocationChannel;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;

/**
 * A small API protected by Gatehouse tokens, as an example of the library and a runnable demo:
 * {@code GET /user} requires the scope {@code read:users} and answers
 * {@code {"sub": ..., "client_id": ..., "scope": ...}} from the token's claims.
 *
 * <p>Run: {@code java -cp ... io.gatehouse.resource.ExampleApi} with the environment variables
 * {@code GATEHOUSE_ISSUER} (default {@code http://127.0.0.1:8080}), {@code API_AUDIENCE} (default
 * {@code gatehouse-api}, Gatehouse's default {@code token.audience}) and {@code API_PORT} (default
 * {@code 8081}). It listens on 127.0.0.1 and subscribes to revocations on this Vert.x's event bus, which
 * carries Gatehouse's events only when this Vert.x is clustered with Gatehouse's (see the module README).
 */
public final class ExampleApi {
  private ExampleApi() {}

  /** The API's routes behind {@code auth}. */
  public static Router router(Vertx vertx, GatehouseJwtHandler auth) {
    Router router = Router.router(vertx);
    router.get("/user").handler(auth.requireScopes("read:users")).handler(ctx -> {
      TokenClaims claims = GatehouseJwtHandler.claims(ctx);
      JsonObject body = new JsonObject().put("sub", claims.subject()).put("client_id", claims.clientId()).put("scope", claims.scope());
      ctx.response().putHeader("Cache-Control", "no-store");
      ctx.json(body);
    });
    return router;
  }

  /** Starts the API on {@code host:port} (0: any free port) behind a handler built from {@code options}. */
  public static Future<HttpServer> start(Vertx vertx, ResourceServerOptions options, String host, int port) {
    GatehouseJwtHandler auth = GatehouseJwtHandler.create(vertx, options);
    Router router = router(vertx, auth);
    return vertx.createHttpServer().requestHandler(router).listen(port, host)
        .onSuccess(server -> auth.start().onFailure(e -> System.err.println("not ready yet (requests get 503 until it is): " + e.getMessage())));
  }

  /**
   * Environment: {@code GATEHOUSE_ISSUER}, {@code API_AUDIENCE}, {@code API_PORT} (see the class
   * comment); {@code API_CLUSTER_NAME} and {@code API_CLUSTER_MEMBERS} (comma-separated
   * {@code host:port}, with {@code API_CLUSTER_PORT}, default 5701, and {@code API_CLUSTER_HOST}, default
   * 127.0.0.1) to join Gatehouse's Hazelcast cluster and take revocations from its event bus;
   * {@code API_REDIS_URI} (and {@code API_REDIS_CHANNEL}, default {@code gatehouse.revocations}) to take
   * them from the Redis channel as well.
   */
  public static void main(String[] args) throws Exception {
    String issuer = env("GATEHOUSE_ISSUER", "http://127.0.0.1:8080");
    String audience = env("API_AUDIENCE", "gatehouse-api");
    int port = Integer.parseInt(env("API_PORT", "8081"));
    String clusterName = env("API_CLUSTER_NAME", "");
    Vertx vertx;
    if (clusterName.isEmpty()) {
      vertx = Vertx.vertx();
    } else {
      java.util.List<String> members = java.util.Arrays.stream(env("API_CLUSTER_MEMBERS", "").split(",")).map(String::trim)
          .filter(m -> !m.isEmpty()).toList();
      // a peer, not a Gatehouse node: it never counts towards cluster.expected_members' quorum, and as a lite
      // member it holds none of Gatehouse's data
      vertx = io.gatehouse.store.cluster.HazelcastCluster.clusteredPeerVertx(new io.vertx.core.VertxOptions(),
          io.gatehouse.store.cluster.HazelcastClusterOptions.tcpIp(clusterName, env("API_CLUSTER_HOST", "127.0.0.1"),
              Integer.parseInt(env("API_CLUSTER_PORT", "5701")), members))
          .toCompletionStage().toCompletableFuture().get(120, java.util.concurrent.TimeUnit.SECONDS);
    }
    ResourceServerOptions options = options(vertx, System.getenv());
    String redis = env("API_REDIS_URI", "");
    start(vertx, options, "127.0.0.1", port)
        .onSuccess(server -> System.out.println("example API on http://127.0.0.1:" + server.actualPort() + "/user, trusting " + issuer
            + " for audience " + audience + (clusterName.isEmpty() ? "" : ", in cluster " + clusterName)
            + (redis.isEmpty() ? "" : ", with the Redis channel")))
        .onFailure(e -> {
          System.err.println("cannot start: " + e.getMessage());
          vertx.close();
          System.exit(1);
        });
  }

  /**
   * The handler's options from {@code env}: {@code GATEHOUSE_ISSUER}, {@code API_AUDIENCE}; the event
   * bus channel; {@code API_REDIS_URI} (with {@code API_REDIS_CHANNEL} and {@code API_REDIS_KEY_PREFIX},
   * Gatehouse's {@code redis.channel} and {@code redis.key_prefix}) adds the Redis channel and warm-starts
   * from the Redis cache; {@code API_REVOCATIONS_CLIENT_ID} and {@code API_REVOCATIONS_CLIENT_SECRET} (a
   * client with {@code can_introspect}; {@code API_REVOCATIONS_URI} overrides {@code <issuer>/revocations})
   * warm-start, catch up and resync from Gatehouse's list; {@code API_REVOCATION_MAX_STALENESS_SECONDS}
   * (default 600) and {@code API_REVOCATION_RESYNC_INTERVAL_SECONDS} (default 300; the staleness must be at
   * least twice it); {@code API_INTROSPECTION_CLIENT_ID} and {@code API_INTROSPECTION_CLIENT_SECRET} (a
   * client with {@code can_introspect}) check tokens by introspection instead of locally, over HTTP or,
   * with {@code API_INTROSPECTION_TRANSPORT=bus}, over the event bus ({@code API_INTROSPECTION_CACHE_SECONDS},
   * default 60, is the answer cache's longest TTL; 0 introspects every request). Without Redis or the revocations client the library logs a warning: revocations made
   * before the start are not known.
   */
  public static ResourceServerOptions options(Vertx vertx, java.util.Map<String, String> env) {
    ResourceServerOptions options = new ResourceServerOptions().setIssuer(env(env, "GATEHOUSE_ISSUER", "http://127.0.0.1:8080"))
        .setAudience(env(env, "API_AUDIENCE", "gatehouse-api"))
        .addRevocationChannel(new EventBusRevocationChannel(vertx));
    String redis = env(env, "API_REDIS_URI", "");
    if (!redis.isEmpty()) {
      io.gatehouse.store.redis.RedisStoreOptions r = new io.gatehouse.store.redis.RedisStoreOptions(redis,
          env(env, "API_REDIS_KEY_PREFIX", io.gatehouse.store.redis.RedisStoreOptions.DEFAULT_KEY_PREFIX),
          env(env, "API_REDIS_CHANNEL", io.gatehouse.store.redis.RedisStoreOptions.DEFAULT_CHANNEL), 2);
      options.addRevocationChannel(io.gatehouse.store.redis.RedisRevocationChannel.create(vertx, r))
          .setRevocationCache(io.gatehouse.store.redis.RedisRevocationCache.create(vertx, r));
    }
    String clientId = env(env, "API_REVOCATIONS_CLIENT_ID", "");
    if (!clientId.isEmpty()) {
      options.setRevocationSnapshot(clientId, env(env, "API_REVOCATIONS_CLIENT_SECRET", ""))
          .setRevocationSnapshotUri(env(env, "API_REVOCATIONS_URI", "").isEmpty() ? null : env(env, "API_REVOCATIONS_URI", ""));
    }
    options.setRevocationMaxStaleness(java.time.Duration.ofSeconds(Long.parseLong(env(env, "API_REVOCATION_MAX_STALENESS_SECONDS", "600"))));
    String resync = env(env, "API_REVOCATION_RESYNC_INTERVAL_SECONDS", "");
    if (!resync.isEmpty()) {
      options.setRevocationResyncInterval(java.time.Duration.ofSeconds(Long.parseLong(resync)));
    }
    String introspector = env(env, "API_INTROSPECTION_CLIENT_ID", "");
    if (!introspector.isEmpty()) {
      // tokens checked by introspection (a client with can_introspect) over HTTP, or over the event bus ("bus")
      options.setIntrospection(new IntrospectionOptions().setClientId(introspector)
          .setClientSecret(env(env, "API_INTROSPECTION_CLIENT_SECRET", ""))
          .setMaxCacheTtl(java.time.Duration.ofSeconds(Long.parseLong(env(env, "API_INTROSPECTION_CACHE_SECONDS", "60"))))
          .setTransport(env(env, "API_INTROSPECTION_TRANSPORT", "http").equals("bus")
              ? IntrospectionOptions.Transport.EVENT_BUS : IntrospectionOptions.Transport.HTTP));
    }
    return options;
  }

  private static String env(String name, String fallback) {
    return env(System.getenv(), name, fallback);
  }

  private static String env(java.util.Map<String, String> env, String name, String fallback) {
    String v = env.get(name);
    return v == null || v.isEmpty() ? fallback : v;
  }
}
