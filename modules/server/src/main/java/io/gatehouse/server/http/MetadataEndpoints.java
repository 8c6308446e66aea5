package io.gatehouse.server.http;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Authorization server metadata (RFC 8414 §2, served also at the OpenID Connect Discovery location)
 * and the JWK set. Only what is implemented is advertised.
 */
public final class MetadataEndpoints {
  private final String metadata;
  private volatile String jwks;

  /** The scopes every deployment supports: OpenID Connect's (OIDC Core §5.4, §11). */
  static final List<String> OPENID_SCOPES = List.of("openid", "profile", "email", "address", "phone", "offline_access");

  /**
   * @param idTokenAlgorithms every algorithm ID tokens are signed with, the default first: a client
   *     registers one of them ({@code id_token_signed_response_alg}); resource-server libraries such as
   *     Auth0's express-oauth2-jwt-bearer trust only the algorithms listed here, for access tokens too
   * @param apiScopes the API scopes to list in {@code scopes_supported} besides {@link #OPENID_SCOPES}
   *     ({@code authorize.advertised_scopes}; RFC 8414 §2 lets a server leave some out)
   */
  public MetadataEndpoints(String issuer, Set<String> grantTypes, JsonObject publicJwks, List<String> idTokenAlgorithms,
      List<String> apiScopes) {
    Set<String> scopes = new LinkedHashSet<>(OPENID_SCOPES);
    scopes.addAll(apiScopes);
    JsonObject doc = new JsonObject()
        .put("issuer", issuer)
        .put("authorization_endpoint", issuer + "/authorize")
        .put("token_endpoint", issuer + "/token")
        .put("userinfo_endpoint", issuer + "/userinfo")
        // RFC 8414 §2 / RFC 7662
        .put("introspection_endpoint", issuer + "/introspect")
        .put("introspection_endpoint_auth_methods_supported", new JsonArray().add("client_secret_basic").add("client_secret_post"))
        // RFC 7009 / RFC 8414 §2
        .put("revocation_endpoint", issuer + "/revoke")
        .put("revocation_endpoint_auth_methods_supported", new JsonArray().add("client_secret_basic").add("client_secret_post").add("none"))
        // OIDC RP-Initiated Logout 1.0 §2.1
        .put("end_session_endpoint", issuer + "/logout")
        .put("jwks_uri", issuer + "/jwks")
        .put("scopes_supported", new JsonArray(List.copyOf(scopes)))
        .put("response_types_supported", new JsonArray().add("code"))
        .put("response_modes_supported", new JsonArray().add("query"))
        .put("grant_types_supported", new JsonArray(new TreeSet<>(grantTypes).stream().toList()))
        .put("token_endpoint_auth_methods_supported", new JsonArray().add("client_secret_basic").add("client_secret_post").add("none"))
        // RFC 9700 §2.1.1: S256 only
        .put("code_challenge_methods_supported", new JsonArray().add("S256"))
        // RFC 9207 §3: iss is in every authorization response
        .put("authorization_response_iss_parameter_supported", true)
        // OIDC Discovery §3
        .put("subject_types_supported", new JsonArray().add("public"))
        // OIDC Discovery §3: every algorithm an ID token may be signed with (OIDC Registration §2 per client)
        .put("id_token_signing_alg_values_supported", new JsonArray(List.copyOf(idTokenAlgorithms)))
        .put("claims_supported", new JsonArray().add("sub").add("iss").add("aud").add("exp").add("iat").add("auth_time")
            .add("nonce").add("at_hash").add("name").add("family_name").add("given_name").add("middle_name").add("nickname")
            .add("preferred_username").add("profile").add("picture").add("website").add("gender").add("birthdate")
            .add("zoneinfo").add("locale").add("updated_at").add("email").add("email_verified").add("address")
            .add("phone_number").add("phone_number_verified"))
        .put("prompt_values_supported", new JsonArray().add("none").add("login").add("consent").add("select_account"))
        .put("claims_parameter_supported", false)
        .put("request_parameter_supported", false)
        .put("request_uri_parameter_supported", false);
    this.metadata = doc.encodePrettily();
    this.jwks = publicJwks.encode();
  }

  public void metadata(RoutingContext ctx) {
    ctx.response()
        .putHeader("Content-Type", Responses.JSON)
        .putHeader("Cache-Control", "public, max-age=3600")
        .putHeader("Access-Control-Allow-Origin", "*")
        .end(metadata);
  }

  /** Publishes {@code publicJwks} from now on (key rotation). */
  public void updateJwks(io.vertx.core.json.JsonObject publicJwks) {
    this.jwks = publicJwks.encode();
  }

  /**
   * The JWK set. {@code max-age=300}: a resource server may use its copy for 5 minutes, which is why a
   * new key is published {@code keys.publish_lead} (10 minutes by default) before it signs anything, and
   * an old one stays published until every token it signed has expired.
   */
  public void jwks(RoutingContext ctx) {
    ctx.response()
        .putHeader("Content-Type", "application/jwk-set+json")
        // short enough that resource servers pick up a newly published key well before it signs
        .putHeader("Cache-Control", "public, max-age=300")
        .putHeader("Access-Control-Allow-Origin", "*")
        .end(jwks);
  }
}
