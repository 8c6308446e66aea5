package io.gatehouse.jose;

import io.vertx.core.json.JsonObject;

/**
 * A JWT that passed every rule of its {@link JwtVerifier}: its JOSE header, its claims and the key that
 * verified it. The header and claims are handed back whole so a caller can check what the verifier does not,
 * such as a DPoP-bound token's {@code cnf.jkt} against the proof's key (RFC 9449 §6.1).
 */
public record VerifiedJwt(JsonObject header, JsonObject claims, VerificationKey key) {}
