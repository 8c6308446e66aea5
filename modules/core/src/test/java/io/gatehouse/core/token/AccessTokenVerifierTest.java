package io.gatehouse.core.token;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import io.gatehouse.core.model.Scopes;
import io.gatehouse.core.testing.TestKeys;
import io.gatehouse.testing.MutableClock;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class AccessTokenVerifierTest {
  private static final String ISSUER = "https://issuer.example";
  private static final Instant NOW = Instant.parse("2025-03-04T05:06:07Z");
  private static final Duration TTL = Duration.ofMinutes(10);
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

  /** Per algorithm: a signer that is not trusted but claims the trusted key's kid. */
  private static final Map<SigningAlgorithm, JWK> IMPOSTOR_KEYS = new EnumMap<>(SigningAlgorithm.class);

  private MutableClock clock;

  @BeforeAll
  static void generateImpostorKeys() {
    for (SigningAlgorithm alg : SigningAlgorithm.values()) {
      IMPOSTOR_KEYS.put(alg, SigningKeys.generate(alg));
    }
  }

  @BeforeEach
  void setUp() {
    clock = new MutableClock(NOW);
  }

  private static SigningKeys trusted(SigningAlgorithm alg) {
    return TestKeys.single(alg);
  }

  private AccessTokenVerifier verifier(SigningAlgorithm alg) {
    return new AccessTokenVerifier(ISSUER, trusted(alg).publicJwks(), clock);
  }

  /** A signer of {@code alg} with a key nobody trusts, whose header names {@code kid}. */
  private static JwsSigner impostor(SigningAlgorithm alg, String kid) {
    try {
      Map<String, Object> json = IMPOSTOR_KEYS.get(alg).toJSONObject();
      json.put("kid", kid);
      return SigningKeys.fromJwkSet(new JWKSet(JWK.parse(json)), alg).signer();
    } catch (java.text.ParseException e) {
      throw new AssertionError(e);
    }
  }

  private JsonObject claims() {
    long now = clock.epochSecond();
    return new JsonObject().put("iss", ISSUER).put("sub", "alice").put("aud", "https://api.example").put("client_id", "web")
        .put("scope", "read").put("iat", now).put("exp", now + TTL.toSeconds()).put("jti", "id-1");
  }

  private static JsonObject header(JwsSigner signer) {
    return new JsonObject().put("alg", signer.algorithm().name()).put("typ", "at+jwt").put("kid", signer.kid());
  }

  private static String b64(JsonObject json) {
    return B64.encodeToString(json.encode().getBytes(StandardCharsets.UTF_8));
  }

  private static String jws(JwsSigner signer, JsonObject header, JsonObject claims) {
    String input = b64(header) + "." + b64(claims);
    return input + "." + B64.encodeToString(signer.sign(input.getBytes(StandardCharsets.US_ASCII)));
  }

  private String issue(SigningAlgorithm alg, String issuer) {
    return new AccessTokenIssuer(issuer, "https://api.example", trusted(alg).signer(), clock)
        .issue("alice", "web", Scopes.parse("openid read"), TTL).jwt();
  }

  @ParameterizedTest
  @EnumSource(SigningAlgorithm.class)
  void verifyWhenValidTokenOfThisIssuerThenItsClaims(SigningAlgorithm alg) {
    String token = issue(alg, ISSUER);
    JsonObject claims = verifier(alg).verify(token).orElseThrow(() -> new AssertionError("valid " + alg + " token refused"));
    assertThat(claims.getString("iss")).isEqualTo(ISSUER);
    assertThat(claims.getString("sub")).isEqualTo("alice");
    assertThat(claims.getString("client_id")).isEqualTo("web");
    assertThat(claims.getString("scope")).isEqualTo("openid read");
    assertThat(claims.getLong("exp")).isEqualTo(NOW.getEpochSecond() + TTL.toSeconds());
  }

  @ParameterizedTest
  @EnumSource(SigningAlgorithm.class)
  void verifyWhenHandBuiltTokenWithTheTrustedKeyThenAccepted(SigningAlgorithm alg) {
    // the builder the negative tests use makes valid tokens when nothing is wrong
    JwsSigner signer = trusted(alg).signer();
    assertThat(verifier(alg).verify(jws(signer, header(signer), claims()))).isPresent();
  }

  @ParameterizedTest
  @EnumSource(SigningAlgorithm.class)
  void verifyWhenPayloadChangedAfterSigningThenRefused(SigningAlgorithm alg) {
    String token = issue(alg, ISSUER);
    String[] parts = token.split("\\.");
    String forged = parts[0] + "." + b64(claims().put("sub", "admin")) + "." + parts[2];
    assertThat(verifier(alg).verify(forged)).isEmpty();
  }

  @ParameterizedTest
  @EnumSource(SigningAlgorithm.class)
  void verifyWhenSignatureAlteredOrMissingThenRefused(SigningAlgorithm alg) {
    String token = issue(alg, ISSUER);
    String input = token.substring(0, token.lastIndexOf('.'));
    byte[] signature = Base64.getUrlDecoder().decode(token.substring(token.lastIndexOf('.') + 1));
    signature[signature.length / 2] ^= 0x01;
    assertThat(verifier(alg).verify(input + "." + B64.encodeToString(signature))).isEmpty();
    assertThat(verifier(alg).verify(input + ".")).isEmpty();
    assertThat(verifier(alg).verify(input)).isEmpty();
  }

  @ParameterizedTest
  @EnumSource(SigningAlgorithm.class)
  void verifyWhenSignedByAnotherKeyClaimingTheTrustedKidThenRefused(SigningAlgorithm alg) {
    JwsSigner impostor = impostor(alg, trusted(alg).signer().kid());
    assertThat(verifier(alg).verify(jws(impostor, header(impostor), claims()))).isEmpty();
  }

  @ParameterizedTest
  @EnumSource(SigningAlgorithm.class)
  void verifyWhenKidUnknownOrAbsentThenRefused(SigningAlgorithm alg) {
    JwsSigner signer = trusted(alg).signer();
    assertThat(verifier(alg).verify(jws(signer, header(signer).put("kid", "some-other-kid"), claims()))).isEmpty();
    JsonObject noKid = header(signer);
    noKid.remove("kid");
    assertThat(verifier(alg).verify(jws(signer, noKid, claims()))).isEmpty();
  }

  @ParameterizedTest
  @EnumSource(SigningAlgorithm.class)
  void verifyWhenHeaderNamesAnotherAlgorithmThanTheKeysThenRefused(SigningAlgorithm alg) {
    String kid = trusted(alg).signer().kid();
    for (SigningAlgorithm other : SigningAlgorithm.values()) {
      if (other != alg) {
        // a valid signature of the other algorithm, by a key of that algorithm, naming the trusted kid
        JwsSigner impostor = impostor(other, kid);
        assertThat(verifier(alg).verify(jws(impostor, header(impostor), claims()))).as("%s header on a %s key", other, alg).isEmpty();
      }
    }
  }

  @ParameterizedTest
  @EnumSource(SigningAlgorithm.class)
  void verifyWhenHs256MadeWithThePublicKeyAsSecretThenRefused(SigningAlgorithm alg) throws Exception {
    // RFC 8725 §2.1: the algorithm confusion attack
    String kid = trusted(alg).signer().kid();
    String input = b64(new JsonObject().put("alg", "HS256").put("typ", "at+jwt").put("kid", kid)) + "." + b64(claims());
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(trusted(alg).publicJwks().getJsonArray("keys").getJsonObject(0).encode()
        .getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    String token = input + "." + B64.encodeToString(mac.doFinal(input.getBytes(StandardCharsets.US_ASCII)));
    assertThat(verifier(alg).verify(token)).isEmpty();
  }

  @ParameterizedTest
  @EnumSource(SigningAlgorithm.class)
  void verifyWhenAlgNoneThenRefused(SigningAlgorithm alg) {
    String kid = trusted(alg).signer().kid();
    String token = b64(new JsonObject().put("alg", "none").put("typ", "at+jwt").put("kid", kid)) + "." + b64(claims()) + ".";
    assertThat(verifier(alg).verify(token)).isEmpty();
  }

  @ParameterizedTest
  @EnumSource(SigningAlgorithm.class)
  void verifyWhenTypIsJwtOrMissingThenRefused(SigningAlgorithm alg) {
    JwsSigner signer = trusted(alg).signer();
    assertThat(verifier(alg).verify(jws(signer, header(signer).put("typ", "JWT"), claims()))).isEmpty();
    JsonObject noTyp = header(signer);
    noTyp.remove("typ");
    assertThat(verifier(alg).verify(jws(signer, noTyp, claims()))).isEmpty();
  }

  @ParameterizedTest
  @EnumSource(SigningAlgorithm.class)
  void verifyWhenIdTokenOfTheSameKeyAndIssuerThenRefused(SigningAlgorithm alg) {
    // an ID token (typ JWT) must not be usable as an access token
    String idToken = new IdTokenIssuer(ISSUER, trusted(alg).signer(), clock, TTL).issue("alice", "web", NOW.getEpochSecond(), null,
        issue(alg, ISSUER));
    assertThat(verifier(alg).verify(idToken)).isEmpty();
  }

  @ParameterizedTest
  @EnumSource(SigningAlgorithm.class)
  void verifyWhenExpiredThenRefused(SigningAlgorithm alg) {
    String token = issue(alg, ISSUER);
    AccessTokenVerifier verifier = verifier(alg);
    clock.advance(TTL.minusSeconds(1));
    assertThat(verifier.verify(token)).isPresent();
    clock.advance(Duration.ofSeconds(1)); // exp is the first second it is no longer valid
    assertThat(verifier.verify(token)).isEmpty();
    clock.advance(Duration.ofDays(1));
    assertThat(verifier.verify(token)).isEmpty();
  }

  @ParameterizedTest
  @EnumSource(SigningAlgorithm.class)
  void verifyWhenIssuedByAnotherIssuerWithTheSameKeyThenRefused(SigningAlgorithm alg) {
    assertThat(verifier(alg).verify(issue(alg, "https://other.example"))).isEmpty();
    assertThat(verifier(alg).verify(issue(alg, ISSUER + "/"))).isEmpty();
  }

  @ParameterizedTest
  @EnumSource(SigningAlgorithm.class)
  void verifyWhenExpMissingOrNotANumberThenRefused(SigningAlgorithm alg) {
    JwsSigner signer = trusted(alg).signer();
    JsonObject noExp = claims();
    noExp.remove("exp");
    assertThat(verifier(alg).verify(jws(signer, header(signer), noExp))).isEmpty();
    assertThat(verifier(alg).verify(jws(signer, header(signer), claims().put("exp", "9999999999")))).isEmpty();
    JsonObject noIss = claims();
    noIss.remove("iss");
    assertThat(verifier(alg).verify(jws(signer, header(signer), noIss))).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "garbage", "a.b.c", "..", "a.b", "eyJhbGciOiJFUzI1NiJ9.e30.x.y.z", "eyJ9.eyJ9.eyJ9",
      "bm90IGpzb24.bm90IGpzb24.c2ln"})
  void verifyWhenNotAJwsThenRefusedWithoutThrowing(String token) {
    for (SigningAlgorithm alg : SigningAlgorithm.values()) {
      assertThat(verifier(alg).verify(token)).isEmpty();
    }
  }

  @Test
  void verifyWhenNullOrHugeThenRefused() {
    AccessTokenVerifier verifier = verifier(SigningAlgorithm.ES256);
    assertThat(verifier.verify(null)).isEmpty();
    assertThat(verifier.verify("a".repeat(8193))).isEmpty();
  }

  @Test
  void verifyWhenPayloadIsNotAJsonObjectThenRefused() {
    JwsSigner signer = trusted(SigningAlgorithm.ES256).signer();
    String input = b64(header(signer)) + "." + B64.encodeToString("[1,2]".getBytes(StandardCharsets.UTF_8));
    String token = input + "." + B64.encodeToString(signer.sign(input.getBytes(StandardCharsets.US_ASCII)));
    assertThat(verifier(SigningAlgorithm.ES256).verify(token)).isEmpty();
  }

  @Test
  void verifyWhenKeySetHasKeysOfEveryAlgorithmThenEachAlgorithmsTokensVerify() {
    JsonObject jwks = new JsonObject().put("keys", new io.vertx.core.json.JsonArray(List.of(
        trusted(SigningAlgorithm.ES256).publicJwks().getJsonArray("keys").getJsonObject(0),
        trusted(SigningAlgorithm.RS256).publicJwks().getJsonArray("keys").getJsonObject(0),
        trusted(SigningAlgorithm.EdDSA).publicJwks().getJsonArray("keys").getJsonObject(0))));
    AccessTokenVerifier all = new AccessTokenVerifier(ISSUER, jwks, clock);
    for (SigningAlgorithm alg : SigningAlgorithm.values()) {
      assertThat(all.verify(issue(alg, ISSUER))).as(alg.name()).isPresent();
    }
  }

  @Test
  void verifyWhenKeyWasRotatedOutOfThePublishedSetThenRefused() {
    String token = issue(SigningAlgorithm.ES256, ISSUER);
    AccessTokenVerifier onlyRsa = new AccessTokenVerifier(ISSUER, trusted(SigningAlgorithm.RS256).publicJwks(), clock);
    assertThat(onlyRsa.verify(token)).isEmpty();
  }
}
