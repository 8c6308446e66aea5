package io.gatehouse.server.config;

import io.gatehouse.core.client.SecretHasher;
import io.gatehouse.core.model.Client;
import io.gatehouse.core.model.User;
import io.gatehouse.core.token.SigningAlgorithm;
import io.gatehouse.core.user.PasswordHasher;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Reads the seed file: clients to upsert into the configured registry at start. Secrets are hashed as
 * they are read and never kept. A malformed file is refused whole, with a message naming the entry and
 * field (and never the secret). The rules are those of the admin API ({@link ClientMetadata},
 * {@link UserAttributes}), so a seed entry and an API request can never disagree.
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
 *     id_token_signed_response_alg: ES256   # optional: RS256 (token.id_token_algorithm) by default
 * users:
 *   - username: alice
 *     password: "correct horse battery staple"   # or password_hash: a $argon2id$ PHC string
 *     subject: 248289761001                        # optional: default derived from the username
 *     claims: {name: Alice Example, email: alice@example.com, email_verified: true}
 * </pre>
 */
public final class SeedFile {
  private static final Set<String> TOP_LEVEL = Set.of("clients", "users");
  private static final List<SigningAlgorithm> ANY_ALGORITHM = List.of(SigningAlgorithm.values());

  private SeedFile() {}

  /** The seed: clients and users, secrets and passwords already hashed. */
  public record Seed(List<Client> clients, List<User> users) {}

  /** Reads a seed file; passwords are hashed with {@code hasher} (slow: call on a worker thread). */
  public static Seed read(Path file, PasswordHasher hasher) {
    return read(file, hasher, ANY_ALGORITHM);
  }

  /**
   * As {@link #read(Path, PasswordHasher)}, a client's {@code id_token_signed_response_alg} being one of
   * {@code idTokenAlgorithms} (those the server signs ID tokens with).
   */
  public static Seed read(Path file, PasswordHasher hasher, List<SigningAlgorithm> idTokenAlgorithms) {
    try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      return read(r, file.toString(), hasher, idTokenAlgorithms);
    } catch (IOException e) {
      throw new ConfigException("cannot read seed file " + file + ": " + e.getMessage());
    }
  }

  public static Seed read(String yaml, PasswordHasher hasher) {
    return read(new StringReader(yaml), "seed", hasher, ANY_ALGORITHM);
  }

  /** The clients of a seed file. */
  public static List<Client> load(Path file) {
    return read(file, new PasswordHasher()).clients();
  }

  /** The clients of a seed document. */
  public static List<Client> parse(String yaml) {
    return read(yaml, new PasswordHasher()).clients();
  }

  static Seed read(Reader reader, String source, PasswordHasher hasher, List<SigningAlgorithm> idTokenAlgorithms) {
    Map<String, Object> doc = ConfigLoader.parseYaml(reader, "seed file " + source);
    for (String key : doc.keySet()) {
      if (!TOP_LEVEL.contains(key)) {
        throw new ConfigException("seed file " + source + ": unknown top-level key '" + key + "'");
      }
    }
    return new Seed(clients(doc.get("clients"), source, idTokenAlgorithms), users(doc.get("users"), source, hasher));
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
    UserAttributes u;
    try {
      Fields f = new Fields(map, false);
      if (f.has("password") == f.has("password_hash")) {
        throw FieldException.of("password", "exactly one of password and password_hash is required");
      }
      u = UserAttributes.read(f, Set.of("password_hash"));
    } catch (FieldException e) {
      throw new ConfigException(e.describeIn(where));
    }
    String subject = u.subject() != null ? u.subject() : UserAttributes.derivedSubject(u.username());
    return new User(subject, u.username(), u.passwordHash() != null ? u.passwordHash() : hasher.hash(u.password()), u.claims());
  }

  private static List<Client> clients(Object clients, String source, List<SigningAlgorithm> idTokenAlgorithms) {
    if (clients == null) {
      return List.of();
    }
    if (!(clients instanceof List<?> list)) {
      throw new ConfigException("seed file " + source + ": 'clients' must be a list");
    }
    List<Client> result = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < list.size(); i++) {
      Client c = client(source, i, list.get(i), idTokenAlgorithms);
      if (!seen.add(c.clientId())) {
        throw new ConfigException("seed file " + source + ": clients[" + i + "] (" + c.clientId() + "): client_id is repeated");
      }
      result.add(c);
    }
    return result;
  }

  private static Client client(String source, int index, Object entry, List<SigningAlgorithm> idTokenAlgorithms) {
    String where = "seed file " + source + ": clients[" + index + "]";
    if (!(entry instanceof Map<?, ?> map)) {
      throw new ConfigException(where + ": must be a mapping");
    }
    Object idValue = map.get("client_id");
    if (idValue != null) {
      where += " (" + idValue + ")";
    }
    try {
      Fields f = new Fields(map, false);
      ClientMetadata metadata = ClientMetadata.read(f, null, Set.of("client_secret"), idTokenAlgorithms);
      // the admin API generates secrets; a seed names them
      String secret = f.string("client_secret", false);
      if (metadata.isPublic() && secret != null) {
        throw FieldException.of("client_secret", "must not be set: a public client (auth method none) has no secret");
      }
      if (!metadata.isPublic() && secret == null) {
        throw FieldException.of("client_secret", "is required for a confidential client");
      }
      if (secret != null && secret.length() < SecretHasher.MIN_SECRET_LENGTH) {
        throw FieldException.of("client_secret", "must be at least " + SecretHasher.MIN_SECRET_LENGTH + " characters of random secret");
      }
      return metadata.toClient(secret == null ? null : SecretHasher.hash(secret));
    } catch (FieldException e) {
      throw new ConfigException(e.describeIn(where));
    }
  }
}
