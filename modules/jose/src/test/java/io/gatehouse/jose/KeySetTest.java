package io.gatehouse.jose;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class KeySetTest {
  private static String jwks(JsonObject... keys) {
    return new JsonObject().put("keys", new JsonArray(List.of((Object[]) keys))).encode();
  }

  private static JsonObject pub(TestKeys.Key key) {
    return new JsonObject(key.jwk().toPublicJWK().toJSONObject());
  }

  @Test
  void parseWhenEachKeyTypeThenPinnedToItsAlgorithm() throws Exception {
    KeySet set = KeySet.parse(TestKeys.jwks(TestKeys.ec("e"), TestKeys.rsa("r"), TestKeys.ed25519("d")),
        EnumSet.allOf(JwsAlgorithm.class), KeySet.REFUSE);
    assertThat(set.get("e").algorithm()).isEqualTo(JwsAlgorithm.ES256);
    assertThat(set.get("r").algorithm()).isEqualTo(JwsAlgorithm.RS256);
    assertThat(set.get("d").algorithm()).isEqualTo(JwsAlgorithm.EdDSA);
    assertThat(set.kids()).containsExactly("e", "r", "d");
    assertThat(set.get(null)).isNull();
  }

  @Test
  void parseWhenKeysUnusableThenEachSkippedWithWhyAndTheOthersKept() throws Exception {
    TestKeys.Key good = TestKeys.ec("good");
    List<String> skipped = new ArrayList<>();
    KeySet set = KeySet.parse(jwks(
            pub(good),
            pub(good),
            new JsonObject(new ECKeyGenerator(Curve.P_384).keyID("p384").generate().toPublicJWK().toJSONObject()),
            new JsonObject(new RSAKeyGenerator(2048).keyID("enc").keyUse(KeyUse.ENCRYPTION).generate().toPublicJWK().toJSONObject()),
            new JsonObject(new RSAKeyGenerator(1024, true).keyID("small").generate().toPublicJWK().toJSONObject()),
            pub(TestKeys.ec("declared")).put("alg", "RS256"),
            pub(TestKeys.ec("hmac")).put("alg", "HS256"),
            pub(TestKeys.ec("")),
            pub(TestKeys.ed25519("ed"))),
        Set.of(JwsAlgorithm.ES256, JwsAlgorithm.RS256), (kid, why) -> skipped.add(kid + ": " + why));
    assertThat(set.kids()).containsExactly("good");
    assertThat(skipped).containsExactly(
        "good: a key with this kid came first",
        "p384: its curve is not P-256",
        "enc: its use is not sig",
        "small: its modulus has fewer than 2048 bits",
        "declared: its alg RS256 does not fit its key type",
        "hmac: its alg HS256 is not one Gatehouse verifies",
        ": it has no kid",
        "ed: its algorithm EdDSA is not allowed");
  }

  @Test
  void parseWhenRefusingThenAnUnusableKeyFailsTheSet() throws Exception {
    String set = jwks(pub(TestKeys.ec("a")).put("use", "enc"));
    assertThatThrownBy(() -> KeySet.parse(set, EnumSet.allOf(JwsAlgorithm.class), KeySet.REFUSE))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("unusable key a: its use is not sig");
  }

  @Test
  void parseWhenNotAJwkSetThenIllegalArgument() {
    assertThatThrownBy(() -> KeySet.parse("{\"keys\": 1}", EnumSet.allOf(JwsAlgorithm.class), KeySet.REFUSE))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("not a JWK set");
  }

  @Test
  void ed25519WhenRawKeysRoundTripThenTheSameKeys() throws Exception {
    KeyPair pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    assertThat(Ed25519.publicKey(Ed25519.rawPublic(pair.getPublic()))).isEqualTo(pair.getPublic());
    assertThat(Ed25519.privateKey(Ed25519.rawPrivate(pair.getPrivate())).getEncoded()).isEqualTo(pair.getPrivate().getEncoded());
    assertThatThrownBy(() -> Ed25519.publicKey(new byte[31])).isInstanceOf(java.security.GeneralSecurityException.class);
  }
}
