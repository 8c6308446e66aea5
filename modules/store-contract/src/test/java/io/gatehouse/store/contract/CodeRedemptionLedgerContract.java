package io.gatehouse.store.contract;

import static io.gatehouse.testing.Await.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.gatehouse.core.model.AuthorizationCode;
import io.gatehouse.core.model.Scopes;
import io.gatehouse.core.store.ArbitratedCodeStore;
import io.gatehouse.core.store.AuthorizationCodeStore;
import io.gatehouse.core.store.CodeRedemptionLedger;
import io.gatehouse.core.store.SharedDataAuthorizationCodeStore;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link CodeRedemptionLedger} adapter must show, as written in that interface's
 * Javadoc, and what it buys: two split copies of the code map, arbitrated by one ledger, redeem a code
 * once. An adapter's test extends this class and supplies {@link #ledger()}; every test uses hashes
 * made unique with a random part.
 */
public abstract class CodeRedemptionLedgerContract extends StoreContractSupport {
  protected static final long T0 = 1_900_000_000L;

  /** The ledger under test. */
  protected abstract CodeRedemptionLedger ledger();

  /** Another ledger on the same backing service (a second node); defaults to {@link #ledger()}. */
  protected CodeRedemptionLedger otherNode() {
    return ledger();
  }

  /** A ledger whose backing service has failed, or null when none can (the failure test is skipped). */
  protected CodeRedemptionLedger unavailableLedger() {
    return null;
  }

  @Test
  public void claimWhenFirstThenTrueAndEveryLaterClaimFalse() {
    String hash = uniqueId("code");

    assertThat(await(ledger().claim(hash, T0 + 600))).isTrue();
    assertThat(await(ledger().claim(hash, T0 + 600))).isFalse();
    assertThat(await(otherNode().claim(hash, T0 + 900))).as("another node").isFalse();
  }

  @Test
  public void claimsOfDifferentCodesAreIndependent() {
    assertThat(await(ledger().claim(uniqueId("code"), T0 + 600))).isTrue();
    assertThat(await(otherNode().claim(uniqueId("code"), T0 + 600))).isTrue();
  }

  @Test
  public void claimWhenRacedFromTwoNodesThenExactlyOneWins() {
    String hash = uniqueId("code");

    List<Outcome<Boolean>> outcomes =
        concurrently(CONCURRENT_CALLERS, i -> (i % 2 == 0 ? ledger() : otherNode()).claim(hash, T0 + 600));

    assertThat(outcomes).allSatisfy(o -> assertThat(o.failed()).as("%s", o.failure()).isFalse());
    assertThat(outcomes.stream().filter(Outcome::result).count()).isEqualTo(1);
  }

  @Test
  public void purgeExpiredForgetsOnlyClaimsKeptUntilNowOrEarlier() {
    String expired = uniqueId("code");
    String kept = uniqueId("code");
    await(ledger().claim(expired, T0 + 10));
    await(ledger().claim(kept, T0 + 11));

    assertThat(await(otherNode().purgeExpired(T0 + 10))).isGreaterThanOrEqualTo(1);

    assertThat(await(ledger().claim(kept, T0 + 600))).as("a claim still kept is never forgotten").isFalse();
    assertThat(await(ledger().claim(expired, T0 + 600))).as("a forgotten claim can be made again").isTrue();
  }

  @Test
  public void releaseWithdrawsAClaimSoTheNextClaimWins() {
    String hash = uniqueId("code");
    await(ledger().claim(hash, T0 + 600));

    assertThat(await(otherNode().release(hash))).isTrue();
    assertThat(await(otherNode().release(hash))).as("nothing left to withdraw").isFalse();
    assertThat(await(ledger().claim(hash, T0 + 600))).isTrue();
  }

  @Test
  public void isClaimedWhileAClaimIsKeptAndNotAfterItIsWithdrawn() {
    String hash = uniqueId("code");
    assertThat(await(ledger().isClaimed(hash))).as("never claimed").isFalse();

    await(ledger().claim(hash, T0 + 600));
    assertThat(await(otherNode().isClaimed(hash))).as("claimed, seen from another node").isTrue();

    await(ledger().release(hash));
    assertThat(await(otherNode().isClaimed(hash))).as("withdrawn").isFalse();
  }

