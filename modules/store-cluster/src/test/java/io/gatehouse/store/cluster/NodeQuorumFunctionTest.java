package io.gatehouse.store.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.hazelcast.cluster.Address;
import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.impl.MemberImpl;
import com.hazelcast.version.MemberVersion;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The quorum function on its own: which members count, and heartbeats aged on the cluster's clock,
 * whatever this machine's wall clock says (chaos finding K5).
 */
class NodeQuorumFunctionTest {
  private static final int TOLERANCE_MS = 5_000;
  // the cluster's time runs 20 s behind this machine's wall clock: this member's clock is 20 s ahead
  private final AtomicLong clusterTime = new AtomicLong(System.currentTimeMillis() - 20_000);
  private final NodeQuorumFunction quorum = new NodeQuorumFunction(2, TOLERANCE_MS, clusterTime::get);
  private final Member self = member(5701, true, true);
  private final Member peer = member(5702, false, true);
  private final Member api = member(5703, false, false);

  @Test
  void applyWhenThisMembersWallClockIsAheadThenAPeersFreshHeartbeatCounts() {
    quorum.onHeartbeat(peer, clusterTime.get() - 1_000);
    assertThat(quorum.apply(List.of(self, peer))).isTrue();
  }

  @Test
  void applyWhenAPeersLastHeartbeatIsOlderThanTheToleranceThenNoQuorum() {
    quorum.onHeartbeat(peer, clusterTime.get());
    clusterTime.addAndGet(TOLERANCE_MS);
    assertThat(quorum.apply(List.of(self, peer))).isFalse();
  }

  @Test
  void applyWhenAPeerHasNotSentAHeartbeatYetThenItDoesNotCount() {
    assertThat(quorum.apply(List.of(self, peer))).isFalse();
  }

  @Test
  void applyWhenTheOtherMemberIsNotAGatehouseNodeThenItNeverCounts() {
    quorum.onHeartbeat(api, clusterTime.get());
    assertThat(quorum.apply(List.of(self, api))).isFalse();
  }

  private static Member member(int port, boolean local, boolean node) {
    try {
      return new MemberImpl.Builder(new Address("127.0.0.1", port))
          .localMember(local)
          .uuid(UUID.randomUUID())
          .version(MemberVersion.of(5, 3, 8))
          .attributes(node ? Map.of(HazelcastCluster.ROLE_ATTRIBUTE, HazelcastCluster.NODE_ROLE) : Map.of())
          .build();
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }
}
