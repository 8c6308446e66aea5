package io.gatehouse.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gatehouse.core.error.OAuthErrorCode;
import io.gatehouse.core.error.OAuthException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FormBodyTest {
  static Map<String, String> parse(String s) {
    return FormBody.parse(s.getBytes(StandardCharsets.UTF_8));
  }

  static void invalidRequest(String body) {
    assertThatThrownBy(() -> parse(body)).isInstanceOfSatisfying(OAuthException.class,
        e -> assertThat(e.code()).isEqualTo(OAuthErrorCode.INVALID_REQUEST));
  }

  @Test
  void parseDecodesPlusPercentAndUtf8() {
    assertThat(parse("a=1+2&b=%C3%A9t%C3%A9&c%3D=x%26y")).containsExactlyInAnyOrderEntriesOf(Map.of("a", "1 2", "b", "été", "c=", "x&y"));
  }

  @Test
  void parseWhenValueEmptyThenTreatedAsOmitted() {
    // RFC 6749 §3.1: parameters sent without a value MUST be treated as if they were omitted
    assertThat(parse("a=&b&c=1")).containsExactly(Map.entry("c", "1"));
    assertThat(parse("")).isEmpty();
    assertThat(parse("&&a=1&")).containsExactly(Map.entry("a", "1"));
  }

  @Test
  void parseWhenRepeatedThenInvalidRequest() {
    invalidRequest("a=1&a=2");
    invalidRequest("a=&a=2");
  }

  @Test
  void parseWhenBadPercentEncodingOrUtf8ThenInvalidRequest() {
    invalidRequest("a=%");
    invalidRequest("a=%4");
    invalidRequest("a=%G1");
    invalidRequest("a=%C3%28");
    invalidRequest("a=%ED%A0%80"); // an encoded surrogate is not UTF-8
  }
}
