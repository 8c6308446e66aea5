package io.gatehouse.resource;

import io.vertx.core.json.JsonObject;

/**
 * The parts of the issuer's discovery document (OpenID Connect Discovery 1.0 §3 / RFC 8414 §2) this
 * library uses. {@code issuer} has been checked to equal the configured issuer exactly (RFC 8414 §3.3,
 * OIDC Discovery §4.3).
 *
 * @param issuer the issuer identifier
 * @param jwksUri the JWK set URL ({@code jwks_uri}), or null when the document has none
 * @param introspectionEndpoint the RFC 7662 endpoint ({@code introspection_endpoint}), or null
 * @param location the URL the document was read from
 * @param document the whole document
 */
record IssuerMetadata(String issuer, String jwksUri, String introspectionEndpoint, String location, JsonObject document) {}
