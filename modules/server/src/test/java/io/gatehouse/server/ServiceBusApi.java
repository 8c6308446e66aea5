package io.gatehouse.server;

import static io.gatehouse.testing.Await.await;

import io.gatehouse.core.bus.ServiceBus;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;

/** A caller of the event-bus service API as a service in the cluster calls it (JSON), and the HTTP answer it must equal. */
final class ServiceBusApi {
  private ServiceBusApi() {}

  /** A reply: its status header, its Retry-After header (or null) and its body. */
  record Reply(int status, String retryAfter, Object body) {
    JsonObject json() {
      return (JsonObject) body;
    }
  }

  /** Sends {@code body} (any type: a JsonObject, a Buffer, a String ...) to {@code address} and awaits the reply. */
  static Reply call(Vertx vertx, String address, Object body) throws Exception {
    Message<Object> m = await(vertx.eventBus().request(address, body, new DeliveryOptions().setSendTimeout(20_000)));
    return new Reply(Integer.parseInt(m.headers().get(ServiceBus.STATUS_HEADER)), m.headers().get(ServiceBus.RETRY_AFTER_HEADER), m.body());
  }

  /** A version-1 request: {@code v}, then the members given as name, value pairs. */
  static JsonObject request(String... members) {
    JsonObject json = new JsonObject().put(ServiceBus.VERSION_MEMBER, ServiceBus.VERSION);
    for (int i = 0; i < members.length; i += 2) {
      json.put(members[i], members[i + 1]);
    }
    return json;
  }

  /** The HTTP answer's body as the bus must carry it: the JSON object (an empty one for an empty body). */
  static JsonObject httpBody(HttpResponse<String> r) {
    return r.body().isEmpty() ? new JsonObject() : new JsonObject(r.body());
  }
}
