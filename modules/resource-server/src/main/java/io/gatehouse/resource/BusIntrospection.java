package io.gatehouse.resource;

import io.gatehouse.core.bus.ServiceBus;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;

/**
 * Introspection over Gatehouse's event-bus service API (docs/EVENT-BUS.md, schema
 * {@value ServiceBus#VERSION}): a request to {@value ServiceBus#INTROSPECT} carrying this resource
 * server's client credentials (as {@code client_secret_basic}, as the HTTP transport sends them: the
 * client's registered methods apply) and {@code token} with {@code token_type_hint=access_token}. Gatehouse
 * authenticates the client in the message, never trusting the sender, and replies what
 * {@code POST /introspect} answers, with the HTTP status in the {@value ServiceBus#STATUS_HEADER} header.
 * The request times out after the library's {@code httpTimeout}; no reply (no Gatehouse node on the bus,
 * a timeout) is a failure the validator answers 503, failing closed.
 */
final class BusIntrospection {
  static final String WHERE = "the event bus at " + ServiceBus.INTROSPECT;

  /** A reply: the status Gatehouse's HTTP endpoint would answer, and the body (not yet checked to be an object). */
  record Reply(int status, Object rawBody) {
    /** The body as a JSON object; throws when it is none. */
    JsonObject body() {
      if (rawBody instanceof JsonObject json) {
        return json;
      }
      throw new IllegalStateException("the reply is not a JSON object");
    }
  }

  private final Vertx vertx;
  private final String clientId;
  private final String clientSecret;
  private final DeliveryOptions delivery;

  BusIntrospection(Vertx vertx, String clientId, String clientSecret, long timeoutMillis) {
    if (vertx == null) {
      throw new IllegalArgumentException("the event-bus transport needs the Vert.x instance");
    }
    this.vertx = vertx;
    this.clientId = clientId;
    this.clientSecret = clientSecret;
    this.delivery = new DeliveryOptions().setSendTimeout(timeoutMillis);
  }

  Future<Reply> introspect(String token) {
    JsonObject request = new JsonObject()
        .put(ServiceBus.VERSION_MEMBER, ServiceBus.VERSION)
        .put(ServiceBus.CLIENT_AUTH_MEMBER, "client_secret_basic")
        .put("client_id", clientId)
        .put("client_secret", clientSecret)
        .put("token", token)
        .put("token_type_hint", "access_token");
    // sent as its JSON text: Gatehouse parses the bytes in one bounded pass (a JsonObject would be decoded
    // into a map on arrival first, then checked); the same bytes on the wire either way
    return vertx.eventBus().<Object>request(ServiceBus.INTROSPECT, request.toBuffer(), delivery)
        .transform(ar -> ar.succeeded() ? Future.succeededFuture(reply(ar.result()))
            : IntrospectionTokenValidator.unreachable(WHERE, ar.cause()).map(v -> (Reply) null));
  }

  private static Reply reply(Message<Object> message) {
    String status = message.headers().get(ServiceBus.STATUS_HEADER);
    int code;
    try {
      code = status == null ? 0 : Integer.parseInt(status);
    } catch (NumberFormatException e) {
      code = 0;
    }
    return new Reply(code, message.body());
  }
}
