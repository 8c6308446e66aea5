package io.gatehouse.store.contract;

import static io.gatehouse.testing.Await.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.gatehouse.core.model.User;
import io.gatehouse.core.store.Page;
import io.gatehouse.core.store.PageRequest;
import io.gatehouse.core.store.UserStore;
import io.gatehouse.core.store.UserStore.DuplicateUsernameException;
import io.gatehouse.core.user.PasswordHasher;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link UserStore} adapter must show, as written in that interface's Javadoc.
 * An adapter's test extends this class and supplies {@link #users()}; it may set the store up per
 * test or once per class: every test uses subjects and usernames made unique with a random part, so
 * a store still holding what earlier tests wrote gives the same answers as a fresh one.
 */
public abstract class UserStoreContract extends StoreContractSupport {
  /** The store under test. Called at any point of a test, possibly more than once. */
  protected abstract UserStore users();

  /**
   * A store of the same kind whose backing service has failed (closed, unreachable, its tables
   * gone), or null when the adapter has no backing service that can fail (the in-memory one): the
   * failure test is then skipped.
   */
  protected UserStore unavailableUsers() {
    return null;
  }

  // ---------------------------------------------------------------- findBySubject

  @Test
  public void findBySubjectWhenUpsertedThenEqualInEveryField() {
    User user = user(uniqueId("sub"), uniqueName("Ada"));

    await(users().upsert(user));

    assertSameUser(await(users().findBySubject(user.subject())), user);
  }

  @Test
  public void findWhenSubjectOrUsernameHoldsNulThenEmptyNotAnError() {
    assertThat(await(users().findBySubject(uniqueId("a") + "\u0000b"))).isEmpty();
    assertThat(await(users().findByUsername(uniqueName("a") + "\u0000b"))).isEmpty();
  }

  @Test
  public void findBySubjectWhenUnknownThenEmpty() {
    assertThat(await(users().findBySubject(uniqueId("never-stored")))).isEmpty();
  }

  @Test
  public void findBySubjectComparesExactly() {
    String suffix = UUID.randomUUID().toString();
    User mixed = user("Sub-" + suffix, "mixed-" + suffix);

    await(users().upsert(mixed));

    assertThat(await(users().findBySubject("sub-" + suffix))).as("lower-cased subject").isEmpty();
    assertThat(await(users().findBySubject("SUB-" + suffix))).as("upper-cased subject").isEmpty();
    assertThat(await(users().findBySubject(" Sub-" + suffix))).as("leading space").isEmpty();

    User lower = user("sub-" + suffix, "lower-" + suffix);
    await(users().upsert(lower));
    assertSameUser(await(users().findBySubject("Sub-" + suffix)), mixed);
    assertSameUser(await(users().findBySubject("sub-" + suffix)), lower);
  }

  @Test
  public void claimsRoundTripExactly() {
    JsonObject claims =
        new JsonObject()
            .put("name", "Zoë \"Q\" O'Brien \\ 中文 😀")
            .put("email", "zoe@example.com")
            .put("email_verified", false)
            .put("updated_at", 1_700_000_000L)
            .put("small", 7)
            .put("ratio", 1.5)
            .put("nothing", (Object) null)
            .put("groups", new JsonArray().add("admins").add(new JsonObject().put("nested", true)).add(3))
            .put("address", new JsonObject().put("street_address", "1 Main St\nFlat 2").put("country", "IE"));
    User rich = new User(uniqueId("rich"), uniqueName("rich"), "$argon2id$opaque", claims);
    User bare = new User(uniqueId("bare"), uniqueName("bare"), "$argon2id$opaque", new JsonObject());

    await(users().upsert(rich));
    await(users().upsert(bare));

    assertSameUser(await(users().findBySubject(rich.subject())), rich);
    assertThat(await(users().findBySubject(rich.subject())).orElseThrow().claims().getJsonObject("address"))
        .isEqualTo(claims.getJsonObject("address"));
    assertSameUser(await(users().findBySubject(bare.subject())), bare);
    assertThat(await(users().findBySubject(bare.subject())).orElseThrow().claims().isEmpty()).isTrue();
  }

  // ---------------------------------------------------------------- findByUsername

