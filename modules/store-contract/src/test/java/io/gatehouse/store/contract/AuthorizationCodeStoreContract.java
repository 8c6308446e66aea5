package io.gatehouse.store.contract;

import static io.gatehouse.testing.Await.await;
import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.gatehouse.core.model.AuthorizationCode;
import io.gatehouse.core.model.Scopes;
import io.gatehouse.core.store.AuthorizationCodeStore;
import io.gatehouse.core.store.AuthorizationCodeStore.Stored;
import io.gatehouse.testing.MutableClock;
import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link AuthorizationCodeStore} adapter must show, as written in that interface's
 * Javadoc. An adapter's test extends this class and supplies stores on two {@linkplain Node nodes}
 * that share one backing store: on a cluster, one store per cluster member, so that what one node
 * writes the other must see, and concurrent redemptions race across the nodes; in a single process,
 * two store instances over the same map.
 *
 * <p>Every test uses code hashes made unique with a random part, so a backing store shared by all tests
 * of a class (and still holding what earlier tests wrote) gives the same answers as a fresh one.
 *
 * <p>Expiry is tested on the stores' clock, a {@link MutableClock} the tests move past a code's
 * expiry or a used-marker's lifetime, never by waiting: a store must check every expiry against its
 * clock, whatever TTL its backing service also keeps (an adapter's own test reads that TTL from the
 * service, as {@code ClusteredAuthorizationCodeStoreContractTest} does from Hazelcast).
 */
public abstract class AuthorizationCodeStoreContract {
  /** How long a test waits for one store call. */
  protected static final Duration TIMEOUT = Duration.ofSeconds(10);

  /** The used-marker lifetime of {@link #store(Node)}: longer than any test. */
  protected static final Duration USED_MARKER_LIFETIME = Duration.ofMinutes(10);

  /** How many callers race to redeem one code. */
  private static final int RACERS = 50;

  /** The two places a store runs. */
  public enum Node {
    A,
    B
  }

  private final Map<Node, AuthorizationCodeStore> stores = new EnumMap<>(Node.class);

  /** The clock of every store of this test: it starts at the real time and moves only when a test moves it. */
  protected final MutableClock clock = MutableClock.fromSystemTime();

  /**
   * A new store on {@code node}, reading the time from {@code clock} and remembering a consumed code
   * for {@code usedMarkerLifetime}. Stores made for {@link Node#A} and {@link Node#B} must share one
   * backing store. Called from the test's thread, possibly several times per test.
   */
  protected abstract AuthorizationCodeStore newStore(Node node, Clock clock, Duration usedMarkerLifetime);

  /** The Vert.x instance the stores of {@code node} run on. */
  protected abstract Vertx vertx(Node node);

  /**
   * Stores whose backing service has failed or is gone (for example on a cluster member that has
   * left), or an empty list when the adapter's backing service cannot fail (a process-local map); the
   * failure test is then skipped.
   */
  protected List<AuthorizationCodeStore> storesWithFailedBackend() {
    return List.of();
  }

  /** The store of {@code node} for this test, with the {@link #USED_MARKER_LIFETIME}. */
  protected final AuthorizationCodeStore store(Node node) {
    return stores.computeIfAbsent(node, n -> newStore(n, clock, USED_MARKER_LIFETIME));
  }

  // ---------------------------------------------------------------- put and peek

  @Test
  public void peekAfterPutThenLiveCode() {
    String hash = uniqueHash();
    AuthorizationCode code = fullCode(inMinutes(10));

    await(store(Node.A).put(hash, code));

    assertStored(await(store(Node.A).peek(hash)), code, false);
  }

  @Test
  public void peekAfterPutOnTheOtherNodeThenLiveCode() {
    String hash = uniqueHash();
    AuthorizationCode code = fullCode(inMinutes(10));

    await(store(Node.A).put(hash, code));

    assertStored(await(store(Node.B).peek(hash)), code, false);
  }

  @Test
  public void peekAfterPutKeepsEveryFieldIncludingAbsentOnes() {
    String fullHash = uniqueHash();
    String minimalHash = uniqueHash();
    AuthorizationCode full = fullCode(inMinutes(10));
    AuthorizationCode minimal = minimalCode(inMinutes(10));

    await(store(Node.A).put(fullHash, full));
    await(store(Node.A).put(minimalHash, minimal));

    for (Node node : Node.values()) {
      assertStored(await(store(node).peek(fullHash)), full, false);
      assertStored(await(store(node).peek(minimalHash)), minimal, false);
    }
  }

