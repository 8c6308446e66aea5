package io.gatehouse.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gatehouse.core.error.OAuthErrorCode;
import io.gatehouse.core.error.OAuthException;
import org.junit.jupiter.api.Test;

class IdentifiersTest {
  @Test
  void isValidWhenPrintableUpToTheLimitThenTrue() {
    assertThat(Identifiers.isValid("odd id:+&")).isTrue();
    assertThat(Identifiers.isValid("Zoë 😀")).isTrue();
    assertThat(Identifiers.isValid("x".repeat(Identifiers.MAX_LENGTH))).isTrue();
  }

  @Test
  void isValidWhenEmptyTooLongControlOrLoneSurrogateThenFalse() {
    for (String bad : new String[] {null, "", "x".repeat(Identifiers.MAX_LENGTH + 1), "a\u0000b", "cc\u0000", "a\nb", "a\tb", "a\u007fb",
        "a\u0085b", "a\ud83db", "a\ude00"}) {
      assertThat(Identifiers.isValid(bad)).as(String.valueOf(bad)).isFalse();
    }
  }

  @Test
  void requireWhenInvalidThenInvalidRequestNamingTheParameterNotTheValue() {
    assertThatThrownBy(() -> Identifiers.require("client_id", "secret\u0000"))
        .isInstanceOfSatisfying(OAuthException.class, e -> {
          assertThat(e.code()).isEqualTo(OAuthErrorCode.INVALID_REQUEST);
          assertThat(e.getMessage()).isEqualTo("client_id must be 1 to 512 printable characters");
        });
  }
}
