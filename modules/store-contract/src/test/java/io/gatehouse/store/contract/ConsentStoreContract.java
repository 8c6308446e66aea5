package io.gatehouse.store.contract;

import static io.gatehouse.testing.Await.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.gatehouse.core.model.Consent;
import io.gatehouse.core.model.Scopes;
import io.gatehouse.core.store.ConsentStore;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link ConsentStore} adapter must show, as written in that interface's Javadoc.
 * An adapter's test extends this class and supplies {@link #consents()}; it may set the store up per
 * test or once per class: every test uses subjects made unique with a random part.
 *
 * <p>"Ordered by client id" is read as Java's {@link String#compareTo} order (UTF-16 code units, so
 * upper case before lower case, whatever the locale), the order a memory store's sorted map gives and
 * the only one that does not depend on a database's collation.
 */
public abstract class ConsentStoreContract extends StoreContractSupport {
  private static final long T0 = 1_700_000_000L;

  /** The store under test. Called at any point of a test, possibly more than once. */
  protected abstract ConsentStore consents();

  /**
   * A store of the same kind whose backing service has failed, or null when the adapter has no
   * backing service that can fail (the in-memory one): the failure test is then skipped.
   */
  protected ConsentStore unavailableConsents() {
    return null;
  }

  // ---------------------------------------------------------------- find, grant

  @Test
  public void findWhenNeverGrantedThenEmpty() {
    assertThat(await(consents().find(uniqueId("sub"), "client-a"))).isEmpty();
  }

  @Test
  public void grantThenFindAnswersTheScopesAndGrantedAt() {
    String subject = uniqueId("sub");

    await(consents().grant(subject, "client-a", scopes("openid", "profile"), T0));

    assertThat(await(consents().find(subject, "client-a")))
        .contains(new Consent(subject, "client-a", scopes("openid", "profile"), T0));
  }

  @Test
  public void grantAddsScopesAsUnion() {
    String subject = uniqueId("sub");
    await(consents().grant(subject, "client-a", scopes("openid", "profile"), T0));

    await(consents().grant(subject, "client-a", scopes("email", "profile", "api:read"), T0 + 60));

    Consent consent = await(consents().find(subject, "client-a")).orElseThrow();
    assertThat(consent.scopes().values()).containsExactlyInAnyOrder("openid", "profile", "email", "api:read");
    assertThat(consent.grantedAt()).isEqualTo(T0 + 60);
    assertThat(consent).isEqualTo(
        new Consent(subject, "client-a", scopes("openid", "profile", "email", "api:read"), T0 + 60));
  }

  @Test
  public void grantOfScopesAlreadyGivenKeepsThemAndMovesGrantedAt() {
    String subject = uniqueId("sub");
    await(consents().grant(subject, "client-a", scopes("openid", "profile", "email"), T0));

    await(consents().grant(subject, "client-a", scopes("profile"), T0 + 5));
    await(consents().grant(subject, "client-a", Scopes.EMPTY, T0 + 9));

    assertThat(await(consents().find(subject, "client-a")))
        .contains(new Consent(subject, "client-a", scopes("openid", "profile", "email"), T0 + 9));
  }

  @Test
  public void grantOfNoScopesIsStillRemembered() {
    String subject = uniqueId("sub");

    await(consents().grant(subject, "client-a", Scopes.EMPTY, T0));

    assertThat(await(consents().find(subject, "client-a")))
        .contains(new Consent(subject, "client-a", Scopes.EMPTY, T0));
  }

