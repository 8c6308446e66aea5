package io.gatehouse.core.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SecretHasherTest {
  private static final String SECRET = "s3cr3t-0123456789-abcdefghijklmnopqrstuvwxyz";

  @Test
  void hashHasFormatS256DollarSaltDollarDigest() {
    String stored = SecretHasher.hash(SECRET);
    // 16-byte salt -> 22 base64url chars, 32-byte SHA-256 digest -> 43 base64url chars, no padding
    assertThat(stored).matches("s256\\$[A-Za-z0-9_-]{22}\\$[A-Za-z0-9_-]{43}");
    assertThat(SecretHasher.isHash(stored)).isTrue();
  }

  @Test
  void hashWhenSameSecretTwiceThenDifferentSaltAndDigest() {
    String a = SecretHasher.hash(SECRET);
    String b = SecretHasher.hash(SECRET);
    assertThat(a).isNotEqualTo(b);
    assertThat(a.split("\\$")[1]).isNotEqualTo(b.split("\\$")[1]);
    assertThat(SecretHasher.matches(SECRET, a)).isTrue();
    assertThat(SecretHasher.matches(SECRET, b)).isTrue();
  }

  @Test
  void hashDoesNotContainTheSecret() {
    String secret = SecretHasher.generateSecret();
    String stored = SecretHasher.hash(secret);
    assertThat(stored).doesNotContain(secret);
    assertThat(stored).doesNotContain(secret.substring(0, 16));
  }

  @Test
  void matchesWhenRightSecretThenTrue() {
    assertThat(SecretHasher.matches(SECRET, SecretHasher.hash(SECRET))).isTrue();
  }

  @Test
  void matchesWhenWrongSecretThenFalse() {
    String stored = SecretHasher.hash(SECRET);
    assertThat(SecretHasher.matches(SECRET + "x", stored)).isFalse();
    assertThat(SecretHasher.matches(SECRET.substring(1), stored)).isFalse();
    assertThat(SecretHasher.matches(SECRET.toUpperCase(), stored)).isFalse();
    assertThat(SecretHasher.matches("", stored)).isFalse();
  }

  @Test
  void matchesWhenSecretNullThenFalse() {
    assertThat(SecretHasher.matches(null, SecretHasher.hash(SECRET))).isFalse();
  }

  @Test
  void matchesWhenEmptySecretHashedAndNullPresentedThenFalse() {
    // null is checked as "" internally; it must still never match
    assertThat(SecretHasher.matches(null, SecretHasher.hash(""))).isFalse();
  }

  @Test
  void matchesWhenStoredNullThenFalse() {
    assertThat(SecretHasher.matches(SECRET, null)).isFalse();
    assertThat(SecretHasher.matches(null, null)).isFalse();
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "",
      "garbage",
      "s256$",
      "s256$$",
      "s256$AAAAAAAAAAAAAAAAAAAAAA",
      "s256$AAAAAAAAAAAAAAAAAAAAAA$tooshort",
      "s256$!!!!$@@@@",
      "s256$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA$extra",
      "s256$AAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", // salt shorter than 16 bytes
      "bcrypt$2a$10$abcdefghijklmnopqrstuv"
  })
  void matchesWhenStoredIsGarbageThenFalse(String stored) {
    assertThat(SecretHasher.isHash(stored)).isFalse();
    assertThat(SecretHasher.matches(SECRET, stored)).isFalse();
    assertThat(SecretHasher.matches(stored, stored)).isFalse();
  }

  @Test
  void matchesWhenStoredIsThePlainSecretThenFalse() {
    assertThat(SecretHasher.matches(SECRET, SECRET)).isFalse();
  }

  @Test
  void generateSecretIs43Base64UrlCharactersAndDistinct() {
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 100; i++) {
      String secret = SecretHasher.generateSecret();
      assertThat(secret).hasSize(43).matches("[A-Za-z0-9_-]{43}");
      assertThat(secret.length()).isGreaterThanOrEqualTo(SecretHasher.MIN_SECRET_LENGTH);
      seen.add(secret);
    }
    assertThat(seen).hasSize(100);
  }

  @Test
  void generatedSecretMatchesItsOwnHash() {
    String secret = SecretHasher.generateSecret();
    assertThat(SecretHasher.matches(secret, SecretHasher.hash(secret))).isTrue();
  }
}
