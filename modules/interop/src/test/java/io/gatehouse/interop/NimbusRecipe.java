package io.gatehouse.interop;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.DefaultJOSEObjectTypeVerifier;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.ConfigurableJWTProcessor;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import com.nimbusds.oauth2.sdk.ParseException;
import com.nimbusds.oauth2.sdk.Scope;
import com.nimbusds.oauth2.sdk.as.AuthorizationServerMetadata;
import com.nimbusds.oauth2.sdk.id.Issuer;
import com.nimbusds.oauth2.sdk.token.BearerAccessToken;
import com.nimbusds.oauth2.sdk.token.BearerTokenError;
import java.util.Set;

/**
 * Recipe (e) of docs/resource-servers.md: Nimbus in plain Java. oauth2-oidc-sdk discovers the key set (RFC 8414)
 * and writes the RFC 6750 challenges; nimbus-jose-jwt's {@code DefaultJWTProcessor} checks the RFC 9068 type, the
 * algorithm, the signature, {@code iss}, {@code aud} and {@code exp}. An API calls {@link #authorize} with a request's
 * {@code Authorization} header and answers its status and challenge when it is not 200.
 */
final class NimbusRecipe {
  /** The answer to one request: its status, and the {@code WWW-Authenticate} challenge of a refusal. */
  record Decision(int status, String challenge, JWTClaimsSet claims) {}

  private final ConfigurableJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();

  NimbusRecipe(String issuer, String audience) throws Exception {
    // discovery at <issuer>/.well-known/oauth-authorization-server; resolve() checks that its issuer is this one
    AuthorizationServerMetadata metadata = AuthorizationServerMetadata.resolve(new Issuer(issuer));
    JWKSource<SecurityContext> keys = JWKSourceBuilder.create(metadata.getJWKSetURI().toURL()).build();
    // RFC 9068 §4: typ "at+jwt" (an ID token is "JWT": refused)
    processor.setJWSTypeVerifier(new DefaultJOSEObjectTypeVerifier<>(new JOSEObjectType("at+jwt"), new JOSEObjectType("application/at+jwt")));
    processor.setJWSKeySelector(new JWSVerificationKeySelector<>(JWSAlgorithm.ES256, keys)); // Gatehouse's keys.algorithm
    processor.setJWTClaimsSetVerifier(new DefaultJWTClaimsVerifier<>(
        audience,                                          // Gatehouse's token.audience
        new JWTClaimsSet.Builder().issuer(issuer).build(), // exactly this iss
        Set.of("sub", "client_id", "iat", "exp", "jti")));  // RFC 9068 §2.2 (exp is checked, with 60 s of skew)
  }

  /** 200 with the token's claims when it is valid and grants {@code required}; else the refusal RFC 6750 §3 says. */
  Decision authorize(String authorizationHeader, Scope required) {
    JWTClaimsSet claims;
    try {
      BearerAccessToken token = BearerAccessToken.parse(authorizationHeader);
      claims = processor.process(token.getValue(), null);
    } catch (ParseException e) {
      // no token, or not "Bearer <token>": 401, or 400 for a malformed header
      BearerTokenError error = (BearerTokenError) e.getErrorObject();
      return new Decision(error.getHTTPStatusCode(), error.toWWWAuthenticateHeader(), null);
    } catch (Exception e) {
      return new Decision(401, BearerTokenError.INVALID_TOKEN.toWWWAuthenticateHeader(), null);
    }
    Scope granted;
    try {
      granted = Scope.parse(claims.getStringClaim("scope"));
    } catch (java.text.ParseException e) {
      return new Decision(401, BearerTokenError.INVALID_TOKEN.toWWWAuthenticateHeader(), null);
    }
    if (granted == null || !granted.containsAll(required)) {
      BearerTokenError insufficient = BearerTokenError.INSUFFICIENT_SCOPE.setScope(required);
      return new Decision(insufficient.getHTTPStatusCode(), insufficient.toWWWAuthenticateHeader(), null);
    }
    return new Decision(200, null, claims);
  }
}
