package io.gatehouse.server;

import static io.gatehouse.testing.Await.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gatehouse.server.config.ConfigException;
import io.gatehouse.server.config.ConfigLoader;
import io.gatehouse.server.config.EventBusTls;
import io.gatehouse.server.config.GatehouseConfig;
import io.gatehouse.store.cluster.HazelcastCluster;
import io.gatehouse.store.cluster.HazelcastClusterOptions;
import io.gatehouse.testing.FreePort;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.net.SelfSignedCertificate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * {@code cluster.event_bus_tls.*}: mutual TLS between the nodes' event buses. Four clustered Vert.x on
 * loopback in one Hazelcast cluster: two with the cluster's certificate (configured as an operator
 * would), one with a certificate the cluster does not trust, one without TLS. Messages flow between the
 * first two; the others are Hazelcast members but can neither reach nor be reached on the bus.
 */
class EventBusTlsTest {
  static Map<String, String> clusterEnv(SelfSignedCertificate cert) {
    Map<String, String> env = new HashMap<>();
    env.put("GATEHOUSE_STORE_TYPE", "postgres");
    env.put("GATEHOUSE_CLUSTER_ENABLED", "true");
    env.put("GATEHOUSE_CLUSTER_EVENT_BUS_TLS_ENABLED", "true");
    env.put("GATEHOUSE_CLUSTER_EVENT_BUS_TLS_CERT_FILE", cert.certificatePath());
    env.put("GATEHOUSE_CLUSTER_EVENT_BUS_TLS_KEY_FILE", cert.privateKeyPath());
    env.put("GATEHOUSE_CLUSTER_EVENT_BUS_TLS_TRUST_CERT_FILE", cert.certificatePath());
    return env;
  }

  @Test
  void busWhenNodesHoldTheClusterCertificateThenMessagesFlowAndNodesWithoutItCannotJoinTheBus() throws Exception {
    System.setProperty("hazelcast.wait.seconds.before.join", "0");
    SelfSignedCertificate clusterCert = SelfSignedCertificate.create("gatehouse-node");
    SelfSignedCertificate rogueCert = SelfSignedCertificate.create("gatehouse-node");
    GatehouseConfig config = ConfigLoader.load(List.of(), clusterEnv(clusterCert));
    EventBusTls tls = config.cluster().eventBusTls();
    // the rogue trusts the cluster, but the cluster does not trust the rogue's certificate
    EventBusTls rogueTls = new EventBusTls(Optional.empty(), "", Optional.of(java.nio.file.Path.of(rogueCert.certificatePath())),
        Optional.of(java.nio.file.Path.of(rogueCert.privateKeyPath())), Optional.empty(), "",
        Optional.of(java.nio.file.Path.of(clusterCert.certificatePath())));

    String cluster = "gatehouse-tls-test-" + UUID.randomUUID();
    List<Integer> ports = List.of(FreePort.loopback(), FreePort.loopback(), FreePort.loopback(), FreePort.loopback());
    List<String> members = ports.stream().map(p -> "127.0.0.1:" + p).toList();
    List<Vertx> nodes = new ArrayList<>();
    try {
      Vertx a = join(nodes, cluster, ports.get(0), members, tls);
      Vertx b = join(nodes, cluster, ports.get(1), members, tls);
      Vertx rogue = join(nodes, cluster, ports.get(2), members, rogueTls);
      Vertx plain = join(nodes, cluster, ports.get(3), members, null);

      AtomicInteger echoed = new AtomicInteger();
      MessageConsumer<String> echo = a.eventBus().consumer("test.tls.echo", m -> {
        echoed.incrementAndGet();
        m.reply("echo:" + m.body());
      });
      await(echo.completion());
      AtomicInteger rogueReceived = new AtomicInteger();
      MessageConsumer<String> trap = rogue.eventBus().consumer("test.tls.rogue", m -> {
        rogueReceived.incrementAndGet();
        m.reply("leaked");
      });
      await(trap.completion());
      DeliveryOptions timeout = new DeliveryOptions().setSendTimeout(5_000);

      // over TLS, both ways authenticated
      assertThat(await(b.eventBus().<String>request("test.tls.echo", "hello", timeout)).body()).isEqualTo("echo:hello");
      // a node without a trusted certificate, or without TLS, reaches nobody ...
      assertNoReply(rogue.eventBus().request("test.tls.echo", "from the rogue", timeout));
      assertNoReply(plain.eventBus().request("test.tls.echo", "in the clear", timeout));
      // ... and nobody sends it anything
      assertNoReply(a.eventBus().request("test.tls.rogue", "secret", timeout));
      assertThat(echoed.get()).isEqualTo(1);
      assertThat(rogueReceived.get()).isZero();
      // and the trusted nodes still talk
      assertThat(await(b.eventBus().<String>request("test.tls.echo", "again", timeout)).body()).isEqualTo("echo:again");
    } finally {
      for (Vertx v : nodes) {
        await(v.close());
      }
      clusterCert.delete();
      rogueCert.delete();
    }
  }

