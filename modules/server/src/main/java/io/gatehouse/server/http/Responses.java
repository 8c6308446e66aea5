package io.gatehouse.server.http;

import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;

/** Writing JSON responses. */
final class Responses {
  static final String JSON = "application/json;charset=UTF-8";

  private Responses() {}

  /** A JSON body that must not be cached (RFC 6749 §5.1: tokens and errors). */
  static void json(HttpServerResponse response, JsonObject body) {
    response.putHeader("Content-Type", JSON)
        .putHeader("Cache-Control", "no-store")
        .putHeader("Pragma", "no-cache")
        .end(body.toBuffer());
  }
}
