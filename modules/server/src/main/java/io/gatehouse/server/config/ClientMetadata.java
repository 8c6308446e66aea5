package io.gatehouse.server.config;

import io.gatehouse.core.model.AuthMethod;
import io.gatehouse.core.model.Client;
import io.gatehouse.core.model.GrantTypes;
import io.gatehouse.core.model.Scopes;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * A client's registration without its secret: what a seed file entry and the admin API's JSON body
 * say, under the same field names, checked by the same rules ({@link #read}), so that the seed and the
 * API can never disagree about what a valid client is.
 *
 * <ul>
 *   <li>{@code redirect_uris}, {@code post_logout_redirect_uris}: absolute, no fragment, no user
 *       information, never {@code javascript:}, {@code data:}, {@code vbscript:} or {@code file:}, and
 *       {@code https} unless the host is loopback ({@code 127.0.0.1}, {@code [::1]}, {@code localhost})
 *       (RFC 6749 §3.1.2, RFC 9700 §4.1); at least one redirect URI for {@code authorization_code}.
 *   <li>{@code grant_types}: {@code authorization_code}, {@code client_credentials},
 *       {@code refresh_token}; {@code password} and {@code implicit} are refused by design (RFC 9700).
 *   <li>{@code token_endpoint_auth_methods}: {@code client_secret_basic} (the default),
 *       {@code client_secret_post}, or {@code none} alone: a public client, which must use
 *       {@code authorization_code} (always with PKCE) and can neither use {@code client_credentials}
 *       (RFC 6749 §4.4) nor introspect.
 *   <li>{@code scopes}, {@code default_scopes} (a subset): scope tokens (RFC 6749 §3.3).
 *   <li>{@code access_token_ttl}: whole seconds from 1s to 24h.
 *   <li>{@code allowed_origins}: lower-case {@code scheme://host[:port]}, https unless loopback.
 * </ul>
 */
public record ClientMetadata(
    String clientId,
    Set<String> grantTypes,
    Scopes scopes,
    Scopes defaultScopes,
    Set<AuthMethod> authMethods,
    List<String> redirectUris,
    Duration accessTokenTtl,
    List<String> postLogoutRedirectUris,
    Set<String> allowedOrigins,
    boolean logoutRevokesRefreshTokens,
    boolean canIntrospect) {

  /** The fields of a registration (the seed adds {@code client_secret}). */
  public static final Set<String> FIELDS = Set.of("client_id", "grant_types", "scopes", "default_scopes", "token_endpoint_auth_methods",
      "redirect_uris", "access_token_ttl", "post_logout_redirect_uris", "allowed_origins", "logout_revokes_refresh_tokens",
      "can_introspect");
  /** The longest access token lifetime a client can be given. */
  public static final Duration MAX_TTL = Duration.ofHours(24);
  /** Client ids are at most this long (so that a revocation can name any of them). */
  public static final int MAX_CLIENT_ID_LENGTH = 255;
  private static final Set<String> FORBIDDEN_SCHEMES = Set.of("javascript", "data", "vbscript", "file");

  public ClientMetadata {
    grantTypes = Set.copyOf(grantTypes);
    authMethods = Set.copyOf(authMethods);
    redirectUris = List.copyOf(redirectUris);
    postLogoutRedirectUris = List.copyOf(postLogoutRedirectUris);
    allowedOrigins = Set.copyOf(allowedOrigins);
  }

  /** A public client: authenticates with its {@code client_id} only (auth method {@code none}). */
  public boolean isPublic() {
    return authMethods.contains(AuthMethod.NONE);
  }

  /** The client with this metadata and {@code secretHash} (null for a public client). */
  public Client toClient(String secretHash) {
    return new Client(clientId, secretHash, grantTypes, scopes, defaultScopes, authMethods, redirectUris, accessTokenTtl,
        postLogoutRedirectUris, allowedOrigins, logoutRevokesRefreshTokens, canIntrospect);
  }

  /** A registered client's metadata (its secret hash left behind). */
  public static ClientMetadata of(Client c) {
    return new ClientMetadata(c.clientId(), c.grantTypes(), c.scopes(), c.defaultScopes(), c.authMethods(), c.redirectUris(),
        c.accessTokenTtl(), c.postLogoutRedirectUris(), c.allowedOrigins(), c.logoutRevokesRefreshTokens(), c.canIntrospect());
  }

  /** The registration as JSON under the seed's field names (accepted back by {@link #read}); never a secret. */
  public JsonObject toJson() {
    JsonObject json = new JsonObject()
        .put("client_id", clientId)
        .put("grant_types", new JsonArray(new ArrayList<>(new TreeSet<>(grantTypes))))
        .put("scopes", new JsonArray(new ArrayList<>(scopes.values())))
        .put("default_scopes", new JsonArray(new ArrayList<>(defaultScopes.values())))
        .put("token_endpoint_auth_methods", new JsonArray(authMethods.stream().map(AuthMethod::wire).sorted().collect(Collectors.toList())))
        .put("redirect_uris", new JsonArray(redirectUris));
    if (accessTokenTtl != null) {
      json.put("access_token_ttl", format(accessTokenTtl));
    }
    return json.put("post_logout_redirect_uris", new JsonArray(postLogoutRedirectUris))
        .put("allowed_origins", new JsonArray(new ArrayList<>(new TreeSet<>(allowedOrigins))))
        .put("logout_revokes_refresh_tokens", logoutRevokesRefreshTokens)
        .put("can_introspect", canIntrospect);
  }

  /**
   * Refuses an {@code access_token_ttl} beyond {@code max} ({@code token.max_access_token_ttl}): a
   * revocation is kept only as long as the longest token can live.
   */
  public ClientMetadata requireTtlAtMost(Duration max) {
    if (accessTokenTtl != null && accessTokenTtl.compareTo(max) > 0) {
      throw FieldException.value("access_token_ttl", format(accessTokenTtl), "must not exceed token.max_access_token_ttl (" + format(max) + ")");
    }
    return this;
  }

  static String format(Duration d) {
    if (d.toMillis() % 1000 != 0) {
      return d.toMillis() + "ms";
    }
    long s = d.getSeconds();
    return s % 3600 == 0 ? s / 3600 + "h" : s % 60 == 0 ? s / 60 + "m" : s + "s";
  }

  /**
   * Reads and checks a registration. {@code defaultClientId} is used when the fields name none (null:
   * {@code client_id} is required); fields other than {@link #FIELDS} and {@code alsoAllowed} are
   * refused.
   *
   * @throws FieldException naming the first field that breaks a rule
   */
  public static ClientMetadata read(Fields f, String defaultClientId, Set<String> alsoAllowed) {
    f.only(alsoAllowed.isEmpty() ? FIELDS : union(FIELDS, alsoAllowed));
    String clientId = f.string("client_id", defaultClientId == null);
    if (clientId == null) {
      clientId = defaultClientId;
    }
    // RFC 6749 §2.2 / Appendix A.1: client_id = *VSCHAR (printable ASCII)
    if (clientId.length() > MAX_CLIENT_ID_LENGTH || !clientId.chars().allMatch(ch -> ch >= 0x20 && ch <= 0x7E)) {
      throw FieldException.of("client_id", "must be 1 to " + MAX_CLIENT_ID_LENGTH + " printable ASCII characters");
    }

    Set<AuthMethod> methods = new LinkedHashSet<>();
    List<String> methodNames = f.list("token_endpoint_auth_methods", List.of(AuthMethod.CLIENT_SECRET_BASIC.wire()));
    for (int i = 0; i < methodNames.size(); i++) {
      String m = methodNames.get(i);
      int index = i;
      methods.add(AuthMethod.fromWire(m).orElseThrow(() -> FieldException.entry("token_endpoint_auth_methods", index, m,
          "is an unknown method (client_secret_basic, client_secret_post, none)")));
    }
    if (methods.isEmpty()) {
      throw FieldException.of("token_endpoint_auth_methods", "must not be empty");
    }
    if (methods.contains(AuthMethod.NONE) && methods.size() > 1) {
      throw FieldException.of("token_endpoint_auth_methods", "cannot combine none (a public client) with secret methods");
    }
    boolean isPublic = methods.contains(AuthMethod.NONE);

    Set<String> grants = new LinkedHashSet<>();
    List<String> grantNames = f.list("grant_types", null);
    for (int i = 0; i < grantNames.size(); i++) {
      String g = grantNames.get(i);
      if (GrantTypes.REFUSED.contains(g)) {
        throw FieldException.entry("grant_types", i, g, "is refused by design (RFC 9700: no password or implicit grant)");
      }
      if (!GrantTypes.REGISTRABLE.contains(g)) {
        throw FieldException.entry("grant_types", i, g, "is an unknown grant type (authorization_code, client_credentials, refresh_token)");
      }
      grants.add(g);
    }
    if (grants.isEmpty()) {
      throw FieldException.of("grant_types", "must name at least one grant type");
    }
    if (isPublic && grants.contains(GrantTypes.CLIENT_CREDENTIALS)) {
      throw FieldException.of("grant_types", "cannot name client_credentials for a public client (RFC 6749 §4.4)");
    }
    if (isPublic && !grants.contains(GrantTypes.AUTHORIZATION_CODE)) {
      throw FieldException.of("grant_types", "must name authorization_code for a public client (which always uses PKCE)");
    }

    Scopes scopes = scopes(f, "scopes");
    Scopes defaults = scopes(f, "default_scopes");
    if (!scopes.containsAll(defaults)) {
      throw FieldException.of("default_scopes", "must be a subset of scopes");
    }

    List<String> redirects = redirectUris(f, "redirect_uris");
    if (redirects.isEmpty() && grants.contains(GrantTypes.AUTHORIZATION_CODE)) {
      throw FieldException.of("redirect_uris", "must name at least one URI for the authorization_code grant").asRedirectUri();
    }

    Duration ttl = f.duration("access_token_ttl");
    if (ttl != null && (ttl.toSeconds() < 1 || ttl.compareTo(MAX_TTL) > 0 || ttl.toMillis() % 1000 != 0)) {
      throw FieldException.value("access_token_ttl", format(ttl), "must be whole seconds between 1s and 24h");
    }

    List<String> postLogout = redirectUris(f, "post_logout_redirect_uris");

    Set<String> origins = new LinkedHashSet<>();
    List<String> originList = f.list("allowed_origins", List.of());
    for (int i = 0; i < originList.size(); i++) {
      validateOrigin(i, originList.get(i));
      origins.add(originList.get(i));
    }
    boolean revokeOnLogout = f.bool("logout_revokes_refresh_tokens");
    boolean canIntrospect = f.bool("can_introspect");
    if (canIntrospect && isPublic) {
      throw FieldException.of("can_introspect", "needs a confidential client (a resource server authenticates)");
    }
    return new ClientMetadata(clientId, grants, scopes, defaults, methods, redirects, ttl, postLogout, origins, revokeOnLogout,
        canIntrospect);
  }

  private static Set<String> union(Set<String> a, Set<String> b) {
    Set<String> all = new java.util.HashSet<>(a);
    all.addAll(b);
    return all;
  }

  private static Scopes scopes(Fields f, String field) {
    List<String> values = f.list(field, List.of());
    for (int i = 0; i < values.size(); i++) {
      if (!Scopes.isScopeToken(values.get(i))) {
        throw FieldException.entry(field, i, values.get(i), "is not a valid scope token (RFC 6749 §3.3)");
      }
    }
    return Scopes.of(values);
  }

  private static List<String> redirectUris(Fields f, String field) {
    List<String> uris;
    try {
      uris = f.list(field, List.of());
    } catch (FieldException e) {
      throw e.asRedirectUri();
    }
    for (int i = 0; i < uris.size(); i++) {
      validateRedirectUri(field, i, uris.get(i));
    }
    return uris;
  }

  // RFC 6749 §3.1.2: an absolute URI without a fragment; RFC 9700 §4.1: https except loopback
  private static void validateRedirectUri(String field, int i, String uri) {
    String scheme = scheme(uri);
    if (scheme != null && FORBIDDEN_SCHEMES.contains(scheme)) {
      throw FieldException.entry(field, i, uri, "must not use the " + scheme + ": scheme").asRedirectUri();
    }
    URI parsed;
    try {
      parsed = new URI(uri);
    } catch (URISyntaxException e) {
      throw FieldException.entry(field, i, uri, "is not a valid URI").asRedirectUri();
    }
    if (!parsed.isAbsolute()) {
      throw FieldException.entry(field, i, uri, "must be an absolute URI").asRedirectUri();
    }
    if (parsed.getRawFragment() != null) {
      throw FieldException.entry(field, i, uri, "must not have a fragment").asRedirectUri();
    }
    if (parsed.getRawUserInfo() != null) {
      throw FieldException.entry(field, i, uri, "must not contain user information").asRedirectUri();
    }
    scheme = parsed.getScheme().toLowerCase(Locale.ROOT);
    if (scheme.equals("http") || scheme.equals("https")) {
      if (parsed.getHost() == null) {
        throw FieldException.entry(field, i, uri, "must name a host").asRedirectUri();
      }
      if (scheme.equals("http") && !isLoopback(parsed.getHost())) {
        throw FieldException.entry(field, i, uri, "must use https (http only for loopback)").asRedirectUri();
      }
    }
  }

  /** The scheme of {@code uri} in lower case (RFC 3986 §3.1), or null when it has none. */
  private static String scheme(String uri) {
    int colon = uri.indexOf(':');
    if (colon < 1 || !Character.isLetter(uri.charAt(0))) {
      return null;
    }
    for (int i = 1; i < colon; i++) {
      char c = uri.charAt(i);
      if (!(Character.isLetterOrDigit(c) || c == '+' || c == '-' || c == '.')) {
        return null;
      }
    }
    return uri.substring(0, colon).toLowerCase(Locale.ROOT);
  }

  private static boolean isLoopback(String host) {
    return "127.0.0.1".equals(host) || "[::1]".equals(host) || "localhost".equals(host);
  }

  // an origin is scheme://host[:port] (RFC 6454), https unless loopback
  private static void validateOrigin(int i, String origin) {
    URI parsed;
    try {
      parsed = new URI(origin);
    } catch (URISyntaxException e) {
      throw FieldException.entry("allowed_origins", i, origin, "is not an origin (scheme://host[:port])");
    }
    boolean bare = parsed.getScheme() != null && parsed.getHost() != null && (parsed.getRawPath() == null || parsed.getRawPath().isEmpty())
        && parsed.getRawQuery() == null && parsed.getRawFragment() == null && parsed.getRawUserInfo() == null;
    if (!bare || !origin.equals(origin.toLowerCase(Locale.ROOT))) {
      throw FieldException.entry("allowed_origins", i, origin, "must be a lower-case origin: scheme://host[:port], nothing else");
    }
    if (!parsed.getScheme().equals("https") && !(parsed.getScheme().equals("http") && isLoopback(parsed.getHost()))) {
      throw FieldException.entry("allowed_origins", i, origin, "must use https (http only for loopback)");
    }
  }
}
