package io.gatehouse.store.cluster;

import static io.gatehouse.testing.Await.await;
import static io.gatehouse.testing.Await.awaitFailure;
import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.core.error.OAuthErrorCode;
import io.gatehouse.core.error.OAuthException;
import io.gatehouse.core.model.AuthorizationCode;
import io.gatehouse.core.model.Scopes;
import io.gatehouse.core.store.AuthorizationCodeStore;
import io.gatehouse.core.store.SharedDataAuthorizationCodeStore;
import io.gatehouse.testing.Await;
import io.vertx.core.Future;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Split-brain protection with {@code expectedMembers} 3 (quorum 2) on real Hazelcast members over
 * loopback: a member left alone refuses every use of the code map, through the store (503
 * {@code temporarily_unavailable}) and in Hazelcast itself, and serves again once a second member joins.
 */
class SplitBrainProtectionTest {
  private static final Duration DEADLINE = Duration.ofSeconds(30);
  private final List<TestCluster.Node> started = new ArrayList<>();

  @AfterEach
  void stop() {
    for (TestCluster.Node n : started) {
      await(n.vertx().close().recover(e -> Future.succeededFuture()));
    }
  }

  private TestCluster.Node start(String cluster, List<String> members, int expected) {
    TestCluster.Node node = await(TestCluster.start(cluster, members, expected));
    started.add(node);
    return node;
  }

  @Test
  void memberLeftWithoutMajorityRefusesCodesThenRedeemsOnceAMemberJoins() {
    String cluster = TestCluster.randomClusterName();
    TestCluster.Node a = start(cluster, List.of(), 3);
    TestCluster.Node b = start(cluster, List.of(a.address()), 3);
    Await.until("A and B see their quorum", DEADLINE, () -> HazelcastCluster.hasQuorum(a.vertx()) && HazelcastCluster.hasQuorum(b.vertx()));
    AuthorizationCodeStore raw = SharedDataAuthorizationCodeStore.create(a.vertx(), Clock.systemUTC(), Duration.ofMinutes(10));
    AuthorizationCodeStore codes = new QuorumCodeStore(raw, a.vertx());
    String hash = "h-" + UUID.randomUUID();
    await(codes.put(hash, code()));

    await(b.vertx().close());
    Await.until("A loses its quorum", DEADLINE, () -> !HazelcastCluster.hasQuorum(a.vertx()));

    assertRefused(codes.consume(hash));
    assertRefused(codes.peek(hash));
    assertRefused(codes.put("h-" + UUID.randomUUID(), code()));
    // Hazelcast refuses on its own too, not only the store's check before the call
    Throwable direct = awaitFailure(raw.consume(hash));
    assertThat(HazelcastCluster.isQuorumLoss(direct)).as("%s is a split-brain protection refusal", direct).isTrue();

    TestCluster.Node c = start(cluster, List.of(a.address()), 3);
    Await.until("A sees its quorum again", DEADLINE, () -> HazelcastCluster.hasQuorum(a.vertx()) && HazelcastCluster.hasQuorum(c.vertx()));
    // the code stored before the split survived on A and is redeemed exactly once
    assertThat(await(codes.consume(hash))).isTrue();
    assertThat(await(new QuorumCodeStore(SharedDataAuthorizationCodeStore.create(c.vertx(), Clock.systemUTC(),
        Duration.ofMinutes(10)), c.vertx()).consume(hash))).isFalse();
  }

  /**
   * Only Gatehouse nodes count towards the quorum: a member that is not a node (the example API,
   * joined to take revocations from the event bus) must not make one node of an expected 3 a
   * "majority" (issue 12, fault finding 3).
   */
  @Test
  void quorumWhenNonNodeMemberJoinsThenOnlyGatehouseNodesCount() {
    String cluster = TestCluster.randomClusterName();
    TestCluster.Node a = start(cluster, List.of(), 3);
    TestCluster.Node api = await(TestCluster.startPeer(cluster, List.of(a.address())));
    started.add(api);
    Await.until("A and the API see each other", DEADLINE, () -> a.clusterSize() == 2 && api.clusterSize() == 2);
    assertThat(HazelcastCluster.hasQuorum(a.vertx())).as("1 node + 1 non-node member of an expected 3").isFalse();
    // and it holds no partition of Gatehouse's maps
    assertThat(api.hazelcast().getCluster().getLocalMember().isLiteMember()).isTrue();

    TestCluster.Node b = start(cluster, List.of(a.address()), 3);
    Await.until("2 nodes of an expected 3 (plus the API) see their quorum", DEADLINE,
        () -> HazelcastCluster.hasQuorum(a.vertx()) && HazelcastCluster.hasQuorum(b.vertx()));

    await(b.vertx().close());
    Await.until("A, left with the API only, loses its quorum", DEADLINE, () -> a.clusterSize() == 2 && !HazelcastCluster.hasQuorum(a.vertx()));
    assertRefused(new QuorumCodeStore(SharedDataAuthorizationCodeStore.create(a.vertx(), Clock.systemUTC(), Duration.ofMinutes(10)),
        a.vertx()).put("h-" + UUID.randomUUID(), code()));
  }

  @Test
  void loneMemberWithoutExpectedMembersServesAndWithThreeExpectedDoesNot() {
    TestCluster.Node off = start(TestCluster.randomClusterName(), List.of(), 0);
    TestCluster.Node on = start(TestCluster.randomClusterName(), List.of(), 3);
    assertThat(HazelcastCluster.hasQuorum(off.vertx())).isTrue();
    assertThat(HazelcastCluster.hasQuorum(on.vertx())).isFalse();
    AuthorizationCodeStore unprotected = new QuorumCodeStore(
        SharedDataAuthorizationCodeStore.create(off.vertx(), Clock.systemUTC(), Duration.ofMinutes(10)), off.vertx());
    String hash = "h-" + UUID.randomUUID();
    await(unprotected.put(hash, code()));
    assertThat(await(unprotected.consume(hash))).isTrue();
    assertRefused(new QuorumCodeStore(SharedDataAuthorizationCodeStore.create(on.vertx(), Clock.systemUTC(), Duration.ofMinutes(10)),
        on.vertx()).put(hash, code()));
  }

  private static AuthorizationCode code() {
    long now = Clock.systemUTC().instant().getEpochSecond();
    return new AuthorizationCode("g-" + UUID.randomUUID(), "rp", "alice", "https://rp.example/cb", true, Scopes.fromStored("openid"),
        null, null, null, now, now + 600);
  }

  private static void assertRefused(Future<?> f) {
    Throwable e = awaitFailure(f);
    assertThat(e).isInstanceOf(OAuthException.class);
    OAuthException oauth = (OAuthException) e;
    assertThat(oauth.code()).isEqualTo(OAuthErrorCode.TEMPORARILY_UNAVAILABLE);
    assertThat(oauth.status()).isEqualTo(503);
    assertThat(oauth.retryAfterSeconds()).isEqualTo(QuorumCodeStore.RETRY_AFTER_SECONDS);
  }
}
