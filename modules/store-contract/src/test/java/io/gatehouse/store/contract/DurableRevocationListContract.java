package io.gatehouse.store.contract;

import static io.gatehouse.testing.Await.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.gatehouse.core.revocation.DurableRevocationList;
import io.gatehouse.core.revocation.Revocation;
import io.gatehouse.core.revocation.Revocation.Kind;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link DurableRevocationList} adapter must show, as written in that interface's
 * Javadoc: the {@link RevocationListContract} and the change feed.
 */
public abstract class DurableRevocationListContract extends RevocationListContract {
  @Override
  protected abstract DurableRevocationList revocations();

  @Override
  protected DurableRevocationList otherNode() {
    return revocations();
  }

  @Override
  protected DurableRevocationList unavailableRevocations() {
    return null;
  }

  /** The entries of {@code changesSince(cursor, limit, now)} whose value is one of {@code values}, failing when truncated. */
  protected List<Revocation> changesOf(DurableRevocationList store, long cursor, long now, String... values) {
    DurableRevocationList.Changes changes = await(store.changesSince(cursor, 10_000, now));
    assertThat(changes.truncated()).as("truncated").isFalse();
    List<String> wanted = List.of(values);
    return changes.revocations().stream().filter(r -> wanted.contains(r.value())).toList();
  }

  @Test
  public void changesSinceACursorAnswersEveryAddMadeAfterItOnAnyNode() {
    Revocation before = new Revocation(Kind.TOKEN, uniqueId("jti"), T0, T0 + 600);
    await(revocations().add(before));
    long cursor = await(revocations().changeCursor());
    Revocation here = new Revocation(Kind.TOKEN, uniqueId("jti"), T0, T0 + 600);
    Revocation there = new Revocation(Kind.GRANT, uniqueId("grant"), T0, T0 + 600);

    await(revocations().add(here));
    await(otherNode().add(there));

    assertThat(changesOf(revocations(), cursor, T0 + 1, here.value(), there.value())).containsExactlyInAnyOrder(here, there);
    assertThat(changesOf(otherNode(), cursor, T0 + 1, here.value(), there.value())).containsExactlyInAnyOrder(here, there);
  }

  @Test
  public void changesSinceACursorAnswersAMergeMadeAfterItAsTheMergedEntry() {
    String subject = uniqueId("sub");
    await(revocations().add(new Revocation(Kind.SUBJECT, subject, T0, T0 + 600)));
    long cursor = await(revocations().changeCursor());

    await(otherNode().add(new Revocation(Kind.SUBJECT, subject, T0 + 50, T0 + 300)));

    assertThat(changesOf(revocations(), cursor, T0 + 1, subject)).containsExactly(new Revocation(Kind.SUBJECT, subject, T0 + 50, T0 + 600));
  }

  @Test
  public void changesSinceNeverAnswersAnExpiredEntry() {
    long cursor = await(revocations().changeCursor());
    Revocation r = new Revocation(Kind.TOKEN, uniqueId("jti"), T0, T0 + 600);
    await(revocations().add(r));

    assertThat(changesOf(revocations(), cursor, T0 + 599, r.value())).containsExactly(r);
    assertThat(changesOf(revocations(), cursor, T0 + 600, r.value())).as("expiresAt is not active").isEmpty();
  }

  @Test
  public void changesSinceWithMoreThanTheLimitAnswersTruncatedAndNoEntries() {
    long cursor = await(revocations().changeCursor());
    for (int i = 0; i < 3; i++) {
      await(revocations().add(new Revocation(Kind.TOKEN, uniqueId("jti"), T0, T0 + 600)));
    }

    DurableRevocationList.Changes changes = await(revocations().changesSince(cursor, 2, T0 + 1));

    assertThat(changes.truncated()).isTrue();
    assertThat(changes.revocations()).isEmpty();
  }

  @Test
  public void cursorsNeverGoBack() {
    long first = await(revocations().changeCursor());
    Revocation r = new Revocation(Kind.CLIENT, uniqueId("client"), T0, T0 + 600);
    await(revocations().add(r));
    long second = await(otherNode().changeCursor());

    assertThat(second).isGreaterThanOrEqualTo(first);
    assertThat(changesOf(revocations(), first, T0 + 1, r.value())).containsExactly(r);
  }

  @Test
  public void whenTheBackingServiceFailsThenTheFeedFails() {
    DurableRevocationList broken = unavailableRevocations();
    assumeTrue(broken != null, "this adapter has no backing service that can fail");

    assertThat(failureOf(broken::changeCursor)).isNotNull();
    assertThat(failureOf(() -> broken.changesSince(1, 10, T0))).isNotNull();
  }
}
