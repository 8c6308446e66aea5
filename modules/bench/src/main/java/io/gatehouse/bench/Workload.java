package io.gatehouse.bench;

import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * One benchmark workload (names as in DESIGN.md): the request to send and the check every response
 * must pass. A response that fails the check is an error, never a success.
 */
public interface Workload {
  String name();

  HttpMethod method();

  String path();

  MultiMap headers();

  Buffer body();

  /** Null when the response is right, else a short error kind (for example {@code status_401}). */
  String check(int status, Buffer body);

  /** W1: client credentials with client_secret_basic; the answer must carry an RFC 9068 JWT. */
  static Workload clientCredentials(String clientId, String secret, String scope) {
    String basic = "Basic " + Base64.getEncoder().encodeToString(
        (form(clientId) + ":" + form(secret)).getBytes(StandardCharsets.UTF_8));
    String body = "grant_type=client_credentials" + (scope == null ? "" : "&scope=" + form(scope));
    MultiMap headers = MultiMap.caseInsensitiveMultiMap()
        .add("Authorization", basic)
        .add("Content-Type", "application/x-www-form-urlencoded");
    return new Fixed("W1", HttpMethod.POST, "/token", headers, Buffer.buffer(body)) {
      @Override
      public String check(int status, Buffer response) {
        if (status != 200) {
          return "status_" + status;
        }
        return isAccessTokenResponse(response.toString(StandardCharsets.UTF_8)) ? null : "invalid_body";
      }
    };
  }

  /** W3: the JWK set; the answer must be a non-empty key set. */
  static Workload jwks() {
    return new Fixed("W3", HttpMethod.GET, "/jwks", MultiMap.caseInsensitiveMultiMap(), null) {
      @Override
      public String check(int status, Buffer response) {
        if (status != 200) {
          return "status_" + status;
        }
        return response.toString(StandardCharsets.UTF_8).startsWith("{\"keys\":[{") ? null : "invalid_body";
      }
    };
  }

  /**
   * A cheap but real check of a token response: an {@code access_token} of three base64url parts
   * whose header says {@code typ: at+jwt}. Cheap, because the load generator must not become the
   * bottleneck.
   */
  static boolean isAccessTokenResponse(String json) {
    String key = "\"access_token\":\"";
    int start = json.indexOf(key);
    if (start < 0) {
      return false;
    }
    start += key.length();
    int end = json.indexOf('"', start);
    if (end < 0) {
      return false;
    }
    String jwt = json.substring(start, end);
    int dot1 = jwt.indexOf('.');
    int dot2 = dot1 < 0 ? -1 : jwt.indexOf('.', dot1 + 1);
    if (dot1 <= 0 || dot2 <= dot1 + 1 || dot2 == jwt.length() - 1 || jwt.indexOf('.', dot2 + 1) >= 0) {
      return false;
    }
    try {
      String header = new String(Base64.getUrlDecoder().decode(jwt.substring(0, dot1)), StandardCharsets.UTF_8);
      return header.contains("\"typ\":\"at+jwt\"") && json.contains("\"token_type\":\"Bearer\"");
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private static String form(String s) {
    return java.net.URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  /** A workload whose request never changes. */
  abstract class Fixed implements Workload {
    private final String name;
    private final HttpMethod method;
    private final String path;
    private final MultiMap headers;
    private final Buffer body;

    Fixed(String name, HttpMethod method, String path, MultiMap headers, Buffer body) {
      this.name = name;
      this.method = method;
      this.path = path;
      this.headers = headers;
      this.body = body;
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public HttpMethod method() {
      return method;
    }

    @Override
    public String path() {
      return path;
    }

    @Override
    public MultiMap headers() {
      return headers;
    }

    @Override
    public Buffer body() {
      return body;
    }
  }
}
