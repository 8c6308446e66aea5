package io.gatehouse.store.cluster;

import com.hazelcast.cluster.Address;
import com.hazelcast.config.Config;
import com.hazelcast.core.HazelcastInstance;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.util.List;
import java.util.UUID;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Real Hazelcast members for tests, on loopback: TCP-IP join to the given members, port 0 (a free
 * one), multicast off (as {@link HazelcastCluster} always has it), a cluster name of the test's own.
 */
final class TestCluster {
  // held so that the levels stay set (JUL keeps loggers weakly)
  private static final List<Logger> QUIET = List.of(Logger.getLogger("com.hazelcast"), Logger.getLogger("io.vertx"));

  static {
    System.setProperty("hazelcast.logging.type", "jdk");
    // membership churn (members joining and leaving in the tests) is reported as warnings
    QUIET.forEach(l -> l.setLevel(Level.SEVERE));
  }

  private TestCluster() {}

  /** A cluster name no other test run uses. */
  static String randomClusterName() {
    return "gatehouse-test-" + UUID.randomUUID();
  }

  /** The options of a loopback member joining {@code members}. */
  static HazelcastClusterOptions options(String clusterName, List<String> members) {
    return HazelcastClusterOptions.tcpIp(clusterName, "127.0.0.1", 0, members);
  }

  /**
   * The production configuration with test-only timings: the first member does not wait 5 s for others
   * before forming the cluster.
   */
  static Config config(HazelcastClusterOptions options) {
    Config config = HazelcastCluster.config(options);
    config.setProperty("hazelcast.wait.seconds.before.join", "0");
    config.setProperty("hazelcast.logging.type", "jdk");
    return config;
  }

  /**
   * A started clustered Vert.x that is not a Gatehouse node (an API taking revocations from the event
   * bus), joining {@code members} as {@link HazelcastCluster#peerConfig} has it.
   */
  static Future<Node> startPeer(String clusterName, List<String> members) {
    Config config = HazelcastCluster.peerConfig(options(clusterName, members));
    config.setProperty("hazelcast.wait.seconds.before.join", "0");
    config.setProperty("hazelcast.logging.type", "jdk");
    HazelcastClusterManager manager = new HazelcastClusterManager(config);
    return Vertx.builder().withClusterManager(manager).buildClustered().map(v -> new Node(v, manager));
  }

  /** A started clustered Vert.x node. */
  record Node(Vertx vertx, HazelcastClusterManager clusterManager) {
    HazelcastInstance hazelcast() {
      return clusterManager.getHazelcastInstance();
    }

    /** The member's {@code host:port}, for another member's list. */
    String address() {
      Address a = hazelcast().getCluster().getLocalMember().getAddress();
      return a.getHost() + ":" + a.getPort();
    }

    int clusterSize() {
      return hazelcast().getCluster().getMembers().size();
    }
  }

  /** Starts a node of {@code clusterName} joining {@code members} (empty: the first node). */
  static Future<Node> start(String clusterName, List<String> members) {
    return start(clusterName, members, 0);
  }

  /** {@link #start(String, List)} with split-brain protection for a cluster of {@code expectedMembers}. */
  static Future<Node> start(String clusterName, List<String> members, int expectedMembers) {
    HazelcastClusterManager manager = new HazelcastClusterManager(
        config(options(clusterName, members).withExpectedMembers(expectedMembers)));
    return Vertx.builder().withClusterManager(manager).buildClustered().map(v -> new Node(v, manager));
  }
}
