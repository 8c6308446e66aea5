package io.gatehouse.core.model;

/**
 * A request of a client-authenticated endpoint ({@code /token}, {@code /introspect}, {@code /revoke}
 * and their bus addresses) after its one authentication step: the client that proved its identity (RFC
 * 6749 §2.3) and the request's parameters. Nothing downstream looks the client up again.
 */
public record ClientRequest(Client client, Params params) {}