  @Test
  public void findByUsernameIgnoresCase() {
    String suffix = UUID.randomUUID().toString();
    User user = user(uniqueId("sub"), "Alice.Smith-" + suffix);
    await(users().upsert(user));

    for (String asked :
        List.of("Alice.Smith-" + suffix, "alice.smith-" + suffix, "ALICE.SMITH-" + suffix.toUpperCase(Locale.ROOT),
            "aLiCe.sMiTh-" + suffix)) {
      Optional<User> found = await(users().findByUsername(asked));
      assertSameUser(found, user);
      assertThat(found.orElseThrow().username()).as("username as stored, asked as %s", asked)
          .isEqualTo("Alice.Smith-" + suffix);
    }
    assertThat(await(users().findByUsername("Alice.Smith-" + suffix + " "))).as("trailing space").isEmpty();
    assertThat(await(users().findByUsername("Alice.Smit-" + suffix))).as("another name").isEmpty();
  }

  @Test
  public void findByUsernameFoldsCaseAsLocaleRootLowerCaseDoes() {
    String suffix = UUID.randomUUID().toString();
    // outside ASCII: É folds to é under Locale.ROOT
    User emile = user(uniqueId("sub"), "ÉMILE-" + suffix);
    // U+0130 folds to "i" + U+0307 under Locale.ROOT, so a plain "i" is another username
    User dotted = user(uniqueId("sub"), "\u0130LKER-" + suffix);
    // ß has no single-letter upper case: "STRASSE" folds to "strasse", another username than "straße"
    User strasse = user(uniqueId("sub"), "straße-" + suffix);
    await(users().upsert(emile));
    await(users().upsert(dotted));
    await(users().upsert(strasse));

    assertSameUser(await(users().findByUsername("émile-" + suffix)), emile);
    assertSameUser(await(users().findByUsername("i\u0307lker-" + suffix)), dotted);
    assertThat(await(users().findByUsername("ilker-" + suffix))).as("dotless fold of U+0130").isEmpty();
    assertThat(await(users().findByUsername("STRASSE-" + suffix))).as("ß is not ss").isEmpty();

    // and uniqueness uses the same folding: "ilker" is not "İlker" folded, so it is free
    User plainI = user(uniqueId("sub"), "ilker-" + suffix);
    await(users().upsert(plainI));
    assertSameUser(await(users().findByUsername("ILKER-" + suffix)), plainI);
    assertSameUser(await(users().findByUsername("\u0130lker-" + suffix)), dotted);
  }

  @Test
  public void findByUsernameWhenUnknownThenEmpty() {
    assertThat(await(users().findByUsername(uniqueName("nobody")))).isEmpty();
  }

  // ---------------------------------------------------------------- upsert

  @Test
  public void upsertWhenExistingThenReplacesWholly() {
    String subject = uniqueId("sub");
    User original = user(subject, uniqueName("before"));
    await(users().upsert(original));

    User replacement =
        new User(subject, uniqueName("after"), "$argon2id$v=19$replaced", new JsonObject().put("locale", "de-DE"));
    await(users().upsert(replacement));

    Optional<User> found = await(users().findBySubject(subject));
    assertSameUser(found, replacement);
    assertThat(found.orElseThrow().claims().fieldNames()).as("claims replaced, not merged").containsExactly("locale");
    assertSameUser(await(users().findByUsername(replacement.username())), replacement);
    assertThat(await(users().findByUsername(original.username()))).as("the old username").isEmpty();
  }

  @Test
  public void upsertOfTheSameUserTwiceIsHarmless() {
    User user = user(uniqueId("sub"), uniqueName("twice"));

    await(users().upsert(user));
    await(users().upsert(user));

    assertSameUser(await(users().findBySubject(user.subject())), user);
    assertSameUser(await(users().findByUsername(user.username())), user);
  }

  @Test
  public void upsertMayChangeTheCaseOfItsOwnUsername() {
    String suffix = UUID.randomUUID().toString();
    User lower = user(uniqueId("sub"), "carol-" + suffix);
    await(users().upsert(lower));

    User upper = user(lower.subject(), "CAROL-" + suffix.toUpperCase(Locale.ROOT));
    await(users().upsert(upper));

    assertSameUser(await(users().findByUsername("carol-" + suffix)), upper);
    assertThat(await(users().findByUsername("carol-" + suffix)).orElseThrow().username())
        .isEqualTo("CAROL-" + suffix.toUpperCase(Locale.ROOT));
  }

