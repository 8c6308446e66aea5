package io.gatehouse.server.verticle;

import io.gatehouse.core.model.TokenRequest;
import io.gatehouse.core.service.TokenService;
import io.gatehouse.server.bus.TokenBus;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.MessageConsumer;

/**
 * The design's token verticle ({@code http.token_dispatch: bus}): consumes the exchanges the HTTP
 * edges send on the event bus and answers them through {@link TokenService}. One per event loop, as
 * the HTTP verticles.
 */
public final class TokenVerticle extends VerticleBase {
  private final TokenService tokens;
  private MessageConsumer<TokenRequest> consumer;

  public TokenVerticle(TokenService tokens) {
    this.tokens = tokens;
  }

  @Override
  public Future<?> start() {
    return TokenBus.serve(vertx, tokens).onSuccess(c -> consumer = c);
  }

  @Override
  public Future<?> stop() {
    return consumer == null ? Future.succeededFuture() : consumer.unregister();
  }
}
