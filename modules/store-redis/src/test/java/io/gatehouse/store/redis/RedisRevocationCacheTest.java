package io.gatehouse.store.redis;

import static io.gatehouse.testing.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.core.revocation.Revocation;
import io.gatehouse.core.revocation.Revocation.Kind;
import io.gatehouse.store.contract.StoreContractSupport;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What {@link RedisRevocationCache} does beyond the contracts: its key layout and expiry, the
 * server's clock deciding what has expired, the fill sentinel and the completeness checks of
 * {@link RedisRevocationCache#snapshot}, and merging that stays exact whatever the value holds. Times
 * are taken from now, since Redis expires entries by its own clock. Each test has a key prefix of its
 * own, deleted afterwards.
 */
class RedisRevocationCacheTest extends StoreContractSupport {
  private static Vertx vertx;
  private static Vertx otherVertx;
  private static Redis raw;

  private String prefix;
  private RedisRevocationCache cache;
  private RedisRevocationCache otherNode;

  @BeforeAll
  static void setUp() {
    vertx = Vertx.vertx();
    otherVertx = Vertx.vertx();
    raw = TestRedis.raw(vertx);
  }

  @AfterAll
  static void tearDown() {
    await(raw.close());
    await(otherVertx.close());
    await(vertx.close());
  }

  @BeforeEach
  void openCaches() {
    prefix = TestRedis.randomPrefix();
    cache = RedisRevocationCache.create(vertx, TestRedis.options(prefix, "unused"));
    otherNode = RedisRevocationCache.create(otherVertx, TestRedis.options(prefix, "unused"));
  }

  @AfterEach
  void closeCaches() {
    try {
      TestRedis.deleteKeys(raw, prefix);
    } finally {
      await(cache.close());
      await(otherNode.close());
    }
  }

  @Override
  protected Vertx vertx() {
    return vertx;
  }

  private static long now() {
    return Instant.now().getEpochSecond();
  }

  private Response redis(Request request) {
    return TestRedis.send(raw, request);
  }

  @Test
  void anEntryIsOneKeyHoldingItsJsonThatExpiresAtExpiresAtAndIsListedInTheIndex() {
    long now = now();
    Revocation r = new Revocation(Kind.TOKEN, uniqueId("jti"), now, now + 600);

    await(cache.add(r));

    String key = prefix + "rev:token:" + r.value();
    assertThat(new JsonObject(redis(Request.cmd(Command.GET).arg(key)).toString())).isEqualTo(r.toJson());
    assertThat(redis(Request.cmd(Command.PEXPIRETIME).arg(key)).toLong()).isEqualTo((now + 600) * 1000);
    assertThat(redis(Request.cmd(Command.ZSCORE).arg(prefix + "revs").arg("token:" + r.value())).toLong()).isEqualTo(now + 600);
    assertThat(TestRedis.countKeys(raw, prefix)).as("the entry and the index").isEqualTo(2);
  }

  @Test
  void anEntryThatHasAlreadyExpiredByTheServersClockIsNotStored() {
    long now = now();

    await(cache.add(new Revocation(Kind.GRANT, uniqueId("grant"), now - 100, now - 10)));

    assertThat(TestRedis.countKeys(raw, prefix)).isZero();
  }

  @Test
  void addDropsIndexMembersThatHaveExpiredByTheServersClock() {
    long now = now();
    Revocation shortLived = new Revocation(Kind.TOKEN, uniqueId("jti"), now - 20, now - 10);
    // the index member an earlier add left, now behind the server's clock (and Redis has let its entry
    // go): written directly, since add stores nothing already expired and the server's clock cannot be moved
    redis(Request.cmd(Command.ZADD).arg(prefix + "revs").arg(shortLived.expiresAt()).arg(shortLived.key()));

    await(cache.add(new Revocation(Kind.TOKEN, uniqueId("jti"), now, now + 600)));

    assertThat(redis(Request.cmd(Command.ZSCORE).arg(prefix + "revs").arg(shortLived.key()))).isNull();
    assertThat(redis(Request.cmd(Command.ZCARD).arg(prefix + "revs")).toInteger()).isEqualTo(1);
  }

  @Test
  void purgeExpiredTrimsTheIndexUpToTheCallersNowAndAnswersHowMany() {
    long now = now();
    Revocation soon = new Revocation(Kind.SUBJECT, uniqueId("sub"), now, now + 100);
    Revocation live = new Revocation(Kind.TOKEN, uniqueId("jti"), now, now + 900);
    await(cache.add(soon));
    await(cache.add(live));
    // members left behind by entries that Redis has already let go
    redis(Request.cmd(Command.ZADD).arg(prefix + "revs").arg(now - 10).arg("token:gone-1").arg(now - 5).arg("token:gone-2"));

    assertThat(await(cache.purgeExpired(now + 200))).isEqualTo(3);

    assertThat(redis(Request.cmd(Command.ZCARD).arg(prefix + "revs")).toInteger()).isEqualTo(1);
    assertThat(await(otherNode.active(now))).containsExactly(live);
  }

  @Test
  void fillSetsAMarkerWithoutExpiryThatASecondFillKeeps() {
    long now = now();
    await(cache.fill(List.of(new Revocation(Kind.CLIENT, uniqueId("client"), now, now + 600))));
    String marker = prefix + "rev:complete";
    String first = redis(Request.cmd(Command.GET).arg(marker)).toString();

    await(otherNode.fill(List.of()));

    assertThat(redis(Request.cmd(Command.TTL).arg(marker)).toLong()).as("no expiry").isEqualTo(-1);
    assertThat(redis(Request.cmd(Command.GET).arg(marker)).toString()).isEqualTo(first);
    assertThat(TestRedis.countKeys(raw, prefix + "rev:filling:")).as("sentinels left behind").isZero();
  }

  @Test
  void aFillWhoseSentinelWasLostDoesNotMarkTheCacheComplete() {
    String marker = prefix + "rev:complete";
    String lost = prefix + "rev:filling:lost";
    String kept = prefix + "rev:filling:kept";

    Response whenLost = await(RedisRevocationCache.FINISH_FILL.run(raw, List.of(lost, marker), List.of("lost")));

    assertThat(whenLost.toInteger()).isZero();
    assertThat(redis(Request.cmd(Command.EXISTS).arg(marker)).toInteger()).isZero();
    assertThat(await(cache.snapshot(now()))).isEmpty();

    redis(Request.cmd(Command.SET).arg(kept).arg("1"));
    Response whenKept = await(RedisRevocationCache.FINISH_FILL.run(raw, List.of(kept, marker), List.of("kept")));

    assertThat(whenKept.toInteger()).isEqualTo(1);
    assertThat(redis(Request.cmd(Command.GET).arg(marker)).toString()).isEqualTo("kept");
    assertThat(redis(Request.cmd(Command.EXISTS).arg(kept)).toInteger()).as("sentinel deleted").isZero();
    assertThat(await(cache.snapshot(now()))).contains(List.of());
  }

  @Test
  void snapshotIsEmptyWhenAnEntryTheIndexListsAsLiveIsMissingButActiveAnswersTheRest() {
    long now = now();
    Revocation evicted = new Revocation(Kind.TOKEN, uniqueId("jti"), now, now + 600);
    Revocation kept = new Revocation(Kind.SUBJECT, uniqueId("sub"), now, now + 600);
    await(cache.fill(List.of(evicted, kept)));
    assertThat(await(cache.snapshot(now)).orElseThrow()).containsExactlyInAnyOrder(evicted, kept);

    // what an eviction under memory pressure does: the entry goes, the index and the marker stay
    redis(Request.cmd(Command.DEL).arg(prefix + "rev:" + evicted.key()));

    assertThat(await(cache.snapshot(now))).isEmpty();
    assertThat(await(cache.active(now))).containsExactly(kept);
  }

  @Test
  void anEntryThatIsNotARevocationFailsActiveAndSnapshotRatherThanBeingSkipped() {
    long now = now();
    await(cache.fill(List.of()));
    redis(Request.cmd(Command.SET).arg(prefix + "rev:token:x").arg("not json"));
    redis(Request.cmd(Command.ZADD).arg(prefix + "revs").arg(now + 600).arg("token:x"));

    assertThat(failureOf(() -> cache.active(now))).isInstanceOf(IllegalStateException.class);
    assertThat(failureOf(() -> cache.snapshot(now))).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void mergingStaysExactWhenTheValueLooksLikeTheStoredTimes() {
    long now = now();
    String value = uniqueId("x\",\"revoked_at\":99999999999,\"expires_at\":99999999999}\\\"ü'%*[]{}");
    await(cache.add(new Revocation(Kind.SUBJECT, value, now + 100, now + 600)));

    await(otherNode.add(new Revocation(Kind.SUBJECT, value, now, now + 900)));

    assertThat(await(cache.active(now))).containsExactly(new Revocation(Kind.SUBJECT, value, now + 100, now + 900));
  }

  @Test
  void concurrentAddsOfOneKeyOverManyConnectionsOnTwoNodesMergeToOneEntry() {
    long now = now();
    String subject = uniqueId("sub");

    List<Outcome<Void>> outcomes = concurrently(CONCURRENT_CALLERS, i ->
        (i % 2 == 0 ? cache : otherNode).add(new Revocation(Kind.SUBJECT, subject, now + i, now + 1_000 + i)));

    assertThat(outcomes).allSatisfy(o -> assertThat(o.failure()).isNull());
    assertThat(await(otherNode.active(now))).containsExactly(
        new Revocation(Kind.SUBJECT, subject, now + CONCURRENT_CALLERS - 1, now + 1_000 + CONCURRENT_CALLERS - 1));
  }

  @Test
  void aFillOfMoreEntriesThanOneBatchWritesThemAll() {
    long now = now();
    List<Revocation> many = new ArrayList<>();
    for (int i = 0; i < RedisRevocationCache.CHUNK * 2 + 7; i++) {
      many.add(new Revocation(Kind.TOKEN, uniqueId("jti"), now, now + 600 + i));
    }

    await(cache.fill(many));

    assertThat(await(otherNode.snapshot(now)).orElseThrow()).containsExactlyInAnyOrderElementsOf(many);
  }

  @Test
  void pingAnswersWhileTheServerDoesAndFailsWhenItIsUnreachable() {
    RedisRevocationCache unreachable =
        RedisRevocationCache.create(vertx, new RedisStoreOptions(TestRedis.UNREACHABLE_URI, prefix, "unused", 1));
    try {
      await(cache.ping());
      assertThat(failureOf(unreachable::ping)).isNotNull();
      assertThat(failureOf(() -> unreachable.fill(List.of()))).isNotNull();
      assertThat(failureOf(() -> unreachable.snapshot(now()))).isNotNull();
      assertThat(failureOf(() -> unreachable.purgeExpired(now()))).isNotNull();
    } finally {
      await(unreachable.close());
    }
  }
}
