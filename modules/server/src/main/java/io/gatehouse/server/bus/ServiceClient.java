package io.gatehouse.server.bus;

import io.gatehouse.core.error.OAuthException;
import io.gatehouse.core.model.TokenRequest;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;

/**
 * A caller of the service API in this JVM. The answer is the reply's JSON body, or a failed future with
 * the failure exactly as the operation raised it, so an HTTP edge answers it as it always has.
 *
 * <p>The HTTP edge is not one of these callers: it runs the operations' steps ({@link
 * ServiceOperations.Operation}) in its own verticle, since the local bus hop to a service verticle on
 * another event loop measured slower (docs/PERFORMANCE.md).
 *
 * <ul>
 *   <li>{@link #bus}: over the local event bus to this node's service verticles, passing the parsed
 *       request object and receiving the outcome object (no serialisation); for verticles that want the
 *       work on the service verticles' event loops. No reply (no service verticle, a timeout) is 503
 *       {@code temporarily_unavailable}.
 * </ul>
 */
public interface ServiceClient {
  Future<JsonObject> call(String address, TokenRequest request);

  /** Over the local event bus. */
  static ServiceClient bus(Vertx vertx) {
    ServiceCodecs.register(vertx);
    return (address, request) -> vertx.eventBus().<ServiceCodecs.Outcome>request(address, request, ServiceCodecs.LOCAL_REQUEST)
        .transform(ar -> {
          if (ar.failed()) {
            return Future.failedFuture(ar.cause() instanceof ReplyException
                ? OAuthException.temporarilyUnavailable("the service did not answer; try again later") : ar.cause());
          }
          ServiceCodecs.Outcome outcome = ar.result().body();
          return outcome.failure() == null ? Future.succeededFuture(outcome.body()) : Future.failedFuture(outcome.failure());
        });
  }
}