  @Test
  public void grantIsKeptPerSubjectAndClient() {
    String alice = uniqueId("alice");
    String bob = uniqueId("bob");

    await(consents().grant(alice, "client-a", scopes("openid"), T0));
    await(consents().grant(alice, "client-b", scopes("email"), T0 + 1));
    await(consents().grant(bob, "client-a", scopes("profile"), T0 + 2));

    assertThat(await(consents().find(alice, "client-a"))).contains(new Consent(alice, "client-a", scopes("openid"), T0));
    assertThat(await(consents().find(alice, "client-b")))
        .contains(new Consent(alice, "client-b", scopes("email"), T0 + 1));
    assertThat(await(consents().find(bob, "client-a")))
        .contains(new Consent(bob, "client-a", scopes("profile"), T0 + 2));
    assertThat(await(consents().find(bob, "client-b"))).isEmpty();
  }

  @Test
  public void findComparesSubjectAndClientIdExactly() {
    String subject = "Sub-" + UUID.randomUUID();
    await(consents().grant(subject, "Client-A", scopes("openid"), T0));

    assertThat(await(consents().find(subject.toLowerCase(Locale.ROOT), "Client-A"))).isEmpty();
    assertThat(await(consents().find(subject, "client-a"))).isEmpty();
    assertThat(await(consents().find(subject, "Client-A"))).isPresent();
  }

  @Test
  public void concurrentGrantsToOneClientLoseNoScope() {
    String subject = uniqueId("sub");
    List<String> tokens = new ArrayList<>();
    for (int i = 0; i < CONCURRENT_CALLERS; i++) {
      tokens.add("scope:" + i);
    }

    List<Outcome<Void>> outcomes =
        concurrently(CONCURRENT_CALLERS, i -> consents().grant(subject, "client-a", scopes(tokens.get(i), "openid"), T0 + i));

    for (int i = 0; i < CONCURRENT_CALLERS; i++) {
      assertThat(outcomes.get(i).failure()).as("grant %d", i).isNull();
    }
    Consent consent = await(consents().find(subject, "client-a")).orElseThrow();
    List<String> expected = new ArrayList<>(tokens);
    expected.add("openid");
    assertThat(consent.scopes().values()).containsExactlyInAnyOrderElementsOf(expected);
    assertThat(consent.grantedAt()).isBetween(T0, T0 + CONCURRENT_CALLERS - 1);
  }

  // ---------------------------------------------------------------- withdraw

  @Test
  public void withdrawWhenGivenThenTrueAndGone() {
    String subject = uniqueId("sub");
    await(consents().grant(subject, "client-a", scopes("openid"), T0));
    await(consents().grant(subject, "client-b", scopes("openid"), T0));

    assertThat(await(consents().withdraw(subject, "client-a"))).as("first withdraw").isTrue();

    assertThat(await(consents().find(subject, "client-a"))).isEmpty();
    assertThat(await(consents().withdraw(subject, "client-a"))).as("second withdraw").isFalse();
    assertThat(await(consents().find(subject, "client-b"))).as("the other client's consent").isPresent();
  }

  @Test
  public void withdrawWhenNoneThenFalse() {
    String subject = uniqueId("sub");
    assertThat(await(consents().withdraw(subject, "client-a"))).isFalse();

    await(consents().grant(subject, "client-b", scopes("openid"), T0));
    assertThat(await(consents().withdraw(subject, "client-a"))).as("another client of a known subject").isFalse();
    assertThat(await(consents().withdraw(uniqueId("other"), "client-b"))).as("another subject").isFalse();
    assertThat(await(consents().find(subject, "client-b"))).isPresent();
  }

  @Test
  public void grantAfterWithdrawStartsAfresh() {
    String subject = uniqueId("sub");
    await(consents().grant(subject, "client-a", scopes("openid", "email"), T0));
    await(consents().withdraw(subject, "client-a"));

    await(consents().grant(subject, "client-a", scopes("profile"), T0 + 100));

    assertThat(await(consents().find(subject, "client-a")))
        .as("withdrawn scopes are not brought back")
        .contains(new Consent(subject, "client-a", scopes("profile"), T0 + 100));
  }

  // ---------------------------------------------------------------- list

