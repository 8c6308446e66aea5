package io.gatehouse.core.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** Reads the query of a redirect URI the way a client (an OAuth client library) decodes it. */
public final class Queries {
  private Queries() {}

  /** The decoded query parameters, in order; a repeated name fails the test. */
  public static Map<String, String> params(String uri) {
    String raw = URI.create(uri).getRawQuery();
    Map<String, String> out = new LinkedHashMap<>();
    if (raw == null || raw.isEmpty()) {
      return out;
    }
    for (String pair : raw.split("&", -1)) {
      int eq = pair.indexOf('=');
      String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
      String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      assertThat(out.put(name, value)).as("parameter %s appears once in %s", name, uri).isNull();
    }
    return out;
  }

  /** The URI up to (not including) its query. */
  public static String withoutQuery(String uri) {
    int q = uri.indexOf('?');
    return q < 0 ? uri : uri.substring(0, q);
  }
}
