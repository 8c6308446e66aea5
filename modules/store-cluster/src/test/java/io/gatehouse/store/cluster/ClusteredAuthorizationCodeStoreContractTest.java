package io.gatehouse.store.cluster;

import static io.gatehouse.testing.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

import com.hazelcast.cluster.Member;
import com.hazelcast.core.EntryView;
import io.gatehouse.core.model.AuthorizationCode;
import io.gatehouse.core.store.AuthorizationCodeStore;
import io.gatehouse.core.store.SharedDataAuthorizationCodeStore;
import io.gatehouse.store.contract.AuthorizationCodeStoreContract;
import io.gatehouse.testing.Await;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Runs the {@link AuthorizationCodeStoreContract} on {@link SharedDataAuthorizationCodeStore} over two
 * clustered Vert.x nodes (real Hazelcast members on loopback, configured by {@link HazelcastCluster}):
 * node A's store and node B's store share the cluster-wide map, so a code put on A is peeked and
 * consumed on B, and the concurrent redemptions race from both members. The two nodes serve every test
 * of the class; the tests about a member leaving start a third one.
 */
class ClusteredAuthorizationCodeStoreContractTest extends AuthorizationCodeStoreContract {
  private static final Duration MEMBER_CHANGE_TIMEOUT = Duration.ofSeconds(30);

