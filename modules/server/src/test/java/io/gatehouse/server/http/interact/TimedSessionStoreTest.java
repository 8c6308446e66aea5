package io.gatehouse.server.http.interact;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.core.store.StoreUnavailableException;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Session;
import io.vertx.ext.web.sstore.LocalSessionStore;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A session store call the cluster never answers fails as "store unavailable" (503) after the call timeout. */
class TimedSessionStoreTest {
  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void tearDown() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  /** A store whose reads never answer, as a map on the far side of a partition. */
  private ForwardingSessionStore silent() {
    return new ForwardingSessionStore(LocalSessionStore.create(vertx)) {
      @Override
      public Future<Session> get(String id) {
        return Promise.<Session>promise().future();
      }
    };
  }

  @Test
  void getWhenTheClusterNeverAnswersThenStoreUnavailableAfterTheCallTimeout() throws Exception {
    TimedSessionStore store = new TimedSessionStore(silent(), Duration.ofMillis(200));
    Throwable failure = vertx.<Throwable>executeBlocking(() -> {
      try {
        store.get("x").toCompletionStage().toCompletableFuture().join();
        return null;
      } catch (CompletionException e) {
        return e.getCause();
      }
    }).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    assertThat(failure).isInstanceOf(StoreUnavailableException.class);
  }

  @Test
  void callsThatAnswerPassThrough() throws Exception {
    TimedSessionStore store = new TimedSessionStore(LocalSessionStore.create(vertx), Duration.ofSeconds(5));
    Session s = store.createSession(60_000, 32);
    s.put("uid", "u");
    store.put(s).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    assertThat(store.get(s.id()).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS).<String>get("uid")).isEqualTo("u");
  }
}
