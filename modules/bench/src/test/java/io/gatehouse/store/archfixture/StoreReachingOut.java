package io.gatehouse.store.archfixture;

/** Breaks both store rules on purpose: for ModuleRulesCatchViolationsTest only (a test class). */
public class StoreReachingOut {
  io.gatehouse.server.Gatehouse server;
  io.gatehouse.resource.ExampleApi resourceServer;
  io.gatehouse.store.redis.RedisStoreOptions anotherStore;
}
