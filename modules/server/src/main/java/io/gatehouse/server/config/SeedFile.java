package io.gatehouse.server.config;

import io.gatehouse.core.client.SecretHasher;
import io.gatehouse.core.model.AuthMethod;
import io.gatehouse.core.model.Client;
import io.gatehouse.core.model.GrantTypes;
import io.gatehouse.core.model.Scopes;
import io.gatehouse.core.model.User;
import io.gatehouse.core.user.PasswordHasher;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Reads the seed file: clients to upsert into the configured registry at start. Secrets are hashed as
 * they are read and never kept. A malformed file is refused whole, with a message naming the entry and
 * field (and never the secret).
 *
 * <pre>
 * clients:
 *   - client_id: billing-service
 *     client_secret: "at-least-32-characters-of-random-secret"
 *     grant_types: [client_credentials]
 *     scopes: [read:users, write:users]
 *     default_scopes: []                 # optional: granted when a request names no scope
 *     token_endpoint_auth_methods: [client_secret_basic, client_secret_post]
 *     redirect_uris: []
 *     access_token_ttl: 5m               # optional
 *     post_logout_redirect_uris: []      # optional: RP-initiated logout targets (exact match)
 *     allowed_origins: []                # optional: extra CORS origins (scheme://host[:port])
 *     logout_revokes_refresh_tokens: false  # optional
 *     can_introspect: false              # optional: a resource server that may introspect any token
 * users:
 *   - username: alice
 *     password: "correct horse battery staple"   # or password_hash: a $argon2id$ PHC string
 *     subject: 248289761001                        # optional: default derived from the username
 *     claims: {name: Alice Example, email: alice@example.com, email_verified: true}
 * </pre>
 */
public final class SeedFile {
  private static final Set<String> TOP_LEVEL = Set.of("clients", "users");
  private static final Set<String> USER_FIELDS = Set.of("username", "password", "password_hash", "subject", "claims");
  private static final Set<String> CLIENT_FIELDS = Set.of("client_id", "client_secret", "grant_types", "scopes",
      "default_scopes", "token_endpoint_auth_methods", "redirect_uris", "access_token_ttl", "post_logout_redirect_uris",
      "allowed_origins", "logout_revokes_refresh_tokens", "can_introspect");
  static final Duration MAX_TTL = Duration.ofHours(24);
  /** The longest access token lifetime a client can be given (its override's upper bound). */
  public static final Duration LONGEST_ACCESS_TOKEN_TTL = MAX_TTL;

  private SeedFile() {}

  /** The seed: clients and users, secrets and passwords already hashed. */
  public record Seed(List<Client> clients, List<User> users) {}

