package io.gatehouse.interop;

/**
 * Recipe (c) of docs/resource-servers.md: panva's jose ({@code createRemoteJWKSet}, {@code jwtVerify} with
 * {@code typ: "at+jwt"}) in a small Express app, src/test/node/jose.mjs.
 */
class JoseRecipeTest extends NodeRecipeSpecification {
  @Override
  String script() {
    return "jose.mjs";
  }
}