  /**
   * How long one call on the map may take: the default (2 s) is what a node answers 503 after, but fifty
   * racers on a loaded machine can wait longer without anything being wrong. A longer bound only makes a
   * failing test take longer; the stores of a member that has left keep the default.
   */
  private static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);

  private static String clusterName;
  private static TestCluster.Node nodeA;
  private static TestCluster.Node nodeB;

  @BeforeAll
  static void startCluster() {
    clusterName = TestCluster.randomClusterName();
    nodeA = await(TestCluster.start(clusterName, List.of()));
    nodeB = await(TestCluster.start(clusterName, List.of(nodeA.address())));
    assertThat(nodeA.clusterSize()).as("members seen by A").isEqualTo(2);
    assertThat(nodeB.clusterSize()).as("members seen by B").isEqualTo(2);
  }

  @AfterAll
  static void stopCluster() {
    try {
      if (nodeB != null) {
        await(nodeB.vertx().close());
      }
    } finally {
      if (nodeA != null) {
        await(nodeA.vertx().close());
      }
    }
  }

  @Override
  protected AuthorizationCodeStore newStore(Node node, Clock clock, Duration usedMarkerLifetime) {
    return SharedDataAuthorizationCodeStore.create(vertx(node), clock, usedMarkerLifetime, CALL_TIMEOUT);
  }

  @Override
  protected Vertx vertx(Node node) {
    return (node == Node.A ? nodeA : nodeB).vertx();
  }

  /**
   * Stores on a member that has left the cluster: one that was in use before, one created after.
   */
  @Override
  protected List<AuthorizationCodeStore> storesWithFailedBackend() {
    TestCluster.Node gone = await(TestCluster.start(clusterName, List.of(nodeA.address())));
    AuthorizationCodeStore usedBefore = SharedDataAuthorizationCodeStore.create(gone.vertx(), Clock.systemUTC(), USED_MARKER_LIFETIME);
    assertThat(await(usedBefore.peek(uniqueHash()))).isEmpty();
    await(gone.vertx().close());
    AuthorizationCodeStore createdAfter = SharedDataAuthorizationCodeStore.create(gone.vertx(), Clock.systemUTC(), USED_MARKER_LIFETIME);
    awaitClusterSize(2);
    return List.of(usedBefore, createdAfter);
  }

  // ---------------------------------------------------------------- the cluster-wide map

  @Test
  void putLandsInTheClusterMapWithTheCodesRemainingLifetimeAsTtl() {
    String hash = uniqueHash();
    long expiresAt = inMinutes(2);

    await(store(Node.A).put(hash, fullCode(expiresAt)));

    EntryView<Object, Object> entry = nodeB.hazelcast().getMap(HazelcastCluster.CODE_MAP).getEntryView(hash);
    assertThat(entry).as("entry of the code in the IMap, read on B").isNotNull();
    long remaining = expiresAt * 1000 - System.currentTimeMillis();
    assertThat(entry.getTtl()).as("TTL of the entry (ms)").isBetween(remaining - 5_000, remaining + 1_000);
    assertThat(nodeB.hazelcast().getConfig().getMapConfig(HazelcastCluster.CODE_MAP).getBackupCount())
        .as("backup count in effect")
        .isEqualTo(1);
  }

  @Test
  void consumeWritesAUsedMarkerWithTheUsedMarkerLifetimeAsTtl() {
    String hash = uniqueHash();
    await(store(Node.A).put(hash, fullCode(inMinutes(2))));

    assertThat(await(store(Node.B).consume(hash))).isTrue();

    var map = nodeA.hazelcast().getMap(HazelcastCluster.CODE_MAP);
    assertThat(map.containsKey(hash)).as("live entry after consume").isFalse();
    EntryView<Object, Object> marker = map.getEntryView("u:" + hash);
    assertThat(marker).as("used-marker entry").isNotNull();
    assertThat(marker.getTtl()).as("used-marker TTL (ms)").isEqualTo(USED_MARKER_LIFETIME.toMillis());
  }

  // ---------------------------------------------------------------- members leaving

  /** A rolling update: the member that issued the codes closes gracefully. */
  @Test
  void codesStoredOnANodeThatLeftAreRedeemableExactlyOnceOnTheOthers() {
    codesSurviveTheDepartureOfTheNodeThatStoredThem(node -> await(node.vertx().close()));
  }

  /**
   * A crash: the member that issued the codes vanishes without handing anything over, so only the
   * backups on the other members hold its partitions.
   */
  @Test
  void codesStoredOnANodeThatCrashedAreRedeemableExactlyOnceOnTheOthers() {
    codesSurviveTheDepartureOfTheNodeThatStoredThem(node -> {
      node.hazelcast().getLifecycleService().terminate();
      // Vert.x's side of it: its member is gone already, so leaving fails, and Vert.x logs that
      Logger vertxLog = Logger.getLogger("io.vertx.core.impl.VertxImpl");
      Level level = vertxLog.getLevel();
      vertxLog.setLevel(Level.OFF);
      try {
        await(node.vertx().close().recover(e -> Future.succeededFuture()));
      } finally {
        vertxLog.setLevel(level);
      }
    });
  }

  /**
   * Starts a third member C, stores codes through it (redeeming some of them there), lets C leave as
   * {@code leave} says, then checks on A and B that every unredeemed code is redeemable exactly once
   * and every redeemed one stays redeemed.
   */
  private void codesSurviveTheDepartureOfTheNodeThatStoredThem(Consumer<TestCluster.Node> leave) {
    TestCluster.Node nodeC = await(TestCluster.start(clusterName, List.of(nodeA.address(), nodeB.address())));
    List<Issued> issued = new ArrayList<>();
    boolean left = false;
    try {
      awaitClusterSize(3);
      // partitions move to a new member after it has joined: wait until C owns its share
      awaitClusterSafe(nodeC);
      AuthorizationCodeStore onC = SharedDataAuthorizationCodeStore.create(nodeC.vertx(), Clock.systemUTC(), USED_MARKER_LIFETIME);
      // what C owns, only its backups keep after a crash: issue codes (redeeming every other one on C)
      // until C owns the partitions of several live codes and of several used-markers (another key)
      Member memberC = nodeC.hazelcast().getCluster().getLocalMember();
      int liveOwnedByC = 0;
      int markersOwnedByC = 0;
      for (int i = 0; (liveOwnedByC < 5 || markersOwnedByC < 5) && i < 500; i++) {
        Issued code = new Issued(uniqueHash(), fullCode(inMinutes(10)), i % 2 == 0);
        await(onC.put(code.hash(), code.code()));
        if (code.redeemedOnC()) {
          assertThat(await(onC.consume(code.hash()))).as("consume on C").isTrue();
          markersOwnedByC += memberC.equals(ownerOf("u:" + code.hash())) ? 1 : 0;
        } else {
          liveOwnedByC += memberC.equals(ownerOf(code.hash())) ? 1 : 0;
        }
        issued.add(code);
      }
      assertThat(liveOwnedByC).as("live codes in partitions C owns").isGreaterThanOrEqualTo(5);
      assertThat(markersOwnedByC).as("used-markers in partitions C owns").isGreaterThanOrEqualTo(5);

      leave.accept(nodeC);
      left = true;
    } finally {
      if (!left) {
        await(nodeC.vertx().close());
      }
    }
    awaitClusterSize(2);

    for (Issued code : issued) {
      assertStored(await(store(Node.B).peek(code.hash())), code.code(), code.redeemedOnC());
      if (!code.redeemedOnC()) {
        assertThat(await(store(Node.B).consume(code.hash()))).as("consume on B of %s", code.code()).isTrue();
      }
      assertThat(await(store(Node.A).consume(code.hash()))).as("replay on A of %s", code.code()).isFalse();
    }
  }

  private record Issued(String hash, AuthorizationCode code, boolean redeemedOnC) {}

  private static Member ownerOf(String key) {
    return nodeA.hazelcast().getPartitionService().getPartition(key).getOwner();
  }

  /** Waits until no partition of the cluster lacks a backup and no migration is under way. */
  private static void awaitClusterSafe(TestCluster.Node node) {
    Await.until("cluster safe (no migration running)", MEMBER_CHANGE_TIMEOUT,
        () -> node.hazelcast().getPartitionService().isClusterSafe());
  }

  /** Waits until A and B both see exactly {@code size} members. */
  private static void awaitClusterSize(int size) {
    Await.until("A and B see " + size + " members", MEMBER_CHANGE_TIMEOUT,
        () -> nodeA.clusterSize() == size && nodeB.clusterSize() == size);
  }
}
