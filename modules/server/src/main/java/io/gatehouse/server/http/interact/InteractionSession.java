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
 *   <li>{@code req:<rid>}: a pending authorization request of the signed-in user (at most
 *       {@value #MAX_PENDING} per session, each for {@code authorize.pending_ttl} at most). Before
 *       anybody signs in, the pending request is not kept here at all ({@link PendingLogin}).
 * </ul>
 * A session exists only once a user has signed in: anonymous requests never create or store one
 * ({@link Pages#signedIn}).
 */
public final class InteractionSession {
  static final int MAX_PENDING = 8;
  private static final String PENDING = "req:";
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

  private InteractionSession() {}

  /** A pending request and what has happened to it so far. */
  public record Pending(AuthorizationRequest request, boolean loginFresh, long createdAt) {}

  /**
   * Keeps a pending request; expired ones ({@code createdAt} before {@code notBefore}) and, past
   * {@value #MAX_PENDING}, the oldest are dropped.
   */
  public static String add(Session session, AuthorizationRequest request, boolean loginFresh, long now, long notBefore) {
    List<String> keys = new ArrayList<>();
    for (String k : List.copyOf(session.data().keySet())) {
      if (k.startsWith(PENDING)) {
        if (created(session, k) < notBefore) {
          session.remove(k);
        } else {
          keys.add(k);
        }
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
    put(session, rid, new Pending(request, loginFresh, now));
    return rid;
  }

  private static long created(Session session, String key) {
    String v = session.get(key);
    return v == null ? 0 : new JsonObject(v).getLong("created", 0L);
  }

  /** The pending request {@code rid} of this session, unless it was created before {@code notBefore}. */
  public static Pending get(Session session, String rid, long notBefore) {
    if (session == null || rid == null || rid.isEmpty() || rid.length() > 64) {
      return null;
    }
    String v = session.get(PENDING + rid);
    if (v == null) {
      return null;
    }
    JsonObject j = new JsonObject(v);
    if (j.getLong("created") < notBefore) {
      session.remove(PENDING + rid);
      return null;
    }
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
    return login(session, pending.loginFresh());
  }

  /** The signed-in user, {@code freshForThisRequest} when they signed in for the request at hand; or null. */
  public static Login login(Session session, boolean freshForThisRequest) {
    String uid = session.get("uid");
    if (uid == null) {
      return null;
    }
    return new Login(uid, session.get("sid"), Long.parseLong(session.get("auth_time")), freshForThisRequest);
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
    return formToken(secret, rid);
  }

  /** A form's CSRF token: HMAC-SHA256({@code secret}, {@code formId}), base64url. */
  static String formToken(String secret, String formId) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.US_ASCII), "HmacSHA256"));
      return B64.encodeToString(mac.doFinal(formId.getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Whether {@code token} is the CSRF token of {@code formId} under {@code secret} (constant-time). */
  static boolean formTokenValid(String secret, String formId, String token) {
    if (secret == null || formId == null || token == null) {
      return false;
    }
    return MessageDigest.isEqual(formToken(secret, formId).getBytes(StandardCharsets.US_ASCII), token.getBytes(StandardCharsets.US_ASCII));
  }

  /** Whether {@code token} is this session's form token for {@code rid} (constant-time). */
  public static boolean csrfValid(Session session, String rid, String token) {
    return formTokenValid(session.get("csrf"), rid, token);
  }
}
