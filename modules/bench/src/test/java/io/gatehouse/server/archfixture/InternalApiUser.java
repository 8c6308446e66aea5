package io.gatehouse.server.archfixture;

/**
 * Breaks the internal-API rule on purpose (the known uses are for the named classes alone): for
 * ModuleRulesCatchViolationsTest only (a test class).
 */
public class InternalApiUser {
  io.vertx.core.internal.VertxInternal vertxInternal;
  io.vertx.core.http.impl.VertxHttpRequestDecoder vertxImpl;
  com.nimbusds.jose.crypto.impl.ECDSA nimbusImpl;
}
