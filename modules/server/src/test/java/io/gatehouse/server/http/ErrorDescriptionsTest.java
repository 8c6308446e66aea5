package io.gatehouse.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * RFC 6749 §5.2: {@code error_description} is printable ASCII without {@code "} and {@code \}
 * ({@code %x20-21 / %x23-5B / %x5D-7E}). Every text that becomes a description or an error page's text
 * is a string literal at one of the call sites below, in the main sources of every module: this test
 * reads them all (and the string constants they name) and fails on any other character.
 */
class ErrorDescriptionsTest {
  /** The calls whose arguments are descriptions (OAuth, registration and bearer errors) or error page texts. */
  static final Pattern CALL = Pattern.compile(
      "(?:new\\s+OAuthException|OAuthException\\.(?!class)\\w+|new\\s+BearerTokenException|BearerTokenException\\.(?!class)\\w+"
          + "|FieldException\\.(?:of|value|entry|member)|\\bpages\\.error|\\bAuthorizationRedirectException)\\s*\\(");
  static final Pattern CONSTANT = Pattern.compile("static\\s+final\\s+String\\s+(\\w+)\\s*=\\s*\"");
  static final Pattern IDENTIFIER = Pattern.compile("\\b[A-Z][A-Z0-9_]+\\b");

  record Literal(String file, int line, String text) {}

  static Path modules() {
    Path here = Path.of("").toAbsolutePath();
    return here.getFileName().toString().equals("server") ? here.getParent() : here.resolve("modules");
  }

  /** A string literal's value (escapes decoded) starting at the quote at {@code at}; {@code end[0]} gets the index after it. */
  static String literal(String src, int at, int[] end) {
    StringBuilder sb = new StringBuilder();
    int i = at + 1;
    while (src.charAt(i) != '"') {
      char c = src.charAt(i);
      if (c == '\\') {
        char e = src.charAt(i + 1);
        switch (e) {
          case 'n' -> sb.append('\n');
          case 't' -> sb.append('\t');
          case 'r' -> sb.append('\r');
          case 'u' -> {
            sb.append((char) Integer.parseInt(src.substring(i + 2, i + 6), 16));
            i += 4;
          }
          default -> sb.append(e);
        }
        i += 2;
      } else {
        sb.append(c);
        i++;
      }
    }
    end[0] = i + 1;
    return sb.toString();
  }

  static int lineOf(String src, int at) {
    return (int) src.substring(0, at).chars().filter(c -> c == '\n').count() + 1;
  }

  /** The literals in the arguments of every matching call (up to its closing parenthesis) and the constants they name. */
  static List<Literal> descriptions(Path file) throws IOException {
    String src = Files.readString(file, StandardCharsets.UTF_8);
    String name = modules().relativize(file).toString();
    Map<String, Literal> constants = new HashMap<>();
    Matcher c = CONSTANT.matcher(src);
    while (c.find()) {
      int[] end = new int[1];
      constants.put(c.group(1), new Literal(name, lineOf(src, c.start()), literal(src, c.end() - 1, end)));
    }
    List<Literal> out = new ArrayList<>();
    Matcher m = CALL.matcher(src);
    while (m.find()) {
      int depth = 1;
      int i = m.end();
      StringBuilder code = new StringBuilder();
      while (depth > 0) {
        char ch = src.charAt(i);
        if (ch == '"') {
          int[] end = new int[1];
          out.add(new Literal(name, lineOf(src, i), literal(src, i, end)));
          i = end[0];
          continue;
        }
        if (ch == '\'') {
          int close = src.indexOf('\'', i + (src.charAt(i + 1) == '\\' ? 3 : 2));
          i = close + 1;
          continue;
        }
        depth += ch == '(' ? 1 : ch == ')' ? -1 : 0;
        code.append(ch);
        i++;
      }
      Matcher id = IDENTIFIER.matcher(code);
      while (id.find()) {
        if (constants.containsKey(id.group())) {
          out.add(constants.get(id.group()));
        }
      }
    }
    return out;
  }

  static boolean allowed(char c) {
    return c >= 0x20 && c <= 0x7E && c != '"' && c != '\\';
  }

  @Test
  void everyDescriptionAndErrorPageTextInTheSourcesIsPrintableAsciiWithoutQuoteOrBackslash() throws IOException {
    List<Literal> all = new ArrayList<>();
    try (Stream<Path> files = Files.walk(modules())) {
      for (Path f : files.filter(p -> p.toString().endsWith(".java") && p.toString().contains("/src/main/java/")).toList()) {
        all.addAll(descriptions(f));
      }
    }
    // the scan finds the call sites (a broken pattern would find none and pass)
    assertThat(all).hasSizeGreaterThan(150);
    assertThat(all).anyMatch(l -> l.text().equals("scope must not be empty"))
        .anyMatch(l -> l.text().startsWith("This sign-in request has expired"))
        .anyMatch(l -> l.text().equals("malformed token"));
    List<String> bad = all.stream().filter(l -> !l.text().chars().allMatch(ch -> allowed((char) ch)))
        .map(l -> l.file() + ":" + l.line() + " \"" + l.text() + "\"").toList();
    assertThat(bad).as("descriptions outside RFC 6749 section 5.2's character set").isEmpty();
  }
}
