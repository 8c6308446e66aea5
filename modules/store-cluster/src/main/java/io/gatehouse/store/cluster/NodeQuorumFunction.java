package io.gatehouse.store.cluster;

import com.hazelcast.cluster.Member;
import com.hazelcast.splitbrainprotection.impl.RecentlyActiveSplitBrainProtectionFunction;
import java.util.Collection;

/**
 * Hazelcast's recently-active split-brain protection counted over Gatehouse nodes only: a member
 * counts when it carries {@link HazelcastCluster#ROLE_ATTRIBUTE} = {@link HazelcastCluster#NODE_ROLE}
 * (every member {@link HazelcastCluster#config} builds) and, unless it is this member, its last
 * heartbeat is younger than the tolerance. Any other member of the cluster (an API that joined to take
 * revocations from the event bus, {@link HazelcastCluster#peerConfig}) never makes a minority of nodes
 * a "majority" of {@code cluster.expected_members} (issue 12, fault finding 3).
 */
final class NodeQuorumFunction extends RecentlyActiveSplitBrainProtectionFunction {
  NodeQuorumFunction(int quorum, int heartbeatToleranceMillis) {
    super(quorum, heartbeatToleranceMillis);
  }

  @Override
  public boolean apply(Collection<Member> members) {
    return super.apply(members.stream().filter(HazelcastCluster::isNode).toList());
  }
}