  /**
   * Chaos finding K3: the map fails after the claim (no quorum, a timeout): the claim is withdrawn, so the
   * retry the 503 invites redeems the code instead of being told invalid_grant.
   */
  @Test
  public void consumeWhenTheMapFailsAfterTheClaimThenTheClaimIsWithdrawnAndARetryRedeems() {
    Vertx side = Vertx.vertx();
    try {
      Clock clock = Clock.systemUTC();
      AuthorizationCodeStore map = SharedDataAuthorizationCodeStore.create(side, clock, Duration.ofMinutes(5));
      AuthorizationCodeStore failingOnce = firstConsume(map,
          h -> io.vertx.core.Future.failedFuture(new IllegalStateException("map call timed out")));
      String hash = uniqueId("code");
      await(map.put(hash, new AuthorizationCode("grant", "client", "user", "https://app.example.com/cb", true,
          Scopes.EMPTY, null, null, null, 0, Instant.now().getEpochSecond() + 600)));
      AuthorizationCodeStore arbitrated = new ArbitratedCodeStore(failingOnce, ledger(), clock, Duration.ofMinutes(1),
          Duration.ofMinutes(5));

      assertThat(failureOf(() -> arbitrated.consume(hash))).hasMessage("map call timed out");

      assertThat(await(arbitrated.consume(hash))).as("the retry").isTrue();
      assertThat(await(arbitrated.consume(hash))).as("and only once").isFalse();
    } finally {
      await(side.close());
    }
  }

  /**
   * Chaos finding K3, measured again: a map call that timed out still ran later (Hazelcast retried the
   * operation on the partition's new owner after the redemption had answered 503 and withdrawn its
   * claim), so the map marks the code consumed although nobody redeemed it. The ledger decides: the
   * code reads unconsumed, the client's retry redeems it once, and a replay after that is refused.
   */
  @Test
  public void consumeWhenAWithdrawnRedemptionStillMarkedTheMapThenTheRetryRedeemsOnce() {
    Vertx side = Vertx.vertx();
    try {
      Clock clock = Clock.systemUTC();
      AuthorizationCodeStore map = SharedDataAuthorizationCodeStore.create(side, clock, Duration.ofMinutes(5));
      AuthorizationCodeStore ranAfterTimingOut = firstConsume(map,
          h -> map.consume(h).compose(ran -> io.vertx.core.Future.failedFuture(new IllegalStateException("map call timed out"))));
      String hash = uniqueId("code");
      await(map.put(hash, new AuthorizationCode("grant", "client", "user", "https://app.example.com/cb", true,
          Scopes.EMPTY, null, null, null, 0, Instant.now().getEpochSecond() + 600)));
      AuthorizationCodeStore arbitrated = new ArbitratedCodeStore(ranAfterTimingOut, ledger(), clock, Duration.ofMinutes(1),
          Duration.ofMinutes(5));

      assertThat(failureOf(() -> arbitrated.consume(hash))).hasMessage("map call timed out");
      assertThat(await(map.peek(hash)).orElseThrow().consumed()).as("control: the map marked it anyway").isTrue();

      assertThat(await(arbitrated.peek(hash)).orElseThrow().consumed()).as("nobody holds a claim").isFalse();
      assertThat(await(arbitrated.consume(hash))).as("the retry").isTrue();
      assertThat(await(arbitrated.peek(hash)).orElseThrow().consumed()).as("redeemed now").isTrue();
      assertThat(await(arbitrated.consume(hash))).as("a replay").isFalse();
    } finally {
      await(side.close());
    }
  }

  /** A code that expired between its peek and its redemption is not redeemed, and its claim is withdrawn. */
  @Test
  public void consumeWhenTheCodeIsGoneFromTheMapThenFalseAndNoClaimIsKept() {
    Vertx side = Vertx.vertx();
    try {
      Clock clock = Clock.systemUTC();
      AuthorizationCodeStore map = SharedDataAuthorizationCodeStore.create(side, clock, Duration.ofMinutes(5));
      String hash = uniqueId("code");

      assertThat(await(new ArbitratedCodeStore(map, ledger(), clock, Duration.ofMinutes(1), Duration.ofMinutes(5))
          .consume(hash))).isFalse();
      assertThat(await(otherNode().isClaimed(hash))).isFalse();
    } finally {
      await(side.close());
    }
  }

  @Test
  public void claimWhenBackingServiceFailsThenFailsAndNeverAnswers() {
    CodeRedemptionLedger failed = unavailableLedger();
    assumeTrue(failed != null, "this adapter cannot fail");

    assertThat(failureOf(() -> failed.claim(uniqueId("code"), T0 + 600))).isNotNull();
  }

