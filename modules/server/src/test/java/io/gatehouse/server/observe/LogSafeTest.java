package io.gatehouse.server.observe;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class LogSafeTest {
  static String printed(Throwable t) {
    StringWriter out = new StringWriter();
    t.printStackTrace(new PrintWriter(out));
    return out.toString();
  }

  @Test
  void redactedWhenMessagesQuoteTheRequestThenOnlyClassesAndFramesRemain() {
    Throwable original = new IllegalStateException("decoding /login?password=hunter2&x=% failed",
        new IllegalArgumentException("unterminated escape sequence at index 6 of: /login?password=hunter2&x=%"));

    Throwable redacted = LogSafe.redacted(original);

    String printed = printed(redacted);
    assertThat(printed).doesNotContain("hunter2").doesNotContain("/login")
        .contains("java.lang.IllegalStateException (message withheld)")
        .contains("Caused by: java.lang.IllegalArgumentException (message withheld)")
        .contains("LogSafeTest.redactedWhenMessagesQuoteTheRequestThenOnlyClassesAndFramesRemain");
    assertThat(redacted.getStackTrace()).isEqualTo(original.getStackTrace());
  }

  @Test
  void redactedWhenCauseChainIsCyclicOrDeepThenBounded() {
    RuntimeException a = new RuntimeException("a");
    RuntimeException b = new RuntimeException("b", a);
    a.initCause(b);
    Throwable redacted = LogSafe.redacted(b);
    int depth = 0;
    for (Throwable t = redacted; t != null; t = t.getCause()) {
      depth++;
    }
    assertThat(depth).isEqualTo(8);
  }

  @Test
  void textWhenUntrustedThenShortPrintableAscii() {
    assertThat(LogSafe.text("client-1", 64)).isEqualTo("client-1");
    assertThat(LogSafe.text("a\"b\\c\u00a7d\ne", 64)).isEqualTo("a?b?c?d?e");
    assertThat(LogSafe.text("x".repeat(60_000), 64)).isEqualTo("x".repeat(64) + "...");
    assertThat(LogSafe.text(null, 64)).isNull();
  }
}
