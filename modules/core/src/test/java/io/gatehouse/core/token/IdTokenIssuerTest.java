package io.gatehouse.core.token;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.SignedJWT;
import io.gatehouse.core.testing.Jwts;
import io.gatehouse.core.testing.TestKeys;
import io.gatehouse.testing.MutableClock;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class IdTokenIssuerTest {
  private static final String ISSUER = "https://issuer.example";
  private static final Instant NOW = Instant.parse("2025-03-04T05:06:07Z");
  private static final Duration TTL = Duration.ofMinutes(5);
  private static final long AUTH_TIME = NOW.getEpochSecond() - 120;
  private static final byte[] ED25519_X509_PREFIX = HexFormat.of().parseHex("302a300506032b6570032100");

  private MutableClock clock;

  @BeforeEach
  void setUp() {
    clock = new MutableClock(NOW);
  }

  private IdTokenIssuer issuer(SigningAlgorithm alg) {
    return new IdTokenIssuer(ISSUER, TestKeys.single(alg).signer(), clock, TTL);
  }

  private static String leftHalf(String digest, String accessToken) throws Exception {
    byte[] d = MessageDigest.getInstance(digest).digest(accessToken.getBytes(StandardCharsets.US_ASCII));
    return Base64.getUrlEncoder().withoutPadding().encodeToString(Arrays.copyOf(d, d.length / 2));
  }

  private static boolean verifies(String jwt, SigningAlgorithm alg) throws Exception {
    JWK key = JWKSet.parse(TestKeys.single(alg).publicJwks().encode()).getKeyByKeyId(Jwts.header(jwt).getString("kid"));
    return switch (alg) {
      case ES256 -> SignedJWT.parse(jwt).verify(new ECDSAVerifier((ECKey) key));
      case RS256 -> SignedJWT.parse(jwt).verify(new RSASSAVerifier((RSAKey) key));
      case EdDSA -> {
        byte[] x = ((OctetKeyPair) key).getDecodedX();
        byte[] der = Arrays.copyOf(ED25519_X509_PREFIX, ED25519_X509_PREFIX.length + x.length);
        System.arraycopy(x, 0, der, ED25519_X509_PREFIX.length, x.length);
        PublicKey pk = KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(der));
        Signature s = Signature.getInstance("Ed25519");
        s.initVerify(pk);
        s.update(Jwts.signingInput(jwt));
        yield s.verify(Jwts.signature(jwt));
      }
    };
  }

  @Test
  void atHashMatchesTheOpenIdConnectCoreExample() {
    // OIDC Core Appendix A.4 (RS256)
    assertThat(issuer(SigningAlgorithm.RS256).atHash("jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y"))
        .isEqualTo("77QmUPtjPfzWtF2AnpK9RQ");
  }

  @Test
  void atHashIsTheLeftHalfOfSha256ForEs256AndRs256AndOfSha512ForEdDsa() throws Exception {
    String at = "an.access.token";
    assertThat(issuer(SigningAlgorithm.ES256).atHash(at)).isEqualTo(leftHalf("SHA-256", at)).hasSize(22);
    assertThat(issuer(SigningAlgorithm.RS256).atHash(at)).isEqualTo(leftHalf("SHA-256", at)).hasSize(22);
    assertThat(issuer(SigningAlgorithm.EdDSA).atHash(at)).isEqualTo(leftHalf("SHA-512", at)).hasSize(43);
  }

  @ParameterizedTest
  @EnumSource(SigningAlgorithm.class)
  void issueProducesASignedIdTokenWithTheOidcClaims(SigningAlgorithm alg) throws Exception {
    String accessToken = "eyJ.access.token";
    String idToken = issuer(alg).issue("alice", "web", AUTH_TIME, "n-0S6_WzA2Mj", accessToken);

    JsonObject header = Jwts.header(idToken);
    assertThat(header.getString("alg")).isEqualTo(alg.name());
    assertThat(header.getString("typ")).isEqualTo("JWT");
    assertThat(header.getString("kid")).isEqualTo(TestKeys.single(alg).signer().kid());
    assertThat(header.fieldNames()).containsExactlyInAnyOrder("alg", "typ", "kid");

    JsonObject claims = Jwts.claims(idToken);
    assertThat(claims.getString("iss")).isEqualTo(ISSUER);
    assertThat(claims.getString("sub")).isEqualTo("alice");
    assertThat(claims.getString("aud")).isEqualTo("web");
    assertThat(claims.getLong("iat")).isEqualTo(NOW.getEpochSecond());
    assertThat(claims.getLong("exp")).isEqualTo(NOW.getEpochSecond() + TTL.toSeconds());
    assertThat(claims.getLong("auth_time")).isEqualTo(AUTH_TIME);
    assertThat(claims.getString("nonce")).isEqualTo("n-0S6_WzA2Mj");
    assertThat(claims.getString("at_hash")).isEqualTo(issuer(alg).atHash(accessToken));
    assertThat(claims.fieldNames()).containsExactlyInAnyOrder("iss", "sub", "aud", "iat", "exp", "auth_time", "nonce", "at_hash");

    assertThat(verifies(idToken, alg)).as("signature verifies with the published key").isTrue();
    assertThat(issuer(alg).algorithm()).isEqualTo(alg);
  }

  @Test
  void issueWithoutNonceThenNoNonceClaim() {
    String idToken = issuer(SigningAlgorithm.RS256).issue("alice", "web", AUTH_TIME, null, "at");
    assertThat(Jwts.claims(idToken).containsKey("nonce")).isFalse();
  }

  @Test
  void issueKeepsTheNonceExactly() {
    String nonce = "a \"quoted\" nonce with ü and \\ and </script>";
    String idToken = issuer(SigningAlgorithm.ES256).issue("alice", "web", AUTH_TIME, nonce, "at");
    assertThat(Jwts.claims(idToken).getString("nonce")).isEqualTo(nonce);
  }

  @Test
  void issueUsesTheClockForIatAndExp() {
    IdTokenIssuer issuer = issuer(SigningAlgorithm.ES256);
    clock.advance(Duration.ofHours(2));
    JsonObject claims = Jwts.claims(issuer.issue("alice", "web", AUTH_TIME, null, "at"));
    assertThat(claims.getLong("iat")).isEqualTo(NOW.getEpochSecond() + 7200);
    assertThat(claims.getLong("exp")).isEqualTo(NOW.getEpochSecond() + 7200 + TTL.toSeconds());
    assertThat(claims.getLong("auth_time")).isEqualTo(AUTH_TIME);
  }

  /** As the server wires it: RS256 by default, the set's keys for every algorithm it holds (issue 14 item 1). */
  private IdTokenIssuer serverIssuer() {
    SigningKeys keys = TestKeys.es256WithRs256();
    return new IdTokenIssuer(ISSUER, SigningAlgorithm.RS256, keys::signer, clock, TTL);
  }

  @Test
  void issueWhenTheClientRegisteredNoAlgorithmThenTheDefaultsKeySigns() {
    String idToken = serverIssuer().issue(null, "alice", "web", AUTH_TIME, null, "at");
    assertThat(Jwts.header(idToken).getString("alg")).isEqualTo("RS256");
    assertThat(Jwts.header(idToken).getString("kid")).isEqualTo(TestKeys.es256WithRs256().signer(SigningAlgorithm.RS256).kid());
  }

  @Test
  void issueWhenTheClientRegisteredEs256ThenTheEs256KeySignsWithItsAtHash() throws Exception {
    // OIDC Registration §2 id_token_signed_response_alg
    String accessToken = "eyJ.access.token";
    String idToken = serverIssuer().issue(SigningAlgorithm.ES256, "alice", "web", AUTH_TIME, "n", accessToken);
    JsonObject header = Jwts.header(idToken);
    assertThat(header.getString("alg")).isEqualTo("ES256");
    assertThat(header.getString("typ")).isEqualTo("JWT");
    assertThat(header.getString("kid")).isEqualTo(TestKeys.es256WithRs256().signer().kid());
    assertThat(Jwts.claims(idToken).getString("at_hash")).isEqualTo(leftHalf("SHA-256", accessToken));
    JWK key = JWKSet.parse(TestKeys.es256WithRs256().publicJwks().encode()).getKeyByKeyId(header.getString("kid"));
    assertThat(SignedJWT.parse(idToken).verify(new ECDSAVerifier((ECKey) key))).isTrue();
  }

  @Test
  void issueWhenTheServerHoldsNoKeyForTheClientsAlgorithmThenItRefusesToSignWithAnother() {
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> serverIssuer().issue(SigningAlgorithm.EdDSA, "alice", "web", AUTH_TIME, null,
            "at"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("client web wants EdDSA ID tokens, and this server holds no EdDSA key");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> issuer(SigningAlgorithm.RS256).issue(SigningAlgorithm.ES256, "alice", "web",
            AUTH_TIME, null, "at"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("client web wants ES256 ID tokens, and this server signs them with RS256");
  }
}