  @Test
  public void peekUnknownThenEmpty() {
    assertThat(await(store(Node.A).peek(uniqueHash()))).isEmpty();
    assertThat(await(store(Node.B).peek(uniqueHash()))).isEmpty();
  }

  @Test
  public void peekChangesNothing() {
    String hash = uniqueHash();
    AuthorizationCode code = fullCode(inMinutes(10));
    await(store(Node.A).put(hash, code));

    for (int i = 0; i < 3; i++) {
      for (Node node : Node.values()) {
        assertStored(await(store(node).peek(hash)), code, false);
      }
    }

    assertThat(await(store(Node.B).consume(hash))).as("consume after peeks").isTrue();
  }

  @Test
  public void putOfTheSameHashAgainLeavesOneCode() {
    String hash = uniqueHash();
    AuthorizationCode code = fullCode(inMinutes(10));

    await(store(Node.A).put(hash, code));
    await(store(Node.B).put(hash, code));

    assertThat(await(store(Node.A).consume(hash))).as("first consume").isTrue();
    assertThat(await(store(Node.B).consume(hash))).as("second consume").isFalse();
  }

  // ---------------------------------------------------------------- expiry

  @Test
  public void peekAfterExpiryThenEmpty() {
    String hash = uniqueHash();
    long expiresAt = inMinutes(1);
    await(store(Node.A).put(hash, fullCode(expiresAt)));
    clock.advance(Duration.ofSeconds(59));
    assertThat(await(store(Node.A).peek(hash))).as("a second before expiry").isPresent();

    clock.advance(Duration.ofSeconds(1));

    assertThat(await(store(Node.A).peek(hash))).as("peek on A after expiry").isEmpty();
    assertThat(await(store(Node.B).peek(hash))).as("peek on B after expiry").isEmpty();
  }

  @Test
  public void consumeAfterExpiryThenFalse() {
    String hash = uniqueHash();
    long expiresAt = inMinutes(1);
    await(store(Node.A).put(hash, fullCode(expiresAt)));
    assertThat(await(store(Node.B).peek(hash))).as("before expiry").isPresent();

    clock.advance(Duration.ofMinutes(1));

    assertThat(await(store(Node.B).consume(hash))).as("consume on B after expiry").isFalse();
    assertThat(await(store(Node.A).consume(hash))).as("consume on A after expiry").isFalse();
    assertThat(await(store(Node.A).peek(hash))).as("peek after the failed consumes").isEmpty();
  }

  @Test
  public void putWhenAlreadyExpiredThenNothingToPeekOrConsume() {
    String hash = uniqueHash();
    await(store(Node.A).put(hash, fullCode(clock.epochSecond() - 1)));

    assertThat(await(store(Node.B).peek(hash))).as("peek").isEmpty();
    assertThat(await(store(Node.B).consume(hash))).as("consume").isFalse();
    assertThat(await(store(Node.A).peek(hash))).as("peek after consume").isEmpty();
  }

  // ---------------------------------------------------------------- consume

  @Test
  public void consumeOnceThenTrueThenFalse() {
    String hash = uniqueHash();
    await(store(Node.A).put(hash, fullCode(inMinutes(10))));

    assertThat(await(store(Node.A).consume(hash))).as("first consume").isTrue();
    assertThat(await(store(Node.A).consume(hash))).as("second consume").isFalse();
    assertThat(await(store(Node.A).consume(hash))).as("third consume").isFalse();
  }

  @Test
  public void consumeOnTheOtherNodeThenTrueOnceAcrossBothNodes() {
    String hash = uniqueHash();
    await(store(Node.A).put(hash, fullCode(inMinutes(10))));

    assertThat(await(store(Node.B).consume(hash))).as("consume on B").isTrue();
    assertThat(await(store(Node.A).consume(hash))).as("then consume on A").isFalse();
    assertThat(await(store(Node.B).consume(hash))).as("then consume on B again").isFalse();
  }

  @Test
  public void consumeUnknownThenFalse() {
    assertThat(await(store(Node.A).consume(uniqueHash()))).isFalse();
    assertThat(await(store(Node.B).consume(uniqueHash()))).isFalse();
  }

