package io.gatehouse.store.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.hazelcast.config.Config;
import com.hazelcast.config.EvictionPolicy;
import com.hazelcast.config.InMemoryFormat;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.MapConfig;
import com.hazelcast.config.MultiMapConfig;
import io.gatehouse.core.store.SharedDataAuthorizationCodeStore;
import io.gatehouse.store.cluster.HazelcastClusterOptions.Discovery;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What {@link HazelcastCluster#config} builds from {@link HazelcastClusterOptions}, and what the options refuse. */
class HazelcastClusterTest {
  private static final HazelcastClusterOptions TCP =
      HazelcastClusterOptions.tcpIp("gatehouse-prod", "10.0.0.5", 5701, List.of("10.0.0.5", "10.0.0.6:5701", "gh-3"));

  // ---------------------------------------------------------------- network

  @Test
  void tcpIpJoinsTheListedMembersOnlyWithMulticastAndAutoDetectionOff() {
    Config config = HazelcastCluster.config(TCP);

    JoinConfig join = config.getNetworkConfig().getJoin();
    assertThat(config.getClusterName()).isEqualTo("gatehouse-prod");
    assertThat(join.getTcpIpConfig().isEnabled()).as("tcp-ip").isTrue();
    assertThat(join.getTcpIpConfig().getMembers()).containsExactly("10.0.0.5", "10.0.0.6:5701", "gh-3");
    assertOnlyJoin(join, "tcp-ip");
  }

  @Test
  void kubernetesDnsLooksUpTheServiceOnTheMemberPort() {
    Config config = HazelcastCluster.config(
        HazelcastClusterOptions.kubernetesDns("gh", "0.0.0.0", 5801, "gatehouse-hz.auth.svc.cluster.local"));

    JoinConfig join = config.getNetworkConfig().getJoin();
    assertThat(join.getKubernetesConfig().isEnabled()).as("kubernetes").isTrue();
    assertThat(join.getKubernetesConfig().getProperties())
        .containsOnly(
            org.assertj.core.api.Assertions.entry("service-dns", "gatehouse-hz.auth.svc.cluster.local"),
            org.assertj.core.api.Assertions.entry("service-port", "5801"));
    assertOnlyJoin(join, "kubernetes");
  }

  @Test
  void kubernetesApiNamesNamespaceAndService() {
    Config withNamespace = HazelcastCluster.config(
        HazelcastClusterOptions.kubernetesApi("gh", "0.0.0.0", 5701, "auth", "gatehouse-hz"));
    Config ownNamespace = HazelcastCluster.config(
        HazelcastClusterOptions.kubernetesApi("gh", "0.0.0.0", 5701, "", "gatehouse-hz"));

    assertThat(withNamespace.getNetworkConfig().getJoin().getKubernetesConfig().getProperties())
        .containsOnly(
            org.assertj.core.api.Assertions.entry("namespace", "auth"),
            org.assertj.core.api.Assertions.entry("service-name", "gatehouse-hz"),
            org.assertj.core.api.Assertions.entry("service-port", "5701"));
    assertThat(ownNamespace.getNetworkConfig().getJoin().getKubernetesConfig().getProperties())
        .doesNotContainKey("namespace")
        .containsEntry("service-name", "gatehouse-hz");
    assertOnlyJoin(withNamespace.getNetworkConfig().getJoin(), "kubernetes");
  }

  @Test
  void aSpecificHostIsTheOnlyAddressBoundAndAdvertised() {
    Config config = HazelcastCluster.config(TCP);

    assertThat(config.getProperty("hazelcast.local.localAddress")).isEqualTo("10.0.0.5");
    assertThat(config.getProperty("hazelcast.socket.bind.any")).isEqualTo("false");
    assertThat(config.getNetworkConfig().getPort()).isEqualTo(5701);
    assertThat(config.getNetworkConfig().isPortAutoIncrement()).as("port auto-increment").isFalse();
  }

  @Test
  void anyHostBindsEveryInterface() {
    Config config = HazelcastCluster.config(HazelcastClusterOptions.tcpIp("gh", "0.0.0.0", 0, List.of()));

    assertThat(config.getProperties()).doesNotContainKeys("hazelcast.local.localAddress", "hazelcast.socket.bind.any");
    assertThat(config.getNetworkConfig().getPort()).isZero();
  }

  @Test
  void nothingComesFromAFile() {
    Config config = HazelcastCluster.config(TCP);

    assertThat(config.getConfigurationFile()).isNull();
    assertThat(config.getConfigurationUrl()).isNull();
  }

  @Test
  void eachCallBuildsAnIndependentConfig() {
    Config first = HazelcastCluster.config(TCP);
    first.getNetworkConfig().getJoin().getTcpIpConfig().addMember("10.9.9.9");

    assertThat(HazelcastCluster.config(TCP).getNetworkConfig().getJoin().getTcpIpConfig().getMembers())
        .doesNotContain("10.9.9.9");
  }

  // ---------------------------------------------------------------- maps and properties

  @Test
  void codeMapHasOneSyncBackupReadsFromOwnersAndNoMapWideExpiryOrEviction() {
    Config config = HazelcastCluster.config(TCP);

    assertThat(config.getMapConfigs()).containsKey(SharedDataAuthorizationCodeStore.MAP_NAME);
    MapConfig codes = config.getMapConfig(SharedDataAuthorizationCodeStore.MAP_NAME);
    assertThat(codes.getBackupCount()).as("backup count").isEqualTo(1);
    assertThat(codes.getAsyncBackupCount()).as("async backup count").isZero();
    assertThat(codes.isReadBackupData()).as("read backup data").isFalse();
    assertThat(codes.getTimeToLiveSeconds()).as("map-wide TTL").isZero();
    assertThat(codes.getMaxIdleSeconds()).as("max idle").isZero();
    assertThat(codes.getEvictionConfig().getEvictionPolicy()).isEqualTo(EvictionPolicy.NONE);
    assertThat(codes.getInMemoryFormat()).isEqualTo(InMemoryFormat.BINARY);
    assertThat(codes.getNearCacheConfig()).as("near cache").isNull();
  }

  @Test
  void vertxStructuresHaveOneBackupAsInVertxDefaultConfig() {
    Config config = HazelcastCluster.config(TCP);

    assertThat(config.getMultiMapConfigs()).containsKey("__vertx.subs");
    MultiMapConfig subs = config.getMultiMapConfig("__vertx.subs");
    assertThat(subs.getBackupCount()).isEqualTo(1);
    assertThat(subs.getValueCollectionType()).isEqualTo(MultiMapConfig.ValueCollectionType.SET);
    assertThat(config.getMapConfigs()).containsKeys("__vertx.haInfo", "__vertx.nodeInfo");
    assertThat(config.getMapConfig("__vertx.haInfo").getBackupCount()).isEqualTo(1);
    assertThat(config.getMapConfig("__vertx.nodeInfo").getBackupCount()).isEqualTo(1);
  }

  @Test
  void memberPropertiesTurnOffPhoneHomeAndShortenFailureDetection() {
    Config config = HazelcastCluster.config(TCP);

    assertThat(config.getProperty("hazelcast.phone.home.enabled")).isEqualTo("false");
    assertThat(config.getProperty("hazelcast.shutdownhook.enabled")).isEqualTo("false");
    assertThat(config.getProperty("hazelcast.max.no.heartbeat.seconds")).isEqualTo("15");
    // slf4j when it is on the class path (it is: core logs through its API), else the JDK logger
    String expected;
    try {
      Class.forName("org.slf4j.LoggerFactory");
      expected = "slf4j";
    } catch (ClassNotFoundException e) {
      expected = "jdk";
    }
    assertThat(config.getProperty("hazelcast.logging.type")).isEqualTo(expected);
    assertThat(config.getJetConfig().isEnabled()).as("jet").isFalse();
  }

  // ---------------------------------------------------------------- options

  @Test
  void blankKubernetesSettingsCountAsAbsent() {
    HazelcastClusterOptions options =
        new HazelcastClusterOptions(" gh ", " 127.0.0.1 ", 0, Discovery.TCP_IP, null, "", " ", "");

    assertThat(options.clusterName()).isEqualTo("gh");
    assertThat(options.host()).isEqualTo("127.0.0.1");
    assertThat(options.members()).isEmpty();
    assertThat(options.kubernetesServiceDns()).isNull();
    assertThat(options.kubernetesNamespace()).isNull();
    assertThat(options.kubernetesServiceName()).isNull();
  }

  @Test
  void optionsRefuseWhatCannotForm() {
    assertRefused("clusterName", () -> HazelcastClusterOptions.tcpIp(" ", "127.0.0.1", 0, List.of()));
    assertRefused("host", () -> HazelcastClusterOptions.tcpIp("gh", "", 0, List.of()));
    assertRefused("host", () -> HazelcastClusterOptions.tcpIp("gh", "10.0.0.1 10.0.0.2", 0, List.of()));
    assertRefused("port", () -> HazelcastClusterOptions.tcpIp("gh", "127.0.0.1", -1, List.of()));
    assertRefused("port", () -> HazelcastClusterOptions.tcpIp("gh", "127.0.0.1", 65536, List.of()));
    assertRefused("member", () -> HazelcastClusterOptions.tcpIp("gh", "127.0.0.1", 0, List.of("a,b")));
    assertRefused("member", () -> HazelcastClusterOptions.tcpIp("gh", "127.0.0.1", 0, Arrays.asList("a", null)));
    assertRefused("member", () -> HazelcastClusterOptions.tcpIp("gh", "127.0.0.1", 0, List.of(" ")));
    assertRefused("KUBERNETES only", () ->
        new HazelcastClusterOptions("gh", "0.0.0.0", 5701, Discovery.TCP_IP, List.of(), "svc.ns.svc", null, null));
    assertRefused("TCP_IP only", () ->
        new HazelcastClusterOptions("gh", "0.0.0.0", 5701, Discovery.KUBERNETES, List.of("a"), "svc.ns.svc", null, null));
    assertRefused("fixed port", () -> HazelcastClusterOptions.kubernetesDns("gh", "0.0.0.0", 0, "svc.ns.svc"));
    assertRefused("exactly one", () -> HazelcastClusterOptions.kubernetesDns("gh", "0.0.0.0", 5701, ""));
    assertRefused("exactly one", () ->
        new HazelcastClusterOptions("gh", "0.0.0.0", 5701, Discovery.KUBERNETES, List.of(), "svc.ns.svc", null, "svc"));
    assertRefused("kubernetesNamespace", () ->
        new HazelcastClusterOptions("gh", "0.0.0.0", 5701, Discovery.KUBERNETES, List.of(), "svc.ns.svc", "ns", null));
    assertThatThrownBy(() -> new HazelcastClusterOptions("gh", "0.0.0.0", 5701, null, List.of(), null, null, null))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("discovery");
  }

  @Test
  void membersAreCopied() {
    List<String> members = new java.util.ArrayList<>(List.of("10.0.0.1"));
    HazelcastClusterOptions options = HazelcastClusterOptions.tcpIp("gh", "127.0.0.1", 0, members);
    members.add("10.0.0.2");

    assertThat(options.members()).containsExactly("10.0.0.1");
  }

  private static void assertRefused(String messagePart, Runnable make) {
    assertThatThrownBy(make::run).isInstanceOf(IllegalArgumentException.class).hasMessageContaining(messagePart);
  }

  /** Asserts that {@code enabled} is the only join mechanism switched on. */
  private static void assertOnlyJoin(JoinConfig join, String enabled) {
    assertThat(join.getMulticastConfig().isEnabled()).as("multicast").isFalse();
    assertThat(join.getAutoDetectionConfig().isEnabled()).as("auto-detection").isFalse();
    assertThat(join.isAutoDetectionEnabled()).as("auto-detection in effect").isFalse();
    assertThat(join.getTcpIpConfig().isEnabled()).as("tcp-ip").isEqualTo(enabled.equals("tcp-ip"));
    assertThat(join.getKubernetesConfig().isEnabled()).as("kubernetes").isEqualTo(enabled.equals("kubernetes"));
    assertThat(join.getAwsConfig().isEnabled()).as("aws").isFalse();
    assertThat(join.getGcpConfig().isEnabled()).as("gcp").isFalse();
    assertThat(join.getAzureConfig().isEnabled()).as("azure").isFalse();
    assertThat(join.getEurekaConfig().isEnabled()).as("eureka").isFalse();
    join.verify(); // Hazelcast's own check: at most one join mechanism
  }

  // ---------------------------------------------------------------- split-brain protection

  @Test
  void expectedMembersGivesTheCodeAndSessionMapsAMajorityQuorumOfRecentlyActiveMembers() {
    Config config = HazelcastCluster.config(TCP.withExpectedMembers(3));

    var quorum = config.getSplitBrainProtectionConfigs().get(HazelcastCluster.QUORUM);
    assertThat(quorum.isEnabled()).isTrue();
    assertThat(quorum.getMinimumClusterSize()).isEqualTo(2);
    assertThat(quorum.getProtectOn()).isEqualTo(com.hazelcast.splitbrainprotection.SplitBrainProtectionOn.READ_WRITE);
    // recently active over Gatehouse nodes, with heartbeats aged on the cluster's clock (chaos finding K5)
    assertThat(quorum.getFunctionImplementation()).isInstanceOf(NodeQuorumFunction.class)
        .isInstanceOf(com.hazelcast.splitbrainprotection.HeartbeatAware.class);
    assertThat(config.getMapConfig(HazelcastCluster.CODE_MAP).getSplitBrainProtectionName()).isEqualTo(HazelcastCluster.QUORUM);
    assertThat(config.getMapConfig(HazelcastCluster.SESSION_MAP).getSplitBrainProtectionName()).isEqualTo(HazelcastCluster.QUORUM);
    // Vert.x's own structures (event bus subscriptions) stay unprotected
    assertThat(config.getMultiMapConfig("__vertx.subs").getSplitBrainProtectionName()).isNull();
  }

  @Test
  void quorumIsAStrictMajorityAndZeroExpectedMembersIsNoProtection() {
    assertThat(List.of(1, 2, 3, 4, 5, 6).stream().map(n -> TCP.withExpectedMembers(n).quorum())).containsExactly(1, 2, 2, 3, 3, 4);
    assertThat(TCP.quorum()).isZero();
    Config config = HazelcastCluster.config(TCP);
    assertThat(config.getSplitBrainProtectionConfigs()).isEmpty();
    assertThat(config.getMapConfig(HazelcastCluster.CODE_MAP).getSplitBrainProtectionName()).isNull();
    assertThatThrownBy(() -> TCP.withExpectedMembers(-1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> TCP.withExpectedMembers(100)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void splitsMergeWithinSecondsUsedMarkersAreUnitedAndTheMajoritysSessionsWin() {
    Config config = HazelcastCluster.config(TCP);

    assertThat(config.getProperties()).contains(
        org.assertj.core.api.Assertions.entry("hazelcast.merge.first.run.delay.seconds", "10"),
        org.assertj.core.api.Assertions.entry("hazelcast.merge.next.run.delay.seconds", "5"),
        org.assertj.core.api.Assertions.entry("hazelcast.heartbeat.interval.seconds", "1"));
    assertThat(HazelcastCluster.QUORUM_HEARTBEAT_TOLERANCE_MILLIS).isLessThan(HazelcastCluster.MAX_NO_HEARTBEAT_SECONDS * 1000);
    assertThat(config.getMapConfig(HazelcastCluster.CODE_MAP).getMergePolicyConfig().getPolicy())
        .isEqualTo(com.hazelcast.spi.merge.PutIfAbsentMergePolicy.class.getName());
    assertThat(config.getMapConfig(HazelcastCluster.SESSION_MAP).getMergePolicyConfig().getPolicy())
        .isEqualTo(com.hazelcast.spi.merge.DiscardMergePolicy.class.getName());
  }
}
