package io.gatehouse.server.bus;

import io.gatehouse.core.model.TokenRequest;
import io.gatehouse.core.model.TokenResponse;
import io.gatehouse.core.service.TokenService;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.MessageCodec;
import io.vertx.core.eventbus.MessageConsumer;

/**
 * The token exchange over the event bus, the design's verticle hop ({@code http.token_dispatch: bus}):
 * the HTTP edge sends the parsed {@link TokenRequest} to {@value #ADDRESS} and a local consumer calls
 * {@link TokenService#exchange}. Messages stay in this JVM (a local consumer and a codec that passes the
 * object itself), so the hop costs a message, a context switch and a reply, never serialisation.
 * {@code direct} (the default) calls the service in the HTTP verticle; docs/PERFORMANCE.md has both
 * measured side by side.
 */
public final class TokenBus {
  public static final String ADDRESS = "gatehouse.token.exchange";
  private static final String CODEC = "gatehouse-local-object";
  private static final DeliveryOptions DELIVERY = new DeliveryOptions().setCodecName(CODEC).setLocalOnly(true);

  /** The outcome of one exchange: the response, or the failure to answer with. */
  private record Outcome(TokenResponse response, Throwable failure) {}

  private TokenBus() {}

  /** Registers the codec and the consumer; answers the consumer (unregister it to stop). */
  public static Future<MessageConsumer<TokenRequest>> serve(Vertx vertx, TokenService tokens) {
    try {
      vertx.eventBus().registerCodec(new LocalCodec());
    } catch (IllegalStateException alreadyRegistered) {
      // another Gatehouse on this Vert.x registered it
    }
    MessageConsumer<TokenRequest> consumer = vertx.eventBus().localConsumer(ADDRESS, message ->
        tokens.exchange(message.body()).onComplete(ar -> message.reply(new Outcome(ar.result(), ar.cause()), DELIVERY)));
    return consumer.completion().map(consumer);
  }

  /** Sends {@code request} to the consumer and answers its outcome. */
  public static Future<TokenResponse> exchange(Vertx vertx, TokenRequest request) {
    return vertx.eventBus().<Outcome>request(ADDRESS, request, DELIVERY)
        .compose(reply -> reply.body().failure() == null ? Future.succeededFuture(reply.body().response())
            : Future.failedFuture(reply.body().failure()));
  }

  /** Passes the object itself between verticles of this JVM; refuses to go over the wire. */
  private static final class LocalCodec implements MessageCodec<Object, Object> {
    @Override
    public void encodeToWire(Buffer buffer, Object o) {
      throw new UnsupportedOperationException("local only");
    }

    @Override
    public Object decodeFromWire(int pos, Buffer buffer) {
      throw new UnsupportedOperationException("local only");
    }

    @Override
    public Object transform(Object o) {
      return o;
    }

    @Override
    public String name() {
      return CODEC;
    }

    @Override
    public byte systemCodecID() {
      return -1;
    }
  }
}