  @Test
  public void consumeOfOneCodeLeavesOtherCodesLive() {
    String consumed = uniqueHash();
    String other = uniqueHash();
    AuthorizationCode otherCode = fullCode(inMinutes(10));
    await(store(Node.A).put(consumed, fullCode(inMinutes(10))));
    await(store(Node.A).put(other, otherCode));

    assertThat(await(store(Node.B).consume(consumed))).isTrue();

    assertStored(await(store(Node.A).peek(other)), otherCode, false);
    assertThat(await(store(Node.A).consume(other))).as("the other code is still redeemable").isTrue();
  }

  @Test
  public void peekAfterConsumeThenConsumedWithSameCode() {
    String hash = uniqueHash();
    AuthorizationCode code = fullCode(inMinutes(10));
    await(store(Node.A).put(hash, code));

    assertThat(await(store(Node.A).consume(hash))).isTrue();

    assertStored(await(store(Node.A).peek(hash)), code, true);
    assertStored(await(store(Node.B).peek(hash)), code, true);
  }

  @Test
  public void peekAfterFailedReplayThenStillConsumedWithSameCode() {
    String hash = uniqueHash();
    AuthorizationCode code = minimalCode(inMinutes(10));
    await(store(Node.A).put(hash, code));
    assertThat(await(store(Node.B).consume(hash))).isTrue();

    assertThat(await(store(Node.A).consume(hash))).as("replay").isFalse();

    assertStored(await(store(Node.A).peek(hash)), code, true);
  }

  @Test
  public void peekAfterConsumeThenConsumedForTheUsedMarkerLifetimeThenEmpty() {
    Duration markerLifetime = Duration.ofMinutes(2);
    AuthorizationCodeStore a = newStore(Node.A, clock, markerLifetime);
    AuthorizationCodeStore b = newStore(Node.B, clock, markerLifetime);
    String hash = uniqueHash();
    AuthorizationCode code = fullCode(inMinutes(10));
    await(a.put(hash, code));

    assertThat(await(a.consume(hash))).isTrue();

    assertStored(await(b.peek(hash)), code, true);
    clock.advance(markerLifetime.minusMillis(1));
    assertStored(await(b.peek(hash)), code, true);

    clock.advance(Duration.ofMillis(1));
    assertThat(await(b.peek(hash))).as("peek on B after the used-marker lifetime").isEmpty();
    assertThat(await(a.peek(hash))).as("peek on A after the used-marker lifetime").isEmpty();
    assertThat(await(a.consume(hash))).as("consume after the used-marker lifetime").isFalse();
  }

  // ---------------------------------------------------------------- concurrency

  /**
   * Several codes, each raced by {@value #RACERS} callers on their own threads, released together,
   * alternating between the two nodes.
   */
  @Test
  public void consumeWhenFiftyConcurrentCallersThenExactlyOneTrue() throws Exception {
    int codes = 8;
    ExecutorService threads = Executors.newFixedThreadPool(RACERS);
    try {
      for (int round = 0; round < codes; round++) {
        String hash = uniqueHash();
        AuthorizationCode code = fullCode(inMinutes(10));
        await(store(Node.A).put(hash, code));

        List<Boolean> answers = race(threads, i -> store(i % 2 == 0 ? Node.A : Node.B).consume(hash));

        assertThat(answers.stream().filter(won -> won).count())
            .as("callers answered true for code %d of %d (answers %s)", round + 1, codes, answers)
            .isEqualTo(1);
        assertStored(await(store(Node.B).peek(hash)), code, true);
      }
    } finally {
      threads.shutdownNow();
    }
  }

  /** A peek racing the redemption sees the code live or consumed, never unknown. */
  @Test
  public void peekDuringConsumeThenNeverEmpty() throws Exception {
    int codes = 8;
    ExecutorService threads = Executors.newFixedThreadPool(RACERS);
    try {
      for (int round = 0; round < codes; round++) {
        String hash = uniqueHash();
        AuthorizationCode code = fullCode(inMinutes(10));
        await(store(Node.A).put(hash, code));

        // caller 0 consumes on A, every other caller peeks (on B, then A, alternating)
        List<Object> answers = race(threads, i -> i == 0
            ? store(Node.A).consume(hash).map(Object.class::cast)
            : store(i % 2 == 0 ? Node.A : Node.B).peek(hash).map(Object.class::cast));

        assertThat(answers.get(0)).as("the one consume").isEqualTo(true);
        for (Object answer : answers.subList(1, answers.size())) {
          assertThat((Optional<?>) answer).as("a peek racing the consume").isPresent();
          assertThat(((Stored) ((Optional<?>) answer).orElseThrow()).code()).isEqualTo(code);
        }
      }
    } finally {
      threads.shutdownNow();
    }
  }

