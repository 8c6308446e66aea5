package io.gatehouse.server.archfixture;

/**
 * Breaks the test-support rule on purpose (main code using what only tests may): for
 * ModuleRulesCatchViolationsTest only (a test class).
 */
public class TestSupportUser {
  io.gatehouse.testing.Await await;
  io.gatehouse.testing.MutableClock clock;
}
