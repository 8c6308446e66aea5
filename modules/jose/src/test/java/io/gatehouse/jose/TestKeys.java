package io.gatehouse.jose;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.util.Base64URL;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Signature;
import java.util.Base64;

/** Keys of each type and tokens signed with them, headers and claims exactly as a test writes them. */
final class TestKeys {
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

  /** A private JWK with the signing algorithm it is for. */
  record Key(JWK jwk, JwsAlgorithm algorithm, PrivateKey ed25519) {
    String kid() {
      return jwk.getKeyID();
    }

    /** The compact JWS of {@code header} and {@code claims}, signed with this key whatever the header's alg says. */
    String sign(JsonObject header, JsonObject claims) {
      String input = B64.encodeToString(header.encode().getBytes(StandardCharsets.UTF_8)) + "."
          + B64.encodeToString(claims.encode().getBytes(StandardCharsets.UTF_8));
      byte[] bytes = input.getBytes(StandardCharsets.US_ASCII);
      try {
        Base64URL sig = switch (algorithm) {
          case ES256 -> new ECDSASigner((ECKey) jwk).sign(new JWSHeader(JWSAlgorithm.ES256), bytes);
          case RS256 -> new RSASSASigner((RSAKey) jwk).sign(new JWSHeader(JWSAlgorithm.RS256), bytes);
          case EdDSA -> {
            Signature s = Signature.getInstance("Ed25519");
            s.initSign(ed25519);
            s.update(bytes);
            yield Base64URL.encode(s.sign());
          }
        };
        return input + "." + sig;
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }

    /** An access-token header for this key: its alg, {@code typ at+jwt}, its kid. */
    JsonObject header() {
      return new JsonObject().put("alg", algorithm.name()).put("typ", "at+jwt").put("kid", kid());
    }

    String publicJwks() {
      return new JsonObject().put("keys", new JsonArray().add(new JsonObject(jwk.toPublicJWK().toJSONObject()))).encode();
    }
  }

  private TestKeys() {}

  static Key ec(String kid) throws Exception {
    return new Key(new ECKeyGenerator(Curve.P_256).keyID(kid).generate(), JwsAlgorithm.ES256, null);
  }

  static Key rsa(String kid) throws Exception {
    return new Key(new RSAKeyGenerator(2048).keyID(kid).generate(), JwsAlgorithm.RS256, null);
  }

  static Key ed25519(String kid) throws Exception {
    KeyPair pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    JWK jwk = new OctetKeyPair.Builder(Curve.Ed25519, Base64URL.encode(Ed25519.rawPublic(pair.getPublic())))
        .d(Base64URL.encode(Ed25519.rawPrivate(pair.getPrivate()))).keyID(kid).build();
    return new Key(jwk, JwsAlgorithm.EdDSA, pair.getPrivate());
  }

  static String jwks(Key... keys) {
    JsonArray array = new JsonArray();
    for (Key k : keys) {
      array.add(new JsonObject(k.jwk.toPublicJWK().toJSONObject()));
    }
    return new JsonObject().put("keys", array).encode();
  }
}
