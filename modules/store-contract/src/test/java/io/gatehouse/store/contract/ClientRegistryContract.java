package io.gatehouse.store.contract;

import static io.gatehouse.testing.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.core.client.SecretHasher;
import io.gatehouse.core.model.AuthMethod;
import io.gatehouse.core.model.Client;
import io.gatehouse.core.model.ClientInfo;
import io.gatehouse.core.model.GrantTypes;
import io.gatehouse.core.model.Scopes;
import io.gatehouse.core.store.ClientRegistry;
import io.gatehouse.core.token.SigningAlgorithm;
import io.gatehouse.core.store.Page;
import io.gatehouse.core.store.PageRequest;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link ClientRegistry} adapter must show, as written in that interface's
 * Javadoc. An adapter's test extends this class and supplies {@link #registry()}; it may set the
 * registry up per test ({@code @BeforeEach}/{@code @AfterEach}) or once per class
 * ({@code @BeforeAll}/{@code @AfterAll}).
 *
 * <p>Every test uses client ids made unique with a random part, so a registry shared by all tests of
 * a class (and still holding what earlier tests wrote) gives the same answers as a fresh one.
 *
 * <p>Time-to-live values used here are whole seconds: that is what a registry is asked to keep.
 */
public abstract class ClientRegistryContract {
  /** How long a test waits for one registry call. */
  protected static final Duration TIMEOUT = Duration.ofSeconds(10);

  /** The registry under test. Called at any point of a test, possibly more than once. */
  protected abstract ClientRegistry registry();

  // ---------------------------------------------------------------- find

  @Test
  public void findWhenUpsertedThenEqualInEveryField() {
    Client client = confidentialClient(uniqueId("full"));

    await(registry().upsert(client));

    assertSameClient(await(registry().find(client.clientId())), client);
  }

  @Test
  public void findWhenIdHoldsControlCharactersThenEmptyNotAnError() {
    assertThat(await(registry().find(uniqueId("a") + "\u0000b"))).isEmpty();
    assertThat(await(registry().find("cc\u0001\n"))).isEmpty();
  }

  @Test
  public void findWhenUnknownThenEmpty() {
    assertThat(await(registry().find(uniqueId("never-registered")))).isEmpty();
  }

  @Test
  public void findIsCaseSensitive() {
    String suffix = UUID.randomUUID().toString();
    Client mixed = confidentialClient("Svc-" + suffix);
    Client lower = publicClient("svc-" + suffix);

    await(registry().upsert(mixed));
    assertThat(await(registry().find("svc-" + suffix))).as("differently cased id before it exists").isEmpty();
    assertThat(await(registry().find("SVC-" + suffix))).as("upper-cased id").isEmpty();

    await(registry().upsert(lower));
    assertSameClient(await(registry().find("Svc-" + suffix)), mixed);
    assertSameClient(await(registry().find("svc-" + suffix)), lower);
  }

  // ---------------------------------------------------------------- upsert

  @Test
  public void upsertWhenExistingThenReplacesWholly() {
    String id = uniqueId("replace");
    await(registry().upsert(confidentialClient(id)));

    // every field changes, and the nullable / collection fields are cleared
    Client replacement =
        new Client(
            id,
            null,
            Set.of(GrantTypes.CLIENT_CREDENTIALS),
            Scopes.EMPTY,
            Scopes.EMPTY,
            Set.of(AuthMethod.NONE),
            List.of(),
            null);
    await(registry().upsert(replacement));

    Optional<Client> found = await(registry().find(id));
    assertSameClient(found, replacement);
    assertThat(found.orElseThrow().secretHash()).as("cleared secret hash").isNull();
    assertThat(found.orElseThrow().redirectUris()).as("cleared redirect URIs").isEmpty();
    assertThat(found.orElseThrow().scopes().isEmpty()).as("cleared scopes").isTrue();
    assertThat(found.orElseThrow().accessTokenTtl()).as("cleared access token TTL").isNull();
  }

  @Test
  public void upsertOfTheSameClientTwiceIsHarmless() {
    Client client = confidentialClient(uniqueId("twice"));

    await(registry().upsert(client));
    await(registry().upsert(client));

    assertSameClient(await(registry().find(client.clientId())), client);
  }

  // ---------------------------------------------------------------- delete

