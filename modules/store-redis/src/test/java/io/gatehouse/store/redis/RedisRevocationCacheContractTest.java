package io.gatehouse.store.redis;

import static io.gatehouse.testing.Await.await;

import io.gatehouse.core.revocation.Revocation;
import io.gatehouse.core.revocation.RevocationCache;
import io.gatehouse.core.revocation.RevocationList;
import io.gatehouse.store.contract.RevocationCacheContract;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

/**
 * Runs the {@link RevocationCacheContract} on {@link RedisRevocationCache} against a real Redis (see
 * {@link TestRedis}). Every cache the contract asks for has a random key prefix of its own; the
 * second node is a cache with the same prefix on a second Vert.x instance (a pool of its own);
 * losing data deletes the prefix's keys (the marker included), as a restart without persistence
 * would; the unavailable cache points at a port nothing listens on. Every key is deleted afterwards.
 */
class RedisRevocationCacheContractTest extends RevocationCacheContract {
  private static Vertx vertx;
  private static Vertx otherVertx;
  private static Redis raw;
  private static RedisRevocationCache unavailable;
  private static final List<RedisRevocationCache> opened = new ArrayList<>();
  private static final Map<RevocationCache, String> prefixes = new ConcurrentHashMap<>();

  private RedisRevocationCache otherNode;

  @BeforeAll
  static void setUp() {
    vertx = Vertx.vertx();
    otherVertx = Vertx.vertx();
    raw = TestRedis.raw(vertx);
    unavailable = RedisRevocationCache.create(
        vertx, new RedisStoreOptions(TestRedis.UNREACHABLE_URI, TestRedis.randomPrefix(), "unused", 1));
  }

  @AfterAll
  static void tearDown() {
    try {
      for (String prefix : prefixes.values()) {
        TestRedis.deleteKeys(raw, prefix);
      }
    } finally {
      for (RedisRevocationCache cache : opened) {
        await(cache.close());
      }
      await(unavailable.close());
      await(raw.close());
      await(otherVertx.close());
      await(vertx.close());
    }
  }

  /**
   * Makes the shared cache and the second node before the test runs: the contract makes the shared
   * cache on first use, unsynchronised, and a concurrency test's callers would otherwise race to make
   * it (several caches with different prefixes).
   */
  @BeforeEach
  void openNodes() {
    otherNode();
  }

  @Override
  protected RevocationCache freshCache() {
    String prefix = TestRedis.randomPrefix();
    RedisRevocationCache cache = RedisRevocationCache.create(vertx, TestRedis.options(prefix, "unused"));
    opened.add(cache);
    prefixes.put(cache, prefix);
    return cache;
  }

  @Override
  protected void loseData(RevocationCache cache) {
    TestRedis.deleteKeys(raw, prefixes.get(cache));
  }

  /** The entry key's {@code PEXPIRETIME}: Redis answers -2 for a key it does not hold. */
  @Override
  protected OptionalLong dropsAtMillis(RevocationCache cache, Revocation entry) {
    long at = TestRedis.send(raw, Request.cmd(Command.PEXPIRETIME).arg(prefixes.get(cache) + "rev:" + entry.key())).toLong();
    return at == -2 ? OptionalLong.empty() : OptionalLong.of(at);
  }

  @Override
  protected synchronized RevocationList otherNode() {
    if (otherNode == null) {
      String prefix = prefixes.get((RevocationCache) revocations());
      otherNode = RedisRevocationCache.create(otherVertx, TestRedis.options(prefix, "unused"));
      opened.add(otherNode);
    }
    return otherNode;
  }

  @Override
  protected RevocationList unavailableRevocations() {
    return unavailable;
  }

  @Override
  protected Vertx vertx() {
    return vertx;
  }
}
