package io.gatehouse.store.contract;

import static io.gatehouse.testing.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.core.revocation.Revocation;
import io.gatehouse.core.revocation.Revocation.Kind;
import io.gatehouse.core.revocation.RevocationCache;
import io.gatehouse.core.revocation.RevocationList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link RevocationCache} adapter must show on top of the
 * {@link RevocationListContract}. Completeness is a property of the whole cache, so an adapter's
 * test gives each test a cache of its own ({@link #freshCache()}: a new key prefix, say) and a way
 * to make it lose its data as a restart would ({@link #loseData}).
 */
public abstract class RevocationCacheContract extends RevocationListContract {
  /** A cache no other test uses, empty and never filled. */
  protected abstract RevocationCache freshCache();

  /** Makes {@code cache} lose everything it holds, as a restart of its backing service without persistence would. */
  protected abstract void loseData(RevocationCache cache);

  /**
   * When {@code cache}'s backing service will let {@code entry} go by its own clock, in epoch
   * milliseconds, read from that service (a Redis key's {@code PEXPIRETIME}, say); empty when it holds
   * no such entry. The service's clock is not the test's to move, so the contract checks that the
   * expiry is set right rather than waiting for it.
   */
  protected abstract java.util.OptionalLong dropsAtMillis(RevocationCache cache, Revocation entry);

  @Override
  protected RevocationList revocations() {
    return sharedCache();
  }

  private RevocationCache shared;

  private synchronized RevocationCache sharedCache() {
    if (shared == null) {
      shared = freshCache();
    }
    return shared;
  }

  private static long now() {
    return java.time.Instant.now().getEpochSecond();
  }

  @Test
  public void snapshotOfACacheNeverFilledIsEmpty() {
    RevocationCache cache = freshCache();

    assertThat(await(cache.snapshot(now()))).isEmpty();
  }

  @Test
  public void anAddAloneNeverMakesTheCacheComplete() {
    RevocationCache cache = freshCache();
    await(cache.add(new Revocation(Kind.TOKEN, uniqueId("jti"), now(), now() + 600)));

    assertThat(await(cache.snapshot(now()))).isEmpty();
  }

  @Test
  public void fillThenSnapshotAnswersEveryActiveEntryIncludingLaterAdds() {
    RevocationCache cache = freshCache();
    long now = now();
    Revocation a = new Revocation(Kind.TOKEN, uniqueId("jti"), now, now + 600);
    Revocation b = new Revocation(Kind.SUBJECT, uniqueId("sub"), now, now + 600);
    Revocation later = new Revocation(Kind.GRANT, uniqueId("grant"), now, now + 600);

    await(cache.fill(List.of(a, b)));
    await(cache.add(later));

    Optional<List<Revocation>> snapshot = await(cache.snapshot(now + 1));
    assertThat(snapshot).isPresent();
    assertThat(snapshot.get()).containsExactlyInAnyOrder(a, b, later);
  }

  @Test
  public void fillOfNothingStillMakesTheCacheComplete() {
    RevocationCache cache = freshCache();

    await(cache.fill(List.of()));

    assertThat(await(cache.snapshot(now()))).contains(List.of());
  }

  @Test
  public void fillMergesWithWhatTheCacheHolds() {
    RevocationCache cache = freshCache();
    long now = now();
    String subject = uniqueId("sub");
    await(cache.add(new Revocation(Kind.SUBJECT, subject, now + 100, now + 600)));

    await(cache.fill(List.of(new Revocation(Kind.SUBJECT, subject, now, now + 900))));

    assertThat(await(cache.snapshot(now))).contains(List.of(new Revocation(Kind.SUBJECT, subject, now + 100, now + 900)));
  }

  @Test
  public void aCacheThatLostItsDataIsNoLongerComplete() {
    RevocationCache cache = freshCache();
    long now = now();
    await(cache.fill(List.of(new Revocation(Kind.TOKEN, uniqueId("jti"), now, now + 600))));

    loseData(cache);

    assertThat(await(cache.snapshot(now))).isEmpty();
  }

  @Test
  public void theCacheLetsAnEntryGoByItselfAtItsExpiry() {
    RevocationCache cache = freshCache();
    long now = now();
    Revocation shortLived = new Revocation(Kind.TOKEN, uniqueId("jti"), now - 10, now + 60);
    Revocation kept = new Revocation(Kind.TOKEN, uniqueId("jti"), now, now + 600);

    await(cache.fill(List.of(shortLived, kept)));

    assertThat(dropsAtMillis(cache, shortLived)).hasValue(shortLived.expiresAt() * 1000);
    assertThat(dropsAtMillis(cache, kept)).hasValue(kept.expiresAt() * 1000);
  }

  @Test
  public void anEntryExpiredByTheBackingServicesClockIsNotAnsweredEvenAsOfAnEarlierTime() {
    RevocationCache cache = freshCache();
    long now = now();
    Revocation expired = new Revocation(Kind.TOKEN, uniqueId("jti"), now - 10, now - 1);
    Revocation kept = new Revocation(Kind.TOKEN, uniqueId("jti"), now, now + 600);

    await(cache.fill(List.of(expired, kept)));

    // asked as of a time before the expiry: the cache itself must have let the entry go
    assertThat(await(cache.snapshot(now - 5))).contains(List.of(kept));
    assertThat(dropsAtMillis(cache, expired)).isEmpty();
  }
}