  @Test
  public void deleteWhenPresentThenTrueAndGone() {
    Client client = confidentialClient(uniqueId("delete"));
    Client bystander = confidentialClient(uniqueId("bystander"));
    await(registry().upsert(client));
    await(registry().upsert(bystander));

    assertThat(await(registry().delete(client.clientId()))).as("first delete").isTrue();

    assertThat(await(registry().find(client.clientId()))).as("deleted client").isEmpty();
    assertThat(await(registry().delete(client.clientId()))).as("second delete").isFalse();
    assertSameClient(await(registry().find(bystander.clientId())), bystander);
  }

  @Test
  public void deleteWhenAbsentThenFalse() {
    assertThat(await(registry().delete(uniqueId("never-registered")))).isFalse();
  }

  @Test
  public void upsertAfterDeleteRegistersAgain() {
    Client client = confidentialClient(uniqueId("again"));
    await(registry().upsert(client));
    await(registry().delete(client.clientId()));

    await(registry().upsert(client));

    assertSameClient(await(registry().find(client.clientId())), client);
  }

  // ---------------------------------------------------------------- individual fields

  @Test
  public void publicClientWithoutSecretHashRoundTrips() {
    Client client = publicClient(uniqueId("public"));

    await(registry().upsert(client));

    Optional<Client> found = await(registry().find(client.clientId()));
    assertSameClient(found, client);
    assertThat(found.orElseThrow().isPublic()).isTrue();
    assertThat(found.orElseThrow().secretHash()).isNull();
  }

  @Test
  public void accessTokenTtlNullAndSetRoundTrip() {
    Client withoutTtl = withTtl(confidentialClient(uniqueId("ttl-null")), null);
    Client withTtl = withTtl(confidentialClient(uniqueId("ttl-set")), Duration.ofMinutes(15));
    Client withOneSecond = withTtl(confidentialClient(uniqueId("ttl-one")), Duration.ofSeconds(1));
    Client withLongTtl = withTtl(confidentialClient(uniqueId("ttl-long")), Duration.ofDays(400));

    for (Client c : List.of(withoutTtl, withTtl, withOneSecond, withLongTtl)) {
      await(registry().upsert(c));
    }

    assertThat(await(registry().find(withoutTtl.clientId())).orElseThrow().accessTokenTtl()).isNull();
    assertThat(await(registry().find(withTtl.clientId())).orElseThrow().accessTokenTtl())
        .isEqualTo(Duration.ofMinutes(15));
    assertThat(await(registry().find(withOneSecond.clientId())).orElseThrow().accessTokenTtl())
        .isEqualTo(Duration.ofSeconds(1));
    assertThat(await(registry().find(withLongTtl.clientId())).orElseThrow().accessTokenTtl())
        .isEqualTo(Duration.ofDays(400));
  }

  @Test
  public void redirectUriOrderIsKept() {
    List<String> order =
        List.of(
            "https://z.example.com/callback",
            "https://a.example.com/callback",
            "http://127.0.0.1:8080/cb?x=1&y=2",
            "https://m.example.com/callback");
    Client client = withRedirectUris(publicClient(uniqueId("order")), order);
    await(registry().upsert(client));

    assertThat(await(registry().find(client.clientId())).orElseThrow().redirectUris())
        .containsExactlyElementsOf(order);

    List<String> reversed = new ArrayList<>(order);
    Collections.reverse(reversed);
    await(registry().upsert(withRedirectUris(client, reversed)));

    assertThat(await(registry().find(client.clientId())).orElseThrow().redirectUris())
        .containsExactlyElementsOf(reversed);
  }

  @Test
  public void logoutAndCorsSettingsRoundTripWithPostLogoutOrderKept() {
    Client base = publicClient(uniqueId("logout"));
    List<String> postLogout = List.of("https://z.example.com/bye", "https://a.example.com/bye?x=1");
    Client client = new Client(base.clientId(), base.secretHash(), base.grantTypes(), base.scopes(), base.defaultScopes(),
        base.authMethods(), base.redirectUris(), base.accessTokenTtl(), postLogout,
        java.util.Set.of("https://spa.example.com", "http://127.0.0.1:3000"), true, true);
    await(registry().upsert(client));
    assertSameClient(await(registry().find(client.clientId())), client);

    Client cleared = new Client(base.clientId(), base.secretHash(), base.grantTypes(), base.scopes(), base.defaultScopes(),
        base.authMethods(), base.redirectUris(), base.accessTokenTtl());
    await(registry().upsert(cleared));
    assertSameClient(await(registry().find(client.clientId())), cleared);
  }