  /** Reads a seed file; passwords are hashed with {@code hasher} (slow: call on a worker thread). */
  public static Seed read(Path file, PasswordHasher hasher) {
    try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      return read(r, file.toString(), hasher);
    } catch (IOException e) {
      throw new ConfigException("cannot read seed file " + file + ": " + e.getMessage());
    }
  }

  public static Seed read(String yaml, PasswordHasher hasher) {
    return read(new StringReader(yaml), "seed", hasher);
  }

  /** The clients of a seed file. */
  public static List<Client> load(Path file) {
    return read(file, new PasswordHasher()).clients();
  }

  /** The clients of a seed document. */
  public static List<Client> parse(String yaml) {
    return read(yaml, new PasswordHasher()).clients();
  }

  static Seed read(Reader reader, String source, PasswordHasher hasher) {
    Map<String, Object> doc = ConfigLoader.parseYaml(reader, "seed file " + source);
    for (String key : doc.keySet()) {
      if (!TOP_LEVEL.contains(key)) {
        throw new ConfigException("seed file " + source + ": unknown top-level key '" + key + "'");
      }
    }
    return new Seed(clients(doc.get("clients"), source), users(doc.get("users"), source, hasher));
  }

  private static List<User> users(Object users, String source, PasswordHasher hasher) {
    if (users == null) {
      return List.of();
    }
    if (!(users instanceof List<?> list)) {
      throw new ConfigException("seed file " + source + ": 'users' must be a list");
    }
    List<User> result = new ArrayList<>();
    Set<String> usernames = new HashSet<>();
    Set<String> subjects = new HashSet<>();
    for (int i = 0; i < list.size(); i++) {
      User u = user(source, i, list.get(i), hasher);
      if (!usernames.add(u.username().toLowerCase(Locale.ROOT))) {
        throw new ConfigException("seed file " + source + ": users[" + i + "] (" + u.username() + "): username is repeated");
      }
      if (!subjects.add(u.subject())) {
        throw new ConfigException("seed file " + source + ": users[" + i + "] (" + u.username() + "): subject is repeated");
      }
      result.add(u);
    }
    return result;
  }

  private static User user(String source, int index, Object entry, PasswordHasher hasher) {
    String where = "seed file " + source + ": users[" + index + "]";
    if (!(entry instanceof Map<?, ?> map)) {
      throw new ConfigException(where + ": must be a mapping");
    }
    Object name = map.get("username");
    if (name != null) {
      where += " (" + name + ")";
    }
    for (Object key : map.keySet()) {
      if (!USER_FIELDS.contains(String.valueOf(key))) {
        throw new ConfigException(where + ": unknown field '" + key + "'");
      }
    }
    Field f = new Field(where, map);
    String username = f.string("username", true);
    if (username.length() > 256 || !username.chars().allMatch(ch -> ch > 0x20 && ch != 0x7F)) {
      throw f.error("username", "must be 1 to 256 characters without spaces or control characters");
    }
    String password = f.string("password", false);
    String passwordHash = f.string("password_hash", false);
    if ((password == null) == (passwordHash == null)) {
      throw f.error("password", "exactly one of password and password_hash is required");
    }
    if (password != null && password.length() < 8) {
      throw f.error("password", "must be at least 8 characters");
    }
    if (passwordHash != null && !PasswordHasher.isHash(passwordHash)) {
      throw f.error("password_hash", "must be an Argon2id PHC string ($argon2id$v=19$m=...,t=...,p=...$salt$hash)");
    }
    String subject = f.string("subject", false);
    if (subject == null) {
      // stable across restarts and nodes, and not the username itself (OIDC Core §8: sub never reassigned)
      subject = UUID.nameUUIDFromBytes(("gatehouse:user:" + username.toLowerCase(Locale.ROOT)).getBytes(StandardCharsets.UTF_8)).toString();
    } else if (subject.length() > 255 || !subject.chars().allMatch(ch -> ch >= 0x21 && ch <= 0x7E)) {
      // OIDC Core §2: sub is at most 255 ASCII characters
      throw f.error("subject", "must be 1 to 255 printable ASCII characters");
    }
    Object claims = map.get("claims");
    JsonObject claimsJson = new JsonObject();
    if (claims != null) {
      if (!(claims instanceof Map<?, ?> cm)) {
        throw f.error("claims", "must be a mapping");
      }
      for (Map.Entry<?, ?> e : cm.entrySet()) {
        String key = String.valueOf(e.getKey());
        if (key.equals("sub")) {
          throw f.error("claims", "must not contain 'sub' (use the subject field)");
        }
        Object v = e.getValue();
        if (!(v instanceof String || v instanceof Boolean || v instanceof Number || v instanceof Map)) {
          throw f.error("claims", "'" + key + "' must be a string, boolean, number or (for address) a mapping");
        }
        claimsJson.put(key, v instanceof Map<?, ?> m ? new JsonObject(toStringKeys(m)) : v);
      }
    }
    return new User(subject, username, passwordHash != null ? passwordHash : hasher.hash(password), claimsJson);
  }

  private static Map<String, Object> toStringKeys(Map<?, ?> m) {
    Map<String, Object> out = new java.util.LinkedHashMap<>();
    m.forEach((k, v) -> out.put(String.valueOf(k), v));
    return out;
  }

  private static List<Client> clients(Object clients, String source) {
    if (clients == null) {
      return List.of();
    }
    if (!(clients instanceof List<?> list)) {
      throw new ConfigException("seed file " + source + ": 'clients' must be a list");
    }
    List<Client> result = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < list.size(); i++) {
      Client c = client(source, i, list.get(i));
      if (!seen.add(c.clientId())) {
        throw new ConfigException("seed file " + source + ": clients[" + i + "] (" + c.clientId() + "): client_id is repeated");
      }
      result.add(c);
    }
    return result;
  }

  private static Client client(String source, int index, Object entry) {
    String where = "seed file " + source + ": clients[" + index + "]";
    if (!(entry instanceof Map<?, ?> map)) {
      throw new ConfigException(where + ": must be a mapping");
    }
    Object idValue = map.get("client_id");
    if (idValue != null) {
      where += " (" + idValue + ")";
    }
    for (Object key : map.keySet()) {
      if (!CLIENT_FIELDS.contains(String.valueOf(key))) {
        throw new ConfigException(where + ": unknown field '" + key + "'");
      }
    }
    Field f = new Field(where, map);
    String clientId = f.string("client_id", true);
    // RFC 6749 §2.2 / Appendix A.1: client_id = *VSCHAR (printable ASCII)
    if (!clientId.chars().allMatch(ch -> ch >= 0x20 && ch <= 0x7E)) {
      throw f.error("client_id", "must be printable ASCII");
    }

    Set<AuthMethod> methods = new LinkedHashSet<>();
    for (String m : f.list("token_endpoint_auth_methods", List.of("client_secret_basic"))) {
      methods.add(AuthMethod.fromWire(m).orElseThrow(() -> f.error("token_endpoint_auth_methods",
          "unknown method '" + m + "' (client_secret_basic, client_secret_post, none)")));
    }
    if (methods.isEmpty()) {
      throw f.error("token_endpoint_auth_methods", "must not be empty");
    }
    if (methods.contains(AuthMethod.NONE) && methods.size() > 1) {
      throw f.error("token_endpoint_auth_methods", "'none' (a public client) cannot be combined with secret methods");
    }
    boolean isPublic = methods.contains(AuthMethod.NONE);
    String secret = f.string("client_secret", false);
    if (isPublic && secret != null) {
      throw f.error("client_secret", "a public client (auth method none) has no secret");
    }
    if (!isPublic && secret == null) {
      throw f.error("client_secret", "is required for a confidential client");
    }
    if (secret != null && secret.length() < SecretHasher.MIN_SECRET_LENGTH) {
      throw f.error("client_secret", "must be at least " + SecretHasher.MIN_SECRET_LENGTH + " characters of random secret");
    }

    Set<String> grants = new LinkedHashSet<>();
    for (String g : f.list("grant_types", null)) {
      if (GrantTypes.REFUSED.contains(g)) {
        throw f.error("grant_types", "the " + g + " grant is refused by design (RFC 9700)");
      }
      if (!GrantTypes.REGISTRABLE.contains(g)) {
        throw f.error("grant_types", "unknown grant type '" + g + "'");
      }
      grants.add(g);
    }
    if (grants.isEmpty()) {
      throw f.error("grant_types", "must name at least one grant type");
    }
    Scopes scopes = f.scopes("scopes");
    Scopes defaults = f.scopes("default_scopes");
    if (!scopes.containsAll(defaults)) {
      throw f.error("default_scopes", "must be a subset of scopes");
    }
    List<String> redirects = f.list("redirect_uris", List.of());
    for (String uri : redirects) {
      validateRedirectUri(f, "redirect_uris", uri);
    }
    Duration ttl = null;
    String ttlText = f.string("access_token_ttl", false);
    if (ttlText != null) {
      try {
        ttl = Durations.parse(ttlText);
      } catch (IllegalArgumentException e) {
        throw f.error("access_token_ttl", e.getMessage());
      }
      if (ttl.toSeconds() < 1 || ttl.compareTo(MAX_TTL) > 0) {
        throw f.error("access_token_ttl", "must be between 1s and 24h");
      }
    }
    List<String> postLogout = f.list("post_logout_redirect_uris", List.of());
    for (String uri : postLogout) {
      validateRedirectUri(f, "post_logout_redirect_uris", uri);
    }
    Set<String> origins = new LinkedHashSet<>();
    for (String origin : f.list("allowed_origins", List.of())) {
      validateOrigin(f, origin);
      origins.add(origin);
    }
    boolean revokeOnLogout = f.bool("logout_revokes_refresh_tokens");
    boolean canIntrospect = f.bool("can_introspect");
    if (canIntrospect && secret == null) {
      throw f.error("can_introspect", "a resource server must be a confidential client");
    }
    return new Client(clientId, secret == null ? null : SecretHasher.hash(secret), grants, scopes, defaults, methods, redirects, ttl,
        postLogout, origins, revokeOnLogout, canIntrospect);
  }

  // RFC 6749 §3.1.2: absolute URI without a fragment; RFC 9700 §4.1: https except loopback
  // an origin is scheme://host[:port] (RFC 6454), https unless loopback
  private static void validateOrigin(Field f, String origin) {
    URI parsed;
    try {
      parsed = new URI(origin);
    } catch (URISyntaxException e) {
      throw f.error("allowed_origins", "'" + origin + "' is not an origin");
    }
    boolean bare = parsed.getScheme() != null && parsed.getHost() != null && (parsed.getRawPath() == null || parsed.getRawPath().isEmpty())
        && parsed.getRawQuery() == null && parsed.getRawFragment() == null && parsed.getRawUserInfo() == null;
    if (!bare || !origin.equals(origin.toLowerCase(Locale.ROOT))) {
      throw f.error("allowed_origins", "'" + origin + "' must be a lower-case origin: scheme://host[:port], nothing else");
    }
    String host = parsed.getHost();
    boolean loopback = "127.0.0.1".equals(host) || "[::1]".equals(host) || "localhost".equals(host);
    if (!parsed.getScheme().equals("https") && !(parsed.getScheme().equals("http") && loopback)) {
      throw f.error("allowed_origins", "'" + origin + "' must use https (http only for loopback)");
    }
  }

  private static void validateRedirectUri(Field f, String field, String uri) {
    URI parsed;
    try {
      parsed = new URI(uri);
    } catch (URISyntaxException e) {
      throw f.error(field, "'" + uri + "' is not a URI");
    }
    String scheme = parsed.getScheme() == null ? "" : parsed.getScheme().toLowerCase(Locale.ROOT);
    if (!parsed.isAbsolute() || parsed.getRawFragment() != null) {
      throw f.error(field, "'" + uri + "' must be absolute and have no fragment");
    }
    if (scheme.equals("javascript") || scheme.equals("data") || scheme.equals("vbscript") || scheme.equals("file")) {
      throw f.error(field, "'" + uri + "' uses a forbidden scheme");
    }
    if (scheme.equals("http")) {
      String host = parsed.getHost();
      if (!("127.0.0.1".equals(host) || "[::1]".equals(host) || "localhost".equals(host))) {
        throw f.error(field, "'" + uri + "' must use https (http only for loopback)");
      }
    }
  }

  private record Field(String where, Map<?, ?> map) {
    ConfigException error(String field, String problem) {
      return new ConfigException(where + ": field '" + field + "' " + problem);
    }

    String string(String field, boolean required) {
      Object v = map.get(field);
      if (v == null) {
        if (required) {
          throw error(field, "is required");
        }
        return null;
      }
      if (v instanceof Map || v instanceof List) {
        throw error(field, "must be a single value");
      }
      String s = String.valueOf(v);
      if (s.isEmpty()) {
        throw error(field, "must not be empty");
      }
      return s;
    }

    /** An optional true/false field; absent is false. */
    boolean bool(String field) {
      String v = string(field, false);
      if (v == null) {
        return false;
      }
      if (!v.equals("true") && !v.equals("false")) {
        throw error(field, "must be true or false");
      }
      return Boolean.parseBoolean(v);
    }

    List<String> list(String field, List<String> defaultValue) {
      Object v = map.get(field);
      if (v == null) {
        if (defaultValue == null) {
          throw error(field, "is required");
        }
        return defaultValue;
      }
      if (!(v instanceof List<?> l)) {
        throw error(field, "must be a list");
      }
      List<String> out = new ArrayList<>();
      for (Object o : l) {
        if (o == null || o instanceof Map || o instanceof List) {
          throw error(field, "must be a list of strings");
        }
        out.add(String.valueOf(o));
      }
      return out;
    }

    Scopes scopes(String field) {
      List<String> values = list(field, List.of());
      for (String s : values) {
        if (!Scopes.isScopeToken(s)) {
          throw error(field, "'" + s + "' is not a valid scope token (RFC 6749 §3.3)");
        }
      }
      return Scopes.of(values);
    }
  }
}
