package io.gatehouse.core.revocation;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link RevocationChannel} on the Vert.x event bus, address {@link RevocationEvent#ADDRESS}: the
 * clustered bus when Vert.x is clustered (every node, and every resource server that joined the
 * cluster), else this process only. Events travel as {@link JsonObject}s in {@link RevocationEvent}'s
 * schema, so bridged and non-Java consumers read the same document.
 */
public final class EventBusRevocationChannel implements RevocationChannel {
  private static final Logger LOG = LoggerFactory.getLogger(EventBusRevocationChannel.class);

  private final Vertx vertx;
  private final String address;
  private volatile MessageConsumer<Object> consumer;

  public EventBusRevocationChannel(Vertx vertx) {
    this(vertx, RevocationEvent.ADDRESS);
  }

  public EventBusRevocationChannel(Vertx vertx, String address) {
    this.vertx = vertx;
    this.address = address;
  }

  @Override
  public Future<Void> publish(RevocationEvent event) {
    try {
      vertx.eventBus().publish(address, event.toJson());
      return Future.succeededFuture();
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }

  @Override
  public Future<Void> subscribe(Consumer<RevocationEvent> events, Runnable reconnected) {
    MessageConsumer<Object> c = vertx.eventBus().consumer(address, message -> {
      RevocationEvent event;
      try {
        Object body = message.body();
        event = body instanceof JsonObject json ? RevocationEvent.fromJson(json) : RevocationEvent.decode(String.valueOf(body));
      } catch (IllegalArgumentException e) {
        LOG.warn("dropped a malformed revocation event on {}: {}", address, e.getMessage());
        return;
      }
      events.accept(event);
    });
    consumer = c;
    return c.completion();
  }

  @Override
  public boolean connected() {
    MessageConsumer<Object> c = consumer;
    return c != null && c.isRegistered();
  }

  @Override
  public String name() {
    return "event-bus";
  }

  @Override
  public Future<Void> close() {
    MessageConsumer<Object> c = consumer;
    consumer = null;
    return c == null ? Future.succeededFuture() : c.unregister();
  }
}
