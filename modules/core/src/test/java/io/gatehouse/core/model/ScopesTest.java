package io.gatehouse.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gatehouse.core.error.OAuthErrorCode;
import io.gatehouse.core.error.OAuthException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ScopesTest {

  @Test
  void parseWhenSingleTokenThenOneScope() {
    Scopes scopes = Scopes.parse("read");
    assertThat(scopes.values()).containsExactly("read");
    assertThat(scopes.isEmpty()).isFalse();
  }

  @Test
  void parseWhenSpaceDelimitedListThenAllTokensInRequestOrder() {
    Scopes scopes = Scopes.parse("write read admin:all");
    assertThat(scopes.values()).containsExactly("write", "read", "admin:all");
  }

  @Test
  void parseWhenTokensRepeatThenDuplicatesAreFoldedKeepingFirstOccurrenceOrder() {
    Scopes scopes = Scopes.parse("b a b c a");
    assertThat(scopes.values()).containsExactly("b", "a", "c");
    assertThat(scopes.wire()).isEqualTo("b a c");
  }

  @Test
  void parseWhenTokenUsesEveryAllowedPunctuationThenAccepted() {
    // scope-token = 1*( %x21 / %x23-5B / %x5D-7E ): '!' '#'..'[' ']'..'~'
    String token = "!#$%&'()*+,-./0123456789:;<=>?@AZ[]^_`az{|}~";
    assertThat(Scopes.parse(token).values()).containsExactly(token);
  }

  @Test
  void parseWhenEmptyThenInvalidScope() {
    assertInvalidScope("");
  }

  @ParameterizedTest(name = "[{index}] \"{0}\"")
  @ValueSource(strings = {
      "read  write", // double space
      " read", // leading space
      "read ", // trailing space
      " ", // only a space
      "read\twrite", // tab is not a delimiter
      "read\nwrite",
      "say\"hi", // %x22 excluded
      "back\\slash", // %x5C excluded
      "caf\u00e9", // non-ASCII
      "\u00fcber read",
      "read \u2603",
      "del\u007f" // DEL is above %x7E
  })
  void parseWhenNotAListOfScopeTokensThenInvalidScope(String parameter) {
    assertInvalidScope(parameter);
  }

  private static void assertInvalidScope(String parameter) {
    assertThatThrownBy(() -> Scopes.parse(parameter))
        .isInstanceOf(OAuthException.class)
        .satisfies(e -> assertThat(((OAuthException) e).code()).isEqualTo(OAuthErrorCode.INVALID_SCOPE))
        .satisfies(e -> assertThat(((OAuthException) e).status()).isEqualTo(400));
  }

  @Test
  void containsAllWhenSubsetThenTrue() {
    Scopes granted = Scopes.parse("read write admin");
    assertThat(granted.containsAll(Scopes.parse("write read"))).isTrue();
    assertThat(granted.containsAll(granted)).isTrue();
    assertThat(granted.containsAll(Scopes.EMPTY)).isTrue();
  }

  @Test
  void containsAllWhenAnyTokenMissingThenFalse() {
    Scopes granted = Scopes.parse("read write");
    assertThat(granted.containsAll(Scopes.parse("read delete"))).isFalse();
    assertThat(Scopes.EMPTY.containsAll(Scopes.parse("read"))).isFalse();
  }

  @Test
  void containsAllIsCaseSensitive() {
    assertThat(Scopes.parse("read").containsAll(Scopes.parse("READ"))).isFalse();
  }

  @Test
  void wireWhenParsedThenSingleSpaceDelimitedInOrder() {
    assertThat(Scopes.parse("openid profile email").wire()).isEqualTo("openid profile email");
    assertThat(Scopes.parse("openid profile").toString()).isEqualTo("openid profile");
  }

  @Test
  void wireWhenEmptyThenEmptyString() {
    assertThat(Scopes.EMPTY.wire()).isEmpty();
    assertThat(Scopes.EMPTY.isEmpty()).isTrue();
    assertThat(Scopes.of(List.of())).isSameAs(Scopes.EMPTY);
  }

  @Test
  void wireRoundTripsThroughParse() {
    Scopes scopes = Scopes.of(List.of("c", "a", "b", "a"));
    assertThat(scopes.wire()).isEqualTo("c a b");
    assertThat(Scopes.parse(scopes.wire())).isEqualTo(scopes);
  }

  @Test
  void equalsWhenSameTokensInOtherOrderThenEqual() {
    assertThat(Scopes.parse("a b")).isEqualTo(Scopes.parse("b a")).hasSameHashCodeAs(Scopes.parse("b a"));
    assertThat(Scopes.parse("a b")).isNotEqualTo(Scopes.parse("a"));
  }

  @Test
  void ofWhenInvalidTokenThenIllegalArgument() {
    assertThatThrownBy(() -> Scopes.of(List.of("ok", "not ok"))).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Scopes.of(List.of(""))).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void valuesAreUnmodifiable() {
    Scopes scopes = Scopes.parse("read");
    assertThatThrownBy(() -> scopes.values().add("write")).isInstanceOf(UnsupportedOperationException.class);
  }
}
