package io.gatehouse.core.revocation;

import io.vertx.core.Future;
import java.util.function.Consumer;

/**
 * A publish/subscribe channel for {@link RevocationEvent}s: the clustered event bus, or a Redis
 * pub/sub channel for consumers that are not on the bus.
 *
 * <h2>Contract</h2>
 * <ul>
 *   <li>{@link #publish} sends the event to every subscriber of the channel, on every node; its
 *       future fails when the event could not be handed to the channel.
 *   <li>{@link #subscribe} delivers every event published after its future succeeded (by any node,
 *       this one included) to {@code events}, until {@link #close}; a malformed message is dropped,
 *       never delivered. When the subscription was lost and is back, {@code reconnected} runs (events
 *       published in between may be lost: the caller resynchronises).
 *   <li>{@link #connected} tells whether the subscription is up now; {@link #slow} whether it is up
 *       but may deliver late.
 * </ul>
 */
public interface RevocationChannel {
  Future<Void> publish(RevocationEvent event);

  Future<Void> subscribe(Consumer<RevocationEvent> events, Runnable reconnected);

  boolean connected();

  /**
   * Whether the subscription is up but slow enough that events may arrive late (a Redis queueing its
   * messages, chaos finding K9): a subscriber treats it like a possible loss. False by default.
   */
  default boolean slow() {
    return false;
  }

  /** A short name for logs and health ("event-bus", "redis"). */
  String name();

  Future<Void> close();
}