  @Test
  public void idTokenSignedResponseAlgEveryValueAndNullRoundTripAndAReplacementClearsIt() {
    // issue 14 item 1: OIDC Registration §2 id_token_signed_response_alg; null is the server's default
    Client base = confidentialClient(uniqueId("id-alg"));
    for (SigningAlgorithm alg : SigningAlgorithm.values()) {
      Client client = withIdTokenAlgorithm(base, alg);
      await(registry().upsert(client));
      assertSameClient(await(registry().find(client.clientId())), client);
    }
    await(registry().upsert(base));
    assertThat(await(registry().find(base.clientId())).orElseThrow().idTokenSignedResponseAlg()).isNull();
    assertSameClient(await(registry().find(base.clientId())), base);
  }

  @Test
  public void clientInfoRoundTripsWithContactsOrderKeptAndAReplacementClearsIt() {
    // issue 14 item 6: client_name, logo_uri, client_uri, policy_uri, tos_uri, contacts (OIDC Registration §2)
    Client base = publicClient(uniqueId("info"));
    ClientInfo info = new ClientInfo("Bücher & Co. <Ünïcode> \uD83D\uDCDA 'quoted' \"double\"", "https://books.example/logo.png?v=2",
        "https://books.example/", "https://books.example/privacy#data", "http://127.0.0.1:8080/tos",
        List.of("zoe@books.example", "admin@books.example", "+1 555 0100"));
    Client client = withInfo(base, info);
    await(registry().upsert(client));
    assertSameClient(await(registry().find(client.clientId())), client);

    ClientInfo nameOnly = new ClientInfo("Books", null, null, null, null, List.of());
    await(registry().upsert(withInfo(base, nameOnly)));
    assertSameClient(await(registry().find(client.clientId())), withInfo(base, nameOnly));

    await(registry().upsert(base));
    assertThat(await(registry().find(base.clientId())).orElseThrow().info()).isEqualTo(ClientInfo.NONE);
  }

  @Test
  public void storesTheHashItIsGivenNotASecret() {
    String secret = "a-client-secret-of-at-least-32-characters-0123456789";
    String hash = SecretHasher.hash(secret);
    Client hashed = withSecretHash(confidentialClient(uniqueId("hashed")), hash);
    // a value no hasher produced: the registry must neither recognise nor rewrite it
    String opaque = "opaque$hash:with spaces, 'quotes', \"double\", \\backslash\\ and unicode \u00e9\u4e2d";
    Client verbatim = withSecretHash(confidentialClient(uniqueId("verbatim")), opaque);

    await(registry().upsert(hashed));
    await(registry().upsert(verbatim));

    String storedHash = await(registry().find(hashed.clientId())).orElseThrow().secretHash();
    assertThat(storedHash).isEqualTo(hash).isNotEqualTo(secret);
    assertThat(SecretHasher.matches(secret, storedHash)).isTrue();
    assertThat(await(registry().find(verbatim.clientId())).orElseThrow().secretHash()).isEqualTo(opaque);
  }

  // ---------------------------------------------------------------- list

  @Test
  public void listWhenPrefixGivenThenOnlyItsClientsInCodePointOrder() {
    String p = uniqueId("list") + "/";
    // code point order: 'B' < 'a' < "a/1" < 'b' < U+FF21 (fullwidth A) < U+1F600 (a surrogate pair, which
    // String.compareTo would put before U+FF21)
    List<String> expected = List.of(p + "B", p + "a", p + "a/1", p + "b", p + "\uFF21", p + "\uD83D\uDE00");
    List<String> shuffled = new ArrayList<>(expected);
    Collections.shuffle(shuffled);
    Client a = confidentialClient(p + "a");
    for (String id : shuffled) {
      await(registry().upsert(id.equals(a.clientId()) ? a : confidentialClient(id)));
    }
    await(registry().upsert(publicClient(p.substring(0, p.length() - 1) + "0"))); // a sibling: no "/" after the random part
    await(registry().upsert(publicClient("x" + p + "a")));

    Page<Client> page = await(registry().list(new PageRequest(p, null, 50)));

    assertThat(page.items()).extracting(Client::clientId).containsExactlyElementsOf(expected);
    assertThat(page.next()).as("no more").isNull();
    assertSameClient(Optional.of(page.items().get(1)), a);
  }

