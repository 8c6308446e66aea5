package io.gatehouse.store.redis;

import static io.gatehouse.testing.Await.await;
import static io.gatehouse.testing.Await.awaitFailure;
import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.core.revocation.Revocation;
import io.gatehouse.core.revocation.Revocation.Kind;
import io.gatehouse.core.revocation.RevocationEvent;
import io.gatehouse.testing.Await;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link RedisRevocationChannel} against a real Redis (see {@link TestRedis}): two nodes are channel
 * objects on two Vert.x instances, each test on a channel with a random name of its own. Connection
 * losses are made with {@code CLIENT KILL ID} (the subscriber's connection only, since the server is
 * shared) and with a {@link RedisProxy} that plays an outage.
 */
class RedisRevocationChannelTest {
  private static final Duration WAIT = Duration.ofSeconds(10);

  private static Vertx vertx;
  private static Vertx otherVertx;
  private static Redis raw;

  private String channelName;
  private final List<RedisRevocationChannel> opened = new ArrayList<>();
  private final BlockingQueue<RevocationEvent> received = new LinkedBlockingQueue<>();
  private final AtomicInteger reconnections = new AtomicInteger();

  @BeforeAll
  static void setUp() {
    vertx = Vertx.vertx();
    otherVertx = Vertx.vertx();
    raw = TestRedis.raw(vertx);
  }

  @AfterAll
  static void tearDown() {
    await(raw.close());
    await(otherVertx.close());
    await(vertx.close());
  }

  @BeforeEach
  void name() {
    channelName = "gh-test.revocations." + TestRedis.randomId();
  }

  @AfterEach
  void closeChannels() {
    for (RedisRevocationChannel channel : opened) {
      await(channel.close());
    }
  }

  private RedisRevocationChannel channel(Vertx on) {
    return track(RedisRevocationChannel.create(on, TestRedis.options("unused:", channelName)));
  }

  private RedisRevocationChannel track(RedisRevocationChannel channel) {
    opened.add(channel);
    return channel;
  }

  /** Subscribes {@code channel}, collecting into {@link #received} and counting {@link #reconnections}. */
  private void subscribe(RedisRevocationChannel channel) {
    await(channel.subscribe(received::add, reconnections::incrementAndGet));
  }

  private static RevocationEvent event(String origin) {
    long now = Instant.now().getEpochSecond();
    return new RevocationEvent(new Revocation(Kind.TOKEN, "jti-" + TestRedis.randomId(), now, now + 600), origin, System.currentTimeMillis());
  }

  private RevocationEvent next() throws InterruptedException {
    RevocationEvent e = received.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertThat(e).as("an event within %s", WAIT).isNotNull();
    return e;
  }

  private void publishRaw(String message) {
    TestRedis.send(raw, Request.cmd(Command.PUBLISH).arg(channelName).arg(message));
  }

  private long subscribers() {
    return TestRedis.send(raw, Request.cmd(Command.PUBSUB).arg("NUMSUB").arg(channelName)).get(1).toLong();
  }

  @Test
  void publishedEventReachesAnotherNodesSubscriber() throws InterruptedException {
    RedisRevocationChannel nodeA = channel(vertx);
    RedisRevocationChannel nodeB = channel(otherVertx);
    subscribe(nodeB);
    RevocationEvent sent = event("node-a");

    await(nodeA.publish(sent));

    assertThat(next()).isEqualTo(sent);
    assertThat(nodeB.connected()).isTrue();
    assertThat(nodeB.name()).isEqualTo("redis");
  }

  @Test
  void aSubscriberReceivesItsOwnNodesEventsInTheOrderTheyWerePublished() throws InterruptedException {
    RedisRevocationChannel node = channel(vertx);
    subscribe(node);
    List<RevocationEvent> sent = List.of(event("a"), event("a"), event("a"));

    for (RevocationEvent e : sent) {
      await(node.publish(e));
    }

    assertThat(List.of(next(), next(), next())).isEqualTo(sent);
  }

  @Test
  void theMessageOnTheChannelIsTheEventsVersionOneJson() throws InterruptedException {
    RedisRevocationChannel node = channel(vertx);
    List<String> seen = new ArrayList<>();
    AtomicBoolean done = new AtomicBoolean();
    // a plain Redis subscriber, as a consumer in another language would be
    Redis plain = TestRedis.raw(vertx);
    try {
      var conn = await(plain.connect());
      conn.handler(reply -> {
        if (reply.size() == 3 && "message".equals(reply.get(0).toString())) {
          synchronized (seen) {
            seen.add(reply.get(2).toString());
          }
          done.set(true);
        }
      });
      await(conn.send(Request.cmd(Command.SUBSCRIBE).arg(channelName)));
      Await.until("subscribed", WAIT, () -> subscribers() == 1);
      RevocationEvent sent = event("node-a");

      await(node.publish(sent));

      Await.until("the plain subscriber got the message", WAIT, done::get);
      synchronized (seen) {
        assertThat(seen).containsExactly(sent.encode());
      }
      assertThat(RevocationEvent.decode(seen.get(0))).isEqualTo(sent);
      await(conn.close());
    } finally {
      await(plain.close());
    }
  }

