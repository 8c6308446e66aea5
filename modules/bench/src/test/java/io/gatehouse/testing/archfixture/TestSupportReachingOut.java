package io.gatehouse.testing.archfixture;

/**
 * Breaks the test-support dependency rule on purpose (a driver and a module of the project): for
 * ModuleRulesCatchViolationsTest only (a test class).
 */
public class TestSupportReachingOut {
  io.vertx.redis.client.Redis redis;
  io.gatehouse.core.model.Client client;
}
