package io.gatehouse.core.token;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.SignedJWT;
import io.gatehouse.core.model.Scopes;
import io.gatehouse.core.testing.Jwts;
import io.gatehouse.jose.Ed25519;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.PublicKey;
import java.security.Signature;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class SigningKeysTest {
  private static final List<String> PRIVATE_MEMBERS = List.of("d", "p", "q", "dp", "dq", "qi", "oth");

  @TempDir Path tmp;

  private static String issue(SigningKeys keys) {
    AccessTokenIssuer issuer = new AccessTokenIssuer("https://issuer.example", "aud", keys.signer(), Clock.systemUTC());
    return issuer.issue("sub", "client", Scopes.parse("read"), Duration.ofMinutes(5)).jwt();
  }

  /** Verifies with the JDK alone, from the public JWK. */
  private static boolean jdkVerify(JWK publicJwk, SigningAlgorithm algorithm, byte[] signingInput, byte[] joseSignature)
      throws Exception {
    PublicKey key = switch (algorithm) {
      case ES256 -> ((ECKey) publicJwk).toPublicKey();
      case RS256 -> ((RSAKey) publicJwk).toPublicKey();
      case EdDSA -> Ed25519.publicKey(((OctetKeyPair) publicJwk).getDecodedX());
    };
    // the JOSE signature as it is: ES256's jcaName is the P1363 (R || S) form, RFC 7518 §3.4
    Signature verifier = Signature.getInstance(algorithm.jcaName());
    verifier.initVerify(key);
    verifier.update(signingInput);
    return verifier.verify(joseSignature);
  }

  private static JWK publishedKey(SigningKeys keys, String kid) throws Exception {
    JWK jwk = JWKSet.parse(keys.publicJwks().encode()).getKeyByKeyId(kid);
    assertThat(jwk).as("published key %s", kid).isNotNull();
    assertThat(jwk.isPrivate()).isFalse();
    return jwk;
  }

  @ParameterizedTest
  @EnumSource(SigningAlgorithm.class)
  void generatedKeySignsTokensThatVerifyWithThePublishedPublicKey(SigningAlgorithm algorithm) throws Exception {
    JWK jwk = SigningKeys.generate(algorithm);
    assertThat(jwk.isPrivate()).isTrue();
    assertThat(jwk.getKeyID()).isNotBlank().isEqualTo(jwk.computeThumbprint().toString());
    SigningKeys keys = SigningKeys.fromJwkSet(new JWKSet(jwk), algorithm);
    assertThat(keys.signer().algorithm()).isEqualTo(algorithm);
    assertThat(keys.signer().kid()).isEqualTo(jwk.getKeyID());

    String jwt = issue(keys);
    JsonObject header = Jwts.header(jwt);
    assertThat(header.getString("alg")).isEqualTo(algorithm.name());
    assertThat(header.getString("kid")).isEqualTo(jwk.getKeyID());

    JWK published = publishedKey(keys, jwk.getKeyID());
    byte[] input = Jwts.signingInput(jwt);
    byte[] signature = Jwts.signature(jwt);
    assertThat(signature).hasSize(switch (algorithm) {
      case ES256 -> 64; // JOSE R || S, not DER
      case RS256 -> 256;
      case EdDSA -> 64;
    });
    assertThat(jdkVerify(published, algorithm, input, signature)).as("JDK verification").isTrue();

    // a token whose payload was changed must not verify
    byte[] tampered = (new String(input, StandardCharsets.US_ASCII) + "A").getBytes(StandardCharsets.US_ASCII);
    assertThat(jdkVerify(published, algorithm, tampered, signature)).as("tampered input").isFalse();
  }

  @Test
  void es256TokenVerifiesWithNimbus() throws Exception {
    JWK jwk = SigningKeys.generate(SigningAlgorithm.ES256);
    SigningKeys keys = SigningKeys.fromJwkSet(new JWKSet(jwk), SigningAlgorithm.ES256);
    String jwt = issue(keys);
    assertThat(SignedJWT.parse(jwt).verify(new ECDSAVerifier((ECKey) publishedKey(keys, jwk.getKeyID())))).isTrue();
  }

  @Test
  void rs256TokenVerifiesWithNimbus() throws Exception {
    JWK jwk = SigningKeys.generate(SigningAlgorithm.RS256);
    SigningKeys keys = SigningKeys.fromJwkSet(new JWKSet(jwk), SigningAlgorithm.RS256);
    String jwt = issue(keys);
    assertThat(SignedJWT.parse(jwt).verify(new RSASSAVerifier((RSAKey) publishedKey(keys, jwk.getKeyID())))).isTrue();
  }

  @Test
  void es256SignatureFromOneKeyDoesNotVerifyWithAnother() throws Exception {
    SigningKeys keys = SigningKeys.fromJwkSet(new JWKSet(SigningKeys.generate(SigningAlgorithm.ES256)), SigningAlgorithm.ES256);
    JWK other = SigningKeys.generate(SigningAlgorithm.ES256).toPublicJWK();
    String jwt = issue(keys);
    assertThat(jdkVerify(other, SigningAlgorithm.ES256, Jwts.signingInput(jwt), Jwts.signature(jwt))).isFalse();
  }

  @Test
  void generatedEd25519KeyIsAnOkpOnEd25519() {
    OctetKeyPair okp = (OctetKeyPair) SigningKeys.generate(SigningAlgorithm.EdDSA);
    assertThat(okp.getCurve()).isEqualTo(Curve.Ed25519);
    assertThat(okp.getDecodedX()).hasSize(32);
    assertThat(okp.getDecodedD()).hasSize(32);
  }

  @ParameterizedTest
  @EnumSource(SigningAlgorithm.class)
  void publicJwksHasNoPrivateMembers(SigningAlgorithm algorithm) {
    JWK jwk = SigningKeys.generate(algorithm);
    SigningKeys keys = SigningKeys.fromJwkSet(new JWKSet(jwk), algorithm);
    JsonArray published = keys.publicJwks().getJsonArray("keys");
    assertThat(published).hasSize(1);
    JsonObject key = published.getJsonObject(0);
    assertThat(key.getString("kid")).isEqualTo(jwk.getKeyID());
    assertThat(key.getString("kty")).isNotBlank();
    for (String member : PRIVATE_MEMBERS) {
      assertThat(key.containsKey(member)).as("published member %s", member).isFalse();
    }
    assertThat(keys.publicJwks().encode()).doesNotContain("\"d\"");
  }

  @Test
  void publicJwksIsACopy() {
    SigningKeys keys = SigningKeys.fromJwkSet(new JWKSet(SigningKeys.generate(SigningAlgorithm.ES256)), SigningAlgorithm.ES256);
    keys.publicJwks().put("keys", new JsonArray());
    assertThat(keys.publicJwks().getJsonArray("keys")).hasSize(1);
  }

  @Test
  void loadOrGenerateWhenNoFileThenCreatesItReadableByOwnerOnly() throws Exception {
    Path file = tmp.resolve("data").resolve("signing-keys.json");
    SigningKeys keys = SigningKeys.loadOrGenerate(file, SigningAlgorithm.ES256);

    assertThat(file).exists();
    assertThat(Files.getPosixFilePermissions(file)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
    JWKSet stored = JWKSet.load(file.toFile());
    assertThat(stored.getKeys()).hasSize(1);
    assertThat(stored.getKeys().get(0).isPrivate()).as("the file keeps the private key").isTrue();
    assertThat(stored.getKeys().get(0).getKeyID()).isEqualTo(keys.signer().kid());
    try (var listing = Files.list(file.getParent())) {
      assertThat(listing).containsExactly(file); // no temporary file left behind
    }
  }

  @Test
  void loadOrGenerateWhenLoadedAgainThenSameKidAndFileUnchanged() throws Exception {
    Path file = tmp.resolve("signing-keys.json");
    String kid = SigningKeys.loadOrGenerate(file, SigningAlgorithm.ES256).signer().kid();
    byte[] before = Files.readAllBytes(file);

    SigningKeys again = SigningKeys.loadOrGenerate(file, SigningAlgorithm.ES256);
    assertThat(again.signer().kid()).isEqualTo(kid);
    assertThat(Files.readAllBytes(file)).isEqualTo(before);
    assertThat(again.publicJwks().getJsonArray("keys")).hasSize(1);
  }

  @Test
  void loadOrGenerateWhenAlgorithmSwitchedThenNewKeyFirstAndOldPublicKeyStillPublished() throws Exception {
    Path file = tmp.resolve("signing-keys.json");
    String oldKid = SigningKeys.loadOrGenerate(file, SigningAlgorithm.ES256).signer().kid();

    SigningKeys switched = SigningKeys.loadOrGenerate(file, SigningAlgorithm.RS256);
    assertThat(switched.signer().algorithm()).isEqualTo(SigningAlgorithm.RS256);
    assertThat(switched.signer().kid()).isNotEqualTo(oldKid);

    JsonArray published = switched.publicJwks().getJsonArray("keys");
    assertThat(published).hasSize(2);
    assertThat(published.getJsonObject(0).getString("kid")).isEqualTo(switched.signer().kid());
    assertThat(published.getJsonObject(0).getString("kty")).isEqualTo("RSA");
    assertThat(published.getJsonObject(1).getString("kid")).isEqualTo(oldKid);
    assertThat(published.getJsonObject(1).getString("kty")).isEqualTo("EC");
    for (int i = 0; i < published.size(); i++) {
      for (String member : PRIVATE_MEMBERS) {
        assertThat(published.getJsonObject(i).containsKey(member)).isFalse();
      }
    }
    assertThat(JWKSet.load(file.toFile()).getKeys()).extracting(JWK::getKeyID)
        .containsExactly(switched.signer().kid(), oldKid);
    assertThat(Files.getPosixFilePermissions(file)).isEqualTo(PosixFilePermissions.fromString("rw-------"));

    // switching back reuses the old key rather than generating a third
    SigningKeys back = SigningKeys.loadOrGenerate(file, SigningAlgorithm.ES256);
    assertThat(back.signer().kid()).isEqualTo(oldKid);
    assertThat(back.publicJwks().getJsonArray("keys")).hasSize(2);
  }

  @Test
  void loadOrGenerateWhenFileIsNotAJwkSetThenIllegalArgument() throws Exception {
    Path file = tmp.resolve("signing-keys.json");
    Files.writeString(file, "not json");
    assertThatThrownBy(() -> SigningKeys.loadOrGenerate(file, SigningAlgorithm.ES256))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(Files.readString(file)).isEqualTo("not json");
  }

  @Test
  void loadWhenOperatorFileHasKeyThenUsesItWithoutWriting() throws Exception {
    Path file = tmp.resolve("operator.json");
    JWK jwk = SigningKeys.generate(SigningAlgorithm.EdDSA);
    Files.writeString(file, new JWKSet(jwk).toString(false));
    byte[] before = Files.readAllBytes(file);
    SigningKeys keys = SigningKeys.load(file, SigningAlgorithm.EdDSA);
    assertThat(keys.signer().kid()).isEqualTo(jwk.getKeyID());
    assertThat(Files.readAllBytes(file)).isEqualTo(before);
  }

  @Test
  void fromJwkSetWhenOnlyPublicKeyThenIllegalArgument() {
    JWK publicOnly = SigningKeys.generate(SigningAlgorithm.ES256).toPublicJWK();
    assertThatThrownBy(() -> SigningKeys.fromJwkSet(new JWKSet(publicOnly), SigningAlgorithm.ES256))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("ES256");
  }

  @Test
  void fromJwkSetWhenNoKeyForTheAlgorithmThenIllegalArgument() {
    JWKSet set = new JWKSet(List.of(SigningKeys.generate(SigningAlgorithm.ES256), SigningKeys.generate(SigningAlgorithm.EdDSA)));
    assertThatThrownBy(() -> SigningKeys.fromJwkSet(set, SigningAlgorithm.RS256))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> SigningKeys.fromJwkSet(new JWKSet(), SigningAlgorithm.ES256))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void fromJwkSetWhenKeyHasNoKidThenIllegalArgument() throws Exception {
    ECKey noKid = new ECKeyGenerator(Curve.P_256).generate();
    assertThat(noKid.getKeyID()).isNull();
    assertThatThrownBy(() -> SigningKeys.fromJwkSet(new JWKSet(noKid), SigningAlgorithm.ES256))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("kid");
  }

  @Test
  void loadOrGenerateWhenFileKeyHasNoKidThenRefusedAndFileUntouched() throws Exception {
    Path file = tmp.resolve("signing-keys.json");
    Files.writeString(file, new JWKSet(new ECKeyGenerator(Curve.P_256).generate()).toString(false));
    byte[] before = Files.readAllBytes(file);
    assertThatThrownBy(() -> SigningKeys.loadOrGenerate(file, SigningAlgorithm.ES256))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("kid");
    assertThat(Files.readAllBytes(file)).isEqualTo(before);
  }

  @Test
  void fromJwkSetPicksTheFirstPrivateKeyThatFits() {
    JWK first = SigningKeys.generate(SigningAlgorithm.ES256);
    JWK second = SigningKeys.generate(SigningAlgorithm.ES256);
    JWK rsa = SigningKeys.generate(SigningAlgorithm.RS256);
    SigningKeys keys = SigningKeys.fromJwkSet(new JWKSet(List.of(rsa, first.toPublicJWK(), second, first)), SigningAlgorithm.ES256);
    assertThat(keys.signer().kid()).isEqualTo(second.getKeyID());
    assertThat(keys.publicJwks().getJsonArray("keys")).hasSize(4);
  }
}
