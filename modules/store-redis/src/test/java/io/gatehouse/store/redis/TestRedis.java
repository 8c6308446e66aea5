package io.gatehouse.store.redis;

import static io.gatehouse.testing.Await.await;

import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The Redis server the tests run against: {@code redis://127.0.0.1:6379} unless the environment
 * variable {@code GATEHOUSE_TEST_REDIS_URI} says otherwise. Other tests share it, so a test only ever
 * touches keys under a random prefix and channels with a random name of its own, never
 * {@code FLUSHALL}, and deletes its keys afterwards.
 */
final class TestRedis {
  static final String URI = env("GATEHOUSE_TEST_REDIS_URI", "redis://127.0.0.1:6379");

  /** Nothing listens there: a store pointed at it fails every call. */
  static final String UNREACHABLE_URI = "redis://127.0.0.1:1";

  private static final SecureRandom RANDOM = new SecureRandom();

  private TestRedis() {}

  /** A name part no other test run uses. */
  static String randomId() {
    byte[] bytes = new byte[8];
    RANDOM.nextBytes(bytes);
    return HexFormat.of().formatHex(bytes);
  }

  /** A key prefix no other test run uses, ending in {@code :}. */
  static String randomPrefix() {
    return "gh-test:" + randomId() + ":";
  }

  /**
   * How long a test's connection and command may take: the default (2 s) is what a node gives up after,
   * but a loaded machine can take longer without anything being wrong. A longer bound only makes a
   * failing test take longer; the tests of a silent or absent server use options of their own.
   */
  static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);

  static RedisStoreOptions options(String prefix, String channel) {
    return new RedisStoreOptions(URI, prefix, channel, 4, CALL_TIMEOUT, CALL_TIMEOUT);
  }

  /** A plain client for what the stores themselves do not offer (checks, clean-up, raw messages). */
  static Redis raw(Vertx vertx) {
    return Redis.createClient(vertx, URI);
  }

  static Response send(Redis redis, Request request) {
    return await(redis.send(request));
  }

  /** Deletes every key that starts with {@code prefix} (a prefix from {@link #randomPrefix}: no glob characters). */
  static void deleteKeys(Redis redis, String prefix) {
    String cursor = "0";
    do {
      Response page = send(redis, Request.cmd(Command.SCAN).arg(cursor).arg("MATCH").arg(prefix + "*").arg("COUNT").arg(1000));
      cursor = page.get(0).toString();
      List<String> keys = new ArrayList<>();
      page.get(1).forEach(key -> keys.add(key.toString()));
      if (!keys.isEmpty()) {
        Request unlink = Request.cmd(Command.UNLINK);
        keys.forEach(unlink::arg);
        send(redis, unlink);
      }
    } while (!"0".equals(cursor));
  }

  /** How many keys start with {@code prefix}. */
  static int countKeys(Redis redis, String prefix) {
    int n = 0;
    String cursor = "0";
    do {
      Response page = send(redis, Request.cmd(Command.SCAN).arg(cursor).arg("MATCH").arg(prefix + "*").arg("COUNT").arg(1000));
      cursor = page.get(0).toString();
      n += page.get(1).size();
    } while (!"0".equals(cursor));
    return n;
  }

  private static String env(String name, String fallback) {
    String value = System.getenv(name);
    return value == null || value.isBlank() ? fallback : value;
  }
}
