package io.gatehouse.store.cluster;

import static io.gatehouse.testing.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.core.model.AuthorizationCode;
import io.gatehouse.core.model.Scopes;
import io.gatehouse.core.store.AuthorizationCodeStore;
import io.gatehouse.core.store.SharedDataAuthorizationCodeStore;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.internal.VertxInternal;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.net.ServerSocket;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

/**
 * The production path unchanged ({@link HazelcastCluster#clusteredVertx}, no test timings): a lone
 * member on loopback starts, serves the code store from the cluster map, and a busy port fails the
 * start instead of moving elsewhere.
 */
class HazelcastClusterStartTest {
  @Test
  void loneMemberStartsOnItsHostAndServesTheCodeStore() throws Exception {
    HazelcastClusterOptions options =
        HazelcastClusterOptions.tcpIp(TestCluster.randomClusterName(), "127.0.0.1", 0, List.of());
    Vertx vertx = await(HazelcastCluster.clusteredVertx(new VertxOptions(), options));
    try {
      assertThat(vertx.isClustered()).isTrue();
      HazelcastClusterManager manager = (HazelcastClusterManager) ((VertxInternal) vertx).clusterManager();
      var member = manager.getHazelcastInstance().getCluster().getLocalMember();
      assertThat(member.getAddress().getHost()).isEqualTo("127.0.0.1");
      assertThat(manager.getHazelcastInstance().getConfig().getClusterName()).isEqualTo(options.clusterName());

      AuthorizationCodeStore store = SharedDataAuthorizationCodeStore.create(vertx, Clock.systemUTC(), Duration.ofMinutes(5));
      String hash = "start-" + UUID.randomUUID();
      AuthorizationCode code = new AuthorizationCode("g", "c", "s", "https://app.example.com/cb", false, Scopes.EMPTY,
          null, null, null, 0, System.currentTimeMillis() / 1000 + 60);
      await(store.put(hash, code));
      assertThat(manager.getHazelcastInstance().getMap(HazelcastCluster.CODE_MAP).containsKey(hash))
          .as("the code is in the Hazelcast map")
          .isTrue();
      assertThat(await(store.consume(hash))).isTrue();
    } finally {
      await(vertx.close());
    }
  }

  @Test
  void busyPortFailsTheStart() throws Exception {
    try (ServerSocket busy = new ServerSocket(0, 50, java.net.InetAddress.getByName("127.0.0.1"))) {
      HazelcastClusterOptions options = HazelcastClusterOptions.tcpIp(
          TestCluster.randomClusterName(), "127.0.0.1", busy.getLocalPort(), List.of());

      // the failure is expected: keep Hazelcast's and Vert.x's reports of it out of the build log
      Throwable failure = quietly(() -> HazelcastCluster.clusteredVertx(new VertxOptions(), options)
          .toCompletionStage().toCompletableFuture()
          .handle((v, e) -> {
            if (v != null) {
              v.close();
            }
            return e;
          })
          .get(60, TimeUnit.SECONDS));

      assertThat(failure).as("start on a busy port").isNotNull();
    }
  }

  private interface Call<T> {
    T call() throws Exception;
  }

  private static <T> T quietly(Call<T> call) throws Exception {
    List<Logger> loggers = List.of(Logger.getLogger("com.hazelcast"), Logger.getLogger("io.vertx"));
    List<Level> levels = loggers.stream().map(Logger::getLevel).toList();
    loggers.forEach(l -> l.setLevel(Level.OFF));
    try {
      return call.call();
    } finally {
      for (int i = 0; i < loggers.size(); i++) {
        loggers.get(i).setLevel(levels.get(i));
      }
    }
  }
}