  @Test
  public void upsertWhenRenamedThenTheOldUsernameIsFreeForAnother() {
    String oldName = uniqueName("dave");
    User dave = user(uniqueId("sub"), oldName);
    await(users().upsert(dave));
    await(users().upsert(user(dave.subject(), uniqueName("david"))));

    User newcomer = user(uniqueId("sub"), oldName.toUpperCase(Locale.ROOT));
    await(users().upsert(newcomer));

    assertSameUser(await(users().findByUsername(oldName)), newcomer);
  }

  @Test
  public void upsertWhenUsernameTakenByOtherSubjectThenDuplicateUsernameException() {
    String suffix = UUID.randomUUID().toString();
    User owner = user(uniqueId("owner"), "Erin-" + suffix);
    await(users().upsert(owner));

    User intruder = user(uniqueId("intruder"), "eRIN-" + suffix);
    Throwable failure = failureOf(() -> users().upsert(intruder));

    assertThat(failure).isInstanceOf(DuplicateUsernameException.class);
    assertThat(await(users().findBySubject(intruder.subject()))).as("the intruder was not created").isEmpty();
    assertSameUser(await(users().findBySubject(owner.subject())), owner);
    assertSameUser(await(users().findByUsername("erin-" + suffix)), owner);
  }

  @Test
  public void upsertOfAnExistingSubjectWhenUsernameTakenThenDuplicateUsernameExceptionAndUnchanged() {
    User frank = user(uniqueId("frank"), uniqueName("frank"));
    User grace = user(uniqueId("grace"), uniqueName("grace"));
    await(users().upsert(frank));
    await(users().upsert(grace));

    // grace tries to take frank's name while changing everything else too: nothing may change
    User graceRenamed =
        new User(grace.subject(), frank.username().toUpperCase(Locale.ROOT), "$argon2id$other", new JsonObject());
    Throwable failure = failureOf(() -> users().upsert(graceRenamed));

    assertThat(failure).isInstanceOf(DuplicateUsernameException.class);
    assertSameUser(await(users().findBySubject(grace.subject())), grace);
    assertSameUser(await(users().findByUsername(grace.username())), grace);
    assertSameUser(await(users().findBySubject(frank.subject())), frank);
    assertSameUser(await(users().findByUsername(frank.username())), frank);
  }

  @Test
  public void upsertWhenTwentyConcurrentSubjectsClaimOneUsernameThenExactlyOneWins() {
    String suffix = UUID.randomUUID().toString();
    List<User> claimants = new ArrayList<>();
    for (int i = 0; i < CONCURRENT_CALLERS; i++) {
      String name = (i % 2 == 0 ? "heidi-" : "HEIDI-") + suffix;
      claimants.add(user(uniqueId("claimant-" + i), name));
    }

    List<Outcome<Void>> outcomes = concurrently(CONCURRENT_CALLERS, i -> users().upsert(claimants.get(i)));

    List<User> winners = new ArrayList<>();
    for (int i = 0; i < CONCURRENT_CALLERS; i++) {
      Outcome<Void> outcome = outcomes.get(i);
      if (outcome.failed()) {
        assertThat(outcome.failure()).as("caller %d", i).isInstanceOf(DuplicateUsernameException.class);
        assertThat(await(users().findBySubject(claimants.get(i).subject()))).as("loser %d", i).isEmpty();
      } else {
        winners.add(claimants.get(i));
      }
    }
    assertThat(winners).as("winners").hasSize(1);
    assertSameUser(await(users().findByUsername("Heidi-" + suffix)), winners.get(0));
  }

