package io.gatehouse.core.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gatehouse.core.error.OAuthException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PageQueryTest {

  @Test
  void parseWhenNothingGivenThenFirstPageOfFiftyOfEverything() {
    assertThat(PageQuery.parse("clients", Map.of(), "client_id")).isEqualTo(new PageRequest("", null, 50));
  }

  @Test
  void parseWhenLimitCursorAndPrefixThenTheirRequest() {
    String cursor = PageQuery.nextCursor("clients", new Page<>(List.of("x"), "svc-7"));

    assertThat(PageQuery.parse("clients", Map.of("limit", "200", "cursor", cursor, "client_id", "svc-"), "client_id"))
        .isEqualTo(new PageRequest("svc-", "svc-7", 200));
  }

  @Test
  void nextCursorWhenLastPageThenNull() {
    assertThat(PageQuery.nextCursor("clients", new Page<>(List.of("x"), null))).isNull();
  }

  @ParameterizedTest
  @ValueSource(strings = {"0", "201", "-1", "1.5", "abc", "99999999999", " 5"})
  void parseWhenLimitOutOfRangeOrNotANumberThenInvalidRequest(String limit) {
    assertThatThrownBy(() -> PageQuery.parse("users", Map.of("limit", limit), "username"))
        .isInstanceOfSatisfying(OAuthException.class, e -> {
          assertThat(e.code().wire()).isEqualTo("invalid_request");
          assertThat(e.getMessage()).isEqualTo("limit must be a whole number from 1 to 200");
        });
  }

  @Test
  void parseWhenCursorOfAnotherListingOrNotACursorThenInvalidRequest() {
    String usersCursor = PageQuery.nextCursor("users", new Page<>(List.of("x"), "amy"));
    String notUtf8 = Base64.getUrlEncoder().withoutPadding().encodeToString(new byte[] {'c', 'l', 'i', 'e', 'n', 't', 's', ':', (byte) 0xC3});
    String control = Base64.getUrlEncoder().withoutPadding().encodeToString("clients:a\u0000b".getBytes(StandardCharsets.UTF_8));
    for (String bad : List.of(usersCursor, "not base64!", notUtf8, control, "Y2xpZW50czo", "x".repeat(5000))) {
      assertThatThrownBy(() -> PageQuery.parse("clients", Map.of("cursor", bad), "client_id"))
          .as(bad)
          .isInstanceOfSatisfying(OAuthException.class, e -> {
            assertThat(e.code().wire()).isEqualTo("invalid_request");
            assertThat(e.getMessage()).isEqualTo("cursor is not one this listing gave (use next_cursor as it came)");
          });
    }
  }

  @Test
  void parseWhenPrefixHoldsAControlCharacterThenInvalidRequestNamingTheParameter() {
    assertThatThrownBy(() -> PageQuery.parse("users", Map.of("username", "a\u0001"), "username"))
        .isInstanceOfSatisfying(OAuthException.class, e -> assertThat(e.getMessage()).startsWith("username must be 1 to 512"));
  }

  @Test
  void upperBoundRaisesTheLastCodePoint() {
    assertThat(new PageRequest("svc-", null, 1).upperBound()).hasValue("svc.");
    assertThat(new PageRequest("a\uD7FF", null, 1).upperBound()).as("skips the surrogates").hasValue("a\uE000");
    assertThat(new PageRequest("a\uFFFF", null, 1).upperBound()).hasValue("a\uD800\uDC00");
    assertThat(new PageRequest("ab\uDBFF\uDFFF", null, 1).upperBound()).as("a trailing U+10FFFF is dropped").hasValue("ac");
    assertThat(new PageRequest("", null, 1).upperBound()).isEmpty();
  }

  @Test
  void orderIsByCodePointNotUtf16() {
    assertThat(PageRequest.ORDER.compare("\uFF21", "\uD83D\uDE00")).isNegative();
    assertThat("\uFF21".compareTo("\uD83D\uDE00")).isPositive();
    assertThat(PageRequest.ORDER.compare("a", "ab")).isNegative();
    assertThat(PageRequest.ORDER.compare("ab", "ab")).isZero();
  }
}
