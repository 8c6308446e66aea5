package io.gatehouse.store.cluster;

import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceAware;
import com.hazelcast.splitbrainprotection.HeartbeatAware;
import com.hazelcast.splitbrainprotection.SplitBrainProtectionFunction;
import java.util.Collection;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.LongSupplier;

/**
 * A recently-active split-brain protection over Gatehouse nodes only, with heartbeats aged on the
 * cluster's clock.
 *
 * <ul>
 *   <li><b>Nodes only.</b> A member counts when it carries {@link HazelcastCluster#ROLE_ATTRIBUTE} =
 *       {@link HazelcastCluster#NODE_ROLE} (every member {@link HazelcastCluster#config} builds) and,
 *       unless it is this member, its last heartbeat is younger than the tolerance. Any other member of
 *       the cluster (an API that joined to take revocations from the event bus,
 *       {@link HazelcastCluster#peerConfig}) never makes a minority of nodes a "majority" of
 *       {@code cluster.expected_members} (issue 12, fault finding 3).
 *   <li><b>The cluster's clock, not this machine's.</b> Hazelcast stamps each heartbeat with its
 *       sender's cluster time (the sender's wall clock corrected to the master's), and its own
 *       {@code RecentlyActiveSplitBrainProtectionFunction} ages those stamps against this machine's
 *       uncorrected wall clock. So a member whose wall clock ran more than the tolerance ahead of the
 *       master's found every peer silent and never had its quorum; since it still owned partitions of
 *       the code and session maps, the other nodes' logins failed too (chaos finding K5: one node 20 s
 *       ahead made 86 % of {@code /authorize} on the two others answer 503). This function ages the
 *       stamps against {@code Cluster.getClusterTime()}, the same corrected clock, so a member's wall
 *       clock offset cancels out and only the time a heartbeat took to arrive (or was not sent) counts.
 *       A member resumed after a pause still finds the heartbeats buffered during the pause old, as
 *       before: both clocks moved on while it was stopped.
 * </ul>
 */
final class NodeQuorumFunction implements SplitBrainProtectionFunction, HeartbeatAware, MembershipListener, HazelcastInstanceAware {
  private final int quorum;
  private final long toleranceMillis;
  private final ConcurrentMap<Member, Long> lastHeartbeat = new ConcurrentHashMap<>();
  // until Hazelcast hands this function its member (before the member has joined, nothing to age)
  private volatile LongSupplier clusterTime = System::currentTimeMillis;

  NodeQuorumFunction(int quorum, int heartbeatToleranceMillis) {
    this.quorum = quorum;
    this.toleranceMillis = heartbeatToleranceMillis;
  }

  /** For tests: heartbeats aged against {@code clusterTime}. */
  NodeQuorumFunction(int quorum, int heartbeatToleranceMillis, LongSupplier clusterTime) {
    this(quorum, heartbeatToleranceMillis);
    this.clusterTime = clusterTime;
  }

  @Override
  public void setHazelcastInstance(HazelcastInstance instance) {
    var cluster = instance.getCluster();
    clusterTime = cluster::getClusterTime;
  }

  @Override
  public boolean apply(Collection<Member> members) {
    long now = clusterTime.getAsLong();
    int present = 0;
    for (Member m : members) {
      if (!HazelcastCluster.isNode(m)) {
        continue;
      }
      if (m.localMember()) {
        present++;
        continue;
      }
      Long last = lastHeartbeat.get(m);
      if (last != null && now - last < toleranceMillis) {
        present++;
      }
    }
    return present >= quorum;
  }

  /** {@code timestamp}: the sender's cluster time when it sent the heartbeat (Hazelcast's contract). */
  @Override
  public void onHeartbeat(Member member, long timestamp) {
    lastHeartbeat.put(member, timestamp);
  }

  @Override
  public void memberAdded(MembershipEvent event) {}

  @Override
  public void memberRemoved(MembershipEvent event) {
    lastHeartbeat.remove(event.getMember());
  }
}
