package io.gatehouse.core.archfixture;

/**
 * Breaks the core rule on purpose, once per forbidden kind: for ModuleRulesCatchViolationsTest only. A test
 * class, so ModuleRulesTest never checks it.
 */
public class CoreReachingOut {
  io.vertx.ext.web.Router router;
  io.vertx.pgclient.PgConnectOptions postgres;
  io.vertx.redis.client.Redis redis;
  com.hazelcast.core.HazelcastInstance hazelcast;
  io.gatehouse.store.redis.RedisStoreOptions store;
  io.gatehouse.server.Gatehouse server;
  io.gatehouse.resource.ExampleApi resourceServer;
}
