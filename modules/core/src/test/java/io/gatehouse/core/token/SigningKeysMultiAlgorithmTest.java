package io.gatehouse.core.token;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.SignedJWT;
import io.gatehouse.core.model.Scopes;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A key set with a primary algorithm (access tokens) and extra ones (e.g. RS256 for ID tokens). */
class SigningKeysMultiAlgorithmTest {
  @TempDir Path tmp;

  private static List<String> kids(JsonObject jwks) {
    JsonArray keys = jwks.getJsonArray("keys");
    return keys.stream().map(k -> ((JsonObject) k).getString("kid")).toList();
  }

  private static List<String> ktys(JsonObject jwks) {
    return jwks.getJsonArray("keys").stream().map(k -> ((JsonObject) k).getString("kty")).toList();
  }

  @Test
  void loadOrGenerateWithAnExtraAlgorithmCreatesBothKeysWithThePrimaryInFront() throws Exception {
    Path file = tmp.resolve("data").resolve("signing-keys.json");
    SigningKeys keys = SigningKeys.loadOrGenerate(file, SigningAlgorithm.ES256, SigningAlgorithm.RS256);

    assertThat(keys.signer().algorithm()).isEqualTo(SigningAlgorithm.ES256);
    assertThat(keys.signer(SigningAlgorithm.ES256)).isSameAs(keys.signer());
    assertThat(keys.signer(SigningAlgorithm.RS256).algorithm()).isEqualTo(SigningAlgorithm.RS256);
    assertThat(keys.signer(SigningAlgorithm.RS256).kid()).isNotEqualTo(keys.signer().kid());

    assertThat(kids(keys.publicJwks())).containsExactly(keys.signer().kid(), keys.signer(SigningAlgorithm.RS256).kid());
    assertThat(ktys(keys.publicJwks())).containsExactly("EC", "RSA");
    JWKSet stored = JWKSet.load(file.toFile());
    assertThat(stored.getKeys()).extracting(JWK::getKeyID)
        .containsExactly(keys.signer().kid(), keys.signer(SigningAlgorithm.RS256).kid());
    assertThat(stored.getKeys()).allMatch(JWK::isPrivate);
    assertThat(Files.getPosixFilePermissions(file)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
  }

  @Test
  void loadOrGenerateWhenLoadedAgainThenTheSameKeysAndTheFileUnchanged() throws Exception {
    Path file = tmp.resolve("signing-keys.json");
    SigningKeys first = SigningKeys.loadOrGenerate(file, SigningAlgorithm.ES256, SigningAlgorithm.RS256);
    byte[] before = Files.readAllBytes(file);

    SigningKeys again = SigningKeys.loadOrGenerate(file, SigningAlgorithm.ES256, SigningAlgorithm.RS256);
    assertThat(again.signer().kid()).isEqualTo(first.signer().kid());
    assertThat(again.signer(SigningAlgorithm.RS256).kid()).isEqualTo(first.signer(SigningAlgorithm.RS256).kid());
    assertThat(kids(again.publicJwks())).isEqualTo(kids(first.publicJwks()));
    assertThat(Files.readAllBytes(file)).isEqualTo(before);
  }

  @Test
  void loadOrGenerateWhenAnExistingSingleKeyFileGainsAnExtraAlgorithmThenThePrimaryKeyIsKeptAndStaysInFront() throws Exception {
    // an upgrade: the file was written for ES256 alone, now ID tokens need RS256 too
    Path file = tmp.resolve("signing-keys.json");
    String es256Kid = SigningKeys.loadOrGenerate(file, SigningAlgorithm.ES256).signer().kid();

    SigningKeys upgraded = SigningKeys.loadOrGenerate(file, SigningAlgorithm.ES256, SigningAlgorithm.RS256);
    assertThat(upgraded.signer().kid()).isEqualTo(es256Kid);
    String rs256Kid = upgraded.signer(SigningAlgorithm.RS256).kid();
    assertThat(kids(upgraded.publicJwks())).containsExactly(es256Kid, rs256Kid);
    assertThat(JWKSet.load(file.toFile()).getKeys()).extracting(JWK::getKeyID).containsExactly(es256Kid, rs256Kid);
  }

  @Test
  void loadOrGenerateWhenLaterAskedForThePrimaryOnlyThenTheExtraKeyStaysPublished() throws Exception {
    Path file = tmp.resolve("signing-keys.json");
    SigningKeys both = SigningKeys.loadOrGenerate(file, SigningAlgorithm.ES256, SigningAlgorithm.RS256);
    byte[] before = Files.readAllBytes(file);

    SigningKeys primaryOnly = SigningKeys.loadOrGenerate(file, SigningAlgorithm.ES256);
    assertThat(kids(primaryOnly.publicJwks())).isEqualTo(kids(both.publicJwks()));
    assertThatThrownBy(() -> primaryOnly.signer(SigningAlgorithm.RS256)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("no RS256 signing key loaded");
    assertThat(Files.readAllBytes(file)).isEqualTo(before);
  }

  @Test
  void loadOrGenerateWithThreeAlgorithmsCreatesOneKeyEachWithThePrimaryFirst() throws Exception {
    Path file = tmp.resolve("signing-keys.json");
    SigningKeys keys = SigningKeys.loadOrGenerate(file, SigningAlgorithm.EdDSA, SigningAlgorithm.RS256, SigningAlgorithm.ES256);
    assertThat(keys.signer().algorithm()).isEqualTo(SigningAlgorithm.EdDSA);
    assertThat(ktys(keys.publicJwks())).hasSize(3).first().isEqualTo("OKP");
    for (SigningAlgorithm alg : SigningAlgorithm.values()) {
      assertThat(keys.signer(alg).algorithm()).isEqualTo(alg);
    }
  }

  @Test
  void signerWhenTheAlgorithmWasNotLoadedThenIllegalArgument() {
    SigningKeys keys = SigningKeys.fromJwkSet(new JWKSet(SigningKeys.generate(SigningAlgorithm.ES256)), SigningAlgorithm.ES256);
    assertThat(keys.signer(SigningAlgorithm.ES256)).isSameAs(keys.signer());
    assertThatThrownBy(() -> keys.signer(SigningAlgorithm.EdDSA)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("no EdDSA signing key loaded");
  }

  @Test
  void loadWhenTheFileLacksTheExtraAlgorithmThenFailsNamingItAndLeavesTheFileAlone() throws Exception {
    Path file = tmp.resolve("operator.json");
    Files.writeString(file, new JWKSet(SigningKeys.generate(SigningAlgorithm.ES256)).toString(false));
    byte[] before = Files.readAllBytes(file);
    assertThatThrownBy(() -> SigningKeys.load(file, SigningAlgorithm.ES256, SigningAlgorithm.RS256))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("the JWK set has no private RS256 signing key");
    assertThat(Files.readAllBytes(file)).isEqualTo(before);
  }

  @Test
  void loadWhenTheExtraKeyIsPublicOnlyThenFails() throws Exception {
    Path file = tmp.resolve("operator.json");
    Files.writeString(file, new JWKSet(List.of(SigningKeys.generate(SigningAlgorithm.ES256),
        SigningKeys.generate(SigningAlgorithm.EdDSA).toPublicJWK())).toString(false));
    assertThatThrownBy(() -> SigningKeys.load(file, SigningAlgorithm.ES256, SigningAlgorithm.EdDSA))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("EdDSA");
  }

  @Test
  void loadWhenTheFileHasBothThenBothSignersAndEveryKeyPublished() throws Exception {
    Path file = tmp.resolve("operator.json");
    JWK es = SigningKeys.generate(SigningAlgorithm.ES256);
    JWK ed = SigningKeys.generate(SigningAlgorithm.EdDSA);
    JWK retired = SigningKeys.generate(SigningAlgorithm.ES256).toPublicJWK();
    Files.writeString(file, new JWKSet(List.of(ed, es, retired)).toString(false));
    SigningKeys keys = SigningKeys.load(file, SigningAlgorithm.ES256, SigningAlgorithm.EdDSA);
    assertThat(keys.signer().kid()).isEqualTo(es.getKeyID());
    assertThat(keys.signer(SigningAlgorithm.EdDSA).kid()).isEqualTo(ed.getKeyID());
    assertThat(kids(keys.publicJwks())).containsExactly(ed.getKeyID(), es.getKeyID(), retired.getKeyID());
  }

  @Test
  void fromJwkSetWhenTheExtraRepeatsThePrimaryThenOneSigner() {
    JWK es = SigningKeys.generate(SigningAlgorithm.ES256);
    SigningKeys keys = SigningKeys.fromJwkSet(new JWKSet(es), SigningAlgorithm.ES256, SigningAlgorithm.ES256);
    assertThat(keys.signer(SigningAlgorithm.ES256)).isSameAs(keys.signer());
  }

  @Test
  void tokensOfEachSignerVerifyWithTheOnePublishedSet() throws Exception {
    Path file = tmp.resolve("signing-keys.json");
    SigningKeys keys = SigningKeys.loadOrGenerate(file, SigningAlgorithm.ES256, SigningAlgorithm.RS256);
    Clock clock = Clock.systemUTC();

    String accessToken = new AccessTokenIssuer("https://issuer.example", "aud", keys.signer(), clock)
        .issue("alice", "web", Scopes.parse("openid"), Duration.ofMinutes(5)).jwt();
    assertThat(new AccessTokenVerifier("https://issuer.example", keys.publicJwks(), clock).verify(accessToken)).isPresent();

    String idToken = new IdTokenIssuer("https://issuer.example", keys.signer(SigningAlgorithm.RS256), clock, Duration.ofMinutes(5))
        .issue("alice", "web", 0, null, accessToken);
    RSAKey rsa = (RSAKey) JWKSet.parse(keys.publicJwks().encode()).getKeyByKeyId(keys.signer(SigningAlgorithm.RS256).kid());
    assertThat(SignedJWT.parse(idToken).verify(new RSASSAVerifier(rsa))).isTrue();
  }
}
