package io.gatehouse.resource.archfixture;

/**
 * Breaks the resource-server rule on purpose (the ExampleApi exception is for that class alone): for
 * ModuleRulesCatchViolationsTest only (a test class).
 */
public class ResourceServerReachingIn {
  io.gatehouse.server.Gatehouse server;
  io.gatehouse.store.redis.RedisStoreOptions store;
}
