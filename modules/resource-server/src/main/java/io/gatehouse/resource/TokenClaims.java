package io.gatehouse.resource;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The verified claims of the request's access token, typed: what {@link GatehouseJwtHandler#claims}
 * answers. Immutable; {@link #json()} is a copy of every claim.
 */
public final class TokenClaims {
  private final JsonObject json;
  private final Set<String> scopes;

  TokenClaims(JsonObject json) {
    this.json = json.copy();
    Object scope = json.getValue("scope");
    // RFC 9068 §2.2.3 / RFC 6749 §3.3: space-delimited scope tokens
    this.scopes = scope instanceof String s && !s.isBlank()
        ? Collections.unmodifiableSet(new LinkedHashSet<>(Arrays.asList(s.trim().split(" +"))))
        : Set.of();
  }

  /** {@code sub}: the resource owner, or the client itself for client credentials. */
  public String subject() {
    return string("sub");
  }

  /** {@code client_id}: the client the token was issued to (RFC 9068 §2.2). */
  public String clientId() {
    return string("client_id");
  }

  /** {@code jti}, or null. */
  public String tokenId() {
    return string("jti");
  }

  /** {@code gid}: Gatehouse's grant id for user grants, or null. */
  public String grantId() {
    return string("gid");
  }

  /** {@code iss}, or null (an introspection answer may omit it). */
  public String issuer() {
    return string("iss");
  }

  /** {@code aud} as a list (a single string becomes one element). */
  public List<String> audience() {
    Object aud = json.getValue("aud");
    if (aud instanceof String s) {
      return List.of(s);
    }
    if (aud instanceof JsonArray a) {
      return a.stream().filter(String.class::isInstance).map(String.class::cast).toList();
    }
    return List.of();
  }

  /** The {@code scope} claim as it was sent, or null. */
  public String scope() {
    return string("scope");
  }

  /** The granted scopes, in token order. */
  public Set<String> scopes() {
    return scopes;
  }

  public boolean hasScope(String scope) {
    return scopes.contains(scope);
  }

  /** {@code iat} in epoch seconds, or -1. */
  public long issuedAt() {
    return number("iat");
  }

  /** {@code exp} in epoch seconds, or -1. */
  public long expiresAt() {
    return number("exp");
  }

  /** Every claim (a copy). */
  public JsonObject json() {
    return json.copy();
  }

  private String string(String name) {
    return json.getValue(name) instanceof String s ? s : null;
  }

  private long number(String name) {
    return json.getValue(name) instanceof Number n ? n.longValue() : -1;
  }

  @Override
  public String toString() {
    return "TokenClaims[sub=" + subject() + ", client_id=" + clientId() + ", scope=" + scope() + "]";
  }
}