  @Test
  public void concurrentUpsertsOfDistinctUsersAllLand() {
    List<User> distinct = new ArrayList<>();
    for (int i = 0; i < CONCURRENT_CALLERS * 2; i++) {
      distinct.add(user(uniqueId("conc-" + i), uniqueName("conc-" + i)));
    }

    List<Outcome<Void>> outcomes = concurrently(distinct.size(), i -> users().upsert(distinct.get(i)));

    for (int i = 0; i < distinct.size(); i++) {
      assertThat(outcomes.get(i).failure()).as("upsert %d", i).isNull();
      assertSameUser(await(users().findBySubject(distinct.get(i).subject())), distinct.get(i));
      assertSameUser(await(users().findByUsername(distinct.get(i).username())), distinct.get(i));
    }
  }

  // ---------------------------------------------------------------- delete

  @Test
  public void deleteWhenPresentThenTrueAndGone() {
    User ivan = user(uniqueId("ivan"), uniqueName("ivan"));
    User bystander = user(uniqueId("judy"), uniqueName("judy"));
    await(users().upsert(ivan));
    await(users().upsert(bystander));

    assertThat(await(users().delete(ivan.subject()))).as("first delete").isTrue();

    assertThat(await(users().findBySubject(ivan.subject()))).isEmpty();
    assertThat(await(users().findByUsername(ivan.username()))).isEmpty();
    assertThat(await(users().delete(ivan.subject()))).as("second delete").isFalse();
    assertSameUser(await(users().findBySubject(bystander.subject())), bystander);
  }

  @Test
  public void deleteWhenAbsentThenFalse() {
    assertThat(await(users().delete(uniqueId("never-stored")))).isFalse();
  }

  @Test
  public void deleteFreesTheUsername() {
    User first = user(uniqueId("first"), uniqueName("mallory"));
    await(users().upsert(first));
    await(users().delete(first.subject()));

    User second = user(uniqueId("second"), first.username().toUpperCase(Locale.ROOT));
    await(users().upsert(second));

    assertSameUser(await(users().findByUsername(first.username())), second);
  }

  // ---------------------------------------------------------------- list

  @Test
  public void listWhenPrefixGivenThenMatchesIgnoringCaseInFoldedOrder() {
    String p = uniqueName("list") + "-";
    User zed = user(uniqueId("sub"), p + "Zed");
    User amy = user(uniqueId("sub"), p + "amy");
    User bob = user(uniqueId("sub"), p + "Bob");
    for (User u : List.of(zed, amy, bob)) {
      await(users().upsert(u));
    }
    await(users().upsert(user(uniqueId("sub"), "x" + p + "amy")));

    Page<User> page = await(users().list(new PageRequest(p.toUpperCase(Locale.ROOT), null, 50)));

    assertThat(page.items()).extracting(User::username).containsExactly(p + "amy", p + "Bob", p + "Zed");
    assertThat(page.next()).isNull();
    assertSameUser(Optional.of(page.items().get(1)), bob);
  }

  @Test
  public void listWhenMoreThanTheLimitThenPagesVisitEachUserOnce() {
    String p = uniqueName("pages") + "-";
    for (String name : List.of("C", "a", "E", "b", "d")) {
      await(users().upsert(user(uniqueId("sub"), p + name)));
    }

    Page<User> first = await(users().list(new PageRequest(p, null, 2)));
    Page<User> second = await(users().list(new PageRequest(p, first.next(), 2)));
    Page<User> third = await(users().list(new PageRequest(p, second.next(), 2)));

    assertThat(first.items()).extracting(User::username).containsExactly(p + "a", p + "b");
    assertThat(first.next()).as("the last folded username").isEqualTo(p + "b");
    assertThat(second.items()).extracting(User::username).containsExactly(p + "C", p + "d");
    assertThat(second.next()).isEqualTo(p + "d");
    assertThat(third.items()).extracting(User::username).containsExactly(p + "E");
    assertThat(third.next()).isNull();
  }

  @Test
  public void listWhenTheAfterUserWasDeletedThenContinuesWithTheNext() {
    String p = uniqueName("gone") + "-";
    User a = user(uniqueId("sub"), p + "a");
    for (User u : List.of(a, user(uniqueId("sub"), p + "b"), user(uniqueId("sub"), p + "c"))) {
      await(users().upsert(u));
    }
    Page<User> first = await(users().list(new PageRequest(p, null, 1)));
    await(users().delete(a.subject()));

    Page<User> rest = await(users().list(new PageRequest(p, first.next(), 10)));

    assertThat(rest.items()).extracting(User::username).containsExactly(p + "b", p + "c");
    assertThat(rest.next()).isNull();
  }

