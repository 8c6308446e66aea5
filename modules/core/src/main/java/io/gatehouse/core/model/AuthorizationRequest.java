package io.gatehouse.core.model;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Objects;
import java.util.Set;

/**
 * A validated authorization request (RFC 6749 §4.1.1, RFC 7636 §4.3, OIDC Core §3.1.2.1): the client
 * and redirect URI are verified, every parameter is well formed and allowed for the client.
 *
 * @param redirectUri the verified redirect URI (the requested one, or the single registered one when
 *     none was sent)
 * @param redirectUriSent whether {@code redirect_uri} was in the request
 * @param state the client's {@code state}, echoed byte for byte; null when absent
 * @param codeChallenge the S256 challenge, or null when the client sent none (allowed only when PKCE
 *     is not required for it)
 * @param prompt the OIDC {@code prompt} values ({@code none}, {@code login}, {@code consent},
 *     {@code select_account})
 * @param maxAge OIDC {@code max_age} in seconds, or -1 when absent
 */
public record AuthorizationRequest(
    String clientId,
    String redirectUri,
    boolean redirectUriSent,
    Scopes scopes,
    String state,
    String nonce,
    String codeChallenge,
    Set<String> prompt,
    long maxAge) {

  public AuthorizationRequest {
    Objects.requireNonNull(clientId);
    Objects.requireNonNull(redirectUri);
    Objects.requireNonNull(scopes);
    prompt = Set.copyOf(prompt);
  }

  public boolean prompts(String value) {
    return prompt.contains(value);
  }

  public boolean isOpenId() {
    return scopes.values().contains("openid");
  }

  /** For keeping a pending request in the (clustered) session between pages. */
  public JsonObject toJson() {
    return new JsonObject()
        .put("client_id", clientId)
        .put("redirect_uri", redirectUri)
        .put("redirect_uri_sent", redirectUriSent)
        .put("scope", scopes.wire())
        .put("state", state)
        .put("nonce", nonce)
        .put("code_challenge", codeChallenge)
        .put("prompt", new JsonArray(prompt.stream().sorted().toList()))
        .put("max_age", maxAge);
  }

  /**
   * The request's parameters as a client would send them: validated again, they give back this request.
   * The edge carries a pending request this way while nobody is signed in (nothing kept server-side).
   */
  public java.util.Map<String, String> toParams() {
    java.util.Map<String, String> params = new java.util.LinkedHashMap<>();
    params.put("response_type", "code");
    params.put("client_id", clientId);
    if (redirectUriSent) {
      params.put("redirect_uri", redirectUri);
    }
    putIfPresent(params, "scope", scopes.wire());
    putIfPresent(params, "state", state);
    putIfPresent(params, "nonce", nonce);
    if (codeChallenge != null) {
      params.put("code_challenge", codeChallenge);
      params.put("code_challenge_method", "S256");
    }
    if (!prompt.isEmpty()) {
      params.put("prompt", String.join(" ", prompt.stream().sorted().toList()));
    }
    if (maxAge >= 0) {
      params.put("max_age", Long.toString(maxAge));
    }
    return params;
  }

  private static void putIfPresent(java.util.Map<String, String> params, String name, String value) {
    if (value != null && !value.isEmpty()) {
      params.put(name, value);
    }
  }

  public static AuthorizationRequest fromJson(JsonObject j) {
    return new AuthorizationRequest(
        j.getString("client_id"),
        j.getString("redirect_uri"),
        j.getBoolean("redirect_uri_sent"),
        Scopes.fromStored(j.getString("scope")),
        j.getString("state"),
        j.getString("nonce"),
        j.getString("code_challenge"),
        j.getJsonArray("prompt").stream().map(String::valueOf).collect(java.util.stream.Collectors.toSet()),
        j.getLong("max_age"));
  }

  @Override
  public String toString() {
    return "AuthorizationRequest[" + clientId + ", " + scopes + "]";
  }
}
