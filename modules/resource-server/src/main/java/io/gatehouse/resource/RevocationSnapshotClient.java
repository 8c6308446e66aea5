package io.gatehouse.resource;

import io.gatehouse.core.revocation.Revocation;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.core.buffer.Buffer;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads Gatehouse's revocation list from {@code GET /revocations} (HTTP Basic as a client with
 * {@code can_introspect}), following the {@code next} cursor page by page. Any failure (unreachable, a
 * timeout, not 200, Gatehouse not vouching for its list (503), a malformed answer, more than
 * {@value #MAX_PAGES} pages) fails the whole load: a partial list is never taken for a complete one.
 */
final class RevocationSnapshotClient {
  static final int PAGE_SIZE = 10_000;
  static final int MAX_PAGES = 1_000;

  private final WebClient client;
  private final String uri;
  private final String authorization;
  private final long timeoutMillis;

  RevocationSnapshotClient(WebClient client, String uri, String clientId, String clientSecret, long timeoutMillis) {
    this.client = client;
    this.uri = uri;
    this.authorization = ClientSecretBasic.header(clientId, clientSecret);
    this.timeoutMillis = timeoutMillis;
  }

  /** Every entry revoked at or after {@code since} (epoch seconds; 0: the whole list). */
  Future<List<Revocation>> fetch(long since) {
    List<Revocation> all = new ArrayList<>();
    return page(Long.toString(since), all, 1).map(v -> all);
  }

  private Future<Void> page(String cursor, List<Revocation> into, int n) {
    if (n > MAX_PAGES) {
      return Future.failedFuture(new IllegalStateException("the revocation list has more than " + MAX_PAGES + " pages"));
    }
    String url = uri + "?limit=" + PAGE_SIZE + "&since=" + URLEncoder.encode(cursor, StandardCharsets.UTF_8);
    return client.getAbs(url).timeout(timeoutMillis).putHeader("Authorization", authorization).putHeader("Accept", "application/json").send()
        .recover(e -> Future.failedFuture(new IllegalStateException("the revocation list at " + uri + " is unreachable: " + e.getClass().getSimpleName())))
        .compose(response -> {
          JsonObject body = body(response);
          JsonArray entries = body.getValue("revocations") instanceof JsonArray a ? a : null;
          Object next = body.getValue("next");
          if (entries == null || (next != null && !(next instanceof String))) {
            throw new IllegalStateException("the revocation list at " + uri + " answered a malformed page");
          }
          for (Object entry : entries) {
            if (!(entry instanceof JsonObject json)) {
              throw new IllegalStateException("the revocation list at " + uri + " answered a malformed entry");
            }
            into.add(Revocation.fromJson(json));
          }
          return next == null ? Future.succeededFuture() : page((String) next, into, n + 1);
        });
  }

  private JsonObject body(HttpResponse<Buffer> response) {
    int status = response.statusCode();
    if (status == 401 || status == 403) {
      throw new IllegalStateException("Gatehouse refused this resource server's credentials at " + uri + " (" + status
          + "): the client needs can_introspect");
    }
    if (status != 200) {
      throw new IllegalStateException("the revocation list at " + uri + " answered " + status);
    }
    JsonObject json;
    try {
      json = response.bodyAsJsonObject();
    } catch (RuntimeException e) {
      json = null;
    }
    if (json == null) {
      throw new IllegalStateException("the revocation list at " + uri + " answered something that is not a JSON object");
    }
    return json;
  }
}
