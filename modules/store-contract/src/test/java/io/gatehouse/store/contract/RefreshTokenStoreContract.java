package io.gatehouse.store.contract;

import static io.gatehouse.testing.Await.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.gatehouse.core.model.RefreshFamily;
import io.gatehouse.core.model.Scopes;
import io.gatehouse.core.store.RefreshTokenStore;
import io.gatehouse.core.store.RefreshTokenStore.Member;
import io.vertx.core.Future;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link RefreshTokenStore} adapter must show, as written in that interface's
 * Javadoc. An adapter's test extends this class and supplies {@link #refreshTokens()}.
 *
 * <p>{@link RefreshTokenStore#purgeExpired} acts on the whole store and answers a count, so each test
 * needs the store to itself: {@link #refreshTokens()} must be empty at the start of every test (a
 * fresh store, or the same one emptied).
 *
 * <p>Readings of the Javadoc that these tests pin down (each is what the in-memory adapter does):
 * <ul>
 *   <li>"Past" an expiry means at or after it, as for a JWT's {@code exp} (RFC 7519 §4.1.4): at
 *       {@code now == absoluteExpiresAt} the family is dead, at {@code now == idleExpiresAt} the
 *       current token is.
 *   <li>A member "has expired" (for {@link RefreshTokenStore#purgeExpired}) exactly when
 *       {@link RefreshTokenStore#find} no longer answers it for that reason; so purging never
 *       changes what {@code find} answers at the same {@code now}. A rotated member outlives the idle
 *       expiry of the current one until {@code absoluteExpiresAt}.
 *   <li>{@link RefreshTokenStore#revokeBySession} answers the grant ids of the families that call
 *       revoked: a family already revoked is not answered again. A null session id is no login session: it
 *       revokes nothing (an adapter may instead refuse it).
 *   <li>The count of {@link RefreshTokenStore#purgeExpired} includes the tombstones it deletes.
 *   <li>A token hash names one token: {@code create} or {@code rotate} with a hash already in the
 *       store answers false and changes nothing (the Javadoc is silent; SHA-256 of random tokens
 *       never collides, but an adapter must not fail or corrupt a family over it).
 * </ul>
 */
public abstract class RefreshTokenStoreContract extends StoreContractSupport {
  /** Epoch seconds all test times are counted from. */
  protected static final long T0 = 1_700_000_000L;

  private static final SecureRandom RANDOM = new SecureRandom();

  /** The store under test: empty at the start of each test. Called at any point, more than once. */
  protected abstract RefreshTokenStore refreshTokens();

  /**
   * Another store on the same backing service, standing for a second node of the deployment (its own
   * connections, its own process state). Defaults to {@link #refreshTokens()} for an adapter that is a
   * whole deployment in one JVM.
   */
  protected RefreshTokenStore otherNode() {
    return refreshTokens();
  }

  /**
   * A store of the same kind whose backing service has failed, or null when the adapter has no
   * backing service that can fail (the in-memory one): the failure test is then skipped.
   */
  protected RefreshTokenStore unavailableRefreshTokens() {
    return null;
  }

  // ---------------------------------------------------------------- create, find

  @Test
  public void createThenFindAnswersTheFamilyEqualInEveryFieldAsCurrent() {
    RefreshFamily family = family(uniqueId("grant"), "session-1", T0 + 600, T0 + 86_400);
    String token = newHash();

    assertThat(await(refreshTokens().create(family, token))).isTrue();

    Optional<Member> found = await(refreshTokens().find(token, T0));
    assertThat(found).contains(new Member(family, true));
    assertSameFamily(found.orElseThrow().family(), family);
  }

  @Test
  public void createWithoutSessionAndScopesRoundTripsThem() {
    RefreshFamily family =
        new RefreshFamily(uniqueId("grant"), "client-b", "subject-b", Scopes.EMPTY, null, T0 - 5, T0 + 60, T0 + 120);
    String token = newHash();

    assertThat(await(refreshTokens().create(family, token))).isTrue();

    RefreshFamily found = await(refreshTokens().find(token, T0)).orElseThrow().family();
    assertSameFamily(found, family);
    assertThat(found.sessionId()).isNull();
    assertThat(found.scopes().isEmpty()).isTrue();
  }

  @Test
  public void createWhenGrantIdKnownThenFalseAndTheFirstFamilyUnchanged() {
    String grantId = uniqueId("grant");
    RefreshFamily first = family(grantId, "session-1", T0 + 600, T0 + 86_400);
    String firstToken = newHash();
    await(refreshTokens().create(first, firstToken));

    RefreshFamily second =
        new RefreshFamily(grantId, "client-x", "subject-x", scopes("admin"), "session-x", T0, T0 + 9_999, T0 + 99_999);
    String secondToken = newHash();

    assertThat(await(refreshTokens().create(second, secondToken))).isFalse();

    assertThat(await(refreshTokens().find(secondToken, T0))).as("the second token").isEmpty();
    assertThat(await(refreshTokens().find(firstToken, T0))).contains(new Member(first, true));
  }

  @Test
  public void createAfterRevokeOfUnknownGrantThenFalse() {
    String grantId = uniqueId("grant");
    await(refreshTokens().revokeFamily(grantId, T0 + 3_600));

    String token = newHash();
    assertThat(await(refreshTokens().create(family(grantId, "session-1", T0 + 600, T0 + 86_400), token))).isFalse();

    assertThat(await(refreshTokens().find(token, T0))).isEmpty();
    assertThat(await(refreshTokens().rotate(token, newHash(), T0 + 1_200, T0))).isFalse();
  }

  @Test
  public void createWithATokenHashAlreadyInUseThenFalseAndNothingCreated() {
    RefreshFamily first = family(uniqueId("grant"), "session-1", T0 + 600, T0 + 86_400);
    String token = newHash();
    await(refreshTokens().create(first, token));

    RefreshFamily second = family(uniqueId("grant"), "session-2", T0 + 600, T0 + 86_400);
    assertThat(await(refreshTokens().create(second, token))).isFalse();

    assertThat(await(refreshTokens().find(token, T0))).contains(new Member(first, true));
    // the second grant id was not taken: a family can still be created under it
    String other = newHash();
    assertThat(await(refreshTokens().create(second, other))).isTrue();
    assertThat(await(refreshTokens().find(other, T0))).contains(new Member(second, true));
  }

  @Test
  public void createWhenTwentyConcurrentCallersShareAGrantIdThenExactlyOneWins() {
    String grantId = uniqueId("grant");
    List<String> tokens = newHashes(CONCURRENT_CALLERS);

    List<Outcome<Boolean>> outcomes =
        concurrently(
            CONCURRENT_CALLERS,
            i -> node(i).create(family(grantId, "session-" + i, T0 + 600 + i, T0 + 86_400), tokens.get(i)));

    int winner = soleWinner(outcomes);
    for (int i = 0; i < CONCURRENT_CALLERS; i++) {
      Optional<Member> found = await(refreshTokens().find(tokens.get(i), T0));
      if (i == winner) {
        assertThat(found).contains(new Member(family(grantId, "session-" + i, T0 + 600 + i, T0 + 86_400), true));
      } else {
        assertThat(found).as("loser %d", i).isEmpty();
      }
    }
  }

  @Test
  public void findWhenUnknownThenEmpty() {
    assertThat(await(refreshTokens().find(newHash(), T0))).isEmpty();

    await(refreshTokens().create(family(uniqueId("grant"), "s", T0 + 600, T0 + 86_400), newHash()));
    assertThat(await(refreshTokens().find(newHash(), T0))).as("unknown among known").isEmpty();
  }

  @Test
  public void findAfterIdleExpiryThenEmpty() {
    RefreshFamily family = family(uniqueId("grant"), "s", T0 + 600, T0 + 86_400);
    String token = newHash();
    await(refreshTokens().create(family, token));

    assertThat(await(refreshTokens().find(token, T0 + 599))).as("a second before").contains(new Member(family, true));
    assertThat(await(refreshTokens().find(token, T0 + 600))).as("at the idle expiry").isEmpty();
    assertThat(await(refreshTokens().find(token, T0 + 601))).as("after it").isEmpty();
    assertThat(await(refreshTokens().find(token, T0))).as("an earlier now again").contains(new Member(family, true));
  }

  @Test
  public void findAfterAbsoluteExpiryThenEmptyForEveryMember() {
    RefreshFamily family = family(uniqueId("grant"), "s", T0 + 600, T0 + 1_000);
    String first = newHash();
    String second = newHash();
    await(refreshTokens().create(family, first));
    assertThat(await(refreshTokens().rotate(first, second, T0 + 5_000, T0 + 100))).isTrue();
    RefreshFamily rotated = family.withIdleExpiresAt(await(refreshTokens().find(second, T0)).orElseThrow()
        .family().idleExpiresAt());

    assertThat(await(refreshTokens().find(first, T0 + 999))).as("rotated member, a second before")
        .contains(new Member(rotated, false));
    assertThat(await(refreshTokens().find(second, T0 + 999))).as("current member, a second before")
        .contains(new Member(rotated, true));
    assertThat(await(refreshTokens().find(first, T0 + 1_000))).as("rotated member at the absolute expiry").isEmpty();
    assertThat(await(refreshTokens().find(second, T0 + 1_000))).as("current member at the absolute expiry").isEmpty();
    assertThat(await(refreshTokens().find(second, T0 + 50_000))).as("long after").isEmpty();
  }

  @Test
  public void findOfARotatedMemberAnswersTheFamilyAndNotCurrent() {
    RefreshFamily family = family(uniqueId("grant"), "s", T0 + 600, T0 + 86_400);
    String first = newHash();
    String second = newHash();
    await(refreshTokens().create(family, first));

    assertThat(await(refreshTokens().rotate(first, second, T0 + 1_500, T0 + 300))).isTrue();

    RefreshFamily moved = family.withIdleExpiresAt(T0 + 1_500);
    assertThat(await(refreshTokens().find(first, T0 + 400))).contains(new Member(moved, false));
    assertThat(await(refreshTokens().find(second, T0 + 400))).contains(new Member(moved, true));
  }

  @Test
  public void findOfARotatedMemberIgnoresIdleExpiryUntilAbsoluteExpiry() {
    RefreshFamily family = family(uniqueId("grant"), "s", T0 + 600, T0 + 10_000);
    String first = newHash();
    String second = newHash();
    await(refreshTokens().create(family, first));
    await(refreshTokens().rotate(first, second, T0 + 1_200, T0 + 500));

    RefreshFamily moved = family.withIdleExpiresAt(T0 + 1_200);
    assertThat(await(refreshTokens().find(second, T0 + 1_200))).as("current member, idle-expired").isEmpty();
    assertThat(await(refreshTokens().find(first, T0 + 1_200))).as("rotated member, same now")
        .contains(new Member(moved, false));
    assertThat(await(refreshTokens().find(first, T0 + 9_999))).contains(new Member(moved, false));
    assertThat(await(refreshTokens().find(first, T0 + 10_000))).isEmpty();
  }

  // ---------------------------------------------------------------- rotate

  @Test
  public void rotateMakesTheNewHashCurrentAndMovesTheIdleExpiry() {
    RefreshFamily family = family(uniqueId("grant"), "s", T0 + 600, T0 + 86_400);
    String first = newHash();
    String second = newHash();
    await(refreshTokens().create(family, first));

    assertThat(await(refreshTokens().rotate(first, second, T0 + 1_100, T0 + 500))).isTrue();

    RefreshFamily moved = family.withIdleExpiresAt(T0 + 1_100);
    assertThat(await(refreshTokens().find(second, T0 + 1_099))).as("past the old idle expiry")
        .contains(new Member(moved, true));
    assertThat(await(refreshTokens().find(second, T0 + 1_100))).as("at the new idle expiry").isEmpty();
  }

  @Test
  public void rotateChainKeepsEveryEarlierMemberKnownAsRotated() {
    RefreshFamily family = family(uniqueId("grant"), "s", T0 + 600, T0 + 86_400);
    List<String> chain = newHashes(5);
    await(refreshTokens().create(family, chain.get(0)));
    for (int i = 1; i < chain.size(); i++) {
      assertThat(await(refreshTokens().rotate(chain.get(i - 1), chain.get(i), T0 + 600 + 100L * i, T0 + 100L * i)))
          .as("rotation %d", i)
          .isTrue();
    }

    RefreshFamily last = family.withIdleExpiresAt(T0 + 1_000);
    for (int i = 0; i < chain.size(); i++) {
      assertThat(await(refreshTokens().find(chain.get(i), T0 + 450)))
          .as("member %d", i)
          .contains(new Member(last, i == chain.size() - 1));
    }
  }

  @Test
  public void rotateOfARotatedMemberThenFalse() {
    RefreshFamily family = family(uniqueId("grant"), "s", T0 + 600, T0 + 86_400);
    String first = newHash();
    String second = newHash();
    String replay = newHash();
    await(refreshTokens().create(family, first));
    await(refreshTokens().rotate(first, second, T0 + 1_000, T0 + 10));

    assertThat(await(refreshTokens().rotate(first, replay, T0 + 2_000, T0 + 20))).isFalse();

    assertThat(await(refreshTokens().find(replay, T0 + 20))).as("the replay's hash").isEmpty();
    assertThat(await(refreshTokens().find(second, T0 + 20)))
        .as("the current member and its idle expiry are untouched")
        .contains(new Member(family.withIdleExpiresAt(T0 + 1_000), true));
  }

  @Test
  public void rotateOfUnknownTokenThenFalse() {
    String next = newHash();

    assertThat(await(refreshTokens().rotate(newHash(), next, T0 + 600, T0))).isFalse();

    assertThat(await(refreshTokens().find(next, T0))).isEmpty();
  }

  @Test
  public void rotateAfterRevokeThenFalse() {
    RefreshFamily family = family(uniqueId("grant"), "s", T0 + 600, T0 + 86_400);
    String first = newHash();
    String next = newHash();
    await(refreshTokens().create(family, first));
    await(refreshTokens().revokeFamily(family.grantId(), T0 + 86_400));

    assertThat(await(refreshTokens().rotate(first, next, T0 + 1_200, T0 + 10))).isFalse();

    assertThat(await(refreshTokens().find(next, T0 + 10))).isEmpty();
  }

  @Test
  public void rotateAfterIdleExpiryThenFalse() {
    RefreshFamily family = family(uniqueId("grant"), "s", T0 + 600, T0 + 86_400);
    String first = newHash();
    String late = newHash();
    await(refreshTokens().create(family, first));

    assertThat(await(refreshTokens().rotate(first, late, T0 + 1_200, T0 + 600))).as("at the idle expiry").isFalse();

    assertThat(await(refreshTokens().find(late, T0 + 600))).isEmpty();
    String inTime = newHash();
    assertThat(await(refreshTokens().rotate(first, inTime, T0 + 1_200, T0 + 599))).as("a second before").isTrue();
  }

  @Test
  public void rotateAfterAbsoluteExpiryThenFalse() {
    RefreshFamily family = family(uniqueId("grant"), "s", T0 + 5_000, T0 + 1_000);
    String first = newHash();
    String late = newHash();
    await(refreshTokens().create(family, first));

    assertThat(await(refreshTokens().rotate(first, late, T0 + 6_000, T0 + 1_000))).isFalse();

    assertThat(await(refreshTokens().find(late, T0 + 999))).isEmpty();
    assertThat(await(refreshTokens().find(first, T0 + 999))).contains(new Member(family, true));
  }

  @Test
  public void rotateToATokenHashAlreadyInUseThenFalseAndNothingChanges() {
    RefreshFamily mine = family(uniqueId("grant"), "s1", T0 + 600, T0 + 86_400);
    RefreshFamily theirs = family(uniqueId("grant"), "s2", T0 + 600, T0 + 86_400);
    String myToken = newHash();
    String theirToken = newHash();
    await(refreshTokens().create(mine, myToken));
    await(refreshTokens().create(theirs, theirToken));

    assertThat(await(refreshTokens().rotate(myToken, theirToken, T0 + 1_200, T0))).isFalse();

    assertThat(await(refreshTokens().find(myToken, T0))).contains(new Member(mine, true));
    assertThat(await(refreshTokens().find(theirToken, T0))).contains(new Member(theirs, true));
  }

  @Test
  public void rotateWhenTwentyConcurrentCallersThenExactlyOneWins() {
    RefreshFamily family = family(uniqueId("grant"), "s", T0 + 600, T0 + 86_400);
    String old = newHash();
    await(refreshTokens().create(family, old));
    List<String> next = newHashes(CONCURRENT_CALLERS);

    List<Outcome<Boolean>> outcomes =
        concurrently(CONCURRENT_CALLERS, i -> node(i).rotate(old, next.get(i), T0 + 1_000 + i, T0 + 10));

    int winner = soleWinner(outcomes);
    RefreshFamily moved = family.withIdleExpiresAt(T0 + 1_000 + winner);
    assertThat(await(refreshTokens().find(next.get(winner), T0 + 10))).contains(new Member(moved, true));
    assertThat(await(otherNode().find(next.get(winner), T0 + 10))).as("seen from the other node")
        .contains(new Member(moved, true));
    assertThat(await(refreshTokens().find(old, T0 + 10))).contains(new Member(moved, false));
    for (int i = 0; i < CONCURRENT_CALLERS; i++) {
      if (i != winner) {
        assertThat(await(refreshTokens().find(next.get(i), T0 + 10))).as("loser %d's hash", i).isEmpty();
      }
    }
  }

  @Test
  public void rotateWhenConcurrentChainsRaceThenTheFamilyStaysOneChain() {
    // several rounds: every round, twenty callers race to rotate whatever they last saw as current
    RefreshFamily family = family(uniqueId("grant"), "s", T0 + 600, T0 + 86_400);
    String current = newHash();
    await(refreshTokens().create(family, current));
    List<String> members = new ArrayList<>(List.of(current));
    for (int round = 1; round <= 5; round++) {
      String old = current;
      List<String> next = newHashes(CONCURRENT_CALLERS);
      long idle = T0 + 600 + round;
      long now = T0 + round;
      List<Outcome<Boolean>> outcomes =
          concurrently(CONCURRENT_CALLERS, i -> node(i).rotate(old, next.get(i), idle, now));
      current = next.get(soleWinner(outcomes));
      members.add(current);
    }

    RefreshFamily last = family.withIdleExpiresAt(T0 + 605);
    for (int i = 0; i < members.size(); i++) {
      assertThat(await(refreshTokens().find(members.get(i), T0 + 10)))
          .as("member %d", i)
          .contains(new Member(last, i == members.size() - 1));
    }
  }

  @Test
  public void rotateRacingRevokeFamilyLeavesNoUsableMember() {
    RefreshFamily family = family(uniqueId("grant"), "s", T0 + 600, T0 + 86_400);
    String old = newHash();
    await(refreshTokens().create(family, old));
    List<String> next = newHashes(CONCURRENT_CALLERS);

    List<Outcome<Object>> outcomes =
        concurrently(
            CONCURRENT_CALLERS + 1,
            i -> i == CONCURRENT_CALLERS / 2
                ? node(i).revokeFamily(family.grantId(), T0 + 86_400).map(v -> (Object) "revoked")
                : node(i).rotate(old, next.get(i < CONCURRENT_CALLERS / 2 ? i : i - 1), T0 + 1_000, T0 + 10)
                    .map(b -> (Object) b));

    long winners = outcomes.stream().filter(o -> Boolean.TRUE.equals(o.result())).count();
    assertThat(winners).as("rotations that won").isLessThanOrEqualTo(1);
    assertThat(outcomes).allSatisfy(o -> assertThat(o.failure()).isNull());
    assertThat(await(refreshTokens().find(old, T0 + 10))).isEmpty();
    for (String hash : next) {
      assertThat(await(refreshTokens().find(hash, T0 + 10))).isEmpty();
      assertThat(await(refreshTokens().rotate(hash, newHash(), T0 + 2_000, T0 + 10))).isFalse();
    }
  }

  // ---------------------------------------------------------------- revokeFamily

  @Test
  public void revokeFamilyMakesEveryMemberUnusable() {
    RefreshFamily family = family(uniqueId("grant"), "s", T0 + 600, T0 + 86_400);
    List<String> chain = newHashes(3);
    await(refreshTokens().create(family, chain.get(0)));
    await(refreshTokens().rotate(chain.get(0), chain.get(1), T0 + 700, T0 + 10));
    await(refreshTokens().rotate(chain.get(1), chain.get(2), T0 + 800, T0 + 20));

    await(refreshTokens().revokeFamily(family.grantId(), T0 + 86_400));

    for (String member : chain) {
      assertThat(await(refreshTokens().find(member, T0 + 30))).as("member %s", chain.indexOf(member)).isEmpty();
      assertThat(await(otherNode().find(member, T0 + 30))).as("from the other node").isEmpty();
    }
    assertThat(await(refreshTokens().rotate(chain.get(2), newHash(), T0 + 900, T0 + 30))).isFalse();
  }

  @Test
  public void revokeFamilyLeavesOtherFamiliesAlone() {
    RefreshFamily revoked = family(uniqueId("grant"), "same-session", T0 + 600, T0 + 86_400);
    RefreshFamily kept = family(uniqueId("grant"), "same-session", T0 + 600, T0 + 86_400);
    String revokedToken = newHash();
    String keptToken = newHash();
    await(refreshTokens().create(revoked, revokedToken));
    await(refreshTokens().create(kept, keptToken));

    await(refreshTokens().revokeFamily(revoked.grantId(), T0 + 86_400));

    assertThat(await(refreshTokens().find(revokedToken, T0))).isEmpty();
    assertThat(await(refreshTokens().find(keptToken, T0))).contains(new Member(kept, true));
  }

  @Test
  public void revokeFamilyOfUnknownGrantIsRememberedUntilKeepUntil() {
    String grantId = uniqueId("grant");
    await(refreshTokens().revokeFamily(grantId, T0 + 3_600));

    assertThat(await(refreshTokens().purgeExpired(T0 + 3_599))).as("purge before keepUntil").isZero();
    assertThat(await(refreshTokens().create(family(grantId, "s", T0 + 600, T0 + 86_400), newHash())))
        .as("create after the purge, before keepUntil")
        .isFalse();
    assertThat(await(refreshTokens().purgeExpired(T0 + 3_600))).as("purge at keepUntil").isEqualTo(1);
  }

  @Test
  public void revokeFamilyIsRememberedPastTheFamilysOwnExpiryUntilKeepUntil() {
    RefreshFamily family = family(uniqueId("grant"), "s", T0 + 60, T0 + 120);
    String token = newHash();
    await(refreshTokens().create(family, token));
    await(refreshTokens().revokeFamily(family.grantId(), T0 + 3_600));

    assertThat(await(refreshTokens().purgeExpired(T0 + 1_000))).as("past the family's expiry").isZero();
    assertThat(await(refreshTokens().create(family, newHash()))).as("create again before keepUntil").isFalse();
    assertThat(await(refreshTokens().purgeExpired(T0 + 3_600))).as("at keepUntil").isEqualTo(1);
    assertThat(await(refreshTokens().find(token, T0 + 10))).isEmpty();
  }

  @Test
  public void revokeFamilyAgainWithAnEarlierKeepUntilNeverShortensIt() {
    String unknown = uniqueId("grant");
    RefreshFamily known = family(uniqueId("grant"), "s", T0 + 60, T0 + 120);
    await(refreshTokens().create(known, newHash()));
    await(refreshTokens().revokeFamily(unknown, T0 + 5_000));
    await(refreshTokens().revokeFamily(known.grantId(), T0 + 5_000));

    await(refreshTokens().revokeFamily(unknown, T0 + 100));
    await(refreshTokens().revokeFamily(known.grantId(), T0 + 100));

    assertThat(await(refreshTokens().purgeExpired(T0 + 4_999))).isZero();
    assertThat(await(refreshTokens().create(family(unknown, "s", T0 + 600, T0 + 86_400), newHash()))).isFalse();
    assertThat(await(refreshTokens().create(known, newHash()))).isFalse();
    assertThat(await(refreshTokens().purgeExpired(T0 + 5_000))).isEqualTo(2);
  }

  // ---------------------------------------------------------------- revokeBySubjectAndClient

  @Test
  public void revokeBySubjectAndClientRevokesOnlyThatSubjectsFamiliesOfThatClient() {
    RefreshFamily a1 = new RefreshFamily(uniqueId("grant"), "client-a", "alice", scopes("api:read"), null, T0, T0 + 600, T0 + 86_400);
    RefreshFamily a2 = new RefreshFamily(uniqueId("grant"), "client-a", "alice", scopes("api:read"), "s", T0, T0 + 600, T0 + 86_400);
    RefreshFamily otherClient = new RefreshFamily(uniqueId("grant"), "client-b", "alice", scopes("api:read"), null, T0, T0 + 600, T0 + 86_400);
    RefreshFamily otherSubject = new RefreshFamily(uniqueId("grant"), "client-a", "bob", scopes("api:read"), null, T0, T0 + 600, T0 + 86_400);
    String t1 = newHash();
    String t2 = newHash();
    String t3 = newHash();
    String t4 = newHash();
    await(refreshTokens().create(a1, t1));
    await(refreshTokens().create(a2, t2));
    await(refreshTokens().create(otherClient, t3));
    await(refreshTokens().create(otherSubject, t4));

    assertThat(await(refreshTokens().revokeBySubjectAndClient("alice", "client-a"))).containsExactlyInAnyOrder(a1.grantId(), a2.grantId());
    assertThat(await(refreshTokens().revokeBySubjectAndClient("alice", "client-a"))).as("second call").isEmpty();
    assertThat(await(refreshTokens().find(t1, T0 + 1))).isEmpty();
    assertThat(await(refreshTokens().find(t2, T0 + 1))).isEmpty();
    assertThat(await(refreshTokens().find(t3, T0 + 1))).contains(new Member(otherClient, true));
    assertThat(await(refreshTokens().find(t4, T0 + 1))).contains(new Member(otherSubject, true));
  }

  // ---------------------------------------------------------------- rotateIfCurrent

  @Test
  public void rotateIfCurrentRotatesTheCurrentTokenOfTheClientAndAnswersTheRotatedFamily() {
    RefreshFamily family = new RefreshFamily(uniqueId("grant"), "client-a", "alice", scopes("api:read", "api:write"), null, T0,
        T0 + 600, T0 + 86_400);
    String first = newHash();
    String second = newHash();
    await(refreshTokens().create(family, first));

    assertThat(await(refreshTokens().rotateIfCurrent(first, second, T0 + 700, T0 + 1, "client-a", scopes("api:read"))))
        .contains(family.withIdleExpiresAt(T0 + 700));
    assertThat(await(refreshTokens().find(second, T0 + 2))).contains(new Member(family.withIdleExpiresAt(T0 + 700), true));
    assertThat(await(refreshTokens().find(first, T0 + 2))).contains(new Member(family.withIdleExpiresAt(T0 + 700), false));
    // the empty scope set is contained in every family's
    assertThat(await(refreshTokens().rotateIfCurrent(second, newHash(), T0 + 800, T0 + 3, "client-a", scopes()))).isPresent();
  }

  @Test
  public void rotateIfCurrentForAnotherClientOrWiderScopeOrARotatedTokenChangesNothing() {
    RefreshFamily family = new RefreshFamily(uniqueId("grant"), "client-a", "alice", scopes("api:read"), null, T0, T0 + 600, T0 + 86_400);
    String first = newHash();
    await(refreshTokens().create(family, first));

    assertThat(await(refreshTokens().rotateIfCurrent(first, newHash(), T0 + 700, T0 + 1, "client-b", scopes()))).as("another client")
        .isEmpty();
    assertThat(await(refreshTokens().rotateIfCurrent(first, newHash(), T0 + 700, T0 + 1, "client-a", scopes("api:read", "api:write"))))
        .as("a scope never granted").isEmpty();
    assertThat(await(refreshTokens().rotateIfCurrent(newHash(), newHash(), T0 + 700, T0 + 1, "client-a", scopes()))).as("unknown").isEmpty();
    assertThat(await(refreshTokens().find(first, T0 + 1))).as("still current, unchanged").contains(new Member(family, true));

    String second = newHash();
    assertThat(await(refreshTokens().rotate(first, second, T0 + 700, T0 + 1))).isTrue();
    assertThat(await(refreshTokens().rotateIfCurrent(first, newHash(), T0 + 800, T0 + 2, "client-a", scopes()))).as("rotated").isEmpty();
    assertThat(await(refreshTokens().rotateIfCurrent(second, newHash(), T0 + 800, T0 + 600 + 100, "client-a", scopes())))
        .as("idle expiry passed").isEmpty();
  }

  @Test
  public void concurrentRotateIfCurrentOfOneTokenOnTwoNodesHasExactlyOneWinner() {
    RefreshFamily family = new RefreshFamily(uniqueId("grant"), "client-a", "alice", scopes("api:read"), null, T0, T0 + 600, T0 + 86_400);
    String first = newHash();
    await(refreshTokens().create(family, first));
    List<String> next = newHashes(CONCURRENT_CALLERS);

    List<Outcome<Optional<RefreshFamily>>> outcomes = concurrently(CONCURRENT_CALLERS,
        i -> node(i).rotateIfCurrent(first, next.get(i), T0 + 700, T0 + 1, "client-a", scopes()));

    assertThat(outcomes).allSatisfy(o -> assertThat(o.failure()).isNull());
    assertThat(outcomes.stream().filter(o -> o.result().isPresent()).count()).isEqualTo(1);
  }

  // ---------------------------------------------------------------- revokeBySubject, revokeByClient

  @Test
  public void revokeBySubjectRevokesThatSubjectsFamiliesOfEveryClientOnly() {
    String alice = uniqueId("alice");
    String bob = uniqueId("bob");
    RefreshFamily a1 = new RefreshFamily(uniqueId("grant"), "client-a", alice, scopes("api:read"), null, T0, T0 + 600, T0 + 86_400);
    RefreshFamily a2 = new RefreshFamily(uniqueId("grant"), "client-b", alice, scopes("api:read"), "s", T0, T0 + 600, T0 + 86_400);
    RefreshFamily other = new RefreshFamily(uniqueId("grant"), "client-a", bob, scopes("api:read"), null, T0, T0 + 600, T0 + 86_400);
    String t1 = newHash();
    String t1rotated = newHash();
    String t2 = newHash();
    String t3 = newHash();
    await(refreshTokens().create(a1, t1));
    await(refreshTokens().rotate(t1, t1rotated, T0 + 700, T0 + 1));
    await(refreshTokens().create(a2, t2));
    await(refreshTokens().create(other, t3));

    assertThat(await(refreshTokens().revokeBySubject(alice))).isEqualTo(2);
    assertThat(await(refreshTokens().revokeBySubject(alice))).as("second call").isZero();
    assertThat(await(refreshTokens().find(t1, T0 + 2))).isEmpty();
    assertThat(await(refreshTokens().find(t1rotated, T0 + 2))).isEmpty();
    assertThat(await(refreshTokens().rotate(t1rotated, newHash(), T0 + 800, T0 + 2))).isFalse();
    assertThat(await(refreshTokens().find(t2, T0 + 2))).isEmpty();
    assertThat(await(refreshTokens().find(t3, T0 + 2))).contains(new Member(other, true));
  }

  @Test
  public void revokeByClientRevokesThatClientsFamiliesOfEverySubjectOnly() {
    String client = uniqueId("client");
    String otherClient = uniqueId("client");
    RefreshFamily a = new RefreshFamily(uniqueId("grant"), client, "alice", scopes("api:read"), null, T0, T0 + 600, T0 + 86_400);
    RefreshFamily b = new RefreshFamily(uniqueId("grant"), client, "bob", scopes("api:read"), null, T0, T0 + 600, T0 + 86_400);
    RefreshFamily other = new RefreshFamily(uniqueId("grant"), otherClient, "alice", scopes("api:read"), null, T0, T0 + 600, T0 + 86_400);
    String t1 = newHash();
    String t2 = newHash();
    String t3 = newHash();
    await(refreshTokens().create(a, t1));
    await(refreshTokens().create(b, t2));
    await(refreshTokens().create(other, t3));

    assertThat(await(refreshTokens().revokeByClient(client))).isEqualTo(2);
    assertThat(await(refreshTokens().revokeByClient(client))).as("second call").isZero();
    assertThat(await(refreshTokens().find(t1, T0 + 1))).isEmpty();
    assertThat(await(refreshTokens().find(t2, T0 + 1))).isEmpty();
    assertThat(await(refreshTokens().find(t3, T0 + 1))).contains(new Member(other, true));
  }

  // ---------------------------------------------------------------- revokeBySession

  @Test
  public void revokeBySessionRevokesEveryFamilyOfTheSessionAndAnswersTheirGrantIds() {
    List<String> sessionTokens = newHashes(3);
    List<String> grants = new java.util.ArrayList<>();
    for (String token : sessionTokens) {
      String grant = uniqueId("grant");
      grants.add(grant);
      await(refreshTokens().create(family(grant, "session-1", T0 + 600, T0 + 86_400), token));
    }
    // one of them rotated: its earlier member must go too
    String rotated = newHash();
    await(refreshTokens().rotate(sessionTokens.get(0), rotated, T0 + 700, T0 + 1));
    RefreshFamily otherSession = family(uniqueId("grant"), "session-2", T0 + 600, T0 + 86_400);
    RefreshFamily noSession = family(uniqueId("grant"), null, T0 + 600, T0 + 86_400);
    String otherToken = newHash();
    String noSessionToken = newHash();
    await(refreshTokens().create(otherSession, otherToken));
    await(refreshTokens().create(noSession, noSessionToken));

    assertThat(await(refreshTokens().revokeBySession("session-1"))).containsExactlyInAnyOrderElementsOf(grants);

    for (String token : sessionTokens) {
      assertThat(await(refreshTokens().find(token, T0 + 2))).isEmpty();
    }
    assertThat(await(refreshTokens().find(rotated, T0 + 2))).isEmpty();
    assertThat(await(refreshTokens().rotate(rotated, newHash(), T0 + 800, T0 + 2))).isFalse();
    assertThat(await(refreshTokens().find(otherToken, T0 + 2))).contains(new Member(otherSession, true));
    assertThat(await(refreshTokens().find(noSessionToken, T0 + 2))).contains(new Member(noSession, true));
  }

  @Test
  public void revokeBySessionCountsOnlyFamiliesItRevoked() {
    RefreshFamily first = family(uniqueId("grant"), "session-1", T0 + 600, T0 + 86_400);
    RefreshFamily second = family(uniqueId("grant"), "session-1", T0 + 600, T0 + 86_400);
    await(refreshTokens().create(first, newHash()));
    await(refreshTokens().create(second, newHash()));
    await(refreshTokens().revokeFamily(first.grantId(), T0 + 86_400));

    assertThat(await(refreshTokens().revokeBySession("session-1"))).as("first call").containsExactly(second.grantId());
    assertThat(await(refreshTokens().revokeBySession("session-1"))).as("second call").isEmpty();
  }

  @Test
  public void revokeBySessionOfAnUnknownSessionThenZero() {
    String token = newHash();
    RefreshFamily family = family(uniqueId("grant"), "session-1", T0 + 600, T0 + 86_400);
    await(refreshTokens().create(family, token));

    assertThat(await(refreshTokens().revokeBySession("session-unknown"))).isEmpty();
    assertThat(await(refreshTokens().revokeBySession("SESSION-1"))).as("session ids compare exactly").isEmpty();

    assertThat(await(refreshTokens().find(token, T0))).contains(new Member(family, true));
  }

  @Test
  public void revokeBySessionNeverTouchesFamiliesWithoutASession() {
    RefreshFamily noSession = family(uniqueId("grant"), null, T0 + 600, T0 + 86_400);
    String token = newHash();
    await(refreshTokens().create(noSession, token));

    // a null session id names no login session: refusing it is fine, revoking anything is not
    Future<List<String>> answer;
    try {
      answer = refreshTokens().revokeBySession(null);
    } catch (NullPointerException refused) {
      answer = Future.failedFuture(refused);
    }
    Outcome<List<String>> outcome = settle(answer);
    if (!outcome.failed()) {
      assertThat(outcome.result()).as("families revoked").isEmpty();
    }

    assertThat(await(refreshTokens().find(token, T0))).contains(new Member(noSession, true));
  }

  // ---------------------------------------------------------------- purgeExpired

  @Test
  public void purgeExpiredDeletesOnlyDeadFamiliesAndTombstones() {
    long now = T0 + 1_000;
    // dead at now
    String idleDead = newHash();
    await(refreshTokens().create(family(uniqueId("idle-dead"), "s", now, T0 + 86_400), idleDead));
    String absoluteDead = newHash();
    await(refreshTokens().create(family(uniqueId("absolute-dead"), "s", T0 + 86_400, now - 1), absoluteDead));
    String sessionRevokedDead = newHash();
    await(refreshTokens().create(family(uniqueId("session-dead"), "gone", T0 + 500, T0 + 900), sessionRevokedDead));
    await(refreshTokens().revokeBySession("gone"));
    String oldTombstone = uniqueId("old-tombstone");
    await(refreshTokens().revokeFamily(oldTombstone, now));
    // alive at now
    RefreshFamily live = family(uniqueId("live"), "s", now + 1, T0 + 86_400);
    String liveToken = newHash();
    await(refreshTokens().create(live, liveToken));
    RefreshFamily rotatedFamily = family(uniqueId("rotated"), "s", T0 + 600, T0 + 86_400);
    String rotatedOld = newHash();
    await(refreshTokens().create(rotatedFamily, rotatedOld));
    await(refreshTokens().rotate(rotatedOld, newHash(), T0 + 700, T0 + 100)); // current idle-dead at now
    String youngTombstone = uniqueId("young-tombstone");
    await(refreshTokens().revokeFamily(youngTombstone, now + 1));
    RefreshFamily revokedKept = family(uniqueId("revoked-kept"), "s", T0 + 100, T0 + 200);
    await(refreshTokens().create(revokedKept, newHash()));
    await(refreshTokens().revokeFamily(revokedKept.grantId(), now + 1));

    assertThat(await(refreshTokens().purgeExpired(now))).as("deleted: 3 families and 1 tombstone").isEqualTo(4);

    assertThat(await(refreshTokens().find(liveToken, now))).contains(new Member(live, true));
    assertThat(await(refreshTokens().find(rotatedOld, now)))
        .contains(new Member(rotatedFamily.withIdleExpiresAt(T0 + 700), false));
    for (String grantId : List.of(youngTombstone, revokedKept.grantId())) {
      assertThat(await(refreshTokens().create(family(grantId, "s", T0 + 86_400, T0 + 86_400), newHash())))
          .as("tombstone %s still remembered", grantId)
          .isFalse();
    }
    for (String dead : List.of(idleDead, absoluteDead, sessionRevokedDead)) {
      assertThat(await(refreshTokens().find(dead, now))).isEmpty();
      assertThat(await(refreshTokens().rotate(dead, newHash(), T0 + 86_400, now))).isFalse();
    }
    assertThat(await(refreshTokens().purgeExpired(now))).as("again at the same now").isZero();
    assertThat(await(refreshTokens().purgeExpired(now + 1)))
        .as("a second later: the young tombstone, the revoked family kept until now + 1, the live one's idle expiry")
        .isEqualTo(3);
    assertThat(await(refreshTokens().find(rotatedOld, now + 1))).as("the rotated family lives on").isPresent();
  }

  @Test
  public void purgeExpiredDeletesAFamilyAtItsExpiryInstant() {
    String idle = newHash();
    await(refreshTokens().create(family(uniqueId("idle"), "s", T0 + 600, T0 + 86_400), idle));

    assertThat(await(refreshTokens().purgeExpired(T0 + 599))).isZero();
    assertThat(await(refreshTokens().find(idle, T0 + 599))).isPresent();
    assertThat(await(refreshTokens().purgeExpired(T0 + 600))).isEqualTo(1);
    assertThat(await(refreshTokens().find(idle, T0))).as("gone for every now").isEmpty();
  }

  @Test
  public void purgeExpiredNeverChangesWhatFindAnswers() {
    RefreshFamily family = family(uniqueId("grant"), "s", T0 + 600, T0 + 10_000);
    String first = newHash();
    String second = newHash();
    await(refreshTokens().create(family, first));
    await(refreshTokens().rotate(first, second, T0 + 1_200, T0 + 500));
    RefreshFamily moved = family.withIdleExpiresAt(T0 + 1_200);

    for (long now : new long[] {T0 + 1_199, T0 + 1_200, T0 + 5_000, T0 + 9_999}) {
      Optional<Member> before = await(refreshTokens().find(first, now));
      assertThat(await(refreshTokens().purgeExpired(now))).as("purge at %d", now - T0).isZero();
      assertThat(await(refreshTokens().find(first, now))).as("rotated member at %d", now - T0).isEqualTo(before)
          .contains(new Member(moved, false));
    }
    assertThat(await(refreshTokens().purgeExpired(T0 + 10_000))).isEqualTo(1);
  }

  @Test
  public void purgeExpiredOnAnEmptyStoreThenZero() {
    assertThat(await(refreshTokens().purgeExpired(T0))).isZero();
    assertThat(await(refreshTokens().purgeExpired(Long.MAX_VALUE))).isZero();
  }

  @Test
  public void purgeExpiredDeletesEveryDeadFamilyOfAGreatMany() {
    int count = 200;
    List<Future<Boolean>> creates = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      creates.add(refreshTokens().create(family(uniqueId("bulk"), "s", T0 + 100 + (i % 2) * 1_000, T0 + 86_400), newHash()));
    }
    await(Future.all(creates));

    assertThat(await(refreshTokens().purgeExpired(T0 + 100))).isEqualTo(count / 2);
    assertThat(await(refreshTokens().purgeExpired(T0 + 1_100))).isEqualTo(count / 2);
  }

  // ---------------------------------------------------------------- failures, event loop

  @Test
  public void whenTheBackingServiceFailsThenEveryCallFailsInsteadOfAnsweringEmpty() {
    RefreshTokenStore broken = unavailableRefreshTokens();
    assumeTrue(broken != null, "this adapter has no backing service that can fail");
    RefreshFamily family = family(uniqueId("grant"), "s", T0 + 600, T0 + 86_400);

    assertThat(failureOf(() -> broken.create(family, newHash()))).as("create").isNotNull();
    assertThat(failureOf(() -> broken.find(newHash(), T0))).as("find").isNotNull();
    assertThat(failureOf(() -> broken.rotate(newHash(), newHash(), T0 + 600, T0))).as("rotate").isNotNull();
    assertThat(failureOf(() -> broken.revokeFamily(family.grantId(), T0 + 600))).as("revokeFamily").isNotNull();
    assertThat(failureOf(() -> broken.revokeBySession("s"))).as("revokeBySession").isNotNull();
    assertThat(failureOf(() -> broken.purgeExpired(T0))).as("purgeExpired").isNotNull();
  }

  @Test
  public void callsMadeOnAnEventLoopCompleteWithoutWaitingOnIt() {
    RefreshFamily family = family(uniqueId("grant"), "s", T0 + 600, T0 + 86_400);
    String first = newHash();
    String second = newHash();

    Optional<Member> found =
        onEventLoop(
            () ->
                refreshTokens()
                    .create(family, first)
                    .compose(created -> refreshTokens().rotate(first, second, T0 + 700, T0 + 1))
                    .compose(rotated -> refreshTokens().find(first, T0 + 2))
                    .compose(member -> refreshTokens().revokeBySession("s").map(member))
                    .compose(member -> refreshTokens().revokeFamily(family.grantId(), T0 + 86_400).map(member))
                    .compose(member -> refreshTokens().purgeExpired(T0 + 86_400).map(member)));

    assertThat(found).contains(new Member(family.withIdleExpiresAt(T0 + 700), false));
    assertThat(await(refreshTokens().find(second, T0 + 2))).isEmpty();
  }

  // ---------------------------------------------------------------- helpers for subclasses

  /** A family of client {@code client-a} with a unique subject, authenticated a minute before T0. */
  protected static RefreshFamily family(String grantId, String sessionId, long idleExpiresAt, long absoluteExpiresAt) {
    return new RefreshFamily(
        grantId,
        "client-a",
        "subject-of-" + grantId,
        scopes("openid", "offline_access", "api:read"),
        sessionId,
        T0 - 60,
        idleExpiresAt,
        absoluteExpiresAt);
  }

  protected static Scopes scopes(String... tokens) {
    return Scopes.of(List.of(tokens));
  }

  /** The base64url SHA-256 of a fresh random token, as the token issuer keys refresh tokens. */
  protected static String newHash() {
    byte[] token = new byte[32];
    RANDOM.nextBytes(token);
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256")
              .digest(Base64.getUrlEncoder().withoutPadding().encodeToString(token).getBytes(StandardCharsets.US_ASCII));
      return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }

  protected static List<String> newHashes(int count) {
    List<String> hashes = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      hashes.add(newHash());
    }
    return hashes;
  }

  /** Caller {@code i}'s node: even callers use {@link #refreshTokens()}, odd ones {@link #otherNode()}. */
  protected RefreshTokenStore node(int i) {
    return i % 2 == 0 ? refreshTokens() : otherNode();
  }

  /** Asserts that every call succeeded and exactly one answered true; answers which one. */
  protected static int soleWinner(List<Outcome<Boolean>> outcomes) {
    List<Integer> winners = new ArrayList<>();
    for (int i = 0; i < outcomes.size(); i++) {
      assertThat(outcomes.get(i).failure()).as("caller %d failed", i).isNull();
      if (Boolean.TRUE.equals(outcomes.get(i).result())) {
        winners.add(i);
      }
    }
    assertThat(winners).as("callers that answered true").hasSize(1);
    return winners.get(0);
  }

  /** Asserts field by field, so that a failure names the field. */
  protected static void assertSameFamily(RefreshFamily actual, RefreshFamily expected) {
    assertThat(actual.grantId()).as("grantId").isEqualTo(expected.grantId());
    assertThat(actual.clientId()).as("clientId").isEqualTo(expected.clientId());
    assertThat(actual.subject()).as("subject").isEqualTo(expected.subject());
    assertThat(actual.scopes()).as("scopes").isEqualTo(expected.scopes());
    assertThat(actual.sessionId()).as("sessionId").isEqualTo(expected.sessionId());
    assertThat(actual.authTime()).as("authTime").isEqualTo(expected.authTime());
    assertThat(actual.idleExpiresAt()).as("idleExpiresAt").isEqualTo(expected.idleExpiresAt());
    assertThat(actual.absoluteExpiresAt()).as("absoluteExpiresAt").isEqualTo(expected.absoluteExpiresAt());
    assertThat(actual).as("whole record").isEqualTo(expected);
  }
}
