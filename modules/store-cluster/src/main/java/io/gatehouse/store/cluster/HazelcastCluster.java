package io.gatehouse.store.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.config.EvictionConfig;
import com.hazelcast.config.EvictionPolicy;
import com.hazelcast.config.InMemoryFormat;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.KubernetesConfig;
import com.hazelcast.config.MapConfig;
import com.hazelcast.config.MaxSizePolicy;
import com.hazelcast.config.MultiMapConfig;
import com.hazelcast.config.NetworkConfig;
import io.gatehouse.core.store.SharedDataAuthorizationCodeStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.util.Objects;

/**
 * Builds the Hazelcast member configuration of a Gatehouse node, in code, from
 * {@link HazelcastClusterOptions}, and the Vert.x cluster manager on top of it. Clustered this way,
 * Vert.x SharedData maps (such as {@link SharedDataAuthorizationCodeStore}'s) are Hazelcast
 * {@code IMap}s shared by every node, and the event bus spans the nodes.
 *
 * <p>Nothing is read from files: not {@code cluster.xml} (the Vert.x default lookup), not
 * {@code hazelcast.xml}/{@code hazelcast.yaml}, not the {@code hazelcast.config} system property. The
 * configuration starts from {@code new Config()} (Hazelcast's built-in defaults) and sets:
 *
 * <h2>Network</h2>
 * <ul>
 *   <li>Cluster name, host and port from the options; port auto-increment off (a busy port fails the
 *       start instead of moving the member somewhere its peers do not look).
 *   <li>A specific host: {@code hazelcast.local.localAddress} names it and
 *       {@code hazelcast.socket.bind.any=false} binds to it only. {@code 0.0.0.0}: bind every interface.
 *   <li>Join: TCP-IP with the static member list, or the built-in Kubernetes discovery (DNS lookup of a
 *       headless service, or the Kubernetes API) with {@code service-port} set to the member port.
 *       Multicast, auto-detection (which would probe Kubernetes and cloud metadata endpoints) and the
 *       cloud joiners are off.
 * </ul>
 *
 * <h2>The authorization code map ({@value #CODE_MAP})</h2>
 * <ul>
 *   <li><b>One synchronous backup</b> ({@value #CODE_MAP_BACKUP_COUNT}, no asynchronous ones): a write
 *       returns only once a second member holds it, so a code, and above all a used-marker, survives
 *       the loss of any one member. That is what keeps redemption exactly-once across a crash: a lost
 *       marker would let a replayed code be redeemed again.
 *   <li><b>No reads from backups</b>: every read goes to the partition owner, so a node never sees a
 *       code as live after another node consumed it.
 *   <li><b>No map-wide time-to-live or max-idle</b> (0: none): every entry carries its own TTL, which
 *       the store passes with each write (a code until its {@code expiresAt}, a used-marker for its
 *       lifetime). Per-entry TTL needs no other setting: an expired entry is invisible to reads at
 *       once (Hazelcast checks the expiry on access, to the millisecond) and is removed by the
 *       member's background expiry task, backups included, so memory stays bounded by the TTLs.
 *   <li><b>No eviction</b>: evicting entries under memory pressure could drop a used-marker while its
 *       code is still live and so break exactly-once. Size the members for the peak number of codes
 *       issued per code lifetime plus markers per marker lifetime (a few hundred bytes each).
 *   <li>Binary in-memory format (Hazelcast's default; values are serialized once, at write).
 *   <li>No near cache: a cached copy could show a consumed code as live.
 * </ul>
 *
 * <h2>Vert.x's own structures</h2>
 * The same settings as vertx-hazelcast's {@code default-cluster.xml}: {@code __vertx.subs} (event bus
 * subscriptions) a multimap of sets with one backup; {@code __vertx.haInfo} and
 * {@code __vertx.nodeInfo} maps with one backup.
 *
 * <h2>Member properties</h2>
 * <ul>
 *   <li>{@code hazelcast.phone.home.enabled=false}: no usage reports to Hazelcast's servers.
 *   <li>{@code hazelcast.shutdownhook.enabled=false}: Vert.x closes the member on its own shutdown.
 *   <li>{@code hazelcast.max.no.heartbeat.seconds=}{@value #MAX_NO_HEARTBEAT_SECONDS} (Hazelcast: 60):
 *       a member that vanished without closing its connections is declared dead after this long;
 *       until then calls on the partitions it owned wait. Codes live about a minute, so the default
 *       would stall every login in flight.
 *   <li>{@code hazelcast.logging.type}: {@code slf4j} when SLF4J is on the class path (the server's
 *       Logback), else {@code jdk}.
 *   <li>Jet (stream processing) disabled.
 * </ul>
 *
 * <p>Split-brain: while the network is partitioned each side serves its own copy of the map, so a code
 * could be redeemed once on each side; Hazelcast's default merge policy keeps one copy when the sides
 * meet again. Cluster traffic is neither authenticated nor encrypted (open-source Hazelcast): keep the
 * member port reachable by Gatehouse nodes only (a Kubernetes NetworkPolicy, a private network).
 */
public final class HazelcastCluster {
  /** The name of the authorization code map: the one {@link SharedDataAuthorizationCodeStore} uses. */
  public static final String CODE_MAP = SharedDataAuthorizationCodeStore.MAP_NAME;

  /** Synchronous backups of each code map entry. */
  public static final int CODE_MAP_BACKUP_COUNT = 1;

  /** Seconds without a heartbeat after which a member is declared dead. */
  public static final int MAX_NO_HEARTBEAT_SECONDS = 15;

  private HazelcastCluster() {}

