package io.gatehouse.store.redis;

import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * A Lua script run on the Redis server, atomically (no other command runs while it does, see
 * <a href="https://redis.io/docs/latest/develop/interact/programmability/eval-intro/">Scripting with
 * Lua</a>). It is called by its SHA-1 digest ({@code EVALSHA}); a server that does not know it yet (a
 * restart flushes the script cache) answers {@code NOSCRIPT}, and the call is made again with the
 * text ({@code EVAL}), which caches it.
 */
final class LuaScript {
  private final String text;
  private final String sha1;

  LuaScript(String text) {
    this.text = text;
    this.sha1 = sha1(text);
  }

  String sha1() {
    return sha1;
  }

  /** {@code EVALSHA} of the script (a request for a batch: the script must be loaded, see {@link #load}). */
  Request evalsha(List<String> keys, List<String> args) {
    return withArgs(Request.cmd(Command.EVALSHA).arg(sha1), keys, args);
  }

  /** Runs the script, sending its text when the server does not have it cached. */
  Future<Response> run(Redis redis, List<String> keys, List<String> args) {
    return redis.send(evalsha(keys, args))
        .recover(
            failure ->
                isNoScript(failure)
                    ? redis.send(withArgs(Request.cmd(Command.EVAL).arg(text), keys, args))
                    : Future.failedFuture(failure));
  }

  /** Caches the script on the server ({@code SCRIPT LOAD}), so that {@link #evalsha} requests find it. */
  Future<Void> load(Redis redis) {
    return redis.send(Request.cmd(Command.SCRIPT).arg("LOAD").arg(text)).mapEmpty();
  }

  /** A {@code NOSCRIPT} error reply (the client fails the future with the reply's message). */
  private static boolean isNoScript(Throwable failure) {
    String message = failure.getMessage();
    return message != null && message.startsWith("NOSCRIPT");
  }

  private static Request withArgs(Request request, List<String> keys, List<String> args) {
    request.arg(keys.size());
    keys.forEach(request::arg);
    args.forEach(request::arg);
    return request;
  }

  private static String sha1(String text) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-1 is a required JDK algorithm", e);
    }
  }
}
