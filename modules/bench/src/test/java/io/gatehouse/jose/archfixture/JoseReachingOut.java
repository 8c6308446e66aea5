package io.gatehouse.jose.archfixture;

/**
 * Breaks the jose rule on purpose, once per forbidden kind: for ModuleRulesCatchViolationsTest only. A test
 * class, so ModuleRulesTest never checks it.
 */
public class JoseReachingOut {
  io.vertx.ext.web.Router router;
  org.bouncycastle.crypto.params.Argon2Parameters bouncyCastle;
  io.gatehouse.core.token.SigningKeys core;
  io.gatehouse.store.redis.RedisStoreOptions store;
  io.gatehouse.server.Gatehouse server;
  io.gatehouse.resource.ExampleApi resourceServer;
}
