package io.gatehouse.core.authorize;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/** Redirect URI matching (RFC 6749 §3.1.2, RFC 8252 §7.3) and building redirect responses. */
public final class RedirectUris {
  private RedirectUris() {}

  /**
   * Whether {@code requested} matches {@code registered}: an exact string comparison (RFC 9700
   * §4.1.3: no prefix, no normalisation, no wildcard). Only for a public (native) client, and only for
   * a registered loopback IP literal URI ({@code http://127.0.0.1/...} or {@code http://[::1]/...}),
   * the port may differ, since a native app listens on an ephemeral port (RFC 8252 §7.3); a
   * confidential client gets exact matching, port included (RFC 9700 §4.1.3).
   */
  public static boolean matches(String registered, String requested, boolean publicClient) {
    if (registered.equals(requested)) {
      return true;
    }
    if (!publicClient) {
      return false;
    }
    String reg = loopbackWithoutPort(registered);
    return reg != null && reg.equals(loopbackWithoutPort(requested));
  }

  /** The first of {@code registered} that {@code requested} matches ({@link #matches}), or null. */
  public static String match(List<String> registered, String requested, boolean publicClient) {
    for (String r : registered) {
      if (matches(r, requested, publicClient)) {
        return r;
      }
    }
    return null;
  }

  /** For http://127.0.0.1[:port]/... or http://[::1][:port]/..., the URI without the port; else null. */
  private static String loopbackWithoutPort(String uri) {
    String rest;
    String host;
    if (uri.startsWith("http://127.0.0.1")) {
      host = "http://127.0.0.1";
    } else if (uri.startsWith("http://[::1]")) {
      host = "http://[::1]";
    } else {
      return null;
    }
    rest = uri.substring(host.length());
    if (rest.startsWith(":")) {
      int end = 1;
      while (end < rest.length() && Character.isDigit(rest.charAt(end))) {
        end++;
      }
      if (end == 1 || end - 1 > 5) {
        return null;
      }
      rest = rest.substring(end);
    }
    if (!rest.isEmpty() && rest.charAt(0) != '/' && rest.charAt(0) != '?') {
      return null; // e.g. http://127.0.0.1.evil.example/
    }
    try {
      // must still be a valid URI whose host is the loopback literal
      URI parsed = new URI(uri);
      if (parsed.getRawUserInfo() != null || parsed.getRawFragment() != null) {
        return null;
      }
    } catch (URISyntaxException e) {
      return null;
    }
    return host + rest;
  }

  /**
   * {@code base} with {@code params} added to its query (RFC 6749 §4.1.2: the redirect URI's own
   * query is kept). Values are percent-encoded as UTF-8, so the client decodes exactly the bytes sent;
   * null values are left out.
   */
  public static String withQuery(String base, Map<String, String> params) {
    StringBuilder sb = new StringBuilder(base);
    char sep = base.indexOf('?') >= 0 ? (base.endsWith("?") || base.endsWith("&") ? '\0' : '&') : '?';
    for (Map.Entry<String, String> e : params.entrySet()) {
      if (e.getValue() == null) {
        continue;
      }
      if (sep != '\0') {
        sb.append(sep);
      }
      sb.append(encode(e.getKey())).append('=').append(encode(e.getValue()));
      sep = '&';
    }
    return sb.toString();
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