  /**
   * The Hazelcast member configuration for {@code options}: a new, independent object on every call,
   * which the caller may adjust further before use.
   */
  public static Config config(HazelcastClusterOptions options) {
    Objects.requireNonNull(options, "options");
    Config config = new Config();
    config.setClusterName(options.clusterName());

    config.setProperty("hazelcast.phone.home.enabled", "false");
    config.setProperty("hazelcast.shutdownhook.enabled", "false");
    config.setProperty("hazelcast.max.no.heartbeat.seconds", Integer.toString(MAX_NO_HEARTBEAT_SECONDS));
    config.setProperty("hazelcast.logging.type", slf4jPresent() ? "slf4j" : "jdk");
    config.getJetConfig().setEnabled(false);

    network(config, options);

    config.addMapConfig(codeMapConfig());
    config.addMapConfig(sessionMapConfig());
    config.addMultiMapConfig(
        new MultiMapConfig("__vertx.subs")
            .setBackupCount(1)
            .setValueCollectionType(MultiMapConfig.ValueCollectionType.SET));
    config.addMapConfig(new MapConfig("__vertx.haInfo").setBackupCount(1));
    config.addMapConfig(new MapConfig("__vertx.nodeInfo").setBackupCount(1));
    return config;
  }

  /** A Vert.x cluster manager that starts a Hazelcast member configured by {@link #config}. */
  public static HazelcastClusterManager clusterManager(HazelcastClusterOptions options) {
    return new HazelcastClusterManager(config(options));
  }

  /**
   * Starts a clustered Vert.x on a new Hazelcast member; the future fails when the member cannot start
   * (for example a busy port). Closing the Vert.x instance leaves the cluster gracefully: the member
   * hands its partitions to the others first.
   */
  public static Future<Vertx> clusteredVertx(VertxOptions vertxOptions, HazelcastClusterOptions options) {
    return Vertx.builder().with(vertxOptions).withClusterManager(clusterManager(options)).buildClustered();
  }

  /** {@link #clusteredVertx(VertxOptions, HazelcastClusterOptions)} with Vert.x metrics from {@code metrics}. */
  public static Future<Vertx> clusteredVertx(VertxOptions vertxOptions, HazelcastClusterOptions options,
      io.vertx.core.spi.VertxMetricsFactory metrics) {
    return Vertx.builder().with(vertxOptions).withClusterManager(clusterManager(options)).withMetrics(metrics).buildClustered();
  }

  /** vertx-web's clustered session store: the login sessions. */
  public static final String SESSION_MAP = "vertx-web.sessions";
  /** The most login sessions a member keeps; past it the least recently used are dropped (signed out). */
  public static final int SESSION_MAP_MAX_PER_MEMBER = 100_000;

  /**
   * The login session map: bounded per member (LRU eviction), so that sign-ins, which are rate-limited
   * but cheap to repeat with one valid account, can never grow it without bound.
   */
  static MapConfig sessionMapConfig() {
    return new MapConfig(SESSION_MAP)
        .setBackupCount(1)
        .setEvictionConfig(new EvictionConfig().setEvictionPolicy(EvictionPolicy.LRU).setMaxSizePolicy(MaxSizePolicy.PER_NODE)
            .setSize(SESSION_MAP_MAX_PER_MEMBER));
  }

  /** The settings of the authorization code map; see the class comment. */
  static MapConfig codeMapConfig() {
    return new MapConfig(CODE_MAP)
        .setBackupCount(CODE_MAP_BACKUP_COUNT)
        .setAsyncBackupCount(0)
        .setReadBackupData(false)
        .setTimeToLiveSeconds(0)
        .setMaxIdleSeconds(0)
        .setInMemoryFormat(InMemoryFormat.BINARY)
        .setEvictionConfig(
            new EvictionConfig().setEvictionPolicy(EvictionPolicy.NONE).setMaxSizePolicy(MaxSizePolicy.PER_NODE));
  }

  private static void network(Config config, HazelcastClusterOptions options) {
    NetworkConfig network = config.getNetworkConfig();
    network.setPort(options.port());
    network.setPortAutoIncrement(false);
    if (!options.bindsAnyHost()) {
      config.setProperty("hazelcast.local.localAddress", options.host());
      config.setProperty("hazelcast.socket.bind.any", "false");
    }

    JoinConfig join = network.getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    join.getAwsConfig().setEnabled(false);
    join.getGcpConfig().setEnabled(false);
    join.getAzureConfig().setEnabled(false);
    join.getEurekaConfig().setEnabled(false);
    join.getTcpIpConfig().setEnabled(false);
    join.getKubernetesConfig().setEnabled(false);

    switch (options.discovery()) {
      case TCP_IP -> join.getTcpIpConfig().setEnabled(true).setMembers(options.members());
      case KUBERNETES -> {
        KubernetesConfig kubernetes = join.getKubernetesConfig().setEnabled(true);
        // the port the other members listen on: every member uses the same fixed port
        kubernetes.setProperty("service-port", Integer.toString(options.port()));
        if (options.kubernetesServiceDns() != null) {
          kubernetes.setProperty("service-dns", options.kubernetesServiceDns());
        } else {
          kubernetes.setProperty("service-name", options.kubernetesServiceName());
          if (options.kubernetesNamespace() != null) {
            kubernetes.setProperty("namespace", options.kubernetesNamespace());
          }
        }
      }
      default -> throw new AssertionError(options.discovery());
    }
  }

  private static boolean slf4jPresent() {
    try {
      Class.forName("org.slf4j.LoggerFactory", false, HazelcastCluster.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException e) {
      return false;
    }
  }
}