  // ---------------------------------------------------------------- password hash

  @Test
  public void storesThePasswordHashItIsGivenVerbatim() {
    String password = "correct horse battery staple";
    String hash = new PasswordHasher().hash(password);
    User hashed = new User(uniqueId("hashed"), uniqueName("hashed"), hash, new JsonObject());
    // a value no hasher produced: the store must neither recognise nor rewrite it
    String opaque = "opaque$hash:with spaces, 'quotes', \"double\", \\backslash\\ and unicode \u00e9\u4e2d";
    User verbatim = new User(uniqueId("verbatim"), uniqueName("verbatim"), opaque, new JsonObject());

    await(users().upsert(hashed));
    await(users().upsert(verbatim));

    String stored = await(users().findByUsername(hashed.username())).orElseThrow().passwordHash();
    assertThat(stored).isEqualTo(hash).isNotEqualTo(password);
    assertThat(new PasswordHasher().verify(password, stored)).isTrue();
    assertThat(await(users().findBySubject(verbatim.subject())).orElseThrow().passwordHash()).isEqualTo(opaque);
  }

  // ---------------------------------------------------------------- failures, event loop

  @Test
  public void whenTheBackingServiceFailsThenEveryCallFailsInsteadOfAnsweringNotFound() {
    UserStore broken = unavailableUsers();
    assumeTrue(broken != null, "this adapter has no backing service that can fail");

    assertThat(failureOf(() -> broken.findBySubject(uniqueId("any")))).as("findBySubject").isNotNull();
    assertThat(failureOf(() -> broken.findByUsername(uniqueName("any")))).as("findByUsername").isNotNull();
    assertThat(failureOf(() -> broken.upsert(user(uniqueId("any"), uniqueName("any"))))).as("upsert")
        .isNotNull()
        .isNotInstanceOf(DuplicateUsernameException.class);
    assertThat(failureOf(() -> broken.delete(uniqueId("any")))).as("delete").isNotNull();
  }

  @Test
  public void callsMadeOnAnEventLoopCompleteWithoutWaitingOnIt() {
    User user = user(uniqueId("loop"), uniqueName("loop"));

    Optional<User> found =
        onEventLoop(
            () ->
                users()
                    .upsert(user)
                    .compose(v -> users().findBySubject(user.subject()))
                    .compose(v -> users().findByUsername(user.username().toUpperCase(Locale.ROOT)))
                    .compose(byName -> users().delete(user.subject()).map(deleted -> deleted ? byName : null)));

    assertSameUser(found, user);
    assertThat(await(users().findBySubject(user.subject()))).isEmpty();
  }

  // ---------------------------------------------------------------- helpers for subclasses

  /** A username no other test uses; lower case apart from {@code label}. */
  protected static String uniqueName(String label) {
    return label + "-" + UUID.randomUUID();
  }

  /** A user with every field set, its claims of several JSON types. */
  protected static User user(String subject, String username) {
    JsonObject claims =
        new JsonObject()
            .put("name", "Name of " + username)
            .put("email", "user@example.com")
            .put("email_verified", true)
            .put("updated_at", 1_700_000_000L)
            .put("address", new JsonObject().put("country", "GB"))
            .put("groups", new JsonArray().add("staff").add("ops"));
    return new User(subject, username, "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA", claims);
  }

  /**
   * Asserts that {@code found} holds a user equal to {@code expected} in every field, field by field
   * so that a failure names the field ({@link User#toString} shows the subject only).
   */
  protected static void assertSameUser(Optional<User> found, User expected) {
    assertThat(found).as("user %s", expected.subject()).isPresent();
    User actual = found.orElseThrow();
    assertThat(actual.subject()).as("subject").isEqualTo(expected.subject());
    assertThat(actual.username()).as("username").isEqualTo(expected.username());
    assertThat(actual.passwordHash()).as("passwordHash").isEqualTo(expected.passwordHash());
    assertThat(actual.claims()).as("claims").isEqualTo(expected.claims());
    assertThat(actual).as("whole record").isEqualTo(expected);
  }
}
