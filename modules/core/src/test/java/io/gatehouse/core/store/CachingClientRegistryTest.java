package io.gatehouse.core.store;

import static io.gatehouse.testing.Await.await;
import static io.gatehouse.testing.Await.awaitFailure;
import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.core.model.AuthMethod;
import io.gatehouse.core.model.Client;
import io.gatehouse.core.model.GrantTypes;
import io.gatehouse.core.model.Scopes;
import io.gatehouse.core.store.memory.InMemoryClientRegistry;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class CachingClientRegistryTest {

  /** A real registry that counts the calls reaching it and can be told to fail the next finds. */
  static final class CountingRegistry implements ClientRegistry {
    final InMemoryClientRegistry store = new InMemoryClientRegistry();
    final AtomicInteger finds = new AtomicInteger();
    final AtomicInteger failNextFinds = new AtomicInteger();

    @Override
    public Future<Optional<Client>> find(String clientId) {
      finds.incrementAndGet();
      if (failNextFinds.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
        return Future.failedFuture(new IllegalStateException("store unavailable"));
      }
      return store.find(clientId);
    }

    @Override
    public Future<Void> upsert(Client client) {
      return store.upsert(client);
    }

    @Override
    public Future<Boolean> delete(String clientId) {
      return store.delete(clientId);
    }

    @Override
    public Future<io.gatehouse.core.store.Page<Client>> list(io.gatehouse.core.store.PageRequest request) {
      return store.list(request);
    }
  }

  private CountingRegistry delegate;
  private CachingClientRegistry cache;

  @BeforeEach
  void setUp() {
    delegate = new CountingRegistry();
    cache = new CachingClientRegistry(delegate, Duration.ofMinutes(10), 1_000);
  }

  private static Client client(String id, String scope) {
    return new Client(id, null, Set.of(GrantTypes.AUTHORIZATION_CODE), Scopes.parse(scope), Scopes.EMPTY,
        Set.of(AuthMethod.NONE), List.of("https://app.example/cb"), null);
  }

  @Test
  void findWhenItRacesWithAnUpsertThenTheOldClientIsNotCached() {
    await(delegate.upsert(client("a", "read")));
    io.vertx.core.Promise<Optional<Client>> slowRead = io.vertx.core.Promise.promise();
    ClientRegistry slow = new ClientRegistry() {
      @Override
      public Future<Optional<Client>> find(String clientId) {
        delegate.finds.incrementAndGet();
        return delegate.finds.get() == 1 ? slowRead.future() : delegate.find(clientId);
      }

      @Override
      public Future<Void> upsert(Client client) {
        return delegate.upsert(client);
      }

      @Override
      public Future<Boolean> delete(String clientId) {
        return delegate.delete(clientId);
      }

      @Override
      public Future<io.gatehouse.core.store.Page<Client>> list(io.gatehouse.core.store.PageRequest request) {
        return delegate.list(request);
      }
    };
    CachingClientRegistry racing = new CachingClientRegistry(slow, Duration.ofMinutes(10), 1_000);
    Future<Optional<Client>> inFlight = racing.find("a"); // reads the old client, answer delayed
    await(racing.upsert(client("a", "write")));          // the write lands while the read is in flight
    slowRead.complete(Optional.of(client("a", "read")));  // the stale answer arrives after the write
    assertThat(await(inFlight)).contains(client("a", "read"));
    assertThat(await(racing.find("a"))).contains(client("a", "write"));
  }

  @Test
  void findWhenCalledAgainThenServedFromCache() {
    await(delegate.upsert(client("a", "read")));
    Optional<Client> first = await(cache.find("a"));
    Optional<Client> second = await(cache.find("a"));
    assertThat(first).contains(client("a", "read"));
    assertThat(second).isEqualTo(first);
    assertThat(delegate.finds).hasValue(1);
  }

  @Test
  void findCachesEachClientIdSeparately() {
    await(delegate.upsert(client("a", "read")));
    await(delegate.upsert(client("b", "write")));
    assertThat(await(cache.find("a")).orElseThrow().scopes()).isEqualTo(Scopes.parse("read"));
    assertThat(await(cache.find("b")).orElseThrow().scopes()).isEqualTo(Scopes.parse("write"));
    await(cache.find("a"));
    await(cache.find("b"));
    assertThat(delegate.finds).hasValue(2);
  }

  @Test
  void findWhenMissThenMissIsCachedToo() {
    assertThat(await(cache.find("nobody"))).isEmpty();
    assertThat(await(cache.find("nobody"))).isEmpty();
    assertThat(delegate.finds).hasValue(1);
  }

  @Test
  void findWhenClientChangedBehindTheCacheThenStaleUntilInvalidated() {
    await(delegate.upsert(client("a", "read")));
    await(cache.find("a"));
    await(delegate.upsert(client("a", "write"))); // e.g. written on another node
    assertThat(await(cache.find("a")).orElseThrow().scopes()).isEqualTo(Scopes.parse("read"));

    cache.invalidate("a");
    assertThat(await(cache.find("a")).orElseThrow().scopes()).isEqualTo(Scopes.parse("write"));
    assertThat(delegate.finds).hasValue(2);
  }

  @Test
  void upsertThroughCacheInvalidatesTheCachedClient() {
    await(cache.upsert(client("a", "read")));
    assertThat(await(cache.find("a")).orElseThrow().scopes()).isEqualTo(Scopes.parse("read"));

    await(cache.upsert(client("a", "read write")));
    assertThat(await(cache.find("a")).orElseThrow().scopes()).isEqualTo(Scopes.parse("read write"));
    assertThat(delegate.finds).hasValue(2);
  }

  @Test
  void upsertThroughCacheInvalidatesACachedMiss() {
    assertThat(await(cache.find("a"))).isEmpty();
    await(cache.upsert(client("a", "read")));
    assertThat(await(cache.find("a"))).contains(client("a", "read"));
  }

  @Test
  void deleteThroughCacheInvalidatesTheCachedClient() {
    await(cache.upsert(client("a", "read")));
    assertThat(await(cache.find("a"))).isPresent();

    assertThat(await(cache.delete("a"))).isTrue();
    assertThat(await(cache.find("a"))).isEmpty();
    assertThat(await(cache.delete("a"))).isFalse();
    assertThat(delegate.finds).hasValue(2);
  }

  @Test
  void findWhenDelegateFailsThenFailureIsPropagatedAndNotCached() {
    await(delegate.upsert(client("a", "read")));
    delegate.failNextFinds.set(1);

    Throwable failure = awaitFailure(cache.find("a"));
    assertThat(failure).isInstanceOf(IllegalStateException.class).hasMessage("store unavailable");

    assertThat(await(cache.find("a"))).contains(client("a", "read"));
    assertThat(delegate.finds).hasValue(2);
  }

  @Test
  void findWhenDelegateFailsThenItIsNeverTurnedIntoNotFound() {
    delegate.failNextFinds.set(2);
    assertThat(awaitFailure(cache.find("a"))).isInstanceOf(IllegalStateException.class);
    assertThat(awaitFailure(cache.find("a"))).isInstanceOf(IllegalStateException.class);
    assertThat(delegate.finds).hasValue(2);
  }

  @Test
  void pingIsDelegated() {
    assertThat(cache.ping().succeeded()).isTrue();
  }

  @Test
  void findWhenClientIdCannotBeRegisteredThenEmptyWithoutAskingTheStoreOrCaching() throws Exception {
    for (String impossible : List.of("x".repeat(256), "x".repeat(60_000), "line\nbreak", "caf\u00e9", "")) {
      assertThat(await(cache.find(impossible))).isEmpty();
    }
    assertThat(delegate.finds.get()).isZero();

    assertThat(await(cache.find("x".repeat(255)))).isEmpty();
    assertThat(delegate.finds.get()).isEqualTo(1);
  }
}
