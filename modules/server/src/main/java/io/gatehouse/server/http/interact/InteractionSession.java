package io.gatehouse.server.http.interact;

import io.gatehouse.core.authorize.AuthorizationService.Login;
import io.gatehouse.core.model.AuthorizationRequest;
import io.gatehouse.core.token.TokenHashes;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Session;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * What the login session holds, in one place. Values are strings (the session store may be the
 * cluster's map, so everything must serialise):
 * <ul>
 *   <li>{@code uid}, {@code auth_time}, {@code sid}: the signed-in user, when they authenticated, and a
 *       random id of this login (bound to codes and refresh tokens, for logout). The session cookie's
 *       own id is regenerated at sign-in and never leaves the cookie.
 *   <li>{@code csrf}: a random secret; a form's CSRF token is HMAC-SHA256(secret, pending request id),
 *       so it is tied to both the session and the request it was rendered for.
 *   <li>{@code req:<rid>}: a pending authorization request (at most {@value #MAX_PENDING} per session).
 * </ul>
 */
public final class InteractionSession {
  static final int MAX_PENDING = 8;
  private static final String PENDING = "req:";
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

  private InteractionSession() {}

  /** A pending request and what has happened to it so far. */
  public record Pending(AuthorizationRequest request, boolean loginFresh, long createdAt) {}

  public static String add(Session session, AuthorizationRequest request, long now) {
    List<String> keys = new ArrayList<>();
    for (String k : session.data().keySet()) {
      if (k.startsWith(PENDING)) {
        keys.add(k);
      }
    }
    if (keys.size() >= MAX_PENDING) {
      // drop the oldest pending requests
      keys.sort((a, b) -> Long.compare(created(session, a), created(session, b)));
      for (int i = 0; i <= keys.size() - MAX_PENDING; i++) {
        session.remove(keys.get(i));
      }
    }
    String rid = TokenHashes.random(16);
    put(session, rid, new Pending(request, false, now));
    return rid;
  }

  private static long created(Session session, String key) {
    String v = session.get(key);
    return v == null ? 0 : new JsonObject(v).getLong("created", 0L);
  }

  public static Pending get(Session session, String rid) {
    if (rid == null || rid.isEmpty() || rid.length() > 64) {
      return null;
    }
    String v = session.get(PENDING + rid);
    if (v == null) {
      return null;
    }
    JsonObject j = new JsonObject(v);
    return new Pending(AuthorizationRequest.fromJson(j.getJsonObject("request")), j.getBoolean("fresh"), j.getLong("created"));
  }

  public static void put(Session session, String rid, Pending p) {
    session.put(PENDING + rid, new JsonObject().put("request", p.request().toJson()).put("fresh", p.loginFresh())
        .put("created", p.createdAt()).encode());
  }

  public static void remove(Session session, String rid) {
    session.remove(PENDING + rid);
  }

  /** The signed-in user as the pending request sees it, or null. */
  public static Login login(Session session, Pending pending) {
    String uid = session.get("uid");
    if (uid == null) {
      return null;
    }
    return new Login(uid, session.get("sid"), Long.parseLong(session.get("auth_time")), pending.loginFresh());
  }

  public static String subject(Session session) {
    return session.get("uid");
  }

  public static String sid(Session session) {
    return session.get("sid");
  }

  public static void signIn(Session session, String subject, String username, long authTime) {
    session.put("uid", subject);
    session.put("username", username);
    session.put("auth_time", Long.toString(authTime));
    session.put("sid", TokenHashes.random(16));
  }

  public static String username(Session session) {
    return session.get("username");
  }

  /** The form token for pending request {@code rid}. */
  public static String csrf(Session session, String rid) {
    String secret = session.get("csrf");
    if (secret == null) {
      secret = TokenHashes.random(32);
      session.put("csrf", secret);
    }
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.US_ASCII), "HmacSHA256"));
      return B64.encodeToString(mac.doFinal(rid.getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Whether {@code token} is this session's form token for {@code rid} (constant-time). */
  public static boolean csrfValid(Session session, String rid, String token) {
    if (token == null || rid == null || session.get("csrf") == null) {
      return false;
    }
    return MessageDigest.isEqual(csrf(session, rid).getBytes(StandardCharsets.US_ASCII), token.getBytes(StandardCharsets.US_ASCII));
  }
}
