package io.gatehouse.store.contract;

import static io.gatehouse.testing.Await.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.gatehouse.core.revocation.Revocation;
import io.gatehouse.core.revocation.Revocation.Kind;
import io.gatehouse.core.revocation.RevocationList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link RevocationList} adapter must show, as written in that interface's
 * Javadoc. An adapter's test extends this class and supplies {@link #revocations()}; every test uses
 * values made unique with a random part, so a store may be shared by the tests of a class, and it
 * only ever looks at the entries it made itself.
 */
public abstract class RevocationListContract extends StoreContractSupport {
  /**
   * Now, not a fixed date: a cache (Redis) also drops entries by its own clock, so an entry must not
   * have expired by the wall clock when a test adds it.
   */
  protected static final long T0 = java.time.Instant.now().getEpochSecond();

  /** The store under test. */
  protected abstract RevocationList revocations();

  /** Another store on the same backing service (a second node); defaults to {@link #revocations()}. */
  protected RevocationList otherNode() {
    return revocations();
  }

  /** A store whose backing service has failed, or null when none can (the failure test is skipped). */
  protected RevocationList unavailableRevocations() {
    return null;
  }

  /** The entries of {@code active(now)} whose value is one of {@code values}. */
  protected List<Revocation> activeOf(RevocationList store, long now, String... values) {
    List<String> wanted = List.of(values);
    return await(store.active(now)).stream().filter(r -> wanted.contains(r.value())).toList();
  }

  @Test
  public void addThenActiveAnswersTheEntry() {
    Revocation r = new Revocation(Kind.TOKEN, uniqueId("jti"), T0, T0 + 600);

    await(revocations().add(r));

    assertThat(activeOf(revocations(), T0 + 1, r.value())).containsExactly(r);
  }

  @Test
  public void everyKindIsKeptApartEvenWithTheSameValue() {
    String value = uniqueId("same");
    List<Revocation> all = List.of(
        new Revocation(Kind.TOKEN, value, T0, T0 + 600),
        new Revocation(Kind.GRANT, value, T0, T0 + 700),
        new Revocation(Kind.SUBJECT, value, T0, T0 + 800),
        new Revocation(Kind.CLIENT, value, T0, T0 + 900));
    for (Revocation r : all) {
      await(revocations().add(r));
    }

    assertThat(activeOf(revocations(), T0 + 1, value)).containsExactlyInAnyOrderElementsOf(all);
  }

  @Test
  public void activeNeverAnswersAnEntryThatHasExpired() {
    Revocation r = new Revocation(Kind.GRANT, uniqueId("grant"), T0, T0 + 600);
    await(revocations().add(r));

    assertThat(activeOf(revocations(), T0 + 599, r.value())).containsExactly(r);
    assertThat(activeOf(revocations(), T0 + 600, r.value())).as("expiresAt is not active").isEmpty();
    assertThat(activeOf(revocations(), T0 + 10_000, r.value())).isEmpty();
  }

  @Test
  public void addOfTheSameKeyMergesToTheLaterRevokedAtAndTheLaterExpiry() {
    String subject = uniqueId("sub");
    await(revocations().add(new Revocation(Kind.SUBJECT, subject, T0 + 100, T0 + 700)));
    await(revocations().add(new Revocation(Kind.SUBJECT, subject, T0 + 50, T0 + 900)));
    await(revocations().add(new Revocation(Kind.SUBJECT, subject, T0 + 200, T0 + 800)));

    assertThat(activeOf(revocations(), T0 + 1, subject)).containsExactly(new Revocation(Kind.SUBJECT, subject, T0 + 200, T0 + 900));
  }

  @Test
  public void anAddOnOneNodeIsActiveOnTheOther() {
    Revocation r = new Revocation(Kind.CLIENT, uniqueId("client"), T0, T0 + 600);

    await(revocations().add(r));

    assertThat(activeOf(otherNode(), T0 + 1, r.value())).containsExactly(r);
  }

  @Test
  public void concurrentAddsOfOneKeyOnTwoNodesMergeToOneEntry() {
    String subject = uniqueId("sub");
    List<Outcome<Void>> outcomes = concurrently(CONCURRENT_CALLERS, i -> {
      RevocationList node = i % 2 == 0 ? revocations() : otherNode();
      return node.add(new Revocation(Kind.SUBJECT, subject, T0 + i, T0 + 1_000 + i));
    });

    assertThat(outcomes).allSatisfy(o -> assertThat(o.failure()).isNull());
    assertThat(activeOf(revocations(), T0 + 1, subject)).containsExactly(
        new Revocation(Kind.SUBJECT, subject, T0 + CONCURRENT_CALLERS - 1, T0 + 1_000 + CONCURRENT_CALLERS - 1));
  }

  @Test
  public void purgeExpiredDeletesOnlyExpiredEntries() {
    Revocation old = new Revocation(Kind.TOKEN, uniqueId("jti"), T0, T0 + 10);
    Revocation live = new Revocation(Kind.TOKEN, uniqueId("jti"), T0, T0 + 10_000);
    await(revocations().add(old));
    await(revocations().add(live));

    assertThat(await(revocations().purgeExpired(T0 + 100))).isGreaterThanOrEqualTo(0);

    assertThat(activeOf(revocations(), T0 + 1, old.value(), live.value())).containsExactly(live);
  }

  @Test
  public void aValueOfEveryPrintableCharacterComesBackUnchanged() {
    // control characters never make a revocation (PostgreSQL text cannot hold NUL): see Identifiers
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> new Revocation(Kind.SUBJECT, "a\u0000b", T0, T0 + 600))
        .isInstanceOf(IllegalArgumentException.class);
    String value = uniqueId("ü😀:\"'\\ %_*{}[]");
    Revocation r = new Revocation(Kind.SUBJECT, value, T0, T0 + 600);

    await(revocations().add(r));

    assertThat(activeOf(revocations(), T0 + 1, value)).containsExactly(r);
  }

  @Test
  public void whenTheBackingServiceFailsThenEveryCallFails() {
    RevocationList broken = unavailableRevocations();
    assumeTrue(broken != null, "this adapter has no backing service that can fail");

    assertThat(failureOf(() -> broken.add(new Revocation(Kind.TOKEN, uniqueId("jti"), T0, T0 + 600)))).isNotNull();
    assertThat(failureOf(() -> broken.active(T0))).isNotNull();
  }
}
