package io.gatehouse.server.config;

import io.gatehouse.core.model.AuthMethod;
import io.gatehouse.core.model.Client;
import io.gatehouse.core.model.ClientInfo;
import io.gatehouse.core.model.GrantTypes;
import io.gatehouse.core.model.Scopes;
import io.gatehouse.core.token.SigningAlgorithm;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A client's registration without its secret: what a seed file entry and the admin API's JSON body
 * say, under the same field names, checked by the same rules ({@link #read}), so that the seed and the
 * API can never disagree about what a valid client is.
 *
 * <ul>
 *   <li>{@code redirect_uris}, {@code post_logout_redirect_uris} (same rules, at most
 *       {@link #MAX_REDIRECT_URIS} each, each at most {@link #MAX_REDIRECT_URI_LENGTH} printable ASCII
 *       characters): absolute and hierarchical, no fragment, no user information, no dot segments, a
 *       lower-case scheme that is {@code https}, {@code http} on a loopback IP literal ({@code 127.0.0.1},
 *       {@code [::1]}; not {@code localhost}, RFC 8252 §8.3), or for a public (native) client only a
 *       private-use scheme in reverse-domain form ({@code com.example.app:/cb}, RFC 8252 §7.1); every
 *       other scheme ({@code javascript:}, {@code data:}, {@code ws:}, {@code mailto:} ...) is refused.
 *       The query must not carry {@code code}, {@code state}, {@code iss}, {@code error} or
 *       {@code error_description}, which would shadow the response's own (RFC 9207). At least one
 *       redirect URI for {@code authorization_code} (RFC 6749 §3.1.2, RFC 9700 §4.1).
 *   <li>{@code grant_types}: {@code authorization_code}, {@code client_credentials},
 *       {@code refresh_token}; {@code password} and {@code implicit} are refused by design (RFC 9700).
 *   <li>{@code token_endpoint_auth_methods}: {@code client_secret_basic} (the default),
 *       {@code client_secret_post}, or {@code none} alone: a public client, which must use
 *       {@code authorization_code} (always with PKCE) and can neither use {@code client_credentials}
 *       (RFC 6749 §4.4) nor introspect.
 *   <li>{@code scopes}, {@code default_scopes} (a subset): scope tokens (RFC 6749 §3.3).
 *   <li>{@code access_token_ttl}: whole seconds from 1s to 24h.
 *   <li>{@code allowed_origins}: lower-case {@code scheme://host[:port]}, https unless loopback.
 *   <li>{@code client_name} (at most {@link #MAX_CLIENT_NAME_LENGTH} characters, no control characters),
 *       shown on the consent page; {@code logo_uri}, {@code client_uri}, {@code policy_uri}, {@code tos_uri}
 *       (https, http only on a loopback IP literal, as redirect URIs); {@code contacts} (at most
 *       {@link #MAX_CONTACTS}, each at most {@link #MAX_CONTACT_LENGTH} characters): OIDC Registration §2
 *       and RFC 7591 §2, all optional.
 *   <li>{@code id_token_signed_response_alg} (OIDC Registration §2): one of the algorithms the server
 *       signs ID tokens with ({@code token.id_token_algorithm}, the default when absent, and
 *       {@code keys.algorithm}); its ID tokens are signed with that algorithm's key.
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
    boolean canIntrospect,
    SigningAlgorithm idTokenSignedResponseAlg,
    ClientInfo info) {

  /** The fields of a registration (the seed adds {@code client_secret}). */
  public static final Set<String> FIELDS = Set.of("client_id", "grant_types", "scopes", "default_scopes", "token_endpoint_auth_methods",
      "redirect_uris", "access_token_ttl", "post_logout_redirect_uris", "allowed_origins", "logout_revokes_refresh_tokens",
      "can_introspect", "id_token_signed_response_alg", "client_name", "logo_uri", "client_uri", "policy_uri", "tos_uri", "contacts");
  /** The longest access token lifetime a client can be given. */
  public static final Duration MAX_TTL = Duration.ofHours(24);
  /** Client ids are at most this long (so that a revocation can name any of them). */
  public static final int MAX_CLIENT_ID_LENGTH = 255;
  /** A client registers at most this many {@code redirect_uris} (and as many {@code post_logout_redirect_uris}). */
  public static final int MAX_REDIRECT_URIS = 20;
  /** A registered redirect URI (or {@code logo_uri}, {@code client_uri}, {@code policy_uri}, {@code tos_uri}) is at most this many characters. */
  public static final int MAX_REDIRECT_URI_LENGTH = 2000;
  /** A {@code client_name} is at most this many characters. */
  public static final int MAX_CLIENT_NAME_LENGTH = 200;
  /** A client names at most this many {@code contacts}. */
  public static final int MAX_CONTACTS = 10;
  /** A {@code contacts} entry is at most this many characters (the longest e-mail address, RFC 5321 §4.5.3.1.3). */
  public static final int MAX_CONTACT_LENGTH = 254;
  private static final Set<String> SCRIPT_SCHEMES = Set.of("javascript", "data", "vbscript", "file");
  // RFC 8252 §7.1: a private-use scheme is a domain name the app controls, in reverse order (com.example.app)
  private static final Pattern PRIVATE_USE_SCHEME = Pattern.compile("[a-z][a-z0-9-]*(\\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+");
  // RFC 6749 §4.1.2 / §4.1.2.1 and RFC 9207 §2: the parameters of the authorization response itself
  private static final Set<String> RESPONSE_PARAMETERS = Set.of("code", "state", "iss", "error", "error_description");

  public ClientMetadata {
    grantTypes = Set.copyOf(grantTypes);
    authMethods = Set.copyOf(authMethods);
    redirectUris = List.copyOf(redirectUris);
    postLogoutRedirectUris = List.copyOf(postLogoutRedirectUris);
    allowedOrigins = Set.copyOf(allowedOrigins);
    info = info == null ? ClientInfo.NONE : info;
  }

  /** A public client: authenticates with its {@code client_id} only (auth method {@code none}). */
  public boolean isPublic() {
    return authMethods.contains(AuthMethod.NONE);
  }

  /** The client with this metadata and {@code secretHash} (null for a public client). */
  public Client toClient(String secretHash) {
    return new Client(clientId, secretHash, grantTypes, scopes, defaultScopes, authMethods, redirectUris, accessTokenTtl,
        postLogoutRedirectUris, allowedOrigins, logoutRevokesRefreshTokens, canIntrospect, idTokenSignedResponseAlg, info);
  }

  /** A registered client's metadata (its secret hash left behind). */
  public static ClientMetadata of(Client c) {
    return new ClientMetadata(c.clientId(), c.grantTypes(), c.scopes(), c.defaultScopes(), c.authMethods(), c.redirectUris(),
        c.accessTokenTtl(), c.postLogoutRedirectUris(), c.allowedOrigins(), c.logoutRevokesRefreshTokens(), c.canIntrospect(),
        c.idTokenSignedResponseAlg(), c.info());
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
    json.put("post_logout_redirect_uris", new JsonArray(postLogoutRedirectUris))
        .put("allowed_origins", new JsonArray(new ArrayList<>(new TreeSet<>(allowedOrigins))))
        .put("logout_revokes_refresh_tokens", logoutRevokesRefreshTokens)
        .put("can_introspect", canIntrospect);
    if (idTokenSignedResponseAlg != null) {
      json.put("id_token_signed_response_alg", idTokenSignedResponseAlg.name());
    }
    putIfSet(json, "client_name", info.name());
    putIfSet(json, "logo_uri", info.logoUri());
    putIfSet(json, "client_uri", info.clientUri());
    putIfSet(json, "policy_uri", info.policyUri());
    putIfSet(json, "tos_uri", info.tosUri());
    if (!info.contacts().isEmpty()) {
      json.put("contacts", new JsonArray(info.contacts()));
    }
    return json;
  }

  private static void putIfSet(JsonObject json, String field, String value) {
    if (value != null) {
      json.put(field, value);
    }
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

  /** As {@link #read(Fields, String, Set, List)}, any algorithm Gatehouse can sign with being allowed for ID tokens. */
  public static ClientMetadata read(Fields f, String defaultClientId, Set<String> alsoAllowed) {
    return read(f, defaultClientId, alsoAllowed, List.of(SigningAlgorithm.values()));
  }

  /**
   * Reads and checks a registration. {@code defaultClientId} is used when the fields name none (null:
   * {@code client_id} is required); fields other than {@link #FIELDS} and {@code alsoAllowed} are
   * refused.
   *
   * @param idTokenAlgorithms the algorithms the server signs ID tokens with (it holds a key for each)
   * @throws FieldException naming the first field that breaks a rule
   */
  public static ClientMetadata read(Fields f, String defaultClientId, Set<String> alsoAllowed, List<SigningAlgorithm> idTokenAlgorithms) {
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
    // an empty list is a confidential client with no grant at all: a resource server that only authenticates at
    // /introspect and /revoke (and reads /revocations with can_introspect); /token answers it unauthorized_client
    if (isPublic && grants.contains(GrantTypes.CLIENT_CREDENTIALS)) {
      throw FieldException.of("grant_types", "cannot name client_credentials for a public client (RFC 6749 section 4.4)");
    }
    if (isPublic && !grants.contains(GrantTypes.AUTHORIZATION_CODE)) {
      throw FieldException.of("grant_types", "must name authorization_code for a public client (which always uses PKCE)");
    }

    Scopes scopes = scopes(f, "scopes");
    Scopes defaults = scopes(f, "default_scopes");
    if (!scopes.containsAll(defaults)) {
      throw FieldException.of("default_scopes", "must be a subset of scopes");
    }

    List<String> redirects = redirectUris(f, "redirect_uris", isPublic);
    if (redirects.isEmpty() && grants.contains(GrantTypes.AUTHORIZATION_CODE)) {
      throw FieldException.of("redirect_uris", "must name at least one URI for the authorization_code grant").asRedirectUri();
    }

    Duration ttl = f.duration("access_token_ttl");
    if (ttl != null && (ttl.toSeconds() < 1 || ttl.compareTo(MAX_TTL) > 0 || ttl.toMillis() % 1000 != 0)) {
      throw FieldException.value("access_token_ttl", format(ttl), "must be whole seconds between 1s and 24h");
    }

    List<String> postLogout = redirectUris(f, "post_logout_redirect_uris", isPublic);

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
        canIntrospect, idTokenAlgorithm(f, idTokenAlgorithms), info(f));
  }

  /**
   * OIDC Registration §2 {@code id_token_signed_response_alg}: one of the algorithms the server holds an
   * ID-token key for (names compared exactly, as JWS {@code alg} values are, RFC 7515 §4.1.1); null when absent.
   */
  private static SigningAlgorithm idTokenAlgorithm(Fields f, List<SigningAlgorithm> allowed) {
    String name = f.string("id_token_signed_response_alg", false);
    if (name == null) {
      return null;
    }
    return SigningAlgorithm.fromJose(name).filter(allowed::contains).orElseThrow(() -> FieldException.value("id_token_signed_response_alg",
        name, "must be one of " + allowed.stream().map(Enum::name).collect(Collectors.joining(", "))
            + " (the algorithms this server signs ID tokens with)"));
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
        throw FieldException.entry(field, i, values.get(i), "is not a valid scope token (RFC 6749 section 3.3)");
      }
    }
    return Scopes.of(values);
  }

  private static List<String> redirectUris(Fields f, String field, boolean isPublic) {
    List<String> uris;
    try {
      uris = f.list(field, List.of());
    } catch (FieldException e) {
      throw e.asRedirectUri();
    }
    if (uris.size() > MAX_REDIRECT_URIS) {
      throw FieldException.of(field, "must not name more than " + MAX_REDIRECT_URIS + " URIs").asRedirectUri();
    }
    for (int i = 0; i < uris.size(); i++) {
      try {
        validateRedirectUri(uris.get(i), isPublic);
      } catch (IllegalArgumentException e) {
        throw FieldException.entry(field, i, uris.get(i), e.getMessage()).asRedirectUri();
      }
    }
    return uris;
  }

  /**
   * The rules of a registered redirect URI; a broken one throws an {@link IllegalArgumentException}
   * whose message reads on from the field's name. RFC 6749 §3.1.2: an absolute URI without a fragment;
   * RFC 9700 §4.1 / §2.6 and RFC 8252 §7: {@code https}, {@code http} on a loopback IP literal, or for
   * a native (public) client a private-use scheme in reverse-domain form.
   */
  private static void validateRedirectUri(String uri, boolean isPublic) {
    URI parsed = absoluteUri(uri);
    // RFC 6749 §3.1.2: the endpoint URI MUST NOT include a fragment component (not even an empty one)
    if (parsed.getRawFragment() != null) {
      throw new IllegalArgumentException("must not have a fragment");
    }
    if (parsed.getRawUserInfo() != null) {
      throw new IllegalArgumentException("must not contain user information");
    }
    String scheme = parsed.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("https") && !scheme.equals("http") && !PRIVATE_USE_SCHEME.matcher(scheme).matches()) {
      // ws:, ftp:, about:, blob:, mailto:, view-source:, ... are no place to deliver a code
      throw new IllegalArgumentException("must not use the " + FieldException.printable(scheme)
          + ": scheme (https, http on a loopback IP literal, or a reverse-domain private-use scheme such as com.example.app:/cb)");
    }
    // redirect URIs are compared as exact strings (RFC 9700 §4.1.3): a scheme in upper case would never match a browser's
    if (!parsed.getScheme().equals(scheme)) {
      throw new IllegalArgumentException("must spell its scheme in lower case");
    }
    if (parsed.isOpaque()) {
      throw new IllegalArgumentException("must be hierarchical (scheme:/path, as com.example.app:/cb; RFC 8252 7.1)");
    }
    if (scheme.equals("https") || scheme.equals("http")) {
      requireWebHost(parsed, scheme);
    } else if (!isPublic) {
      // RFC 8252 §8.4: a native app (the only user of a private-use scheme) is a public client
      throw new IllegalArgumentException("may use a private-use scheme only for a public (native) client (RFC 8252 8.4)");
    }
    if (hasDotSegment(parsed.getRawPath())) {
      throw new IllegalArgumentException("must not contain . or .. path segments (RFC 3986 5.2.4)");
    }
    String shadowed = responseParameter(parsed.getRawQuery());
    if (shadowed != null) {
      throw new IllegalArgumentException("must not carry " + shadowed
          + " in its query: it would shadow the authorization response's own (RFC 6749 4.1.2, RFC 9207)");
    }
  }

  /**
   * The rules every registered URI shares, redirect URIs and links alike: at most
   * {@value #MAX_REDIRECT_URI_LENGTH} printable ASCII characters (RFC 3986 §2), no script scheme, an
   * absolute URI.
   */
  private static URI absoluteUri(String uri) {
    if (uri.length() > MAX_REDIRECT_URI_LENGTH) {
      throw new IllegalArgumentException("must be at most " + MAX_REDIRECT_URI_LENGTH + " characters");
    }
    // RFC 3986 §2: a URI is ASCII; no space or control character (they would be matched and echoed as given)
    if (!uri.chars().allMatch(ch -> ch > 0x20 && ch < 0x7F)) {
      throw new IllegalArgumentException("must be printable ASCII without spaces (RFC 3986)");
    }
    String scheme = scheme(uri);
    if (scheme != null && SCRIPT_SCHEMES.contains(scheme)) {
      throw new IllegalArgumentException("must not use the " + scheme + ": scheme");
    }
    URI parsed;
    try {
      parsed = new URI(uri);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("is not a valid URI");
    }
    if (!parsed.isAbsolute()) {
      throw new IllegalArgumentException("must be an absolute URI");
    }
    return parsed;
  }

  /** An {@code http} or {@code https} URI's host: named, and for {@code http} a loopback IP literal (RFC 8252 §8.3). */
  private static void requireWebHost(URI parsed, String scheme) {
    if (parsed.getHost() == null) {
      throw new IllegalArgumentException("must name a host");
    }
    if (scheme.equals("http") && parsed.getHost().equalsIgnoreCase("localhost")) {
      // RFC 8252 §8.3: localhost is NOT RECOMMENDED (it may resolve elsewhere or be firewalled); use the IP literal
      throw new IllegalArgumentException("must use a loopback IP literal (127.0.0.1 or [::1]) instead of localhost (RFC 8252 8.3)");
    }
    if (scheme.equals("http") && !isLoopbackLiteral(parsed.getHost())) {
      throw new IllegalArgumentException("must use https (http only for loopback)");
    }
  }

  /**
   * A link a user may be shown or sent to ({@code logo_uri}, {@code client_uri}, {@code policy_uri},
   * {@code tos_uri}; OIDC Registration §2): judged as a redirect URI's host and scheme are (https, http
   * only on a loopback IP literal; never a script scheme or user information, which could disguise the
   * host); a fragment, query or path of any shape is allowed, since nothing is delivered to it.
   */
  private static String webUri(Fields f, String field) {
    String uri = f.string(field, false);
    if (uri == null) {
      return null;
    }
    try {
      URI parsed = absoluteUri(uri);
      if (parsed.getRawUserInfo() != null) {
        throw new IllegalArgumentException("must not contain user information");
      }
      String scheme = parsed.getScheme().toLowerCase(Locale.ROOT);
      if (!scheme.equals("https") && !scheme.equals("http")) {
        throw new IllegalArgumentException("must use https (http only for loopback)");
      }
      requireWebHost(parsed, scheme);
    } catch (IllegalArgumentException e) {
      throw FieldException.value(field, uri, e.getMessage());
    }
    return uri;
  }

  /**
   * Text a person reads ({@code client_name}, a {@code contacts} entry): at most {@code max} characters,
   * not blank, no control character (C0, DEL, C1), line or paragraph separator, bidirectional override
   * or isolate (which could make a name read as another), and no unpaired surrogate (not text at all;
   * PostgreSQL would refuse it). Answers the problem, or null when the text is fine.
   */
  static String textProblem(String text, int max) {
    if (text.length() > max) {
      return "must be at most " + max + " characters";
    }
    if (text.isBlank()) {
      return "must not be blank";
    }
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      int type = Character.getType(c);
      if (type == Character.CONTROL || type == Character.LINE_SEPARATOR || type == Character.PARAGRAPH_SEPARATOR
          || (c >= '\u202A' && c <= '\u202E') || (c >= '\u2066' && c <= '\u2069')) {
        return "must not contain control characters";
      }
      if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        return "must be valid Unicode text (an unpaired surrogate)";
      }
    }
    return null;
  }

  /** What the client says about itself (OIDC Registration §2 / RFC 7591 §2), each field checked. */
  private static ClientInfo info(Fields f) {
    String name = f.string("client_name", false);
    if (name != null) {
      String problem = textProblem(name, MAX_CLIENT_NAME_LENGTH);
      if (problem != null) {
        throw FieldException.of("client_name", problem);
      }
    }
    String logo = webUri(f, "logo_uri");
    String home = webUri(f, "client_uri");
    String policy = webUri(f, "policy_uri");
    String tos = webUri(f, "tos_uri");
    List<String> contacts = f.list("contacts", List.of());
    if (contacts.size() > MAX_CONTACTS) {
      throw FieldException.of("contacts", "must not name more than " + MAX_CONTACTS + " entries");
    }
    for (int i = 0; i < contacts.size(); i++) {
      String problem = textProblem(contacts.get(i), MAX_CONTACT_LENGTH);
      if (problem != null) {
        throw FieldException.entry("contacts", i, contacts.get(i), problem);
      }
    }
    return new ClientInfo(name, logo, home, policy, tos, contacts);
  }

  private static boolean hasDotSegment(String rawPath) {
    for (String segment : rawPath.split("/", -1)) {
      String s = segment.toLowerCase(Locale.ROOT).replace("%2e", ".");
      if (s.equals(".") || s.equals("..")) {
        return true;
      }
    }
    return false;
  }

  /**
   * The first parameter of an {@code application/x-www-form-urlencoded} query (RFC 6749 §3.1.2) that
   * the authorization response sets itself ({@code code}, {@code state}, {@code iss}, {@code error},
   * {@code error_description}), compared as the client will read it (percent-decoded); null for none.
   */
  private static String responseParameter(String rawQuery) {
    if (rawQuery == null) {
      return null;
    }
    for (String pair : rawQuery.split("&", -1)) {
      int eq = pair.indexOf('=');
      String name;
      try {
        name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("must have a well-formed query (RFC 6749 3.1.2)");
      }
      if (RESPONSE_PARAMETERS.contains(name)) {
        return name;
      }
    }
    return null;
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

  // RFC 8252 §7.3 / §8.3: the loopback IP literals (not the name localhost)
  private static boolean isLoopbackLiteral(String host) {
    return "127.0.0.1".equals(host) || "[::1]".equals(host);
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
