package io.gatehouse.server;

import java.net.CookieManager;
import java.net.CookiePolicy;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** A cookie-keeping HTTP client that fills Gatehouse's forms as a browser would, redirects followed by hand. */
final class Browser {
  final CookieManager cookies = new CookieManager(null, CookiePolicy.ACCEPT_ALL);
  final HttpClient http = HttpClient.newBuilder().cookieHandler(cookies).followRedirects(HttpClient.Redirect.NEVER)
      .connectTimeout(Duration.ofSeconds(5)).build();

  HttpResponse<String> get(String url) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> post(String url, Map<String, String> form) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString(encode(form))).build(), HttpResponse.BodyHandlers.ofString());
  }

  static String encode(Map<String, String> form) {
    return form.entrySet().stream()
        .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
        .collect(Collectors.joining("&"));
  }

  /** Absolute URL of a Location header relative to {@code base}. */
  static String location(HttpResponse<?> r, String base) {
    String loc = r.headers().firstValue("Location").orElseThrow(() -> new AssertionError("no Location: " + r.statusCode()));
    return loc.startsWith("/") ? base + loc : loc;
  }

  /** The value of a hidden input of a rendered form. */
  static String hidden(String html, String name) {
    Matcher m = Pattern.compile("<input type=\"hidden\" name=\"" + name + "\" value=\"([^\"]*)\">").matcher(html);
    if (!m.find()) {
      throw new AssertionError("no hidden field " + name + " in " + html);
    }
    return m.group(1).replace("&#x3D;", "=").replace("&amp;", "&");
  }

  /** The query parameters of a URL, decoded. */
  static Map<String, String> query(String url) {
    Map<String, String> out = new LinkedHashMap<>();
    String q = URI.create(url).getRawQuery();
    if (q == null) {
      return out;
    }
    for (String pair : q.split("&")) {
      int eq = pair.indexOf('=');
      out.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8), URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
    }
    return out;
  }

  /**
   * Signs in and consents on the pages an authorization URL leads to, and answers the final redirect
   * to the client (its Location).
   */
  String signInAndConsent(String authorizeUrl, String base, String username, String password) throws Exception {
    HttpResponse<String> r = get(authorizeUrl);
    String next = Browser.location(r, base);
    if (next.startsWith(base + "/login")) {
      HttpResponse<String> page = get(next);
      r = post(base + "/login", Map.of("rid", hidden(page.body(), "rid"), "csrf", hidden(page.body(), "csrf"),
          "username", username, "password", password));
      if (r.statusCode() != 303) {
        throw new AssertionError("login answered " + r.statusCode());
      }
      next = Browser.location(get(Browser.location(r, base)), base);
    }
    if (next.startsWith(base + "/consent")) {
      HttpResponse<String> page = get(next);
      r = post(base + "/consent", Map.of("rid", hidden(page.body(), "rid"), "csrf", hidden(page.body(), "csrf"), "decision", "approve"));
      next = Browser.location(r, base);
    }
    return next;
  }
}
