package io.gatehouse.server.http;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.Set;
import java.util.TreeSet;

/**
 * Authorization server metadata (RFC 8414 §2, served also at the OpenID Connect Discovery location)
 * and the JWK set. Only what is implemented is advertised.
 */
public final class MetadataEndpoints {
  private final String metadata;
  private final String jwks;

  public MetadataEndpoints(String issuer, Set<String> grantTypes, JsonObject publicJwks) {
    JsonObject doc = new JsonObject()
        .put("issuer", issuer)
        .put("token_endpoint", issuer + "/token")
        .put("jwks_uri", issuer + "/jwks")
        .put("grant_types_supported", new JsonArray(new TreeSet<>(grantTypes).stream().toList()))
        .put("token_endpoint_auth_methods_supported", new JsonArray().add("client_secret_basic").add("client_secret_post"))
        // RFC 8414 §2 requires the member; empty because there is no authorization endpoint yet
        .put("response_types_supported", new JsonArray());
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

  public void jwks(RoutingContext ctx) {
    ctx.response()
        .putHeader("Content-Type", "application/jwk-set+json")
        // short enough that resource servers pick up a newly published key well before it signs
        .putHeader("Cache-Control", "public, max-age=300")
        .putHeader("Access-Control-Allow-Origin", "*")
        .end(jwks);
  }
}
