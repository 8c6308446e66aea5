package io.gatehouse.store.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.core.revocation.Revocation;
import io.gatehouse.core.revocation.Revocation.Kind;
import io.gatehouse.core.revocation.RevocationEvent;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
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
    TestRedis.await(raw.close());
    TestRedis.await(otherVertx.close());
    TestRedis.await(vertx.close());
  }

  @BeforeEach
  void name() {
    channelName = "gh-test.revocations." + TestRedis.randomId();
  }

  @AfterEach
  void closeChannels() {
    for (RedisRevocationChannel channel : opened) {
      TestRedis.await(channel.close());
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
    TestRedis.await(channel.subscribe(received::add, reconnections::incrementAndGet));
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

  private static Throwable failure(Future<?> future) {
    try {
      future.toCompletionStage().toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      return e.getCause();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
    throw new AssertionError("the call should have failed");
  }

  @Test
  void publishedEventReachesAnotherNodesSubscriber() throws InterruptedException {
    RedisRevocationChannel nodeA = channel(vertx);
    RedisRevocationChannel nodeB = channel(otherVertx);
    subscribe(nodeB);
    RevocationEvent sent = event("node-a");

    TestRedis.await(nodeA.publish(sent));

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
      TestRedis.await(node.publish(e));
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
      var conn = TestRedis.await(plain.connect());
      conn.handler(reply -> {
        if (reply.size() == 3 && "message".equals(reply.get(0).toString())) {
          synchronized (seen) {
            seen.add(reply.get(2).toString());
          }
          done.set(true);
        }
      });
      TestRedis.await(conn.send(Request.cmd(Command.SUBSCRIBE).arg(channelName)));
      assertThat(TestRedis.eventually(WAIT, () -> subscribers() == 1)).isTrue();
      RevocationEvent sent = event("node-a");

      TestRedis.await(node.publish(sent));

      assertThat(TestRedis.eventually(WAIT, done::get)).isTrue();
      synchronized (seen) {
        assertThat(seen).containsExactly(sent.encode());
      }
      assertThat(RevocationEvent.decode(seen.get(0))).isEqualTo(sent);
      TestRedis.await(conn.close());
    } finally {
      TestRedis.await(plain.close());
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
    TestRedis.await(node.subscribe(e -> {
      if (first.getAndSet(false)) {
        throw new IllegalStateException("consumer failure");
      }
      received.add(e);
    }, reconnections::incrementAndGet));
    RevocationEvent second = event("a");

    TestRedis.await(node.publish(event("a")));
    TestRedis.await(node.publish(second));

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
    assertThat(TestRedis.eventually(WAIT, () -> !node.connected())).as("connected() goes false").isTrue();
    assertThat(reconnections.get()).isZero();
    assertThat(TestRedis.eventually(WAIT, () -> reconnections.get() == 1)).as("reconnected runs").isTrue();
    assertThat(node.connected()).isTrue();
    assertThat(node.clientId()).isNotEqualTo(before);
    RevocationEvent later = event("node-b");

    TestRedis.await(publisher.publish(later));

    assertThat(next()).isEqualTo(later);
    assertThat(reconnections.get()).as("reconnected ran once").isEqualTo(1);
  }

  @Test
  void whileRedisRefusesConnectionsItRetriesWithGrowingWaitsAndResubscribesOnceItIsBack() throws InterruptedException {
    RedisProxy proxy = RedisProxy.start(vertx);
    RedisRevocationChannel node = track(RedisRevocationChannel.create(vertx, new RedisStoreOptions(proxy.uri(), "unused:", channelName, 1)));
    try {
      RedisRevocationChannel publisher = channel(otherVertx);
      subscribe(node);

      proxy.resetAccepted();
      proxy.refuse();
      assertThat(TestRedis.eventually(WAIT, () -> !node.connected())).isTrue();
      Thread.sleep(1_600);

      // waits of 100, 200, 400, 800 ms: about four attempts in 1.6 s, never a tight loop
      assertThat(proxy.accepted()).as("reconnection attempts in 1.6 s").isBetween(2, 8);
      assertThat(node.connected()).isFalse();
      assertThat(reconnections.get()).isZero();

      proxy.forward();

      assertThat(TestRedis.eventually(WAIT, () -> reconnections.get() == 1)).as("reconnected runs").isTrue();
      assertThat(node.connected()).isTrue();
      RevocationEvent later = event("node-b");
      TestRedis.await(publisher.publish(later));
      assertThat(next()).isEqualTo(later);
    } finally {
      TestRedis.await(node.close());
      proxy.close();
    }
  }

  @Test
  void closeUnsubscribesAndStopsReconnecting() throws InterruptedException {
    RedisRevocationChannel node = channel(vertx);
    subscribe(node);
    assertThat(subscribers()).isEqualTo(1);

    TestRedis.await(node.close());

    assertThat(node.connected()).isFalse();
    assertThat(TestRedis.eventually(WAIT, () -> subscribers() == 0)).as("the subscription is gone").isTrue();
    Thread.sleep(500);
    assertThat(subscribers()).as("no reconnection after close").isZero();
    assertThat(reconnections.get()).isZero();
    assertThat(failure(node.subscribe(received::add, () -> {}))).isInstanceOf(IllegalStateException.class);
    assertThat(failure(node.publish(event("a")))).isNotNull();
  }

  @Test
  void aChannelTakesOneSubscription() {
    RedisRevocationChannel node = channel(vertx);
    subscribe(node);

    assertThat(failure(node.subscribe(received::add, () -> {}))).isInstanceOf(IllegalStateException.class);
    assertThat(subscribers()).isEqualTo(1);
  }

  @Test
  void withRedisUnreachableSubscribeAndPublishFail() {
    RedisRevocationChannel node = track(RedisRevocationChannel.create(vertx, new RedisStoreOptions(TestRedis.UNREACHABLE_URI, "unused:", channelName, 1)));

    assertThat(failure(node.subscribe(received::add, reconnections::incrementAndGet))).isNotNull();
    assertThat(failure(node.publish(event("a")))).isNotNull();
    assertThat(node.connected()).isFalse();
  }
}