  @Test
  void malformedMessagesAreDroppedAndTheNextValidEventArrives() throws InterruptedException {
    RedisRevocationChannel node = channel(vertx);
    subscribe(node);
    RevocationEvent valid = event("node-a");
    String otherVersion = valid.toJson().put("v", 2).encode();
    String unknownKind = valid.toJson().put("kind", "session").encode();
    String missingValue = valid.toJson().putNull("value").encode();

    for (String bad : List.of("not json", "[1,2]", "", otherVersion, unknownKind, missingValue)) {
      publishRaw(bad);
    }
    publishRaw(valid.encode());

    assertThat(next()).isEqualTo(valid);
    assertThat(received).as("nothing else delivered").isEmpty();
  }

  @Test
  void aConsumerThatThrowsDoesNotStopLaterEvents() throws InterruptedException {
    RedisRevocationChannel node = channel(vertx);
    AtomicBoolean first = new AtomicBoolean(true);
    await(node.subscribe(e -> {
      if (first.getAndSet(false)) {
        throw new IllegalStateException("consumer failure");
      }
      received.add(e);
    }, reconnections::incrementAndGet));
    RevocationEvent second = event("a");

    await(node.publish(event("a")));
    await(node.publish(second));

    assertThat(next()).isEqualTo(second);
    assertThat(node.connected()).isTrue();
  }

  @Test
  void afterItsConnectionIsKilledTheSubscriberReconnectsRunsReconnectedAndReceivesLaterEvents() throws InterruptedException {
    RedisRevocationChannel publisher = channel(otherVertx);
    // a longer first wait than the default, so that the test surely sees connected() false
    RedisRevocationChannel node = track(RedisRevocationChannel.create(vertx, TestRedis.options("unused:", channelName), 300, 2_000));
    subscribe(node);
    long before = node.clientId();
    assertThat(before).as("the subscriber's connection id").isPositive();
    assertThat(node.connected()).isTrue();

    long killed = TestRedis.send(raw, Request.cmd(Command.CLIENT).arg("KILL").arg("ID").arg(before)).toLong();

    assertThat(killed).isEqualTo(1);
    Await.until("connected() goes false", WAIT, () -> !node.connected());
    assertThat(reconnections.get()).isZero();
    Await.until("reconnected runs", WAIT, () -> reconnections.get() == 1);
    assertThat(node.connected()).isTrue();
    assertThat(node.clientId()).isNotEqualTo(before);
    RevocationEvent later = event("node-b");

    await(publisher.publish(later));

    assertThat(next()).isEqualTo(later);
    assertThat(reconnections.get()).as("reconnected ran once").isEqualTo(1);
  }

  /** A channel through {@code proxy} (1 s connect and command timeouts, backoff 100–500 ms), subscribed. */
  RedisRevocationChannel subscribedThrough(RedisProxy proxy) {
    RedisRevocationChannel node = track(RedisRevocationChannel.create(vertx,
        new RedisStoreOptions(proxy.uri(), "unused:", channelName, 1, java.time.Duration.ofSeconds(1), java.time.Duration.ofSeconds(1)),
        100, 500));
    subscribe(node);
    return node;
  }

  /** Chaos finding K7: a silent Redis keeps the connection open; the channel must not read as up. */
  @Test
  void whenRedisGoesSilentTheChannelReportsItselfDownAndResubscribesOnceItAnswersAgain() throws InterruptedException {
    RedisProxy proxy = RedisProxy.start(vertx);
    try {
      RedisRevocationChannel node = subscribedThrough(proxy);
      assertThat(node.connected()).isTrue();

      proxy.silence();

      Await.until("connected() goes false while Redis is silent", WAIT, () -> !node.connected());
      proxy.forward();
      Await.until("reconnected runs once Redis answers", WAIT, () -> reconnections.get() >= 1 && node.connected());
      RevocationEvent later = event("node-b");
      await(channel(otherVertx).publish(later));
      assertThat(next()).isEqualTo(later);
    } finally {
      proxy.close();
    }
  }