  // ---------------------------------------------------------------- failures and threading

  @Test
  public void callsWhenBackendFailedThenFailedFutures() {
    List<AuthorizationCodeStore> failing = storesWithFailedBackend();
    Assumptions.assumeFalse(failing.isEmpty(), "this adapter's backing service cannot fail");

    for (AuthorizationCodeStore store : failing) {
      String hash = uniqueHash();
      assertFailedFuture("put", () -> store.put(hash, fullCode(inMinutes(10))));
      assertFailedFuture("peek", () -> store.peek(hash));
      assertFailedFuture("consume", () -> store.consume(hash));
    }
  }

  /**
   * Called on an event loop, a store answers with a future completed on that event loop's context (as
   * Vert.x's own clients do): the caller's continuation (checks, signing) then runs where the caller
   * runs, never on a thread of the store's choosing, and no event loop waits for another.
   */
  @Test
  public void callFromAnEventLoopCompletesOnThatEventLoop() {
    for (Node node : Node.values()) {
      AuthorizationCodeStore store = store(node);
      String hash = uniqueHash();
      AuthorizationCode code = fullCode(inMinutes(10));

      assertCompletesOnCallingContext(node, "put on " + node, () -> store.put(hash, code));
      Object peeked = assertCompletesOnCallingContext(node, "peek on " + node, () -> store.peek(hash));
      Object consumed = assertCompletesOnCallingContext(node, "consume on " + node, () -> store.consume(hash));

      assertThat(peeked).isEqualTo(Optional.of(new Stored(code, false)));
      assertThat(consumed).isEqualTo(true);
    }
  }

  // ---------------------------------------------------------------- helpers for subclasses

  /** A code hash no other test (nor another run against the same backing store) uses. */
  protected static String uniqueHash() {
    return "test-" + UUID.randomUUID();
  }

  /** Epoch seconds {@code minutes} from now by the test's {@link #clock}. */
  protected long inMinutes(int minutes) {
    return clock.epochSecond() + minutes * 60L;
  }

  /** A code with every field set, including characters that need escaping in JSON. */
  protected static AuthorizationCode fullCode(long expiresAt) {
    String id = UUID.randomUUID().toString();
    return new AuthorizationCode(
        "grant-" + id,
        "client-" + id,
        "user-\u00e9\u4e2d \"quoted\" \\ " + id,
        "https://app.example.com/callback?x=1&y=%20",
        true,
        Scopes.of(List.of("openid", "profile", "api:read", "api:write")),
        "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
        "n-0S6_WzA2Mj",
        "sid-" + id,
        System.currentTimeMillis() / 1000 - 30,
        expiresAt);
  }

  /** A code with every optional field absent: no PKCE, no nonce, no session, no scopes. */
  protected static AuthorizationCode minimalCode(long expiresAt) {
    String id = UUID.randomUUID().toString();
    return new AuthorizationCode(
        "grant-" + id, "public-" + id, "user-" + id, "http://127.0.0.1:8765/cb", false, Scopes.EMPTY, null, null, null,
        0, expiresAt);
  }

