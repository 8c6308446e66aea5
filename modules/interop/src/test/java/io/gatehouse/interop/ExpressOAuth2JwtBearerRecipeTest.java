package io.gatehouse.interop;

/**
 * Recipe (b) of docs/resource-servers.md: Auth0's express-oauth2-jwt-bearer configured exactly as its README shows
 * ({@code auth({ issuerBaseURL, audience })}, {@code requiredScopes}), src/test/node/express-oauth2-jwt-bearer.js.
 */
class ExpressOAuth2JwtBearerRecipeTest extends NodeRecipeSpecification {
  @Override
  String script() {
    return "express-oauth2-jwt-bearer.js";
  }
}