  private static Vertx join(List<Vertx> nodes, String cluster, int port, List<String> members, EventBusTls tls) throws Exception {
    VertxOptions options = new VertxOptions();
    if (tls != null) {
      tls.apply(options.getEventBusOptions());
    }
    Vertx v = await(HazelcastCluster.clusteredVertx(options, HazelcastClusterOptions.tcpIp(cluster, "127.0.0.1", port, members)));
    nodes.add(v);
    return v;
  }

  private static void assertNoReply(Future<?> request) {
    assertThatThrownBy(() -> await(request)).isInstanceOf(ReplyException.class);
  }

  @Test
  void configWhenTlsNamesTwoKeysOrNoTrustOrNoClusterThenStartIsRefusedNamingTheKey() {
    SelfSignedCertificate cert = SelfSignedCertificate.create("gatehouse-node");
    try {
      Map<String, String> twoKeys = clusterEnv(cert);
      twoKeys.put("GATEHOUSE_CLUSTER_EVENT_BUS_TLS_KEY_STORE", cert.privateKeyPath());
      assertThatThrownBy(() -> ConfigLoader.load(List.of(), twoKeys)).isInstanceOf(ConfigException.class)
          .hasMessageContaining("cluster.event_bus_tls.key_store");

      Map<String, String> noTrust = clusterEnv(cert);
      noTrust.remove("GATEHOUSE_CLUSTER_EVENT_BUS_TLS_TRUST_CERT_FILE");
      assertThatThrownBy(() -> ConfigLoader.load(List.of(), noTrust)).isInstanceOf(ConfigException.class)
          .hasMessageContaining("cluster.event_bus_tls.trust_store");

      Map<String, String> missing = clusterEnv(cert);
      missing.put("GATEHOUSE_CLUSTER_EVENT_BUS_TLS_KEY_FILE", "/no/such/key.pem");
      assertThatThrownBy(() -> ConfigLoader.load(List.of(), missing)).isInstanceOf(ConfigException.class)
          .hasMessageContaining("cluster.event_bus_tls.key_file").hasMessageContaining("must name a readable file");

      Map<String, String> alone = clusterEnv(cert);
      alone.remove("GATEHOUSE_CLUSTER_ENABLED");
      alone.remove("GATEHOUSE_STORE_TYPE");
      assertThatThrownBy(() -> ConfigLoader.load(List.of(), alone)).isInstanceOf(ConfigException.class)
          .hasMessageContaining("cluster.event_bus_tls.enabled").hasMessageContaining("needs cluster.enabled");

      Map<String, String> secret = clusterEnv(cert);
      secret.put("GATEHOUSE_CLUSTER_EVENT_BUS_TLS_KEY_STORE_PASSWORD", "do-not-echo-me");
      secret.put("GATEHOUSE_CLUSTER_EVENT_BUS_TLS_KEY_STORE", cert.privateKeyPath());
      assertThatThrownBy(() -> ConfigLoader.load(List.of(), secret)).isInstanceOf(ConfigException.class)
          .message().doesNotContain("do-not-echo-me");
    } finally {
      cert.delete();
    }
  }
}
