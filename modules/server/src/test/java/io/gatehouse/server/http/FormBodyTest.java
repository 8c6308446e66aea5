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

  /** {@code count} distinct parameters of {@code nameLength}-byte names, each {@code suffix} ("" for a name alone). */
  static byte[] body(int count, int nameLength, String suffix) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < count; i++) {
      if (i > 0) {
        sb.append('&');
      }
      String id = Integer.toString(i, 36);
      sb.append(id).append("-".repeat(Math.max(0, nameLength - id.length()))).append(suffix);
    }
    return sb.toString().getBytes(StandardCharsets.US_ASCII);
  }

  /** The least time of several rounds of {@code reps} parses (the least is the one the machine disturbed least). */
  static long leastNanos(byte[] body, int maxParameters, int reps) {
    long least = Long.MAX_VALUE;
    for (int round = 0; round < 7; round++) {
      long start = System.nanoTime();
      for (int i = 0; i < reps; i++) {
        assertThat(FormBody.parse(body, maxParameters)).isNotNull();
      }
      least = Math.min(least, System.nanoTime() - start);
    }
    return least;
  }

  @Test
  void parseWhenNamesHaveNoEqualsSignThenAsFastAsANormalBodyOfTheSameSize() {
    // 64 KiB of ~10,900 distinct names without '=' against 64 KiB of as many short name=value pairs: the
    // work must be linear in the body (searching each '=' to the end of the body made this ~100x slower)
    byte[] hostile = body(10_900, 5, "");
    byte[] normal = body(10_900, 3, "=v");
    assertThat(hostile.length).isBetween(60_000, 66_000);
    assertThat(normal.length).isBetween(60_000, 66_000);
    leastNanos(hostile, Integer.MAX_VALUE, 3); // warm-up
    leastNanos(normal, Integer.MAX_VALUE, 3);
    long hostileNanos = leastNanos(hostile, Integer.MAX_VALUE, 5);
    long normalNanos = leastNanos(normal, Integer.MAX_VALUE, 5);
    assertThat((double) hostileNanos / normalNanos).as("hostile %d ns, normal %d ns", hostileNanos, normalNanos).isLessThan(5.0);
  }

  @Test
  void parseWhenMoreThanMaxParametersThenInvalidRequest() {
    assertThat(FormBody.parse(body(FormBody.MAX_PARAMETERS, 3, "=v"))).hasSize(FormBody.MAX_PARAMETERS);
    assertThatThrownBy(() -> FormBody.parse(body(FormBody.MAX_PARAMETERS + 1, 3, "=v"))).isInstanceOfSatisfying(OAuthException.class, e -> {
      assertThat(e.code()).isEqualTo(OAuthErrorCode.INVALID_REQUEST);
      assertThat(e.description()).isEqualTo("the request has more than 100 parameters");
    });
    // empty segments ("&&") are no parameters
    assertThat(FormBody.parse(("a=1" + "&".repeat(5_000) + "b=2").getBytes(StandardCharsets.US_ASCII))).hasSize(2);
  }
}
