package io.gatehouse.store.redis;

import io.gatehouse.core.revocation.RevocationChannel;
import io.gatehouse.core.revocation.RevocationEvent;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import io.vertx.redis.client.ResponseType;
import java.util.Objects;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link RevocationChannel} on a Redis pub/sub channel ({@link RedisStoreOptions#channel()}), for
 * consumers that are not on the Vert.x event bus. Messages are {@link RevocationEvent#encode()}'s
 * JSON text (schema version 1), so any Redis client in any language can subscribe.
 *
 * <ul>
 *   <li>{@link #publish} is {@code PUBLISH} on a pooled connection; it succeeds once Redis took the
 *       message (Redis pub/sub is fire-and-forget: a subscriber that is disconnected at that moment
 *       misses it, see <a href="https://redis.io/docs/latest/develop/interact/pubsub/">Redis
 *       Pub/Sub</a>, "at-most-once" delivery).
 *   <li>{@link #subscribe} opens a dedicated connection (a subscribed connection can run no other
 *       command under RESP2), sends {@code SUBSCRIBE}, and succeeds when Redis confirms the
 *       subscription; it fails when the first attempt fails (nothing keeps trying then, and subscribe
 *       may be called again). One subscription per channel object.
 *   <li>When the subscription's connection ends or fails (Redis restarted, the connection was
 *       killed), it reconnects after {@value #FIRST_BACKOFF_MS} ms, doubling the wait after each
 *       failed attempt up to {@value #MAX_BACKOFF_MS} ms, and once subscribed again runs
 *       {@code reconnected} (the caller resynchronises, since events published in between are lost).
 *       {@link #connected} is false from the loss until then. A silent connection is a lost one: the
 *       subscription is asked {@code PING} every {@value #PING_INTERVAL_MS} ms and is dropped (and
 *       reconnected) when nothing has come back for the command timeout plus a second (chaos finding
 *       K7: a frozen Redis kept the connection open, and a resource server kept vouching). It is
 *       {@link #slow} while the last {@code PING} took, or one unanswered has waited, more than
 *       {@value #SLOW_ROUND_TRIP_MS} ms (chaos finding K9).
 *   <li>A message that is not a version-1 revocation event is dropped with a WARN log and never
 *       delivered; the log names the channel and what was wrong, never the message.
 *   <li>{@link #close} stops reconnecting, closes the subscription's connection and the pool.
 * </ul>
 */
public final class RedisRevocationChannel implements RevocationChannel {
  static final long FIRST_BACKOFF_MS = 100;
  static final long MAX_BACKOFF_MS = 2_000;

  /** How long an attempt waits for Redis to confirm the subscription before it gives up. */
  static final long SUBSCRIBE_TIMEOUT_MS = 10_000;

  /**
   * How often the subscribed connection is asked {@code PING}: a silent Redis (a frozen server, a
   * dropped route) keeps the connection open and sends nothing, so without it the channel would read
   * as up while no event arrives (chaos finding K7).
   */
  static final long PING_INTERVAL_MS = 1_000;

  /**
   * A {@code PING} on the subscribed connection answered after more than this (or unanswered that
   * long) makes the channel {@link #slow}: a healthy Redis answers in about a millisecond, so its
   * messages are queueing too (chaos finding K9: a slow Redis delivered events past the propagation
   * bound while the connection stayed up).
   */
  static final long SLOW_ROUND_TRIP_MS = 500;

  private static final Logger LOG = LoggerFactory.getLogger(RedisRevocationChannel.class);

  private final Vertx vertx;
  private final String channel;
  private final Redis publisher;
  private final Redis subscriber;
  private final long firstBackoffMs;
  private final long maxBackoffMs;
  /** How long opening the subscription's connection (TCP and the client's handshake) may take. */
  private final long connectTimeoutMs;

  private final Object lock = new Object();
  // guarded by lock
  private boolean started;
  private boolean closed;
  private Consumer<RevocationEvent> events;
  private Runnable reconnected;
  private RedisConnection connection;
  private Promise<Void> pending;
  private int generation;
  private long backoffMs;
  private long retryTimer = -1;
  private long clientId = -1;
  private Future<Void> closing;

  private volatile boolean connected;
  /** When (System.nanoTime) the subscription's connection last sent anything. */
  private volatile long lastHeardNanos;
  /**
   * The PINGs not yet answered on the subscribed connection: their token (the PING's argument, which the
   * pong carries back) and when each was sent, oldest first.
   */
  private final java.util.LinkedHashMap<String, Long> pingsSentNanos = new java.util.LinkedHashMap<>(); // guarded by itself
  private long pingSequence; // guarded by pingsSentNanos
  private final java.util.concurrent.atomic.AtomicLong pongs = new java.util.concurrent.atomic.AtomicLong();
  private volatile long lastRoundTripNanos;
  /** How long the connection may stay silent while pinged before it counts as lost: the command timeout, at least two pings. */
  private final long silenceMs;

  private RedisRevocationChannel(Vertx vertx, RedisStoreOptions options, long firstBackoffMs, long maxBackoffMs) {
    this.vertx = vertx;
    this.channel = options.channel();
    // publishing is bounded by the command timeout; the subscription bounds its own handshake (SUBSCRIBE_TIMEOUT_MS)
    this.publisher = BoundedRedis.create(vertx, options, options.poolSize());
    this.subscriber = Redis.createClient(vertx, options.clientOptions(1));
    this.firstBackoffMs = firstBackoffMs;
    this.maxBackoffMs = maxBackoffMs;
    this.backoffMs = firstBackoffMs;
    this.connectTimeoutMs = options.connectTimeout().plus(options.commandTimeout()).toMillis();
    this.silenceMs = Math.max(2 * PING_INTERVAL_MS, options.commandTimeout().toMillis() + PING_INTERVAL_MS);
  }

  /**
   * A channel publishing on a pool of {@link RedisStoreOptions#poolSize()} connections. Nothing is
   * connected yet: the pool connects on the first publish, the subscription on {@link #subscribe}.
   */
  public static RedisRevocationChannel create(Vertx vertx, RedisStoreOptions options) {
    return create(vertx, options, FIRST_BACKOFF_MS, MAX_BACKOFF_MS);
  }

  /** {@link #create} with another reconnection backoff (tests). */
  static RedisRevocationChannel create(Vertx vertx, RedisStoreOptions options, long firstBackoffMs, long maxBackoffMs) {
    Objects.requireNonNull(vertx, "vertx");
    Objects.requireNonNull(options, "options");
    return new RedisRevocationChannel(vertx, options, firstBackoffMs, maxBackoffMs);
  }

  @Override
  public Future<Void> publish(RevocationEvent event) {
    Objects.requireNonNull(event, "event");
    return publisher.send(Request.cmd(Command.PUBLISH).arg(channel).arg(event.encode())).mapEmpty();
  }

  @Override
  public Future<Void> subscribe(Consumer<RevocationEvent> events, Runnable reconnected) {
    Objects.requireNonNull(events, "events");
    Objects.requireNonNull(reconnected, "reconnected");
    synchronized (lock) {
      if (closed) {
        return Future.failedFuture(new IllegalStateException("the channel is closed"));
      }
      if (started) {
        return Future.failedFuture(new IllegalStateException("the channel is already subscribed"));
      }
      started = true;
      this.events = events;
      this.reconnected = reconnected;
    }
    return attempt()
        .onFailure(
            failure -> {
              synchronized (lock) {
                started = false;
              }
            });
  }

  /** How many of this channel's PINGs were answered (for tests). */
  long pongs() {
    return pongs.get();
  }

  @Override
  public boolean slow() {
    long limit = SLOW_ROUND_TRIP_MS * 1_000_000L;
    if (!connected()) {
      return false;
    }
    if (lastRoundTripNanos > limit) {
      return true;
    }
    synchronized (pingsSentNanos) {
      var oldest = pingsSentNanos.values().iterator();
      return oldest.hasNext() && System.nanoTime() - oldest.next() > limit;
    }
  }

  @Override
  public boolean connected() {
    return connected;
  }

  @Override
  public String name() {
    return "redis";
  }

  @Override
  public Future<Void> close() {
    RedisConnection current;
    Promise<Void> waiting;
    Promise<Void> done = Promise.promise();
    synchronized (lock) {
      if (closing != null) {
        return closing;
      }
      closing = done.future();
      closed = true;
      connected = false;
      generation++;
      if (retryTimer != -1) {
        vertx.cancelTimer(retryTimer);
        retryTimer = -1;
      }
      current = connection;
      connection = null;
      waiting = pending;
      pending = null;
    }
    if (waiting != null) {
      waiting.tryFail(new IllegalStateException("the channel was closed"));
    }
    Future<Void> unsubscribed = current == null ? Future.succeededFuture() : current.close();
    unsubscribed.eventually(subscriber::close).eventually(publisher::close).onComplete(done);
    return done.future();
  }

  /** The server's id of the subscription's current connection ({@code CLIENT ID}), or -1 (tests). */
  long clientId() {
    synchronized (lock) {
      return clientId;
    }
  }

  /**
   * One attempt: connect, ask the connection's id, {@code SUBSCRIBE}, wait for the confirmation.
   * Succeeds with the subscription up; fails (leaving nothing open) otherwise.
   */
  private Future<Void> attempt() {
    Promise<Void> subscribed = Promise.promise();
    synchronized (lock) {
      if (closed) {
        return Future.failedFuture(new IllegalStateException("the channel is closed"));
      }
      pending = subscribed;
    }
    subscribed.future()
        .onComplete(
            done -> {
              synchronized (lock) {
                if (pending == subscribed) {
                  pending = null;
                }
              }
            });
    Future<RedisConnection> connecting = subscriber.connect();
    // a silent server accepts the TCP connection and never answers the handshake: give up, and close the
    // connection should it still come
    connecting.timeout(connectTimeoutMs, java.util.concurrent.TimeUnit.MILLISECONDS)
        .onFailure(failure -> {
          connecting.onSuccess(RedisConnection::close);
          subscribed.tryFail(failure);
        })
        .onSuccess(
            conn -> {
              int gen;
              boolean refused;
              synchronized (lock) {
                refused = closed;
                gen = refused ? generation : ++generation;
                if (!refused) {
                  connection = conn;
                }
              }
              if (refused) {
                conn.close();
                subscribed.tryFail(new IllegalStateException("the channel is closed"));
                return;
              }
              long timeout =
                  vertx.setTimer(
                      SUBSCRIBE_TIMEOUT_MS,
                      t -> lost(gen, conn, subscribed, new TimeoutException("Redis did not confirm the subscription")));
              subscribed.future().onComplete(done -> vertx.cancelTimer(timeout));
              // once subscribed: PING every second, and the connection counts as lost when it has sent
              // nothing (no pong, no message) for silenceMs (chaos finding K7)
              subscribed.future().onSuccess(up -> watch(gen, conn, subscribed));
              conn.handler(reply -> {
                lastHeardNanos = System.nanoTime();
                onReply(gen, reply, subscribed);
              });
              conn.exceptionHandler(failure -> lost(gen, conn, subscribed, failure));
              conn.endHandler(ended -> lost(gen, conn, subscribed, null));
              conn.send(Request.cmd(Command.CLIENT).arg("ID"))
                  // best effort: only for logs and tests; a server that refuses CLIENT still subscribes
                  .map(id -> id == null ? -1L : id.toLong())
                  .otherwise(-1L)
                  .compose(
                      id -> {
                        synchronized (lock) {
                          if (gen == generation) {
                            clientId = id;
                          }
                        }
                        return conn.send(Request.cmd(Command.SUBSCRIBE).arg(channel));
                      })
                  .onFailure(failure -> lost(gen, conn, subscribed, failure));
            });
    return subscribed.future();
  }

  /**
   * Pings the subscribed connection of attempt {@code gen} every {@link #PING_INTERVAL_MS} until it is
   * superseded, and declares it lost when it has answered nothing for {@code silenceMs} (a pong or a
   * message, any of them counts). Each PING carries a token, and its round trip is recorded when the pong
   * comes back ({@link #pong}).
   */
  private void watch(int gen, RedisConnection conn, Promise<Void> subscribed) {
    lastHeardNanos = System.nanoTime();
    synchronized (pingsSentNanos) {
      pingsSentNanos.clear();
      lastRoundTripNanos = 0;
    }
    vertx.setPeriodic(PING_INTERVAL_MS, timer -> {
      synchronized (lock) {
        if (gen != generation || closed) {
          vertx.cancelTimer(timer);
          return;
        }
      }
      if ((System.nanoTime() - lastHeardNanos) / 1_000_000 > silenceMs) {
        vertx.cancelTimer(timer);
        lost(gen, conn, subscribed, new TimeoutException("Redis answered no PING for " + silenceMs + " ms"));
        return;
      }
      String token;
      synchronized (pingsSentNanos) {
        token = "gatehouse-ping-" + (++pingSequence);
        pingsSentNanos.put(token, System.nanoTime());
      }
      // the pong comes back as the command's reply or through the connection's handler (the client and
      // the protocol version decide): either is matched by its token
      conn.send(Request.cmd(Command.PING).arg(token)).onSuccess(reply -> {
        lastHeardNanos = System.nanoTime();
        pong(reply);
      });
    });
  }

  /**
   * Whether {@code reply} answers one of this channel's PINGs ({@code ["pong", token]} on a subscribed
   * connection, or the token alone); if so, the round trip is recorded, and the PINGs sent before it
   * (answered where this did not see it) are forgotten.
   */
  private boolean pong(Response reply) {
    if (reply == null) {
      return false;
    }
    String token;
    if ((reply.type() == ResponseType.PUSH || reply.type() == ResponseType.MULTI) && reply.size() == 2 && reply.get(0) != null
        && "pong".equalsIgnoreCase(reply.get(0).toString())) {
      token = reply.get(1) == null ? "" : reply.get(1).toString();
    } else if (reply.type() == ResponseType.BULK || reply.type() == ResponseType.SIMPLE) {
      token = reply.toString();
    } else {
      return false;
    }
    long now = System.nanoTime();
    synchronized (pingsSentNanos) {
      Long sent = pingsSentNanos.get(token);
      if (sent == null) {
        return token.startsWith("gatehouse-ping-");
      }
      for (var it = pingsSentNanos.entrySet().iterator(); it.hasNext(); ) {
        var e = it.next();
        it.remove();
        if (e.getKey().equals(token)) {
          break;
        }
      }
      lastRoundTripNanos = now - sent;
    }
    pongs.incrementAndGet();
    return true;
  }

  /** A push from the subscription's connection: the confirmation, or a message. */
  private void onReply(int gen, Response reply, Promise<Void> subscribed) {
    if (pong(reply)) {
      return;
    }
    if (reply == null || (reply.type() != ResponseType.PUSH && reply.type() != ResponseType.MULTI) || reply.size() < 3) {
      return;
    }
    String kind = reply.get(0).toString();
    if ("subscribe".equals(kind) && channel.equals(reply.get(1).toString())) {
      synchronized (lock) {
        if (gen != generation) {
          return;
        }
        connected = true;
      }
      subscribed.tryComplete();
    } else if ("message".equals(kind) && reply.size() == 3 && channel.equals(reply.get(1).toString())) {
      deliver(reply.get(2));
    } else if ("pmessage".equals(kind) && reply.size() == 4 && channel.equals(reply.get(2).toString())) {
      deliver(reply.get(3));
    }
  }

  private void deliver(Response message) {
    RevocationEvent event;
    try {
      event = RevocationEvent.decode(message == null ? "" : message.toString());
    } catch (IllegalArgumentException e) {
      LOG.warn("dropped a malformed revocation event on Redis channel {}: {}", channel, e.getMessage());
      return;
    }
    Consumer<RevocationEvent> consumer;
    synchronized (lock) {
      consumer = events;
    }
    try {
      consumer.accept(event);
    } catch (RuntimeException e) {
      // the class only: a message could quote the revoked value
      LOG.error("the revocation event consumer failed on an event from Redis channel {}: {}", channel, e.getClass().getName());
    }
  }

  /**
   * The connection of attempt {@code gen} ended, failed or timed out. A stale one (a later attempt,
   * or close, took over) is ignored. An attempt that had not subscribed yet fails (its caller
   * decides what next); a subscription that was up schedules a reconnection.
   */
  private void lost(int gen, RedisConnection conn, Promise<Void> subscribed, Throwable failure) {
    boolean stale;
    boolean wasUp;
    synchronized (lock) {
      stale = gen != generation;
      if (!stale) {
        generation++;
        connected = false;
        connection = null;
      }
      wasUp = subscribed.future().succeeded();
    }
    if (stale) {
      // close (or a later attempt) took over; an attempt still waiting fails now
      subscribed.tryFail(new IllegalStateException("the subscription attempt was superseded"));
      return;
    }
    conn.close();
    if (!wasUp) {
      subscribed.tryFail(failure != null ? failure : new IllegalStateException("the connection to Redis ended"));
      return;
    }
    LOG.warn("lost the subscription to Redis channel {} ({}); reconnecting", channel, describe(failure));
    scheduleRetry();
  }

  private void scheduleRetry() {
    synchronized (lock) {
      if (closed) {
        return;
      }
      long delay = backoffMs;
      backoffMs = Math.min(backoffMs * 2, maxBackoffMs);
      retryTimer = vertx.setTimer(delay, t -> retry());
    }
  }

  private void retry() {
    synchronized (lock) {
      retryTimer = -1;
      if (closed) {
        return;
      }
    }
    attempt()
        .onComplete(
            done -> {
              if (done.failed()) {
                long next;
                synchronized (lock) {
                  next = backoffMs;
                }
                LOG.warn("could not resubscribe to Redis channel {} ({}); retrying in {} ms", channel, describe(done.cause()), next);
                scheduleRetry();
                return;
              }
              Runnable callback;
              synchronized (lock) {
                backoffMs = firstBackoffMs;
                callback = reconnected;
              }
              LOG.info("resubscribed to Redis channel {}", channel);
              try {
                callback.run();
              } catch (RuntimeException e) {
                LOG.error("the reconnected callback of Redis channel {} failed: {}", channel, e.getClass().getName());
              }
            });
  }

  private static String describe(Throwable failure) {
    if (failure == null) {
      return "connection ended";
    }
    return failure.getMessage() == null ? failure.getClass().getSimpleName() : failure.getClass().getSimpleName() + ": " + failure.getMessage();
  }
}
