package io.gatehouse.core.authorize;

import io.gatehouse.core.error.OAuthException;
import io.gatehouse.core.model.Client;
import io.gatehouse.core.store.ClientRegistry;
import io.gatehouse.core.store.RefreshTokenStore;
import io.gatehouse.core.token.AccessTokenVerifier;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * OpenID Connect RP-Initiated Logout 1.0: which client asks, where the browser may go afterwards, and
 * whether the request proves it comes from the signed-in user's relying party. The edge ends the
 * session (in the cluster's session store, so on every node) and, for clients registered for it,
 * revokes the refresh tokens of that session.
 */
public final class LogoutService {
  private final ClientRegistry clients;
  private final RefreshTokenStore refreshTokens;
  private final AccessTokenVerifier verifier;

  private final io.gatehouse.core.service.RevocationService revocations;

  /** @param revocations revokes the access tokens of the grants a logout ends */
  public LogoutService(ClientRegistry clients, RefreshTokenStore refreshTokens, AccessTokenVerifier verifier,
      io.gatehouse.core.service.RevocationService revocations) {
    this.revocations = revocations;
    this.clients = clients;
    this.refreshTokens = refreshTokens;
    this.verifier = verifier;
  }

  /**
   * A validated logout request.
   *
   * @param client the relying party, or null when the request names none
   * @param postLogoutRedirectUri a registered post-logout URI of that client, or null
   * @param hintSubject the {@code sub} of a valid {@code id_token_hint}, or null
   */
  public record Logout(Client client, String postLogoutRedirectUri, String state, String hintSubject) {
    public JsonObject toJson() {
      return new JsonObject().put("client_id", client == null ? null : client.clientId()).put("uri", postLogoutRedirectUri)
          .put("state", state).put("sub", hintSubject);
    }
  }

  /** The parameters of a logout request (RP-Initiated Logout 1.0 §2) this server reads; others are ignored. */
  public static final java.util.List<String> PARAMETERS = java.util.List.of("id_token_hint", "client_id", "post_logout_redirect_uri", "state");

  /** Validates the parameters; an {@link OAuthException} is shown as an error page, never redirected. */
  public Future<Logout> validate(Map<String, String> params) {
    // bounded before anything is verified, looked up or kept (a signed-in user's pending logout is)
    for (String name : PARAMETERS) {
      String value = params.get(name);
      int limit = name.equals("state") ? AuthorizationService.MAX_STATE_LENGTH : name.equals("id_token_hint") ? 8192
          : AuthorizationService.MAX_PARAMETER_LENGTH;
      if (value != null && value.length() > limit) {
        return Future.failedFuture(OAuthException.invalidRequest(name + " is longer than " + limit + " characters"));
      }
    }
    String hint = params.get("id_token_hint");
    String clientId = params.get("client_id");
    String uri = params.get("post_logout_redirect_uri");
    String state = params.get("state");
    String hintSubject = null;
    String hintClient = null;
    if (hint != null) {
      Optional<JsonObject> claims = verifier.verifyIdTokenHint(hint);
      if (claims.isEmpty()) {
        return Future.failedFuture(OAuthException.invalidRequest("id_token_hint is not an ID token this server issued"));
      }
      hintSubject = claims.get().getString("sub");
      Object aud = claims.get().getValue("aud");
      hintClient = aud instanceof String a ? a : null;
      // RP-Initiated Logout §2: client_id, when sent with a hint, must be the hint's audience
      if (clientId != null && !clientId.equals(hintClient)) {
        return Future.failedFuture(OAuthException.invalidRequest("client_id does not match the id_token_hint's audience"));
      }
    }
    String effectiveClient = clientId != null ? clientId : hintClient;
    String subject = hintSubject;
    if (effectiveClient == null) {
      if (uri != null) {
        return Future.failedFuture(OAuthException.invalidRequest("post_logout_redirect_uri needs client_id or id_token_hint"));
      }
      return Future.succeededFuture(new Logout(null, null, state, null));
    }
    return io.gatehouse.core.model.Identifiers.checked("client_id", effectiveClient, () -> clients.find(effectiveClient)).map(found -> {
      Client client = found.orElseThrow(() -> OAuthException.invalidRequest("unknown client_id"));
      // RP-Initiated Logout §3: the URI must exactly match one the client registered
      if (uri != null && !client.postLogoutRedirectUris().contains(uri)) {
        throw OAuthException.invalidRequest("post_logout_redirect_uri is not registered for this client");
      }
      return new Logout(client, uri, state, subject);
    });
  }

  /**
   * Whether the logout may happen without asking the user: nobody is signed in, or the request carries
   * a valid ID token of the signed-in user (anything else could be a cross-site request).
   */
  public boolean confirmed(Logout logout, String sessionSubject) {
    return sessionSubject == null || sessionSubject.equals(logout.hintSubject());
  }

  /**
   * After the session ended: revokes its refresh tokens, and the access tokens of those grants, when
   * the client is registered for it; answers how many grants.
   */
  public Future<Integer> afterSessionEnded(Logout logout, String sessionId) {
    if (logout.client() == null || !logout.client().logoutRevokesRefreshTokens() || sessionId == null) {
      return Future.succeededFuture(0);
    }
    return refreshTokens.revokeBySession(sessionId)
        .compose(grants -> revocations.revokeGrantTokens(logout.client(), grants).map(grants.size()));
  }

  /** Where the browser goes afterwards, with {@code state}; null for Gatehouse's own page. */
  public String redirect(Logout logout) {
    if (logout.postLogoutRedirectUri() == null) {
      return null;
    }
    Map<String, String> params = new LinkedHashMap<>();
    params.put("state", logout.state());
    return RedirectUris.withQuery(logout.postLogoutRedirectUri(), params);
  }
}