  @Test
  public void listOrderedByClientId() {
    String subject = uniqueId("sub");
    List<String> clientIds = List.of("mobile", "Zeta", "alpha", "Beta", "_tools", "0-first", "web-2", "web-10", "~last");
    long t = T0;
    for (String clientId : clientIds) {
      await(consents().grant(subject, clientId, scopes("openid", "scope-for-" + clientId), t++));
    }

    List<Consent> listed = await(consents().list(subject));

    List<String> expectedOrder = new ArrayList<>(clientIds);
    expectedOrder.sort(Comparator.naturalOrder());
    assertThat(listed).extracting(Consent::clientId).containsExactlyElementsOf(expectedOrder);
    for (Consent consent : listed) {
      assertThat(consent.subject()).isEqualTo(subject);
      assertThat(consent.scopes()).isEqualTo(scopes("openid", "scope-for-" + consent.clientId()));
      assertThat(consent.grantedAt()).isEqualTo(T0 + clientIds.indexOf(consent.clientId()));
    }
  }

  @Test
  public void listAnswersOnlyThatSubjectsConsents() {
    String alice = uniqueId("alice");
    String bob = uniqueId("bob");
    await(consents().grant(alice, "client-b", scopes("openid"), T0));
    await(consents().grant(bob, "client-a", scopes("email"), T0));
    await(consents().grant(alice, "client-a", scopes("profile"), T0 + 1));

    assertThat(await(consents().list(alice)))
        .containsExactly(
            new Consent(alice, "client-a", scopes("profile"), T0 + 1),
            new Consent(alice, "client-b", scopes("openid"), T0));
    assertThat(await(consents().list(bob))).containsExactly(new Consent(bob, "client-a", scopes("email"), T0));
  }

  @Test
  public void listWhenNoneThenEmpty() {
    assertThat(await(consents().list(uniqueId("nobody")))).isEmpty();
  }

  @Test
  public void listLeavesOutWithdrawnConsent() {
    String subject = uniqueId("sub");
    await(consents().grant(subject, "client-a", scopes("openid"), T0));
    await(consents().grant(subject, "client-b", scopes("openid"), T0));
    await(consents().withdraw(subject, "client-a"));

    assertThat(await(consents().list(subject))).extracting(Consent::clientId).containsExactly("client-b");

    await(consents().withdraw(subject, "client-b"));
    assertThat(await(consents().list(subject))).isEmpty();
  }

  // ---------------------------------------------------------------- failures, event loop

  @Test
  public void whenTheBackingServiceFailsThenEveryCallFailsInsteadOfAnsweringEmpty() {
    ConsentStore broken = unavailableConsents();
    assumeTrue(broken != null, "this adapter has no backing service that can fail");
    String subject = uniqueId("sub");

    assertThat(failureOf(() -> broken.find(subject, "client-a"))).as("find").isNotNull();
    assertThat(failureOf(() -> broken.grant(subject, "client-a", scopes("openid"), T0))).as("grant").isNotNull();
    assertThat(failureOf(() -> broken.withdraw(subject, "client-a"))).as("withdraw").isNotNull();
    assertThat(failureOf(() -> broken.list(subject))).as("list").isNotNull();
  }

  @Test
  public void callsMadeOnAnEventLoopCompleteWithoutWaitingOnIt() {
    String subject = uniqueId("loop");

    List<Consent> listed =
        onEventLoop(
            () ->
                consents()
                    .grant(subject, "client-a", scopes("openid"), T0)
                    .compose(v -> consents().find(subject, "client-a"))
                    .compose(found -> consents().list(subject))
                    .compose(list -> consents().withdraw(subject, "client-a").map(withdrawn -> withdrawn ? list : null)));

    assertThat(listed).containsExactly(new Consent(subject, "client-a", scopes("openid"), T0));
    assertThat(await(consents().find(subject, "client-a"))).isEmpty();
  }

  // ---------------------------------------------------------------- helpers for subclasses

  protected static Scopes scopes(String... tokens) {
    return Scopes.of(List.of(tokens));
  }
}