  /**
   * Asserts that {@code found} holds {@code expected} with the given consumed flag, field by field so
   * that a failure names the field ({@link AuthorizationCode#toString} shows ids only).
   */
  protected static void assertStored(Optional<Stored> found, AuthorizationCode expected, boolean consumed) {
    assertThat(found).as("stored code %s", expected.grantId()).isPresent();
    Stored stored = found.orElseThrow();
    assertThat(stored.consumed()).as("consumed").isEqualTo(consumed);
    AuthorizationCode actual = stored.code();
    assertThat(actual.grantId()).as("grantId").isEqualTo(expected.grantId());
    assertThat(actual.clientId()).as("clientId").isEqualTo(expected.clientId());
    assertThat(actual.subject()).as("subject").isEqualTo(expected.subject());
    assertThat(actual.redirectUri()).as("redirectUri").isEqualTo(expected.redirectUri());
    assertThat(actual.redirectUriSent()).as("redirectUriSent").isEqualTo(expected.redirectUriSent());
    assertThat(actual.scopes()).as("scopes").isEqualTo(expected.scopes());
    assertThat(actual.scopes().wire()).as("scope order").isEqualTo(expected.scopes().wire());
    assertThat(actual.codeChallenge()).as("codeChallenge").isEqualTo(expected.codeChallenge());
    assertThat(actual.nonce()).as("nonce").isEqualTo(expected.nonce());
    assertThat(actual.sessionId()).as("sessionId").isEqualTo(expected.sessionId());
    assertThat(actual.authTime()).as("authTime").isEqualTo(expected.authTime());
    assertThat(actual.expiresAt()).as("expiresAt").isEqualTo(expected.expiresAt());
    assertThat(actual).as("whole record").isEqualTo(expected);
  }

  // ---------------------------------------------------------------- private helpers

  /** A call made by racer {@code i} (0 to {@value #RACERS} - 1). */
  private interface Racer<T> {
    Future<T> call(int i);
  }

  /**
   * Starts {@value #RACERS} calls on their own threads, released at once, and answers their results
   * in racer order.
   */
  private static <T> List<T> race(ExecutorService threads, Racer<T> racer) throws Exception {
    CountDownLatch ready = new CountDownLatch(RACERS);
    CountDownLatch go = new CountDownLatch(1);
    List<java.util.concurrent.Future<Future<T>>> started = new ArrayList<>();
    for (int i = 0; i < RACERS; i++) {
      int index = i;
      started.add(threads.submit(() -> {
        ready.countDown();
        go.await();
        return racer.call(index);
      }));
    }
    assertThat(ready.await(TIMEOUT.toSeconds(), SECONDS)).as("all racers ready").isTrue();
    go.countDown();
    List<T> answers = new ArrayList<>();
    for (java.util.concurrent.Future<Future<T>> call : started) {
      answers.add(await(call.get(TIMEOUT.toSeconds(), SECONDS)));
    }
    return answers;
  }

  /** Asserts that {@code call} neither throws nor succeeds but answers a future that fails. */
  private static void assertFailedFuture(String what, Supplier<Future<?>> call) {
    Future<?> future;
    try {
      future = call.get();
    } catch (RuntimeException e) {
      throw new AssertionError(what + " threw instead of answering a failed future", e);
    }
    try {
      Object result = future.toCompletionStage().toCompletableFuture().get(TIMEOUT.toMillis(), MILLISECONDS);
      fail(what + " succeeded with " + result + " although its backing service has failed");
    } catch (ExecutionException expected) {
      assertThat(expected.getCause()).as(what + " failure cause").isNotNull();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    } catch (TimeoutException e) {
      throw new AssertionError(what + " neither failed nor succeeded within " + TIMEOUT, e);
    }
  }

  /**
   * Makes {@code call} from the event-loop context of a new deployment on {@code node}'s Vert.x and
   * asserts that the answer's handler runs on that same context; answers the call's result.
   */
  private Object assertCompletesOnCallingContext(Node node, String what, Supplier<Future<?>> call) {
    Vertx vertx = vertx(node);
    CompletableFuture<Outcome> outcome = new CompletableFuture<>();
    String deployment = await(vertx.deployVerticle(new VerticleBase() {
      @Override
      public Future<?> start() {
        Context calling = context;
        call.get().onComplete(ar -> outcome.complete(
            new Outcome(ar, calling, Vertx.currentContext(), Thread.currentThread().getName())));
        return Future.succeededFuture();
      }
    }));
    try {
      Outcome done = outcome.get(TIMEOUT.toMillis(), MILLISECONDS);
      assertThat(done.result().succeeded()).as(what + " succeeded (%s)", done.result().cause()).isTrue();
      assertThat(done.completing())
          .as(what + ": the handler ran on thread %s, not on the calling context", done.thread())
          .isSameAs(done.calling());
      return done.result().result();
    } catch (ExecutionException | TimeoutException e) {
      throw new AssertionError(what + " did not complete within " + TIMEOUT, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    } finally {
      await(vertx.undeploy(deployment));
    }
  }

  private record Outcome(AsyncResult<?> result, Context calling, Context completing, String thread) {}
}