  @Test
  public void listWhenMoreThanTheLimitThenPagesVisitEachClientOnce() {
    String p = uniqueId("pages") + "/";
    List<String> ids = List.of(p + "1", p + "2", p + "3", p + "4", p + "5");
    for (String id : ids) {
      await(registry().upsert(publicClient(id)));
    }

    Page<Client> first = await(registry().list(new PageRequest(p, null, 2)));
    Page<Client> second = await(registry().list(new PageRequest(p, first.next(), 2)));
    Page<Client> third = await(registry().list(new PageRequest(p, second.next(), 2)));

    assertThat(first.items()).extracting(Client::clientId).containsExactly(p + "1", p + "2");
    assertThat(first.next()).isEqualTo(p + "2");
    assertThat(second.items()).extracting(Client::clientId).containsExactly(p + "3", p + "4");
    assertThat(second.next()).isEqualTo(p + "4");
    assertThat(third.items()).extracting(Client::clientId).containsExactly(p + "5");
    assertThat(third.next()).isNull();
  }

  @Test
  public void listWhenExactlyTheLimitRemainsThenNoNext() {
    String p = uniqueId("exact") + "/";
    await(registry().upsert(publicClient(p + "a")));
    await(registry().upsert(publicClient(p + "b")));

    Page<Client> page = await(registry().list(new PageRequest(p, null, 2)));

    assertThat(page.items()).extracting(Client::clientId).containsExactly(p + "a", p + "b");
    assertThat(page.next()).isNull();
  }

  @Test
  public void listWhenTheAfterClientWasDeletedThenContinuesWithTheNext() {
    String p = uniqueId("gone") + "/";
    for (String id : List.of(p + "a", p + "b", p + "c")) {
      await(registry().upsert(publicClient(id)));
    }
    Page<Client> first = await(registry().list(new PageRequest(p, null, 1)));
    await(registry().delete(first.next()));

    Page<Client> rest = await(registry().list(new PageRequest(p, first.next(), 10)));

    assertThat(rest.items()).extracting(Client::clientId).containsExactly(p + "b", p + "c");
  }

  @Test
  public void listComparesThePrefixCaseSensitively() {
    String p = uniqueId("case") + "/";
    await(registry().upsert(publicClient(p + "Abc")));

    assertThat(await(registry().list(new PageRequest(p + "abc", null, 10))).items()).isEmpty();
    assertThat(await(registry().list(new PageRequest(p + "Ab", null, 10))).items()).extracting(Client::clientId).containsExactly(p + "Abc");
  }

  @Test
  public void listWhenThePrefixEndsWithTheHighestCodePointThenStillExact() {
    String q = uniqueId("max") + "\uDBFF\uDFFF"; // U+10FFFF: no code point follows it
    await(registry().upsert(publicClient(q)));
    await(registry().upsert(publicClient(q + "a")));
    await(registry().upsert(publicClient(q.substring(0, q.length() - 2) + "z")));

    assertThat(await(registry().list(new PageRequest(q, null, 10))).items()).extracting(Client::clientId).containsExactly(q, q + "a");
  }

  // ---------------------------------------------------------------- concurrency

  @Test
  public void concurrentUpsertsOfDistinctClientsAllLand() {
    int count = 64;
    List<Client> clients = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      Client base = i % 2 == 0 ? confidentialClient(uniqueId("conc-" + i)) : publicClient(uniqueId("conc-" + i));
      clients.add(withTtl(base, Duration.ofSeconds(60 + i)));
    }

    List<Future<Void>> upserts = new ArrayList<>();
    for (Client c : clients) {
      upserts.add(registry().upsert(c)); // all started before any is awaited
    }
    await(Future.all(upserts));

