package io.gatehouse.core.error;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class OAuthExceptionTest {
  static boolean rfc6749Description(String s) {
    // RFC 6749 §5.2: error_description = 1*( %x20-21 / %x23-5B / %x5D-7E )
    return s.chars().allMatch(c -> c >= 0x20 && c <= 0x7E && c != '"' && c != '\\');
  }

  @Test
  void descriptionWhenSectionSignThenSpelledOut() {
    assertThat(OAuthException.invalidScope("not scope tokens (RFC 6749 \u00a73.3)").description())
        .isEqualTo("not scope tokens (RFC 6749 section 3.3)");
    assertThat(OAuthException.invalidRequest("see \u00a7 4").description()).isEqualTo("see section 4");
  }

  @Test
  void descriptionWhenQuotesBackslashesControlsOrNonAsciiThenReplaced() {
    OAuthException e = OAuthException.of(OAuthErrorCode.INVALID_CLIENT_METADATA, "client_id 'a\"b\\c\nd\u00e9\u2028' is taken");
    assertThat(e.description()).isEqualTo("client_id 'a?b?c?d??' is taken");
    assertThat(rfc6749Description(e.description())).isTrue();
  }

  @Test
  void descriptionWhenLongerThanMaxThenCut() {
    OAuthException e = new OAuthException(OAuthErrorCode.INVALID_REQUEST, 413, "x".repeat(70_000));
    assertThat(e.description()).hasSize(OAuthException.MAX_DESCRIPTION);
    assertThat(OAuthException.tooManyRequests("\u00a7".repeat(1000), 3).description()).hasSize(OAuthException.MAX_DESCRIPTION);
  }
}
