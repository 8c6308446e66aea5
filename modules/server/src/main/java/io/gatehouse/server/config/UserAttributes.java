package io.gatehouse.server.config;

import io.gatehouse.core.model.User;
import io.gatehouse.core.service.UserInfoService;
import io.gatehouse.core.user.PasswordHasher;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * A user as a seed file entry or the admin API's JSON body gives it, checked by the same rules
 * ({@link #read}), so that the seed and the API can never disagree about what a valid user is.
 *
 * <ul>
 *   <li>{@code username}: 1 to 256 characters without spaces or control characters.
 *   <li>{@code password}: at least 8 characters; hashed (Argon2id) by the caller, never kept.
 *       {@code password_hash} (the seed only): an Argon2id PHC string.
 *   <li>{@code subject}: 1 to 255 printable ASCII characters (OIDC Core §2).
 *   <li>{@code claims}: OIDC standard claims (OIDC Core §5.1) only, never {@code sub};
 *       {@code email_verified} and {@code phone_number_verified} booleans, {@code updated_at} a number,
 *       {@code address} an object of strings (§5.1.1), every other claim a string.
 * </ul>
 *
 * @param password the password as given (to be hashed at once), or null
 * @param passwordHash a PHC string as given (seed only), or null
 * @param subject the subject as given, or null
 */
public record UserAttributes(String username, String password, String passwordHash, String subject, JsonObject claims) {
  /** The fields of the admin API (the seed adds {@code password_hash}). */
  public static final Set<String> FIELDS = Set.of("username", "password", "subject", "claims");
  public static final int MIN_PASSWORD_LENGTH = 8;
  private static final Set<String> STANDARD_CLAIMS = standardClaims();
  private static final Set<String> BOOLEAN_CLAIMS = Set.of("email_verified", "phone_number_verified");
  private static final Set<String> ADDRESS_MEMBERS = Set.of("formatted", "street_address", "locality", "region", "postal_code", "country");

  public UserAttributes {
    claims = claims == null ? new JsonObject() : claims.copy();
  }

  private static Set<String> standardClaims() {
    Set<String> all = new HashSet<>();
    UserInfoService.CLAIMS_BY_SCOPE.values().forEach(all::addAll);
    return Set.copyOf(all);
  }

  /**
   * Reads and checks a user; fields other than {@link #FIELDS} and {@code alsoAllowed} are refused.
   * Whether a password is required is the caller's rule.
   *
   * @throws FieldException naming the first field that breaks a rule (never quoting a password)
   */
  public static UserAttributes read(Fields f, Set<String> alsoAllowed) {
    Set<String> allowed = new HashSet<>(FIELDS);
    allowed.addAll(alsoAllowed);
    f.only(allowed);
    String username = f.string("username", true);
    if (username.length() > 256 || !username.chars().allMatch(ch -> ch > 0x20 && ch != 0x7F)) {
      throw FieldException.of("username", "must be 1 to 256 characters without spaces or control characters");
    }
    String password = f.string("password", false);
    if (password != null && password.length() < MIN_PASSWORD_LENGTH) {
      throw FieldException.of("password", "must be at least " + MIN_PASSWORD_LENGTH + " characters");
    }
    String passwordHash = alsoAllowed.contains("password_hash") ? f.string("password_hash", false) : null;
    if (passwordHash != null && !PasswordHasher.isHash(passwordHash)) {
      throw FieldException.of("password_hash", "must be an Argon2id PHC string ($argon2id$v=19$m=...,t=...,p=...$salt$hash)");
    }
    String subject = f.string("subject", false);
    if (subject != null && (subject.length() > 255 || !subject.chars().allMatch(ch -> ch >= 0x21 && ch <= 0x7E))) {
      // OIDC Core §2: sub is at most 255 ASCII characters
      throw FieldException.of("subject", "must be 1 to 255 printable ASCII characters");
    }
    return new UserAttributes(username, password, passwordHash, subject, claims(f.object("claims"), f.strict()));
  }

  private static JsonObject claims(Map<?, ?> given, boolean strict) {
    JsonObject claims = new JsonObject();
    if (given == null) {
      return claims;
    }
    for (Map.Entry<?, ?> e : given.entrySet()) {
      String key = String.valueOf(e.getKey());
      Object v = e.getValue();
      if (key.equals("sub")) {
        throw FieldException.member("claims", key, "must not be set (use the subject field)");
      }
      if (!STANDARD_CLAIMS.contains(key)) {
        throw FieldException.member("claims", key, "is not an OIDC standard claim (OIDC Core section 5.1)");
      }
      if (BOOLEAN_CLAIMS.contains(key)) {
        if (!(v instanceof Boolean)) {
          throw FieldException.member("claims", key, "must be true or false");
        }
        claims.put(key, v);
      } else if (key.equals("updated_at")) {
        if (!(v instanceof Integer || v instanceof Long) || ((Number) v).longValue() < 0) {
          throw FieldException.member("claims", key, "must be a number of seconds since the epoch");
        }
        claims.put(key, v);
      } else if (key.equals("address")) {
        claims.put(key, address(Fields.asMap(v), strict));
      } else {
        claims.put(key, text(key, v, strict));
      }
    }
    return claims;
  }

  private static JsonObject address(Map<?, ?> given, boolean strict) {
    if (given == null) {
      throw FieldException.member("claims", "address", "must be an object (OIDC Core section 5.1.1)");
    }
    JsonObject address = new JsonObject();
    for (Map.Entry<?, ?> e : given.entrySet()) {
      String key = String.valueOf(e.getKey());
      if (!ADDRESS_MEMBERS.contains(key)) {
        throw FieldException.member("claims", "address." + key, "is not an address member (OIDC Core section 5.1.1)");
      }
      address.put(key, text("address." + key, e.getValue(), strict));
    }
    return address;
  }

  // a string claim; YAML reads 31612345678 or en as it likes, so the seed takes any scalar's text
  private static String text(String key, Object v, boolean strict) {
    if (v instanceof String s) {
      return s;
    }
    if (!strict && (v instanceof Number || v instanceof Boolean)) {
      return String.valueOf(v);
    }
    throw FieldException.member("claims", key, "must be a string");
  }

  /** The seed's default subject: stable across restarts and nodes, and not the username itself. */
  public static String derivedSubject(String username) {
    return UUID.nameUUIDFromBytes(("gatehouse:user:" + username.toLowerCase(Locale.ROOT)).getBytes(StandardCharsets.UTF_8)).toString();
  }

  /** A user as JSON: {@code subject}, {@code username}, {@code claims}; never a password or its hash. */
  public static JsonObject toJson(User user) {
    return new JsonObject().put("subject", user.subject()).put("username", user.username()).put("claims", user.claims());
  }

  @Override
  public String toString() {
    // never print the password
    return "UserAttributes[" + username + "]";
  }
}
