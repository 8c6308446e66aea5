package io.gatehouse.server.cli;

import io.gatehouse.server.http.AdminRegistryEndpoints;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.StringJoiner;

/**
 * The admin API over HTTP (the JDK's client; the CLI runs on no event loop): first an access token for the admin
 * client (client credentials, {@code client_secret_basic}, RFC 6749 §4.4 and §2.3.1), then bearer calls to
 * {@code /admin/...}. Redirects are never followed (the token must not go elsewhere). An answer that is not 2xx
 * ends the command with status 1 and the server's {@code error} and {@code error_description}; the token and
 * the secret are never printed.
 */
final class AdminApi {
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
      .followRedirects(HttpClient.Redirect.NEVER).build();
  private final String base;
  private final String clientId;
  private final String secret;
  private final String scope;
  private String token;

  AdminApi(String base, String clientId, String secret, String scope) {
    this.base = base;
    this.clientId = clientId;
    this.secret = secret;
    this.scope = scope;
  }

  /** One path segment (an id or subject), percent-encoded as the server's {@code Location} headers are. */
  static String segment(String value) {
    return AdminRegistryEndpoints.segment(value);
  }

  /** A query string of the non-null values, form-encoded ({@code ?a=1&b=2}, or "" when none). */
  static String query(Map<String, String> params) {
    StringJoiner q = new StringJoiner("&", "?", "");
    q.setEmptyValue("");
    params.forEach((name, value) -> {
      if (value != null) {
        q.add(name + "=" + URLEncoder.encode(value, StandardCharsets.UTF_8));
      }
    });
    return q.toString();
  }

  JsonObject get(String path) {
    return call("GET", path, null);
  }

  JsonObject post(String path, JsonObject body) {
    return call("POST", path, body);
  }

  JsonObject put(String path, JsonObject body) {
    return call("PUT", path, body);
  }

  void delete(String path) {
    call("DELETE", path, null);
  }

  /** Calls {@code path} (under the issuer) with the admin token; answers the JSON body (empty for 204). */
  JsonObject call(String method, String path, JsonObject body) {
    HttpRequest.Builder request = HttpRequest.newBuilder(uri(path)).timeout(TIMEOUT)
        .header("Authorization", "Bearer " + token())
        .header("Accept", "application/json")
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body.encode()));
    if (body != null) {
      request.header("Content-Type", "application/json");
    }
    HttpResponse<String> response = send(request.build());
    if (response.statusCode() / 100 != 2) {
      throw refused(method + " " + path.replaceFirst("\\?.*", ""), response);
    }
    return json(response);
  }

  private String token() {
    if (token != null) {
      return token;
    }
    // RFC 6749 §2.3.1: the id and secret are form-encoded before they are joined for Basic
    String pair = URLEncoder.encode(clientId, StandardCharsets.UTF_8) + ":" + URLEncoder.encode(secret, StandardCharsets.UTF_8);
    HttpRequest request = HttpRequest.newBuilder(uri("/token")).timeout(TIMEOUT)
        .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8)))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials&scope=" + URLEncoder.encode(scope, StandardCharsets.UTF_8)))
        .build();
    HttpResponse<String> response = send(request);
    if (response.statusCode() != 200) {
      throw refused("getting an admin token for client '" + clientId + "'", response);
    }
    String accessToken = json(response).getString("access_token");
    if (accessToken == null) {
      throw new CliException(Cli.FAILED, "the token endpoint answered no access_token");
    }
    token = accessToken;
    return token;
  }

  private URI uri(String path) {
    try {
      return URI.create(base + path);
    } catch (IllegalArgumentException e) {
      throw new CliException(Cli.USAGE, "not a usable URL: " + base + path);
    }
  }

  private HttpResponse<String> send(HttpRequest request) {
    try {
      return http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new CliException(Cli.FAILED, "cannot reach " + base + " (" + e.getClass().getSimpleName() + ")");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CliException(Cli.FAILED, "interrupted");
    }
  }

  private static JsonObject json(HttpResponse<String> response) {
    String body = response.body();
    if (body == null || body.isBlank()) {
      return new JsonObject();
    }
    try {
      return new JsonObject(body);
    } catch (DecodeException | ClassCastException e) {
      throw new CliException(Cli.FAILED, "the server answered " + response.statusCode() + " with a body that is not a JSON object");
    }
  }

  /** The server's error, as it said it: {@code 404 not_found: no client is registered under this client_id}. */
  private static CliException refused(String what, HttpResponse<String> response) {
    String detail;
    try {
      JsonObject error = new JsonObject(response.body());
      detail = error.getString("error", "") + (error.containsKey("error_description") ? ": " + error.getString("error_description") : "");
    } catch (RuntimeException e) {
      detail = "(no OAuth error in the answer)";
    }
    return new CliException(Cli.FAILED, what + " answered " + response.statusCode() + " " + detail);
  }
}