  /** Chaos finding K9: a Redis that answers PING in 400 ms each way queues its messages too. */
  @Test
  void whenRedisAnswersSlowlyTheChannelIsSlowWhileStillConnectedAndNoLongerOnceItIsPrompt() throws InterruptedException {
    RedisProxy proxy = RedisProxy.start(vertx);
    try {
      RedisRevocationChannel node = subscribedThrough(proxy);
      Await.until("two PINGs answered", WAIT, () -> node.pongs() >= 2);
      assertThat(node.slow()).as("a prompt Redis").isFalse();

      proxy.delay(400);
      Await.until("slow() goes true while PINGs take 800 ms", WAIT, node::slow);
      assertThat(node.connected()).isTrue();

      proxy.forward();
      long answered = node.pongs();
      Await.until("slow() goes false once a PING is prompt again", WAIT, () -> !node.slow());
      Await.until("PINGs answered again", WAIT, () -> node.pongs() >= answered + 2);
      assertThat(node.slow()).as("prompt again").isFalse();
      assertThat(node.connected()).isTrue();
      assertThat(reconnections.get()).as("a slow connection is kept").isZero();
    } finally {
      proxy.close();
    }
  }

  @Test
  void whileRedisRefusesConnectionsItRetriesWithGrowingWaitsAndResubscribesOnceItIsBack() throws InterruptedException {
    RedisProxy proxy = RedisProxy.start(vertx);
    RedisRevocationChannel node = track(RedisRevocationChannel.create(vertx, new RedisStoreOptions(proxy.uri(), "unused:", channelName, 1)));
    try {
      RedisRevocationChannel publisher = channel(otherVertx);
      subscribe(node);

      proxy.resetAccepted();
      long refusedAt = System.nanoTime();
      proxy.refuse();
      Await.until("connected() goes false", WAIT, () -> !node.connected());
      Await.until("three reconnection attempts", WAIT, () -> proxy.accepted() >= 3);

      // the waits before the attempts grow (100, 200, 400 ms from the loss on): the third attempt comes
      // 700 ms after the loss at the earliest, where a fixed 100 ms wait would have made it at 300 ms. A
      // timer never fires early, so this lower bound holds on any machine however slow
      assertThat(Duration.ofNanos(System.nanoTime() - refusedAt)).as("time until the third attempt")
          .isGreaterThanOrEqualTo(Duration.ofMillis(
              RedisRevocationChannel.FIRST_BACKOFF_MS + 2 * RedisRevocationChannel.FIRST_BACKOFF_MS
                  + 4 * RedisRevocationChannel.FIRST_BACKOFF_MS));
      assertThat(node.connected()).isFalse();
      assertThat(reconnections.get()).isZero();

      proxy.forward();

      Await.until("reconnected runs", WAIT, () -> reconnections.get() == 1);
      assertThat(node.connected()).isTrue();
      RevocationEvent later = event("node-b");
      await(publisher.publish(later));
      assertThat(next()).isEqualTo(later);
    } finally {
      await(node.close());
      proxy.close();
    }
  }

  @Test
  void closeUnsubscribesAndStopsReconnecting() throws InterruptedException {
    RedisRevocationChannel node = channel(vertx);
    subscribe(node);
    assertThat(subscribers()).isEqualTo(1);

    await(node.close());

    assertThat(node.connected()).isFalse();
    Await.until("the subscription is gone", WAIT, () -> subscribers() == 0);
    // that nothing reconnects has no later event to wait for: watched for five first backoffs (a retry
    // would come after one), a lower bound only, so a slow machine can see less but never fail this
    Await.throughout("no reconnection after close", Duration.ofMillis(5 * RedisRevocationChannel.FIRST_BACKOFF_MS),
        () -> subscribers() == 0);
    assertThat(reconnections.get()).isZero();
    assertThat(awaitFailure(node.subscribe(received::add, () -> {}))).isInstanceOf(IllegalStateException.class);
    assertThat(awaitFailure(node.publish(event("a")))).isNotNull();
  }

  @Test
  void aChannelTakesOneSubscription() {
    RedisRevocationChannel node = channel(vertx);
    subscribe(node);

    assertThat(awaitFailure(node.subscribe(received::add, () -> {}))).isInstanceOf(IllegalStateException.class);
    assertThat(subscribers()).isEqualTo(1);
  }

  @Test
  void withRedisUnreachableSubscribeAndPublishFail() {
    RedisRevocationChannel node = track(RedisRevocationChannel.create(vertx, new RedisStoreOptions(TestRedis.UNREACHABLE_URI, "unused:", channelName, 1)));

    assertThat(awaitFailure(node.subscribe(received::add, reconnections::incrementAndGet))).isNotNull();
    assertThat(awaitFailure(node.publish(event("a")))).isNotNull();
    assertThat(node.connected()).isFalse();
  }
}