  /**
   * Issue 12, item 1: a split leaves two copies of the code map (here: two Vert.x instances, each with
   * its own map) that both hold the code. Without an arbiter both sides redeem it; with the ledger,
   * exactly one redemption of all racing on both sides wins, and every later one on either side loses.
   */
  @Test
  public void consumeWhenTheCodeMapIsSplitThenTheLedgerLetsExactlyOneSideRedeem() {
    Vertx sideA = Vertx.vertx();
    Vertx sideB = Vertx.vertx();
    try {
      Clock clock = Clock.systemUTC();
      Duration usedMarker = Duration.ofMinutes(5);
      AuthorizationCodeStore mapA = SharedDataAuthorizationCodeStore.create(sideA, clock, usedMarker);
      AuthorizationCodeStore mapB = SharedDataAuthorizationCodeStore.create(sideB, clock, usedMarker);
      String hash = uniqueId("code");
      AuthorizationCode code = new AuthorizationCode("grant-" + hash, "client", "user", "https://app.example.com/cb", true,
          Scopes.EMPTY, null, null, null, 0, Instant.now().getEpochSecond() + 600);
      await(mapA.put(hash, code));
      await(mapB.put(hash, code));
      assertThat(await(mapA.consume(hash)) && await(mapB.consume(hash)))
          .as("control: without the ledger each side of the split redeems the code")
          .isTrue();

      String arbitrated = uniqueId("code");
      await(mapA.put(arbitrated, code));
      await(mapB.put(arbitrated, code));
      AuthorizationCodeStore a = new ArbitratedCodeStore(mapA, ledger(), clock, Duration.ofMinutes(1), Duration.ofMinutes(5));
      AuthorizationCodeStore b = new ArbitratedCodeStore(mapB, otherNode(), clock, Duration.ofMinutes(1), Duration.ofMinutes(5));

      List<Outcome<Boolean>> outcomes = concurrently(CONCURRENT_CALLERS, i -> (i % 2 == 0 ? a : b).consume(arbitrated));

      assertThat(outcomes).allSatisfy(o -> assertThat(o.failed()).as("%s", o.failure()).isFalse());
      assertThat(outcomes.stream().filter(Outcome::result).count()).isEqualTo(1);
      assertThat(await(a.consume(arbitrated))).as("a later replay on side A").isFalse();
      assertThat(await(b.consume(arbitrated))).as("a later replay on side B").isFalse();
    } finally {
      await(sideA.close());
      await(sideB.close());
    }
  }

  /** A ledger that does not answer fails the redemption before the map is touched: a retry can redeem. */
  @Test
  public void consumeWhenTheLedgerFailsThenFailsAndTheCodeStaysRedeemable() {
    CodeRedemptionLedger failed = unavailableLedger();
    assumeTrue(failed != null, "this adapter cannot fail");
    Vertx side = Vertx.vertx();
    try {
      Clock clock = Clock.systemUTC();
      AuthorizationCodeStore map = SharedDataAuthorizationCodeStore.create(side, clock, Duration.ofMinutes(5));
      String hash = uniqueId("code");
      await(map.put(hash, new AuthorizationCode("grant", "client", "user", "https://app.example.com/cb", true,
          Scopes.EMPTY, null, null, null, 0, Instant.now().getEpochSecond() + 600)));

      assertThat(failureOf(() -> new ArbitratedCodeStore(map, failed, clock, Duration.ofMinutes(1), Duration.ofMinutes(5))
          .consume(hash))).isNotNull();

      assertThat(await(map.peek(hash)).orElseThrow().consumed()).isFalse();
      assertThat(await(new ArbitratedCodeStore(map, ledger(), clock, Duration.ofMinutes(1), Duration.ofMinutes(5))
          .consume(hash))).isTrue();
    } finally {
      await(side.close());
    }
  }

  /** {@code map}, except that its first {@link AuthorizationCodeStore#consume} is {@code first} instead. */
  private static AuthorizationCodeStore firstConsume(AuthorizationCodeStore map,
      java.util.function.Function<String, io.vertx.core.Future<Boolean>> first) {
    java.util.concurrent.atomic.AtomicBoolean once = new java.util.concurrent.atomic.AtomicBoolean(true);
    return new AuthorizationCodeStore() {
      @Override
      public io.vertx.core.Future<Void> put(String h, AuthorizationCode c) {
        return map.put(h, c);
      }

      @Override
      public io.vertx.core.Future<java.util.Optional<Stored>> peek(String h) {
        return map.peek(h);
      }

      @Override
      public io.vertx.core.Future<Boolean> consume(String h) {
        return once.getAndSet(false) ? first.apply(h) : map.consume(h);
      }
    };
  }
}