    for (Client c : clients) {
      assertSameClient(await(registry().find(c.clientId())), c);
    }
  }

  // ---------------------------------------------------------------- helpers for subclasses

  /** A client id no other test (nor another run against the same store) uses. */
  protected static String uniqueId(String label) {
    return label + "-" + UUID.randomUUID();
  }

  /** A confidential client with every field set to a non-default value. */
  protected static Client confidentialClient(String clientId) {
    return new Client(
        clientId,
        SecretHasher.hash("secret-for-" + clientId + "-padded-to-be-long-enough"),
        Set.of(GrantTypes.AUTHORIZATION_CODE, GrantTypes.REFRESH_TOKEN, GrantTypes.CLIENT_CREDENTIALS),
        Scopes.of(List.of("openid", "profile", "api:read", "api:write")),
        Scopes.of(List.of("api:read")),
        Set.of(AuthMethod.CLIENT_SECRET_BASIC, AuthMethod.CLIENT_SECRET_POST),
        List.of("https://app.example.com/callback", "https://app.example.com/alt"),
        Duration.ofSeconds(3600));
  }

  /** A public client: no secret hash, {@link AuthMethod#NONE} only. */
  protected static Client publicClient(String clientId) {
    return new Client(
        clientId,
        null,
        Set.of(GrantTypes.AUTHORIZATION_CODE),
        Scopes.of(List.of("openid")),
        Scopes.EMPTY,
        Set.of(AuthMethod.NONE),
        List.of("http://127.0.0.1:8765/callback"),
        null);
  }

  protected static Client withTtl(Client c, Duration ttl) {
    return new Client(
        c.clientId(), c.secretHash(), c.grantTypes(), c.scopes(), c.defaultScopes(), c.authMethods(), c.redirectUris(), ttl);
  }

  protected static Client withSecretHash(Client c, String secretHash) {
    return new Client(
        c.clientId(), secretHash, c.grantTypes(), c.scopes(), c.defaultScopes(), c.authMethods(), c.redirectUris(),
        c.accessTokenTtl());
  }

  protected static Client withIdTokenAlgorithm(Client c, SigningAlgorithm alg) {
    return new Client(c.clientId(), c.secretHash(), c.grantTypes(), c.scopes(), c.defaultScopes(), c.authMethods(), c.redirectUris(),
        c.accessTokenTtl(), c.postLogoutRedirectUris(), c.allowedOrigins(), c.logoutRevokesRefreshTokens(), c.canIntrospect(), alg);
  }

  protected static Client withInfo(Client c, ClientInfo info) {
    return new Client(c.clientId(), c.secretHash(), c.grantTypes(), c.scopes(), c.defaultScopes(), c.authMethods(), c.redirectUris(),
        c.accessTokenTtl(), c.postLogoutRedirectUris(), c.allowedOrigins(), c.logoutRevokesRefreshTokens(), c.canIntrospect(),
        c.idTokenSignedResponseAlg(), info);
  }

  protected static Client withRedirectUris(Client c, List<String> redirectUris) {
    return new Client(
        c.clientId(), c.secretHash(), c.grantTypes(), c.scopes(), c.defaultScopes(), c.authMethods(), redirectUris,
        c.accessTokenTtl());
  }

  /**
   * Asserts that {@code found} holds a client equal to {@code expected} in every field, field by field
   * so that a failure names the field ({@link Client#toString} shows the id only).
   */
  protected static void assertSameClient(Optional<Client> found, Client expected) {
    assertThat(found).as("client %s", expected.clientId()).isPresent();
    Client actual = found.orElseThrow();
    assertThat(actual.clientId()).as("clientId").isEqualTo(expected.clientId());
    assertThat(actual.secretHash()).as("secretHash").isEqualTo(expected.secretHash());
    assertThat(actual.grantTypes()).as("grantTypes").isEqualTo(expected.grantTypes());
    assertThat(actual.scopes()).as("scopes").isEqualTo(expected.scopes());
    assertThat(actual.defaultScopes()).as("defaultScopes").isEqualTo(expected.defaultScopes());
    assertThat(actual.authMethods()).as("authMethods").isEqualTo(expected.authMethods());
    assertThat(actual.redirectUris()).as("redirectUris").containsExactlyElementsOf(expected.redirectUris());
    assertThat(actual.accessTokenTtl()).as("accessTokenTtl").isEqualTo(expected.accessTokenTtl());
    assertThat(actual.postLogoutRedirectUris()).as("postLogoutRedirectUris").containsExactlyElementsOf(expected.postLogoutRedirectUris());
    assertThat(actual.allowedOrigins()).as("allowedOrigins").isEqualTo(expected.allowedOrigins());
    assertThat(actual.logoutRevokesRefreshTokens()).as("logoutRevokesRefreshTokens").isEqualTo(expected.logoutRevokesRefreshTokens());
    assertThat(actual.canIntrospect()).as("canIntrospect").isEqualTo(expected.canIntrospect());
    assertThat(actual.idTokenSignedResponseAlg()).as("idTokenSignedResponseAlg").isEqualTo(expected.idTokenSignedResponseAlg());
    assertThat(actual.info()).as("info").isEqualTo(expected.info());
    assertThat(actual).as("whole record").isEqualTo(expected);
  }
}
