package io.gatehouse.store.redis;

import io.gatehouse.core.revocation.Revocation;
import io.gatehouse.core.revocation.RevocationCache;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import io.vertx.redis.client.ResponseType;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The shared {@link RevocationCache} in Redis, that a starting node loads its deny-set from.
 *
 * <h2>Keys</h2> (all behind {@link RedisStoreOptions#keyPrefix()}, written {@code P} here)
 * <ul>
 *   <li>{@code P rev:<kind>:<value>}: one string per entry, the entry's JSON
 *       ({@code {"kind":..,"value":..,"revoked_at":..,"expires_at":..}}, the schema of
 *       {@link Revocation#toJson()}), expiring ({@code PXAT}) at {@code expires_at}: Redis drops it by
 *       its own clock, so the cache forgets what every covered token has outlived without anyone
 *       purging it.
 *   <li>{@code P revs}: a sorted set listing the entries, member {@code <kind>:<value>}
 *       ({@link Revocation#key()}), score {@code expires_at}.
 *   <li>{@code P rev:complete}: the completeness marker, written by {@link #fill} only, with no
 *       expiry. A restart without persistence, a {@code FLUSHALL} or anyone deleting it makes the
 *       cache incomplete until the next fill.
 * </ul>
 *
 * <h2>Guarantees</h2>
 * <ul>
 *   <li>{@link #add} is one Lua script, so atomic against every other client: it reads the stored
 *       entry, writes the merge (the later {@code revoked_at} and the later {@code expires_at}) with
 *       its expiry, adds it to the index and drops index members that have expired by the server's
 *       clock. Concurrent adds of one key from any number of connections and nodes end as the merge of
 *       all. An entry that has already expired by the server's clock is not stored.
 *   <li>{@link #active} lists the index from {@code now} on and reads the entries ({@code MGET}),
 *       skipping those Redis has let go.
 *   <li>{@link #fill} writes a fill sentinel (expiring after {@value #FILL_SENTINEL_TTL_MS} ms), adds
 *       every entry, then in one script sets the marker only if the sentinel is still there: a cache
 *       that lost its data while being filled is not marked complete, and the fill fails.
 *   <li>{@link #snapshot} answers the entries only when the marker is there, is the same before and
 *       after the read (no loss and refill in between), and no entry the index says is live by the
 *       server's clock is missing (one evicted under memory pressure); else empty, and the caller
 *       falls back to the durable list. Run Redis with {@code maxmemory-policy noeviction}: under a
 *       {@code volatile-*} policy an evicted entry is detected that way (the index and the marker have
 *       no expiry, so they stay), but an {@code allkeys-*} policy may evict the index itself, which no
 *       check can see.
 *   <li>{@link #purgeExpired} trims index members with {@code expires_at <= now} (the caller's clock),
 *       after which no read lists them; the entries themselves expire by the server's clock.
 *       {@link #add} trims members that have expired by the server's clock too, so the index stays
 *       bounded even when nobody purges.
 * </ul>
 *
 * Every command is bounded by {@link RedisStoreOptions#commandTimeout()} ({@link BoundedRedis}): a silent
 * server fails the call with {@link io.gatehouse.core.store.StoreUnavailableException} within it.
 * A Redis failure fails the returned future (a failed {@code add} may or may not have been applied;
 * the caller treats it as not recorded). An entry that does not parse fails {@link #active} and
 * {@link #snapshot} rather than being skipped, since skipping it would un-revoke tokens. Times beyond
 * 2<sup>53</sup> ms are capped for Redis's expiry only. The layout is for a single Redis server
 * (or a replicated one); it does not spread over Redis Cluster slots.
 */
public final class RedisRevocationCache implements RevocationCache {
  /** How long a fill may take before its sentinel expires and the fill cannot complete. */
  static final long FILL_SENTINEL_TTL_MS = 600_000;

  /** Entries read per {@code MGET} and written per pipelined batch. */
  static final int CHUNK = 500;

  /**
   * Merges one entry. KEYS: entry key, index. ARGV: the entry's JSON up to and including its value
   * member (the kind and value strings escaped by {@link Json#encode}, the object left open),
   * revoked_at, expires_at (decimal epoch seconds), index member. The script closes the object with
   * the revoked_at and expires_at members, in that order, and reads them back from the end of the
   * stored text with an end-anchored pattern: exact, since a JSON string cannot contain an unescaped
   * quote. Answers 1 when stored, 0 when the merge had already expired by the server's clock.
   */
  static final LuaScript MERGE =
      new LuaScript(
          """
          local revoked, expires = ARGV[2], ARGV[3]
          local old = redis.call('GET', KEYS[1])
          if old then
            local r, e = string.match(old, ',"revoked_at":(%-?%d+),"expires_at":(%-?%d+)}$')
            if r then
              if tonumber(r) > tonumber(revoked) then revoked = r end
              if tonumber(e) > tonumber(expires) then expires = e end
            end
          end
          local t = redis.call('TIME')
          local now_ms = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
          redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', t[1])
          local expires_ms = tonumber(expires) * 1000
          if expires_ms <= now_ms then
            return 0
          end
          if expires_ms > 9007199254740991 then
            expires_ms = 9007199254740991
          end
          redis.call('SET', KEYS[1], ARGV[1] .. ',"revoked_at":' .. revoked .. ',"expires_at":' .. expires .. '}',
            'PXAT', string.format('%d', expires_ms))
          redis.call('ZADD', KEYS[2], expires, ARGV[4])
          return 1
          """);

  /** Ends a fill. KEYS: sentinel, marker. ARGV: fill id. Answers 1 when the marker is set (or kept), 0 when the sentinel was lost. */
  static final LuaScript FINISH_FILL =
      new LuaScript(
          """
          if redis.call('EXISTS', KEYS[1]) == 0 then
            return 0
          end
          redis.call('SET', KEYS[2], ARGV[1], 'NX')
          redis.call('DEL', KEYS[1])
          return 1
          """);

  private static final SecureRandom RANDOM = new SecureRandom();

  private final Redis redis;
  private final String prefix;
  private final String index;
  private final String marker;

  private RedisRevocationCache(Redis redis, String prefix) {
    this.redis = redis;
    this.prefix = prefix;
    this.index = prefix + "revs";
    this.marker = prefix + "rev:complete";
  }

  /**
   * A cache on a pool of {@link RedisStoreOptions#poolSize()} connections of its own. Nothing is
   * connected yet: connections are opened on first use, so an unreachable server fails the calls,
   * not this.
   */
  public static RedisRevocationCache create(Vertx vertx, RedisStoreOptions options) {
    Objects.requireNonNull(vertx, "vertx");
    Objects.requireNonNull(options, "options");
    return new RedisRevocationCache(BoundedRedis.create(vertx, options, options.poolSize()), options.keyPrefix());
  }

  @Override
  public Future<Void> add(Revocation revocation) {
    Objects.requireNonNull(revocation, "revocation");
    return MERGE.run(redis, mergeKeys(revocation), mergeArgs(revocation)).mapEmpty();
  }

  @Override
  public Future<List<Revocation>> active(long now) {
    return read(now).map(Read::entries);
  }

  @Override
  public Future<Integer> purgeExpired(long now) {
    return redis.send(Request.cmd(Command.ZREMRANGEBYSCORE).arg(index).arg("-inf").arg(now)).map(Response::toInteger);
  }

  @Override
  public Future<Optional<List<Revocation>>> snapshot(long now) {
    return redis.send(Request.cmd(Command.GET).arg(marker))
        .compose(
            before -> {
              if (before == null) {
                return Future.succeededFuture(Optional.empty());
              }
              return read(now)
                  .compose(
                      read ->
                          redis.batch(List.of(Request.cmd(Command.GET).arg(marker), Request.cmd(Command.TIME)))
                              .map(
                                  after -> {
                                    Response markerAfter = after.get(0);
                                    boolean sameFill = markerAfter != null && before.toString().equals(markerAfter.toString());
                                    long serverNowMs = serverMillis(after.get(1));
                                    // a missing entry expired (PXAT expires_at * 1000) unless its expiry is still ahead
                                    boolean nothingLost = read.latestMissingExpiry() <= Math.floorDiv(serverNowMs, 1000);
                                    return sameFill && nothingLost ? Optional.of(read.entries()) : Optional.<List<Revocation>>empty();
                                  }));
            });
  }

  @Override
  public Future<Void> fill(List<Revocation> revocations) {
    Objects.requireNonNull(revocations, "revocations");
    byte[] bytes = new byte[16];
    RANDOM.nextBytes(bytes);
    String fillId = HexFormat.of().formatHex(bytes);
    String sentinel = prefix + "rev:filling:" + fillId;
    List<Revocation> all = List.copyOf(revocations);
    return redis.send(Request.cmd(Command.SET).arg(sentinel).arg("1").arg("PX").arg(FILL_SENTINEL_TTL_MS))
        .compose(ignored -> all.isEmpty() ? Future.succeededFuture() : MERGE.load(redis))
        .compose(ignored -> addChunks(all, 0))
        .compose(ignored -> FINISH_FILL.run(redis, List.of(sentinel, marker), List.of(fillId)))
        .compose(
            done ->
                done != null && done.toInteger() == 1
                    ? Future.<Void>succeededFuture()
                    : Future.failedFuture(new IllegalStateException("the cache lost its data while it was being filled")));
  }

  /** Answers when the server answers {@code PING}; fails otherwise. */
  public Future<Void> ping() {
    return redis.send(Request.cmd(Command.PING)).mapEmpty();
  }

  /** Closes the connection pool; calls made afterwards fail. */
  public Future<Void> close() {
    return redis.close();
  }

  private Future<Void> addChunks(List<Revocation> all, int from) {
    if (from >= all.size()) {
      return Future.succeededFuture();
    }
    List<Request> batch = new ArrayList<>();
    for (Revocation r : all.subList(from, Math.min(all.size(), from + CHUNK))) {
      batch.add(MERGE.evalsha(mergeKeys(r), mergeArgs(r)));
    }
    return redis.batch(batch).compose(ignored -> addChunks(all, from + CHUNK));
  }

  private List<String> mergeKeys(Revocation r) {
    return List.of(entryKey(r.key()), index);
  }

  private static List<String> mergeArgs(Revocation r) {
    String head = "{\"kind\":" + Json.encode(r.kind().wire()) + ",\"value\":" + Json.encode(r.value());
    return List.of(head, Long.toString(r.revokedAt()), Long.toString(r.expiresAt()), r.key());
  }

  private String entryKey(String member) {
    return prefix + "rev:" + member;
  }

  /**
   * What one read of the index and its entries found: the live entries, and the latest
   * {@code expires_at} (index score) of a member whose entry was gone ({@code Long.MIN_VALUE} when none was).
   */
  private record Read(List<Revocation> entries, long latestMissingExpiry) {}

  /** The live index members from {@code now} (exclusive) on, with their entries. */
  private Future<Read> read(long now) {
    Request range = Request.cmd(Command.ZRANGEBYSCORE).arg(index).arg("(" + now).arg("+inf").arg("WITHSCORES");
    return redis.send(range)
        .compose(
            reply -> {
              List<String> members = new ArrayList<>();
              List<Double> scores = new ArrayList<>();
              readWithScores(reply, members, scores);
              return readEntries(members, scores, now, 0, new ArrayList<>(), Long.MIN_VALUE);
            });
  }

  private Future<Read> readEntries(List<String> members, List<Double> scores, long now, int from, List<Revocation> found, long latestMissing) {
    if (from >= members.size()) {
      return Future.succeededFuture(new Read(found, latestMissing));
    }
    int to = Math.min(members.size(), from + CHUNK);
    Request mget = Request.cmd(Command.MGET);
    for (String member : members.subList(from, to)) {
      mget.arg(entryKey(member));
    }
    return redis.send(mget)
        .compose(
            values -> {
              long missing = latestMissing;
              for (int i = 0; i < to - from; i++) {
                Response value = values.get(i);
                if (value == null) {
                  // gone: expired by Redis (or lost, which snapshot checks through the score)
                  missing = Math.max(missing, (long) Math.ceil(scores.get(from + i)));
                  continue;
                }
                Revocation r;
                try {
                  r = Revocation.fromJson(new JsonObject(value.toString()));
                } catch (DecodeException | IllegalArgumentException | ClassCastException e) {
                  // the value is not quoted: it names a revoked token, subject or client
                  return Future.failedFuture(new IllegalStateException("an entry of the revocation cache is not a revocation"));
                }
                if (r.expiresAt() > now) {
                  found.add(r);
                }
              }
              return readEntries(members, scores, now, to, found, missing);
            });
  }

  /**
   * The members and scores of a {@code WITHSCORES} reply: pairs ({@code [[m, s], ...]}) under RESP3,
   * a flat list ({@code [m, s, m, s, ...]}) under RESP2.
   */
  private static void readWithScores(Response reply, List<String> members, List<Double> scores) {
    if (reply == null || reply.size() == 0) {
      return;
    }
    if (reply.get(0).type() == ResponseType.MULTI) {
      for (Response pair : reply) {
        members.add(pair.get(0).toString());
        scores.add(pair.get(1).toDouble());
      }
    } else {
      for (int i = 0; i + 1 < reply.size(); i += 2) {
        members.add(reply.get(i).toString());
        scores.add(reply.get(i + 1).toDouble());
      }
    }
  }

  /** The server's clock ({@code TIME}: seconds and microseconds) in epoch milliseconds. */
  private static long serverMillis(Response time) {
    return time.get(0).toLong() * 1000 + time.get(1).toLong() / 1000;
  }
}
