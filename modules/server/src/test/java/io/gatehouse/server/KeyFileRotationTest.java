package io.gatehouse.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import io.gatehouse.core.token.SigningAlgorithm;
import io.gatehouse.core.token.SigningKeys;
import io.gatehouse.testing.Await;
import io.gatehouse.testing.MutableClock;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Rotation with an operator's key file (a mounted secret): the server never writes it; a key added with a
 * future {@code nbf} is published on the next reload and signs from its {@code nbf}; on-demand rotation is refused.
 */
class KeyFileRotationTest {

  static String kid(String jwt) {
    return new JsonObject(new String(java.util.Base64.getUrlDecoder().decode(jwt.split("\\.")[0]))).getString("kid");
  }

  /** An access token the server issues now (client credentials). */
  static String token(TestServer server) throws Exception {
    return new JsonObject(server.form("grant_type=client_credentials&scope=read%3Ausers", "Authorization",
        TokenEndpointTest.BILLING).body()).getString("access_token");
  }

  @Test
  void aKeyAddedToTheFileWithAFutureNbfIsPublishedFirstThenSignsAndTheServerNeverWritesTheFile() throws Exception {
    Path file = Files.createTempDirectory("gatehouse-keyfile").resolve("jwks.json");
    JWK first = SigningKeys.generate(SigningAlgorithm.ES256);
    Files.writeString(file, new JWKSet(List.of(first, SigningKeys.generate(SigningAlgorithm.RS256))).toString(false));
    // the server's clock: the new key's nbf is passed by moving it, not by waiting; the reloads run on
    // their real timer, so what they change is awaited
    MutableClock clock = MutableClock.fromSystemTime();
    try (TestServer server = TestServer.start(Map.of("GATEHOUSE_KEYS_JWKS_FILE", file.toString(),
        "GATEHOUSE_KEYS_RELOAD_INTERVAL", "200ms", "GATEHOUSE_KEYS_PUBLISH_LEAD", "1s"), clock)) {
      String before = token(server);
      assertThat(kid(before)).isEqualTo(first.getKeyID());

      // the operator adds a key that signs 2 s from now (in front, as a new file version)
      ECKey next = new ECKey.Builder((ECKey) SigningKeys.generate(SigningAlgorithm.ES256))
          .notBeforeTime(new Date(clock.millis() + 2_000)).build();
      List<JWK> keys = new ArrayList<>(JWKSet.load(file.toFile()).getKeys());
      keys.add(0, next);
      Files.writeString(file, new JWKSet(keys).toString(false));
      String written = Files.readString(file);

      Await.until("the new key published on a reload", () -> server.get("/jwks").body().contains(next.getKeyID()));
      String during = token(server);
      assertThat(kid(during)).as("published, not signing yet").isEqualTo(first.getKeyID());

      clock.advance(Duration.ofSeconds(3));
      String after = Await.until("the new key signing on a reload past its nbf", () -> token(server),
          token -> kid(token).equals(next.getKeyID()));
      // every token verifies with the published keys (an independent library: jose4j, through jwks_uri)
      assertThat(server.verify(before).getJwtId()).isNotBlank();
      assertThat(server.verify(during).getJwtId()).isNotBlank();
      assertThat(server.verify(after).getJwtId()).isNotBlank();
      assertThat(Files.readString(file)).as("the server never writes an operator's file").isEqualTo(written);

      String admin = new JsonObject(server.form("grant_type=client_credentials&scope=gatehouse%3Aadmin", "Authorization",
          RevocationTest.ADMIN).body()).getString("access_token");
      HttpResponse<String> refused = server.post("/admin/keys/rotate", "application/json", "{}", "Authorization", "Bearer " + admin);
      assertThat(refused.statusCode()).isEqualTo(400);
      assertThat(new JsonObject(refused.body())).isEqualTo(new JsonObject().put("error", "invalid_request").put("error_description",
          "the keys come from keys.jwks_file, which this server never writes: rotate by adding a key with a future nbf to that file"));
    }
  }
}
