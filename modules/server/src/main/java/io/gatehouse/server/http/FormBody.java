package io.gatehouse.server.http;

import io.gatehouse.core.error.OAuthException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Set;
import java.util.Map;

/**
 * Strict {@code application/x-www-form-urlencoded} decoding (WHATWG URL §5.1, as RFC 6749 Appendix B
 * requires), done here rather than by vertx-web because OAuth needs what the lenient decoders do not
 * give: a repeated parameter is refused (RFC 6749 §3.2), malformed percent-encoding and malformed UTF-8
 * are refused instead of being replaced with U+FFFD, and an empty value counts as omitted (§3.1).
 */
public final class FormBody {
  private static final String BODY = "request body";
  private static final String QUERY = "query string";
  private static final String PATH = "request path";

  private FormBody() {}

  /**
   * The most parameters a form or query may hold: no endpoint takes more than a few dozen, and each one
   * costs a decode and a map entry before the client is authenticated.
   */
  public static final int MAX_PARAMETERS = 100;

  /** The parameters of {@code body}; empty-valued ones are left out. At most {@link #MAX_PARAMETERS}. */
  public static Map<String, String> parse(byte[] body) {
    return parse(body, MAX_PARAMETERS, BODY);
  }

  /**
   * The parameters of a query string's raw bytes (RFC 3986 §3.4, decoded as a form as WHATWG URL does;
   * the request line's bytes as they came, so malformed UTF-8 is refused too), by the rules of {@link #parse}.
   */
  public static Map<String, String> parseQuery(byte[] query) {
    return parse(query, MAX_PARAMETERS, QUERY);
  }

  /** Refuses a query string whose percent-encoding or UTF-8 is malformed; its parameters are not looked at. */
  public static void checkQuery(byte[] query) {
    decode(query, 0, query.length, QUERY);
  }

  /** Refuses a path whose percent-encoding (RFC 3986 §2.1) or UTF-8 is malformed. */
  public static void checkPath(byte[] path) {
    decode(path, 0, path.length, PATH);
  }

  static Map<String, String> parse(byte[] body, int maxParameters) {
    return parse(body, maxParameters, BODY);
  }

  /**
   * One pass over {@code body}: each byte is looked at once to find the parameter's end and its first
   * {@code =}, so the work is linear in the body's size whatever its shape.
   */
  private static Map<String, String> parse(byte[] body, int maxParameters, String where) {
    Map<String, String> params = new HashMap<>();
    Set<String> seen = new HashSet<>();
    int start = 0;
    int count = 0;
    while (start <= body.length) {
      int end = start;
      int eq = -1;
      while (end < body.length && body[end] != '&') {
        if (eq < 0 && body[end] == '=') {
          eq = end;
        }
        end++;
      }
      if (end > start) {
        if (++count > maxParameters) {
          throw OAuthException.invalidRequest("the request has more than " + maxParameters + " parameters");
        }
        int nameEnd = eq >= 0 ? eq : end;
        String name = decode(body, start, nameEnd, where);
        String value = nameEnd < end ? decode(body, nameEnd + 1, end, where) : "";
        if (!seen.add(name)) {
          // RFC 6749 §3.2: parameters MUST NOT be included more than once
          throw OAuthException.invalidRequest("parameter '" + printable(name) + "' is repeated");
        }
        if (!value.isEmpty()) {
          params.put(name, value);
        }
      }
      start = end + 1;
    }
    return params;
  }

  /** Decodes one form-encoded component: '+' is a space, %XX a byte, the bytes strict UTF-8. */
  public static String decode(byte[] in, int from, int to) {
    return decode(in, from, to, BODY);
  }

  private static String decode(byte[] in, int from, int to, String where) {
    int i = from;
    while (i < to && in[i] != '+' && in[i] != '%' && in[i] >= 0) {
      i++;
    }
    if (i == to) {
      // the common case (client ids, tokens, grant types): plain ASCII, nothing to decode, a byte a char
      return new String(in, from, to - from, StandardCharsets.ISO_8859_1);
    }
    byte[] out = new byte[to - from];
    int n = i - from;
    System.arraycopy(in, from, out, 0, n);
    boolean ascii = true;
    for (; i < to; i++) {
      byte b = in[i];
      if (b == '+') {
        b = ' ';
      } else if (b == '%') {
        if (i + 2 >= to) {
          throw OAuthException.invalidRequest("the " + where + " has invalid percent-encoding");
        }
        int hi = Character.digit(in[i + 1], 16);
        int lo = Character.digit(in[i + 2], 16);
        if (hi < 0 || lo < 0) {
          throw OAuthException.invalidRequest("the " + where + " has invalid percent-encoding");
        }
        b = (byte) ((hi << 4) | lo);
        i += 2;
      }
      ascii &= b >= 0;
      out[n++] = b;
    }
    if (ascii) {
      return new String(out, 0, n, StandardCharsets.ISO_8859_1);
    }
    CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT);
    try {
      return utf8.decode(ByteBuffer.wrap(out, 0, n)).toString();
    } catch (CharacterCodingException e) {
      throw OAuthException.invalidRequest("the " + where + " is not valid UTF-8");
    }
  }

  public static String decode(String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    return decode(b, 0, b.length);
  }

  /** A parameter name as it may appear in an error description: short, printable ASCII only. */
  static String printable(String name) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < name.length() && sb.length() < 40; i++) {
      char c = name.charAt(i);
      sb.append(c >= 0x20 && c < 0x7F && c != '"' && c != '\\' ? c : '?');
    }
    return sb.toString();
  }
}
