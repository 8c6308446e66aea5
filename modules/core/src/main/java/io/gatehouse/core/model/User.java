package io.gatehouse.core.model;

import io.vertx.core.json.JsonObject;
import java.util.Objects;

/**
 * A user who can sign in at Gatehouse (the resource owner).
 *
 * @param subject the stable, never reassigned identifier sent as {@code sub} (OIDC Core §2)
 * @param username what the user types at the login page; unique ignoring case
 * @param passwordHash the PHC string produced by {@link io.gatehouse.core.user.PasswordHasher}; never
 *     the password
 * @param claims OIDC standard claims (OIDC Core §5.1) such as {@code name}, {@code email},
 *     {@code email_verified}; never {@code sub}
 */
public record User(String subject, String username, String passwordHash, JsonObject claims) {
  public User {
    Objects.requireNonNull(subject, "subject");
    Objects.requireNonNull(username, "username");
    Objects.requireNonNull(passwordHash, "passwordHash");
    claims = claims == null ? new JsonObject() : claims.copy();
  }

  /** A copy of the claims; the record stays immutable. */
  @Override
  public JsonObject claims() {
    return claims.copy();
  }

  @Override
  public String toString() {
    // never print the password hash or personal data
    return "User[" + subject + "]";
  }
}
