package io.gatehouse.core.user;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PasswordHasherTest {
  // small parameters keep the tests fast; one test runs the defaults
  private static final PasswordHasher FAST = new PasswordHasher(64, 1, 1);
  private static final String PHC = "\\$argon2id\\$v=19\\$m=%d,t=%d,p=%d\\$[A-Za-z0-9+/]{22}\\$[A-Za-z0-9+/]{43}";

  @Test
  void hashIsAPhcStringWithTheParametersASaltAndA32ByteHash() {
    String stored = FAST.hash("correct horse battery staple");
    assertThat(stored).matches(String.format(PHC, 64, 1, 1));
    assertThat(stored).doesNotContain("correct horse");
    assertThat(PasswordHasher.isHash(stored)).isTrue();
  }

  @Test
  void hashWithDefaultParametersUsesTheOwaspMinimumAndVerifies() {
    PasswordHasher defaults = new PasswordHasher();
    String stored = defaults.hash("correct horse battery staple");
    assertThat(stored).matches(String.format(PHC, 19 * 1024, 2, 1));
    assertThat(defaults.verify("correct horse battery staple", stored)).isTrue();
  }

  @Test
  void verifyAcceptsAHashFromTheReferenceImplementation() {
    // phc-winner-argon2 test vector: argon2id, v=19, m=64 MiB, t=2, p=1, password "password", salt "somesalt"
    String reference = "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc";
    assertThat(FAST.verify("password", reference)).isTrue();
  }

  @Test
  void hashUsesAFreshSaltEachTime() {
    String a = FAST.hash("same");
    String b = FAST.hash("same");
    assertThat(a).isNotEqualTo(b);
    assertThat(FAST.verify("same", a)).isTrue();
    assertThat(FAST.verify("same", b)).isTrue();
  }

  @Test
  void verifyWhenPasswordRightThenTrueAndWhenWrongThenFalse() {
    String stored = FAST.hash("s3cret-Pässwörd 😀");
    assertThat(FAST.verify("s3cret-Pässwörd 😀", stored)).isTrue();
    assertThat(FAST.verify("s3cret-Passwörd 😀", stored)).isFalse();
    assertThat(FAST.verify("s3cret-Pässwörd", stored)).isFalse();
    assertThat(FAST.verify("S3cret-Pässwörd 😀", stored)).isFalse();
    assertThat(FAST.verify("", stored)).isFalse();
    assertThat(FAST.verify(null, stored)).isFalse();
  }

  @Test
  void verifyWhenPasswordIsEmptyThenItIsStillAPassword() {
    String stored = FAST.hash("");
    assertThat(FAST.verify("", stored)).isTrue();
    assertThat(FAST.verify(" ", stored)).isFalse();
    assertThat(FAST.verify(null, stored)).as("null is never a password, even for a hash of the empty one").isFalse();
  }

  @Test
  void verifyWhenStoredIsNullThenFalse() {
    assertThat(FAST.verify("anything", null)).isFalse();
    assertThat(FAST.verify("", null)).isFalse();
    assertThat(FAST.verify(null, null)).isFalse();
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "",
      "password",
      "$argon2id$",
      "$argon2i$v=19$m=64,t=1,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",   // argon2i
      "$argon2d$v=19$m=64,t=1,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",   // argon2d
      "$argon2id$v=16$m=64,t=1,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",  // version 1.0
      "$argon2id$m=64,t=1,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",       // no version
      "$argon2id$v=19$m=64,t=1,p=1$c29tZXNhbHQ",                                              // no hash
      "$argon2id$v=19$m=64,t=1,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc$x", // extra part
      "$argon2id$v=19$m=64,t=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",      // no p
      "$argon2id$v=19$m=64,t=1,p=1,x=2$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc", // unknown key
      "$argon2id$v=19$m=sixty,t=1,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
      "$argon2id$v=19$m=4,t=1,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",    // m below 8 KiB
      "$argon2id$v=19$m=4194304,t=1,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc", // 4 GiB: refused, not run
      "$argon2id$v=19$m=64,t=0,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
      "$argon2id$v=19$m=64,t=1000,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
      "$argon2id$v=19$m=64,t=1,p=0$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
      "$argon2id$v=19$m=64,t=1,p=1$c29t$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",          // 3-byte salt
      "$argon2id$v=19$m=64,t=1,p=1$c29tZXNhbHQ$CTFhFdXPJO1a",                                  // 9-byte hash
      "$argon2id$v=19$m=64,t=1,p=1$c29t!XNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",   // not base64
      "$argon2id$v=19$m=64,t=1,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPP-c",  // base64url, not base64
      "$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW"})                        // bcrypt
  void verifyWhenStoredIsUnparsableThenFalseWithoutThrowing(String stored) {
    assertThat(FAST.verify("password", stored)).isFalse();
    assertThat(PasswordHasher.isHash(stored)).isFalse();
  }

  @Test
  void verifyUsesTheParametersStoredWithTheHash() {
    PasswordHasher older = new PasswordHasher(32, 1, 1);
    PasswordHasher newer = new PasswordHasher(128, 2, 2);
    String oldHash = older.hash("pw");
    String newHash = newer.hash("pw");
    assertThat(newHash).contains("$m=128,t=2,p=2$");
    // raising the parameters later does not invalidate existing hashes, and the other way round
    assertThat(newer.verify("pw", oldHash)).isTrue();
    assertThat(older.verify("pw", newHash)).isTrue();
    assertThat(newer.verify("px", oldHash)).isFalse();
  }

  @Test
  void verifyWhenAParameterInTheStoredStringIsChangedThenFalse() {
    String stored = FAST.hash("pw");
    assertThat(FAST.verify("pw", stored.replace("$m=64,t=1,p=1$", "$m=64,t=2,p=1$"))).isFalse();
    assertThat(FAST.verify("pw", stored.replace("$m=64,t=1,p=1$", "$m=72,t=1,p=1$"))).isFalse();
  }

  @Test
  void constructorRefusesParametersArgon2DoesNotAllow() {
    assertThatThrownBy(() -> new PasswordHasher(4, 1, 1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new PasswordHasher(64, 0, 1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new PasswordHasher(64, 1, 0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new PasswordHasher(15, 1, 2)).isInstanceOf(IllegalArgumentException.class); // m < 8 × p
  }

  @Test
  void isHashWhenNullThenFalse() {
    assertThat(PasswordHasher.isHash(null)).isFalse();
  }
}
