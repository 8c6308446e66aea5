package io.gatehouse.jose;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gatehouse.jose.JwtRejection.Reason;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class JwtVerifierTest {
  private static final String ISSUER = "https://as.example";
  private static final long NOW = 1_700_000_000L;
  private static final Clock CLOCK = Clock.fixed(Instant.ofEpochSecond(NOW), ZoneOffset.UTC);

  private static TestKeys.Key ec;
  private static TestKeys.Key rsa;
  private static TestKeys.Key ed;
  private static KeySet keys;

  @BeforeAll
  static void keys() throws Exception {
    ec = TestKeys.ec("ec-1");
    rsa = TestKeys.rsa("rsa-1");
    ed = TestKeys.ed25519("ed-1");
    keys = KeySet.parse(TestKeys.jwks(ec, rsa, ed), EnumSet.allOf(JwsAlgorithm.class), KeySet.REFUSE);
  }

  private static JsonObject claims() {
    return new JsonObject().put("iss", ISSUER).put("aud", "api").put("sub", "alice").put("client_id", "c1")
        .put("jti", "j1").put("iat", NOW - 10).put("exp", NOW + 300);
  }

  private static JwtVerifier.Builder accessTokens() {
    return JwtVerifier.builder(ISSUER).audience("api").clock(CLOCK);
  }

  private static void assertRejected(ThrowingCallable call, Reason reason, String description) {
    assertThatThrownBy(call).isInstanceOfSatisfying(JwtRejection.class, e -> {
      assertThat(e.reason()).isEqualTo(reason);
      assertThat(e.description()).isEqualTo(description);
    });
  }

  @Test
  void verifyWhenValidTokenOfEachKeyTypeThenItsClaimsHeaderAndKey() {
    JwtVerifier verifier = accessTokens().build();
    for (TestKeys.Key key : List.of(ec, rsa, ed)) {
      JsonObject cnf = new JsonObject().put("jkt", "thumbprint");
      VerifiedJwt jwt = verifier.verify(key.sign(key.header(), claims().put("cnf", cnf)), keys);
      assertThat(jwt.claims().getString("sub")).isEqualTo("alice");
      // DPoP-ready: the caller gets cnf.jkt and the header to check the proof's key itself
      assertThat(jwt.claims().getJsonObject("cnf").getString("jkt")).isEqualTo("thumbprint");
      assertThat(jwt.header().getString("kid")).isEqualTo(key.kid());
      assertThat(jwt.key().algorithm()).isEqualTo(key.algorithm());
    }
  }

  @Test
  void verifyWhenAlgNoneOrHmacThenAlgorithmNotAllowed() {
    JwtVerifier verifier = accessTokens().build();
    for (String alg : List.of("none", "HS256", "ES384")) {
      String token = ec.sign(ec.header().put("alg", alg), claims());
      assertRejected(() -> verifier.verify(token, keys), Reason.ALGORITHM_NOT_ALLOWED, "signing algorithm not allowed");
    }
    String unsigned = ec.sign(ec.header().put("alg", "none"), claims());
    assertRejected(() -> verifier.verify(unsigned.substring(0, unsigned.lastIndexOf('.') + 1), keys),
        Reason.ALGORITHM_NOT_ALLOWED, "signing algorithm not allowed");
  }

  @Test
  void verifyWhenAlgorithmNotConfiguredThenAlgorithmNotAllowed() {
    JwtVerifier verifier = accessTokens().algorithms(Set.of(JwsAlgorithm.ES256)).build();
    assertRejected(() -> verifier.verify(ed.sign(ed.header(), claims()), keys), Reason.ALGORITHM_NOT_ALLOWED,
        "signing algorithm not allowed");
  }

  @Test
  void verifyWhenHeaderAlgIsNotTheKeysThenAlgorithmKeyMismatch() {
    JwtVerifier verifier = accessTokens().build();
    // an RSA-signed token claiming the EC key: the key's algorithm decides (RFC 8725 §3.1)
    String token = rsa.sign(rsa.header().put("kid", ec.kid()), claims());
    assertRejected(() -> verifier.verify(token, keys), Reason.ALGORITHM_KEY_MISMATCH, "signing algorithm does not match the key");
    String asEd = ed.sign(ed.header().put("kid", rsa.kid()), claims());
    assertRejected(() -> verifier.verify(asEd, keys), Reason.ALGORITHM_KEY_MISMATCH, "signing algorithm does not match the key");
  }

  @Test
  void verifyWhenKidUnknownOrAbsentThenRejected() {
    JwtVerifier verifier = accessTokens().build();
    assertRejected(() -> verifier.verify(ec.sign(ec.header().put("kid", "other"), claims()), keys), Reason.UNKNOWN_KEY,
        "unknown signing key");
    JsonObject noKid = ec.header();
    noKid.remove("kid");
    assertRejected(() -> verifier.verify(ec.sign(noKid, claims()), keys), Reason.NO_KEY_ID, "token names no signing key");
  }

  @Test
  void verifyWhenSignatureIsAnotherKeysThenInvalidSignature() throws Exception {
    TestKeys.Key impostor = TestKeys.ec(ec.kid());
    assertRejected(() -> accessTokens().build().verify(impostor.sign(impostor.header(), claims()), keys),
        Reason.INVALID_SIGNATURE, "invalid signature");
  }

  @Test
  void verifyWhenTypIsNotAnAccessTokenTypeThenWrongType() {
    JwtVerifier verifier = accessTokens().build();
    for (String typ : List.of("JWT", "at+jwt2", "")) {
      assertRejected(() -> verifier.verify(ec.sign(ec.header().put("typ", typ), claims()), keys), Reason.WRONG_TYPE,
          "token type must be at+jwt");
    }
    JsonObject noTyp = ec.header();
    noTyp.remove("typ");
    assertRejected(() -> verifier.verify(ec.sign(noTyp, claims()), keys), Reason.WRONG_TYPE, "token type must be at+jwt");
    // RFC 7515 §4.1.9: the application/ prefix may be left out, and media types ignore case
    for (String typ : List.of("at+jwt", "AT+JWT", "application/at+jwt", "Application/AT+JWT")) {
      assertThat(verifier.verify(ec.sign(ec.header().put("typ", typ), claims()), keys).claims().getString("sub")).isEqualTo("alice");
    }
  }

  @Test
  void verifyWhenTypesConfiguredAndTypOptionalThenJwtOrNoTypAccepted() {
    JwtVerifier idTokens = JwtVerifier.builder(ISSUER).clock(CLOCK).types(JwtVerifier.JWT_TYPES).typeOptional(true).build();
    JsonObject noTyp = ec.header();
    noTyp.remove("typ");
    assertThat(idTokens.verify(ec.sign(noTyp, claims()), keys).claims().getString("sub")).isEqualTo("alice");
    assertThat(idTokens.verify(ec.sign(ec.header().put("typ", "JWT"), claims()), keys).claims().getString("sub")).isEqualTo("alice");
    assertRejected(() -> idTokens.verify(ec.sign(ec.header(), claims()), keys), Reason.WRONG_TYPE, "token type must be JWT");
  }

  @Test
  void verifyWhenCritNamesAnExtensionNotUnderstoodThenRejected() {
    JwtVerifier verifier = accessTokens().build();
    for (Object crit : List.of(new JsonArray().add("exp"), new JsonArray(), "exp")) {
      String token = ec.sign(ec.header().put("crit", crit).put("exp", NOW), claims());
      assertRejected(() -> verifier.verify(token, keys), Reason.UNSUPPORTED_CRITICAL_HEADER, "unsupported critical header");
    }
  }

  @Test
  void verifyWhenCritNamesOnlyUnderstoodPresentExtensionsThenAccepted() {
    JwtVerifier verifier = accessTokens().understoodCriticalHeaders(Set.of("ext")).build();
    String token = ec.sign(ec.header().put("crit", new JsonArray().add("ext")).put("ext", 1), claims());
    assertThat(verifier.verify(token, keys).header().getInteger("ext")).isEqualTo(1);
    // understood but absent from the header (RFC 7515 §4.1.11)
    String absent = ec.sign(ec.header().put("crit", new JsonArray().add("ext")), claims());
    assertRejected(() -> verifier.verify(absent, keys), Reason.UNSUPPORTED_CRITICAL_HEADER, "unsupported critical header");
  }

  @Test
  void verifyWhenIssuerDiffersThenWrongIssuer() {
    JwtVerifier verifier = accessTokens().build();
    for (Object iss : List.of(ISSUER + "/", "https://AS.example", 1)) {
      assertRejected(() -> verifier.verify(ec.sign(ec.header(), claims().put("iss", iss)), keys), Reason.WRONG_ISSUER, "wrong issuer");
    }
  }

  @Test
  void verifyWhenAudienceIsAListThenItMustHoldTheAudience() {
    JwtVerifier verifier = accessTokens().build();
    assertThat(verifier.verify(ec.sign(ec.header(), claims().put("aud", new JsonArray().add("other").add("api"))), keys))
        .isNotNull();
    for (Object aud : List.of(new JsonArray().add("other"), new JsonArray(), "API", "other")) {
      assertRejected(() -> verifier.verify(ec.sign(ec.header(), claims().put("aud", aud)), keys), Reason.WRONG_AUDIENCE, "wrong audience");
    }
    JsonObject noAud = claims();
    noAud.remove("aud");
    assertRejected(() -> verifier.verify(ec.sign(ec.header(), noAud), keys), Reason.WRONG_AUDIENCE, "wrong audience");
    // no audience configured: aud is not checked
    assertThat(JwtVerifier.builder(ISSUER).clock(CLOCK).build().verify(ec.sign(ec.header(), noAud), keys)).isNotNull();
  }

  @Test
  void verifyWhenNowReachesExpPlusLeewayThenExpired() {
    JwtVerifier strict = accessTokens().build();
    assertThat(strict.verify(ec.sign(ec.header(), claims().put("exp", NOW + 1)), keys)).isNotNull();
    assertRejected(() -> strict.verify(ec.sign(ec.header(), claims().put("exp", NOW)), keys), Reason.EXPIRED, "token expired");
    JwtVerifier lenient = accessTokens().clockSkew(Duration.ofSeconds(30)).build();
    assertThat(lenient.verify(ec.sign(ec.header(), claims().put("exp", NOW - 29)), keys)).isNotNull();
    assertRejected(() -> lenient.verify(ec.sign(ec.header(), claims().put("exp", NOW - 30)), keys), Reason.EXPIRED, "token expired");
    JwtVerifier noExpiryLeeway = accessTokens().clockSkew(Duration.ofSeconds(60)).expiryLeeway(Duration.ZERO).build();
    assertRejected(() -> noExpiryLeeway.verify(ec.sign(ec.header(), claims().put("exp", NOW)), keys), Reason.EXPIRED, "token expired");
  }

  @Test
  void verifyWhenExpAbsentOrNotANumberThenInvalidClaimUnlessExpiryIsNotChecked() {
    JsonObject noExp = claims();
    noExp.remove("exp");
    assertRejected(() -> accessTokens().build().verify(ec.sign(ec.header(), noExp), keys), Reason.INVALID_CLAIM, "token has no exp");
    assertRejected(() -> accessTokens().build().verify(ec.sign(ec.header(), claims().put("exp", "soon")), keys), Reason.INVALID_CLAIM,
        "exp is not a number");
    JwtVerifier hints = accessTokens().checkExpiry(false).build();
    assertThat(hints.verify(ec.sign(ec.header(), claims().put("exp", NOW - 3600)), keys)).isNotNull();
  }

  @Test
  void verifyWhenNbfBeyondNowPlusSkewThenNotYetValid() {
    JwtVerifier verifier = accessTokens().clockSkew(Duration.ofSeconds(30)).build();
    assertThat(verifier.verify(ec.sign(ec.header(), claims().put("nbf", NOW + 30)), keys)).isNotNull();
    assertRejected(() -> verifier.verify(ec.sign(ec.header(), claims().put("nbf", NOW + 31)), keys), Reason.NOT_YET_VALID,
        "token not yet valid");
  }

  @Test
  void verifyWhenIatAbsentOrBeyondNowPlusSkewThenRejected() {
    JwtVerifier verifier = accessTokens().clockSkew(Duration.ofSeconds(30)).build();
    assertThat(verifier.verify(ec.sign(ec.header(), claims().put("iat", NOW + 30)), keys)).isNotNull();
    assertRejected(() -> verifier.verify(ec.sign(ec.header(), claims().put("iat", NOW + 31)), keys), Reason.ISSUED_IN_FUTURE,
        "token issued in the future");
    JsonObject noIat = claims();
    noIat.remove("iat");
    assertRejected(() -> verifier.verify(ec.sign(ec.header(), noIat), keys), Reason.INVALID_CLAIM, "token has no iat");
    assertThat(accessTokens().requireIssuedAt(false).build().verify(ec.sign(ec.header(), noIat), keys)).isNotNull();
  }

  @Test
  void verifyWhenClockMovesThenTheSameTokenExpires() {
    String token = ec.sign(ec.header(), claims());
    assertThat(accessTokens().clock(Clock.offset(CLOCK, Duration.ofSeconds(299))).build().verify(token, keys)).isNotNull();
    assertRejected(() -> accessTokens().clock(Clock.offset(CLOCK, Duration.ofSeconds(300))).build().verify(token, keys),
        Reason.EXPIRED, "token expired");
  }

  @Test
  void verifyWhenRequiredStringClaimMissingThenInvalidClaim() {
    JwtVerifier verifier = accessTokens().requiredStringClaims(List.of("sub", "client_id", "jti")).build();
    assertRejected(() -> verifier.verify(ec.sign(ec.header(), claims().put("client_id", "")), keys), Reason.INVALID_CLAIM,
        "token has no client_id");
    assertRejected(() -> verifier.verify(ec.sign(ec.header(), claims().put("jti", 7)), keys), Reason.INVALID_CLAIM, "token has no jti");
  }

  @Test
  void verifyWhenNotACompactJwsThenMalformed() {
    JwtVerifier verifier = accessTokens().build();
    String token = ec.sign(ec.header(), claims());
    for (String bad : List.of("", "a.b", token + ".x", ".a.b", "bm90IGpzb24.e30.sig",
        "x".repeat(JwtVerifier.MAX_TOKEN_LENGTH + 1))) {
      assertRejected(() -> verifier.verify(bad, keys), Reason.MALFORMED, "malformed token");
    }
    assertRejected(() -> verifier.verify(null, keys), Reason.MALFORMED, "malformed token");
  }
}
