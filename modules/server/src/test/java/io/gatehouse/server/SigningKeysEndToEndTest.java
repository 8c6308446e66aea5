package io.gatehouse.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.jwk.JWKSet;
import io.gatehouse.core.token.SigningAlgorithm;
import io.gatehouse.core.token.SigningKeys;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Every signing algorithm, an operator-provided key file, and keys that survive a restart. */
class SigningKeysEndToEndTest {
  @TempDir Path dir;

  static String token(TestServer server) throws Exception {
    HttpResponse<String> r = server.form("grant_type=client_credentials&scope=read%3Ausers", "Authorization", TokenEndpointTest.BILLING);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return new JsonObject(r.body()).getString("access_token");
  }

  @ParameterizedTest
  @EnumSource(SigningAlgorithm.class)
  void tokenWhenAlgorithmConfiguredThenSignedWithItAndVerifiable(SigningAlgorithm algorithm) throws Exception {
    try (TestServer server = TestServer.start(Map.of("GATEHOUSE_KEYS_ALGORITHM", algorithm.name()))) {
      String jwt = token(server);
      assertThat(TokenEndpointTest.header(jwt).getString("alg")).isEqualTo(algorithm.name());
      assertThat(server.verify(jwt).getSubject()).isEqualTo("billing-service");
    }
  }

  @Test
  void tokenWhenJwksFileConfiguredThenSignsWithItsKeyAndPublishesAllOfThem() throws Exception {
    var signing = SigningKeys.generate(SigningAlgorithm.RS256);
    var older = SigningKeys.generate(SigningAlgorithm.ES256);
    Path file = dir.resolve("keys.json");
    Files.writeString(file, new JWKSet(java.util.List.of(older, signing)).toString(false));
    try (TestServer server = TestServer.start(Map.of("GATEHOUSE_KEYS_JWKS_FILE", file.toString(), "GATEHOUSE_KEYS_ALGORITHM", "RS256"))) {
      String jwt = token(server);
      assertThat(TokenEndpointTest.header(jwt).getString("kid")).isEqualTo(signing.getKeyID());
      server.verify(jwt);
      var keys = new JsonObject(server.get("/jwks").body()).getJsonArray("keys");
      assertThat(keys).hasSize(2);
      assertThat(keys.encode()).doesNotContain("\"d\"").doesNotContain("\"p\"").doesNotContain("\"dp\"");
    }
  }

  @Test
  void restartWithSameDataDirThenEarlierTokensStillVerify() throws Exception {
    Map<String, String> env = Map.of("GATEHOUSE_KEYS_DATA_DIR", dir.resolve("data").toString());
    String jwt;
    try (TestServer first = TestServer.start(env)) {
      jwt = token(first);
    }
    try (TestServer second = TestServer.start(env)) {
      // the issuer differs with the port, so check the signature and kid against the new server's JWKS
      var jwks = new JsonObject(second.get("/jwks").body()).getJsonArray("keys");
      assertThat(jwks.getJsonObject(0).getString("kid")).isEqualTo(TokenEndpointTest.header(jwt).getString("kid"));
      var jws = new org.jose4j.jws.JsonWebSignature();
      jws.setCompactSerialization(jwt);
      jws.setKey(org.jose4j.jwk.JsonWebKey.Factory.newJwk(jwks.getJsonObject(0).encode()).getKey());
      assertThat(jws.verifySignature()).isTrue();
    }
  }
}
