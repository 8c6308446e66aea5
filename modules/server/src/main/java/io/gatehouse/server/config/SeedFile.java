package io.gatehouse.server.config;

import io.gatehouse.core.client.SecretHasher;
import io.gatehouse.core.model.AuthMethod;
import io.gatehouse.core.model.Client;
import io.gatehouse.core.model.GrantTypes;
import io.gatehouse.core.model.Scopes;
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
 * </pre>
 */
public final class SeedFile {
  private static final Set<String> TOP_LEVEL = Set.of("clients", "users");
  private static final Set<String> CLIENT_FIELDS = Set.of("client_id", "client_secret", "grant_types", "scopes",
      "default_scopes", "token_endpoint_auth_methods", "redirect_uris", "access_token_ttl");
  static final Duration MAX_TTL = Duration.ofHours(24);

  private SeedFile() {}

  public static List<Client> load(Path file) {
    try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      return parse(r, file.toString());
    } catch (IOException e) {
      throw new ConfigException("cannot read seed file " + file + ": " + e.getMessage());
    }
  }

  public static List<Client> parse(String yaml) {
    return parse(new StringReader(yaml), "seed");
  }

  static List<Client> parse(Reader reader, String source) {
    Map<String, Object> doc = ConfigLoader.parseYaml(reader, "seed file " + source);
    for (String key : doc.keySet()) {
      if (!TOP_LEVEL.contains(key)) {
        throw new ConfigException("seed file " + source + ": unknown top-level key '" + key + "'");
      }
    }
    if (doc.get("users") != null) {
      throw new ConfigException("seed file " + source + ": 'users' are not supported yet by this version");
    }
    Object clients = doc.get("clients");
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
      validateRedirectUri(f, uri);
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
    return new Client(clientId, secret == null ? null : SecretHasher.hash(secret), grants, scopes, defaults, methods, redirects, ttl);
  }

  // RFC 6749 §3.1.2: absolute URI without a fragment; RFC 9700 §4.1: https except loopback
  private static void validateRedirectUri(Field f, String uri) {
    URI parsed;
    try {
      parsed = new URI(uri);
    } catch (URISyntaxException e) {
      throw f.error("redirect_uris", "'" + uri + "' is not a URI");
    }
    String scheme = parsed.getScheme() == null ? "" : parsed.getScheme().toLowerCase(Locale.ROOT);
    if (!parsed.isAbsolute() || parsed.getRawFragment() != null) {
      throw f.error("redirect_uris", "'" + uri + "' must be absolute and have no fragment");
    }
    if (scheme.equals("javascript") || scheme.equals("data") || scheme.equals("vbscript") || scheme.equals("file")) {
      throw f.error("redirect_uris", "'" + uri + "' uses a forbidden scheme");
    }
    if (scheme.equals("http")) {
      String host = parsed.getHost();
      if (!("127.0.0.1".equals(host) || "[::1]".equals(host) || "localhost".equals(host))) {
        throw f.error("redirect_uris", "'" + uri + "' must use https (http only for loopback)");
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
