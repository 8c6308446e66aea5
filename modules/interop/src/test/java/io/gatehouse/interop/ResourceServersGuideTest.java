package io.gatehouse.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * docs/resource-servers.md shows what the tests run: each line that makes a recipe refuse what it must (the type,
 * algorithm, audience and scope checks) is in the guide and in the file the recipe's test runs, word for word.
 */
class ResourceServersGuideTest {
  static final Path MODULE = Path.of(System.getProperty("interop.module.dir", "."));

  static final Map<String, List<String>> LOAD_BEARING = Map.of(
      "src/test/java/io/gatehouse/interop/VertxRecipeTest.java", List.of(
          "router.get(\"/orders\").handler(auth.requireScopes(\"orders:read\"))"),
      "src/test/node/express-oauth2-jwt-bearer.js", List.of(
          "tokenSigningAlg: 'ES256',",
          "strict: true,",
          "app.get('/orders', requiredScopes('orders:read'), (req, res) => {"),
      "src/test/node/jose.mjs", List.of(
          "const keys = createRemoteJWKSet(new URL(metadata.jwks_uri));",
          "typ: 'at+jwt',",
          "algorithms: ['ES256'],"),
      "src/test/java/io/gatehouse/interop/SpringRecipe.java", List.of(
          ".validateType(false)",
          "decoder.setJwtValidator(JwtValidators.createAtJwtValidator()",
          ".validators(rules -> rules.put(\"client_id\", new JwtClaimValidator<String>(\"client_id\", Objects::nonNull)))",
          ".requestMatchers(\"/orders\").hasAuthority(\"SCOPE_orders:read\")",
          ".oauth2ResourceServer(resourceServer -> resourceServer.jwt(Customizer.withDefaults()))"),
      "src/test/java/io/gatehouse/interop/NimbusRecipe.java", List.of(
          "processor.setJWSTypeVerifier(new DefaultJOSEObjectTypeVerifier<>(new JOSEObjectType(\"at+jwt\"), new JOSEObjectType(\"application/at+jwt\")));",
          "processor.setJWSKeySelector(new JWSVerificationKeySelector<>(JWSAlgorithm.ES256, keys));",
          "if (granted == null || !granted.containsAll("));

  @Test
  void guideWhenReadThenHoldsTheLoadBearingLinesOfEveryRecipeItsTestRuns() throws Exception {
    String guide = Files.readString(MODULE.resolve("../../docs/resource-servers.md"));
    LOAD_BEARING.forEach((file, lines) -> {
      String source;
      try {
        source = Files.readString(MODULE.resolve(file));
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
      for (String line : lines) {
        assertThat(source).as(file).contains(line);
        assertThat(guide).as("docs/resource-servers.md, from " + file).contains(line);
      }
    });
  }
}
