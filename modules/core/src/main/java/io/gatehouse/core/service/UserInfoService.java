package io.gatehouse.core.service;

import io.gatehouse.core.error.OAuthException;
import io.gatehouse.core.model.Scopes;
import io.gatehouse.core.model.User;
import io.gatehouse.core.store.UserStore;
import io.gatehouse.core.token.AccessTokenVerifier;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;

/**
 * OIDC Core §5.3: the UserInfo endpoint. The bearer access token must be valid and carry
 * {@code openid}; the answer is {@code sub} plus the standard claims of the scopes the token carries
 * (OIDC Core §5.4).
 */
public final class UserInfoService {
  /** OIDC Core §5.4: the claims each scope requests. */
  public static final Map<String, List<String>> CLAIMS_BY_SCOPE = Map.of(
      "profile", List.of("name", "family_name", "given_name", "middle_name", "nickname", "preferred_username", "profile",
          "picture", "website", "gender", "birthdate", "zoneinfo", "locale", "updated_at"),
      "email", List.of("email", "email_verified"),
      "address", List.of("address"),
      "phone", List.of("phone_number", "phone_number_verified"));

  private final AccessTokenVerifier verifier;
  private final UserStore users;

  private final io.gatehouse.core.revocation.DenySet denySet;

  private final String audience;

  /**
   * @param denySet revoked tokens are refused as invalid ({@code invalid_token})
   * @param audience the {@code aud} of the access tokens accepted here (ordinary API tokens; not admin ones)
   */
  public UserInfoService(AccessTokenVerifier verifier, UserStore users, io.gatehouse.core.revocation.DenySet denySet, String audience) {
    this.audience = audience;
    this.denySet = denySet;
    this.verifier = verifier;
    this.users = users;
  }

  /** The claims, and the client the access token was issued to (for CORS at the edge). */
  public record Answer(JsonObject claims, String clientId) {}

  public Future<JsonObject> userInfo(String bearerToken) {
    return answer(bearerToken).map(Answer::claims);
  }

  public Future<Answer> answer(String bearerToken) {
    try {
      return lookup(bearerToken);
    } catch (OAuthException e) {
      return Future.failedFuture(e);
    }
  }

  private Future<Answer> lookup(String bearerToken) {
    JsonObject claims = verifier.verify(bearerToken, audience)
        .orElseThrow(() -> OAuthException.invalidToken("the access token is invalid or expired"));
    if (denySet.denies(claims)) {
      throw OAuthException.invalidToken("the access token has been revoked");
    }
    Scopes scopes = Scopes.fromStored(claims.getString("scope", ""));
    // OIDC Core §5.3.1: the access token must have been granted openid
    if (!scopes.values().contains("openid")) {
      throw OAuthException.insufficientScope("the access token does not carry the openid scope");
    }
    // OIDC Core §5.3.2: the answer is about the token's sub; a token without a usable one is invalid
    if (!(claims.getValue("sub") instanceof String subject) || !io.gatehouse.core.model.Identifiers.isValid(subject)) {
      throw OAuthException.invalidToken("the access token has no subject");
    }
    return users.findBySubject(subject).map(found -> {
      User user = found.orElseThrow(() -> OAuthException.invalidToken("the access token's subject no longer exists"));
      return new Answer(filter(user, scopes), claims.getString("client_id"));
    });
  }

  static JsonObject filter(User user, Scopes scopes) {
    JsonObject stored = user.claims();
    JsonObject out = new JsonObject().put("sub", user.subject());
    for (String scope : scopes.values()) {
      for (String claim : CLAIMS_BY_SCOPE.getOrDefault(scope, List.of())) {
        if (stored.containsKey(claim)) {
          out.put(claim, stored.getValue(claim));
        }
      }
    }
    return out;
  }
}
