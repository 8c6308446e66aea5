package io.gatehouse.core.model;

import io.gatehouse.core.token.SigningAlgorithm;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A registered client. {@code secretHash} is the stored form produced by
 * {@link io.gatehouse.core.client.SecretHasher}; the secret itself is never held. A public client
 * (only {@link AuthMethod#NONE}) has no secret hash.
 *
 * @param accessTokenTtl per-client access token lifetime, or null for the server default
 * @param postLogoutRedirectUris where RP-initiated logout may send the browser back (exact match)
 * @param allowedOrigins browser origins allowed to read token and userinfo responses, besides the
 *     origins of the redirect URIs
 * @param logoutRevokesRefreshTokens whether a logout this client starts revokes the refresh tokens of
 *     the login session
 * @param canIntrospect a resource server: may introspect any token (RFC 7662 §4), not only its own
 * @param idTokenSignedResponseAlg OIDC Registration §2 {@code id_token_signed_response_alg}: the algorithm
 *     of this client's ID tokens, or null for the server default ({@code token.id_token_algorithm})
 * @param info what the client says about itself to people ({@code client_name}, links, contacts; never null)
 */
public record Client(
    String clientId,
    String secretHash,
    Set<String> grantTypes,
    Scopes scopes,
    Scopes defaultScopes,
    Set<AuthMethod> authMethods,
    List<String> redirectUris,
    Duration accessTokenTtl,
    List<String> postLogoutRedirectUris,
    Set<String> allowedOrigins,
    boolean logoutRevokesRefreshTokens,
    boolean canIntrospect,
    SigningAlgorithm idTokenSignedResponseAlg,
    ClientInfo info) {

  public Client {
    info = info == null ? ClientInfo.NONE : info;
    Objects.requireNonNull(clientId, "clientId");
    grantTypes = Set.copyOf(grantTypes);
    Objects.requireNonNull(scopes, "scopes");
    Objects.requireNonNull(defaultScopes, "defaultScopes");
    authMethods = Set.copyOf(authMethods);
    redirectUris = List.copyOf(redirectUris);
    postLogoutRedirectUris = postLogoutRedirectUris == null ? List.of() : List.copyOf(postLogoutRedirectUris);
    allowedOrigins = allowedOrigins == null ? Set.of() : Set.copyOf(allowedOrigins);
  }

  /** A client that says nothing about itself ({@link ClientInfo#NONE}). */
  public Client(String clientId, String secretHash, Set<String> grantTypes, Scopes scopes, Scopes defaultScopes,
      Set<AuthMethod> authMethods, List<String> redirectUris, Duration accessTokenTtl, List<String> postLogoutRedirectUris,
      Set<String> allowedOrigins, boolean logoutRevokesRefreshTokens, boolean canIntrospect, SigningAlgorithm idTokenSignedResponseAlg) {
    this(clientId, secretHash, grantTypes, scopes, defaultScopes, authMethods, redirectUris, accessTokenTtl, postLogoutRedirectUris,
        allowedOrigins, logoutRevokesRefreshTokens, canIntrospect, idTokenSignedResponseAlg, ClientInfo.NONE);
  }

  /** A client whose ID tokens are signed with the server's default algorithm. */
  public Client(String clientId, String secretHash, Set<String> grantTypes, Scopes scopes, Scopes defaultScopes,
      Set<AuthMethod> authMethods, List<String> redirectUris, Duration accessTokenTtl, List<String> postLogoutRedirectUris,
      Set<String> allowedOrigins, boolean logoutRevokesRefreshTokens, boolean canIntrospect) {
    this(clientId, secretHash, grantTypes, scopes, defaultScopes, authMethods, redirectUris, accessTokenTtl, postLogoutRedirectUris,
        allowedOrigins, logoutRevokesRefreshTokens, canIntrospect, null, ClientInfo.NONE);
  }

  /** A client without logout or extra CORS settings, and no introspection rights. */
  public Client(String clientId, String secretHash, Set<String> grantTypes, Scopes scopes, Scopes defaultScopes,
      Set<AuthMethod> authMethods, List<String> redirectUris, Duration accessTokenTtl) {
    this(clientId, secretHash, grantTypes, scopes, defaultScopes, authMethods, redirectUris, accessTokenTtl, List.of(), Set.of(), false,
        false, null, ClientInfo.NONE);
  }

  public boolean isPublic() {
    return secretHash == null;
  }

  public boolean allowsGrant(String grantType) {
    return grantTypes.contains(grantType);
  }

  /** What a user is shown for this client: its {@code client_name} when it registered one, else its {@code client_id}. */
  public String displayName() {
    return info.name() != null ? info.name() : clientId;
  }

  public Optional<Duration> accessTokenTtlOverride() {
    return Optional.ofNullable(accessTokenTtl);
  }

  @Override
  public String toString() {
    // never print the secret hash
    return "Client[" + clientId + "]";
  }
}
