package io.gatehouse.store.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.config.EvictionConfig;
import com.hazelcast.config.EvictionPolicy;
import com.hazelcast.config.InMemoryFormat;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.KubernetesConfig;
import com.hazelcast.config.MapConfig;
import com.hazelcast.config.MaxSizePolicy;
import com.hazelcast.config.MergePolicyConfig;
import com.hazelcast.config.MultiMapConfig;
import com.hazelcast.config.NetworkConfig;
import com.hazelcast.config.SplitBrainProtectionConfig;
import com.hazelcast.spi.merge.DiscardMergePolicy;
import com.hazelcast.spi.merge.PutIfAbsentMergePolicy;
import com.hazelcast.splitbrainprotection.SplitBrainProtectionOn;
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
 *   <li>Merge after a split: put-if-absent (the union), so a used-marker written on either side
 *       survives the merge and a replay after it is still recognised.
 * </ul>
 *
 * <h2>Split-brain protection ({@code expectedMembers} above 0)</h2>
 * The code map and the login session map ({@value #SESSION_MAP}) answer only while this member sees a
 * strict majority of {@code expectedMembers} ({@link HazelcastClusterOptions#quorum()}) that it heard
 * from recently: a recently-active function over Gatehouse nodes only ({@link NodeQuorumFunction}:
 * members with {@link #ROLE_ATTRIBUTE} {@value #NODE_ROLE}, which {@link #config} sets and
 * {@link #peerConfig} does not), counts itself and every node whose last heartbeat is younger than
 * {@value #QUORUM_HEARTBEAT_TOLERANCE_MILLIS} ms by the cluster's clock (not this machine's: chaos
 * finding K5, a member whose clock ran ahead never had its quorum), and re-evaluates on every
 * membership change and every heartbeat interval. Every read and write of a protected map on a member
 * without it fails with Hazelcast's {@code SplitBrainProtectionException}. So at most one side of any
 * split redeems codes, issues them, or signs users in and out; the other side refuses (see
 * {@link #hasQuorum}). Sessions merge with discard (the majority's state wins), so a sign-out on the
 * majority is not undone by the minority's stale copy. The price: with {@code expectedMembers} n,
 * more than n - quorum members down stops every login (for 3: any 2).
 *
 * <p>The remaining window (not closed by this): a member resumed from a long pause (SIGSTOP, a
 * stop-the-world GC) still holds its old member list and partition table until it notices. Its quorum
 * is re-evaluated by an overdue periodic task at once; what it finds depends on the heartbeats the
 * kernel buffered for it during the pause. Hazelcast ignores a heartbeat older than half of
 * {@value #MAX_NO_HEARTBEAT_SECONDS} s and hands the split-brain protection the sender's timestamp, so
 * after a pause of over 20 s (eviction at {@value #MAX_NO_HEARTBEAT_SECONDS} s plus the
 * {@value #QUORUM_HEARTBEAT_TOLERANCE_MILLIS} ms tolerance) the member has no quorum from its first
 * evaluation; after a pause between 15 and 20 s, the last heartbeats the others sent before evicting it
 * still count for the rest of the 5 s, and it may serve its stale copy of a partition that long. A
 * request already queued when it resumes may also run before the first evaluation. A durable
 * used-marker in PostgreSQL as the arbiter of redemption would close this window.
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
 *   <li>{@code hazelcast.heartbeat.interval.seconds=}{@value #HEARTBEAT_INTERVAL_SECONDS} (Hazelcast: 5):
 *       how often members heartbeat each other, and how often the quorum is re-evaluated.
 *   <li>{@code hazelcast.merge.first.run.delay.seconds=}{@value #MERGE_FIRST_RUN_DELAY_SECONDS} and
 *       {@code hazelcast.merge.next.run.delay.seconds=}{@value #MERGE_NEXT_RUN_DELAY_SECONDS} (Hazelcast:
 *       300 and 120): how soon and how often a member looks for the other side of a split to merge
 *       with, so that the halves join again within seconds of a healed network, not minutes.
 *   <li>{@code hazelcast.logging.type}: {@code slf4j} when SLF4J is on the class path (the server's
 *       Logback), else {@code jdk}.
 *   <li>Jet (stream processing) disabled.
 * </ul>
 *
 * <p>Split-brain without protection ({@code expectedMembers} 0): while the network is partitioned each
 * side serves its own copy of the maps, so a code could be redeemed once on each side. Cluster traffic is neither authenticated nor encrypted (open-source Hazelcast): keep the
 * member port reachable by Gatehouse nodes only (a Kubernetes NetworkPolicy, a private network).
 */
public final class HazelcastCluster {
  /** The name of the authorization code map: the one {@link SharedDataAuthorizationCodeStore} uses. */
  public static final String CODE_MAP = SharedDataAuthorizationCodeStore.MAP_NAME;

  /** Synchronous backups of each code map entry. */
  public static final int CODE_MAP_BACKUP_COUNT = 1;

  /** Seconds without a heartbeat after which a member is declared dead. */
  public static final int MAX_NO_HEARTBEAT_SECONDS = 15;

  /** Seconds between heartbeats (and quorum evaluations). */
  public static final int HEARTBEAT_INTERVAL_SECONDS = 1;

  /** A member counts towards the quorum while its last heartbeat is younger than this. */
  public static final int QUORUM_HEARTBEAT_TOLERANCE_MILLIS = 5_000;

  /** Seconds after the start before a member first looks for another side of a split to merge with. */
  public static final int MERGE_FIRST_RUN_DELAY_SECONDS = 10;

  /** Seconds between later looks for another side to merge with. */
  public static final int MERGE_NEXT_RUN_DELAY_SECONDS = 5;

  /** The name of the split-brain protection of the code and session maps. */
  public static final String QUORUM = "gatehouse-majority";

  /** The member attribute that marks a Gatehouse node; only members with it count towards the quorum. */
  public static final String ROLE_ATTRIBUTE = "gatehouse.role";

  /** {@link #ROLE_ATTRIBUTE}'s value on a Gatehouse node. */
  public static final String NODE_ROLE = "node";

  private HazelcastCluster() {}

  /**
   * Whether the member under {@code vertx} may serve the code and session maps now: true when it is not
   * clustered on Hazelcast or has no split-brain protection, else whether it currently sees its
   * quorum (a local check, no network call).
   */
  public static boolean hasQuorum(Vertx vertx) {
    if (!(vertx instanceof io.vertx.core.internal.VertxInternal internal)
        || !(internal.clusterManager() instanceof HazelcastClusterManager manager)
        || manager.getHazelcastInstance() == null) {
      return true;
    }
    var instance = manager.getHazelcastInstance();
    // getSplitBrainProtectionConfigs(): its getter by name would create a config that is missing
    if (!instance.getConfig().getSplitBrainProtectionConfigs().containsKey(QUORUM)) {
      return true;
    }
    try {
      return instance.getSplitBrainProtectionService().getSplitBrainProtection(QUORUM).hasMinimumSize();
    } catch (RuntimeException e) {
      // the member is shutting down or gone
      return false;
    }
  }

  /**
   * Runs {@code op} on the protected maps only while the member under {@code vertx} has its quorum: without
   * it, fails at once with {@code refusal}'s exception, without calling {@code op}; and a call the quorum
   * refuses in flight fails with it too. Every other failure of {@code op} passes through.
   */
  public static <T> Future<T> withQuorum(Vertx vertx, java.util.function.Supplier<Future<T>> op,
      java.util.function.Supplier<? extends Throwable> refusal) {
    if (!hasQuorum(vertx)) {
      return Future.failedFuture(refusal.get());
    }
    return op.get().recover(e -> Future.failedFuture(isQuorumLoss(e) ? refusal.get() : e));
  }

  /** Whether {@code failure} (or one of its causes) is a refusal by the split-brain protection. */
  public static boolean isQuorumLoss(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof com.hazelcast.splitbrainprotection.SplitBrainProtectionException) {
        return true;
      }
    }
    return false;
  }

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
    config.setProperty("hazelcast.heartbeat.interval.seconds", Integer.toString(HEARTBEAT_INTERVAL_SECONDS));
    config.setProperty("hazelcast.merge.first.run.delay.seconds", Integer.toString(MERGE_FIRST_RUN_DELAY_SECONDS));
    config.setProperty("hazelcast.merge.next.run.delay.seconds", Integer.toString(MERGE_NEXT_RUN_DELAY_SECONDS));
    config.setProperty("hazelcast.logging.type", slf4jPresent() ? "slf4j" : "jdk");
    config.getJetConfig().setEnabled(false);

    network(config, options);
    config.getMemberAttributeConfig().setAttribute(ROLE_ATTRIBUTE, NODE_ROLE);

    MapConfig codes = codeMapConfig();
    MapConfig sessions = sessionMapConfig();
    if (options.quorum() > 0) {
      config.addSplitBrainProtectionConfig(SplitBrainProtectionConfig
          .newRecentlyActiveSplitBrainProtectionConfigBuilder(QUORUM, options.quorum(), QUORUM_HEARTBEAT_TOLERANCE_MILLIS)
          .enabled(true)
          .build()
          // recently active, counting Gatehouse nodes only (not an API that joined for the event bus)
          .setFunctionImplementation(new NodeQuorumFunction(options.quorum(), QUORUM_HEARTBEAT_TOLERANCE_MILLIS))
          .setProtectOn(SplitBrainProtectionOn.READ_WRITE));
      codes.setSplitBrainProtectionName(QUORUM);
      sessions.setSplitBrainProtectionName(QUORUM);
    }
    config.addMapConfig(codes);
    config.addMapConfig(sessions);
    config.addMultiMapConfig(
        new MultiMapConfig("__vertx.subs")
            .setBackupCount(1)
            .setValueCollectionType(MultiMapConfig.ValueCollectionType.SET));
    config.addMapConfig(new MapConfig("__vertx.haInfo").setBackupCount(1));
    config.addMapConfig(new MapConfig("__vertx.nodeInfo").setBackupCount(1));
    return config;
  }

  /**
   * The configuration of a member that is not a Gatehouse node, such as an API that joins the cluster
   * to take revocations from the event bus ({@code ExampleApi}): {@link #config} without the node role
   * attribute, so that it never counts towards the quorum, and a lite member, so that it owns no
   * partition of the code and session maps (its restarts move no Gatehouse data, and its loss costs
   * no backup). It must not be the only member left: a lite member cannot hold Vert.x's own maps.
   */
  public static Config peerConfig(HazelcastClusterOptions options) {
    Config config = config(options);
    config.getMemberAttributeConfig().removeAttribute(ROLE_ATTRIBUTE);
    config.setLiteMember(true);
    return config;
  }

  /** Starts a clustered Vert.x on a new Hazelcast member configured by {@link #peerConfig}: not a Gatehouse node. */
  public static Future<Vertx> clusteredPeerVertx(VertxOptions vertxOptions, HazelcastClusterOptions options) {
    return Vertx.builder().with(vertxOptions).withClusterManager(new HazelcastClusterManager(peerConfig(options))).buildClustered();
  }

  /** Whether {@code member} is a Gatehouse node ({@link #ROLE_ATTRIBUTE} = {@link #NODE_ROLE}): only nodes count towards the quorum. */
  public static boolean isNode(com.hazelcast.cluster.Member member) {
    return NODE_ROLE.equals(member.getAttribute(ROLE_ATTRIBUTE));
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
        // after a split the majority's sessions win: a sign-out there is not undone by a stale copy
        .setMergePolicyConfig(new MergePolicyConfig().setPolicy(DiscardMergePolicy.class.getName()))
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
        .setMergePolicyConfig(new MergePolicyConfig().setPolicy(PutIfAbsentMergePolicy.class.getName()))
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
