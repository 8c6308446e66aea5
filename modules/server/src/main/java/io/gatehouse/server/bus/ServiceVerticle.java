package io.gatehouse.server.bus;

import io.gatehouse.core.bus.ServiceBus;
import io.gatehouse.core.error.OAuthException;
import io.gatehouse.core.model.TokenRequest;
import io.gatehouse.server.http.OAuthErrorResponder;
import io.gatehouse.server.observe.Telemetry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * A service verticle (docs/EVENT-BUS.md): consumes {@value ServiceBus#TOKEN}, {@value ServiceBus#INTROSPECT}
 * and {@value ServiceBus#REVOKE} on the (clustered) event bus, one instance per event loop.
 *
 * <ul>
 *   <li>A {@link TokenRequest} object (a caller in this JVM, local delivery: {@link ServiceClient#bus}) is
 *       answered with an {@link ServiceCodecs.Outcome} object: the reply body, or the failure as raised,
 *       which an HTTP edge turns into its wire answer in the one place it does ({@link OAuthErrorResponder}).
 *   <li>Anything else is a wire request (another node, another service): parsed and checked by
 *       {@link ServiceMessages}, and answered with the HTTP endpoint's JSON body and the envelope headers;
 *       a failure becomes the error body the edge would write ({@link OAuthException#toJson()}, one
 *       mapping) with its status and Retry-After, classified by {@link OAuthErrorResponder#classify}.
 * </ul>
 * The caller is never trusted: every request authenticates its client in the operation.
 */
public final class ServiceVerticle extends VerticleBase {
  private final ServiceOperations operations;
  private final Telemetry telemetry;
  private final int maxMessageBytes;
  private final List<MessageConsumer<Object>> consumers = new ArrayList<>();

  /** @param maxMessageBytes the largest wire request ({@code http.max_body_bytes}, the edge's own bound) */
  public ServiceVerticle(ServiceOperations operations, Telemetry telemetry, int maxMessageBytes) {
    this.operations = operations;
    this.telemetry = telemetry;
    this.maxMessageBytes = maxMessageBytes;
  }

  @Override
  public Future<?> start() {
    ServiceCodecs.register(vertx);
    List<Future<Void>> registered = new ArrayList<>();
    for (String address : List.of(ServiceBus.TOKEN, ServiceBus.INTROSPECT, ServiceBus.REVOKE)) {
      ServiceOperations.Operation op = operations.at(address);
      MessageConsumer<Object> consumer = vertx.eventBus().consumer(address, message -> handle(address, op, message));
      consumers.add(consumer);
      registered.add(consumer.completion());
    }
    return Future.all(registered);
  }

  private void handle(String address, ServiceOperations.Operation op, Message<Object> message) {
    if (message.body() instanceof TokenRequest local) {
      call(op, local).onComplete(ar -> message.reply(new ServiceCodecs.Outcome(ar.result(), ar.cause()), ServiceCodecs.LOCAL_REPLY));
      return;
    }
    TokenRequest request;
    try {
      request = ServiceMessages.parse(message.body(), maxMessageBytes);
    } catch (OAuthException refused) {
      fail(message, refused);
      return;
    }
    call(op, request).onComplete(ar -> {
      if (ar.succeeded()) {
        message.reply(ar.result(), ServiceMessages.replyHeaders(200, -1));
      } else {
        fail(message, OAuthErrorResponder.classify(ar.cause(), () -> "on the event bus at " + address));
      }
    });
  }

  private static Future<JsonObject> call(ServiceOperations.Operation op, TokenRequest request) {
    try {
      return op.call(request);
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }

  private void fail(Message<Object> message, OAuthException error) {
    telemetry.errorAnswered(error.code().wire());
    message.reply(error.toJson(), ServiceMessages.replyHeaders(error.status(), error.retryAfterSeconds()));
  }

  @Override
  public Future<?> stop() {
    return Future.join(consumers.stream().map(MessageConsumer::unregister).toList());
  }
}
