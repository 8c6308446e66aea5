package io.gatehouse.core.token;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import org.junit.jupiter.api.Test;

class SigningKeysRotationTest {
  static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");

  static ECKey es256(Instant nbf, Instant exp) {
    return new ECKey.Builder((ECKey) SigningKeys.generate(SigningAlgorithm.ES256)).notBeforeTime(nbf == null ? null : Date.from(nbf))
        .expirationTime(exp == null ? null : Date.from(exp)).build();
  }

  @Test
  void theKeyWithTheLatestNbfThatHasComeSignsAndAFutureOneIsOnlyPublished() {
    ECKey old = es256(null, null);
    ECKey current = es256(NOW.minusSeconds(60), null);
    ECKey future = es256(NOW.plusSeconds(600), null);
    SigningKeys keys = SigningKeys.fromJwkSet(new JWKSet(List.of(future, old, current)), NOW, SigningAlgorithm.ES256);

    assertThat(keys.signer().kid()).isEqualTo(current.getKeyID());
    assertThat(keys.publicJwks().getJsonArray("keys")).hasSize(3);
    assertThat(keys.publicJwks().encode()).doesNotContain("\"nbf\"").doesNotContain("\"exp\"").doesNotContain("\"d\"");
    assertThat(SigningKeys.fromJwkSet(new JWKSet(List.of(future, old, current)), NOW.plusSeconds(600), SigningAlgorithm.ES256)
        .signer().kid()).isEqualTo(future.getKeyID());
  }

  @Test
  void aKeyPastItsExpSignsNoMore() {
    ECKey retired = es256(NOW.minusSeconds(600), NOW.minusSeconds(1));
    ECKey plain = es256(null, null);

    assertThat(SigningKeys.fromJwkSet(new JWKSet(List.of(retired, plain)), NOW, SigningAlgorithm.ES256).signer().kid())
        .isEqualTo(plain.getKeyID());
  }

  @Test
  void rotatePublishesANewKeyThatSignsAfterTheLeadEndsTheOldOneThenAndDropsLongRetiredKeys() {
    ECKey longRetired = es256(NOW.minus(Duration.ofDays(3)), NOW.minus(Duration.ofDays(2)));
    ECKey current = es256(NOW.minus(Duration.ofDays(1)), null);
    JWKSet rotated = SigningKeys.rotate(new JWKSet(List.of(current, longRetired)), SigningAlgorithm.ES256, NOW, Duration.ofMinutes(10),
        Duration.ofDays(1));

    assertThat(rotated.getKeys()).hasSize(2);
    assertThat(rotated.getKeyByKeyId(longRetired.getKeyID())).isNull();
    JWK fresh = rotated.getKeys().stream().filter(k -> !k.getKeyID().equals(current.getKeyID())).findFirst().orElseThrow();
    assertThat(fresh.getNotBeforeTime().toInstant()).isEqualTo(NOW.plus(Duration.ofMinutes(10)));
    assertThat(rotated.getKeyByKeyId(current.getKeyID()).getExpirationTime().toInstant()).isEqualTo(NOW.plus(Duration.ofMinutes(10)));
    assertThat(SigningKeys.fromJwkSet(rotated, NOW, SigningAlgorithm.ES256).signer().kid()).isEqualTo(current.getKeyID());
    assertThat(SigningKeys.fromJwkSet(rotated, NOW.plus(Duration.ofMinutes(10)), SigningAlgorithm.ES256).signer().kid())
        .isEqualTo(fresh.getKeyID());
  }

  @Test
  void aSecondRotationDuringTheLeadSupersedesThePendingKeyWhichNeverSigns() {
    ECKey current = es256(null, null);
    JWKSet once = SigningKeys.rotate(new JWKSet(List.of(current)), SigningAlgorithm.ES256, NOW, Duration.ofMinutes(10), Duration.ofDays(1));
    String pending = once.getKeys().get(0).getKeyID();
    JWKSet twice = SigningKeys.rotate(once, SigningAlgorithm.ES256, NOW.plusSeconds(60), Duration.ofMinutes(10), Duration.ofDays(1));
    String newest = twice.getKeys().get(0).getKeyID();

    for (Instant t : List.of(NOW.plusSeconds(61), NOW.plus(Duration.ofMinutes(10)), NOW.plus(Duration.ofMinutes(11)).plusSeconds(1))) {
      assertThat(SigningKeys.fromJwkSet(twice, t, SigningAlgorithm.ES256).signer().kid()).as("at %s", t).isNotEqualTo(pending);
    }
    assertThat(SigningKeys.fromJwkSet(twice, NOW.plus(Duration.ofMinutes(11)).plusSeconds(1), SigningAlgorithm.ES256).signer().kid())
        .isEqualTo(newest);
  }
}
