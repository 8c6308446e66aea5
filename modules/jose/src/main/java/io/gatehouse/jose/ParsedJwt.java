package io.gatehouse.jose;

import com.nimbusds.jwt.SignedJWT;
import io.vertx.core.json.JsonObject;

/**
 * A token whose JOSE header passed {@link JwtVerifier#parse}: the key it names is still to be found (perhaps
 * by fetching the issuer's JWK set) before {@link JwtVerifier#verify(ParsedJwt, VerificationKey)}.
 */
public final class ParsedJwt {
  private final JsonObject header;
  private final JwsAlgorithm algorithm;
  private final String kid;
  private final SignedJWT jws;

  ParsedJwt(JsonObject header, JwsAlgorithm algorithm, String kid, SignedJWT jws) {
    this.header = header;
    this.algorithm = algorithm;
    this.kid = kid;
    this.jws = jws;
  }

  /** The JOSE header (a copy). */
  public JsonObject header() {
    return header.copy();
  }

  /** The header's {@code alg}, one the verifier allows. */
  public JwsAlgorithm algorithm() {
    return algorithm;
  }

  /** The header's {@code kid}, never null nor empty. */
  public String kid() {
    return kid;
  }

  SignedJWT jws() {
    return jws;
  }
}
