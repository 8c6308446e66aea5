package io.gatehouse.server;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import io.gatehouse.core.token.AccessTokenVerifier;
import io.gatehouse.core.token.KeyRing;
import io.gatehouse.core.token.SigningAlgorithm;
import io.gatehouse.core.token.SigningKeys;
import io.gatehouse.server.config.GatehouseConfig;
import io.gatehouse.server.http.MetadataEndpoints;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Key rotation without downtime. The key set is a JWK set file: the operator's {@code keys.jwks_file}
 * (a mounted secret every node reads) or the embedded default's own file in {@code keys.data_dir}.
 * Each key may carry a schedule: {@code nbf} (signs from) and {@code exp} (signs until).
 *
 * <ul>
 *   <li>Every {@code keys.reload_interval} each node re-reads the file and re-selects the signing key
 *       for the time: of the keys that fit, the one with the latest {@code nbf} that has come and whose
 *       {@code exp} has not. Every key in the file is published in the JWKS (schedules stripped).
 *   <li>A rotation adds a key that is published at once and signs from {@code keys.publish_lead}
 *       later (longer than the JWKS's 5-minute cache lifetime, so every resource server and every node
 *       has it before the first token it signs); the old key stops signing then and stays published
 *       until the longest token lifetime has passed, then it is dropped.
 *   <li>The embedded default's file is this server's own: it rotates on demand
 *       ({@code POST /admin/keys/rotate}) and every {@code keys.rotate_every}. An operator's file is never
 *       written: the operator rotates by adding a key with an {@code nbf} in the future (every node picks
 *       it up on its next reload), and removes the old one after its tokens expired.
 * </ul>
 */
public final class KeyManager {
  private static final Logger LOG = LoggerFactory.getLogger(KeyManager.class);

  private final Vertx vertx;
  private final GatehouseConfig config;
  private final KeyRing ring;
  private final AccessTokenVerifier verifier;
  private final MetadataEndpoints metadata;
  private final Clock clock;
  private final Path file;
  private final boolean owned;
  private final Instant started;
  private long timer = -1;
  private volatile String lastState;

  KeyManager(Vertx vertx, GatehouseConfig config, KeyRing ring, AccessTokenVerifier verifier, MetadataEndpoints metadata, Clock clock) {
    this.vertx = vertx;
    this.config = config;
    this.ring = ring;
    this.verifier = verifier;
    this.metadata = metadata;
    this.clock = clock;
    this.owned = config.keys().jwksFile().isEmpty();
    this.file = config.keys().jwksFile().orElse(config.keys().dataDir().resolve("signing-keys.json"));
    this.started = clock.instant();
    this.lastState = state(ring.current());
  }

  /** Whether this server owns the key file (the embedded default) and may rotate it. */
  public boolean owned() {
    return owned;
  }

  void start() {
    timer = vertx.setPeriodic(config.keys().reloadInterval().toMillis(), t -> tick());
  }

  void stop() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
  }

  /** Re-reads the file, rotates when due, re-selects the signing key. */
  Future<Void> tick() {
    return vertx.executeBlocking(() -> {
      JWKSet set = JWKSet.load(file.toFile());
      Instant now = clock.instant();
      if (owned && rotationDue(set, now)) {
        set = rotateFile(set, now);
        LOG.info("signing keys rotated on schedule (keys.rotate_every {})", config.keys().rotateEvery());
      }
      apply(SigningKeys.fromJwkSet(set, now, config.keys().algorithm(), config.token().idTokenAlgorithm()));
      return (Void) null;
    }, false).onFailure(e -> LOG.warn("reloading the signing keys failed ({}); signing with the keys loaded before",
        e.getClass().getSimpleName()));
  }

  /** On demand: only for the server's own file. Answers the key set's description afterwards. */
  public Future<JsonObject> rotate() {
    if (!owned) {
      return Future.failedFuture(io.gatehouse.core.error.OAuthException.invalidRequest(
          "the keys come from keys.jwks_file, which this server never writes: rotate by adding a key with a future nbf to that file"));
    }
    return vertx.executeBlocking(() -> {
      Instant now = clock.instant();
      JWKSet set = rotateFile(JWKSet.load(file.toFile()), now);
      apply(SigningKeys.fromJwkSet(set, now, config.keys().algorithm(), config.token().idTokenAlgorithm()));
      return describe();
    }, false);
  }

  private JWKSet rotateFile(JWKSet set, Instant now) throws java.io.IOException {
    Duration keep = keepRetired();
    JWKSet next = SigningKeys.rotate(set, config.keys().algorithm(), now, config.keys().publishLead(), keep);
    if (config.token().idTokenAlgorithm() != config.keys().algorithm()) {
      next = SigningKeys.rotate(next, config.token().idTokenAlgorithm(), now, config.keys().publishLead(), keep);
    }
    SigningKeys.write(file, next);
    return next;
  }

  /** Long enough that every token a retired key signed has expired (the longest lifetime a client can set). */
  private Duration keepRetired() {
    Duration longest = config.token().maxAccessTokenTtl();
    Duration id = config.token().idTokenTtl();
    return (longest.compareTo(id) > 0 ? longest : id).plusMinutes(5);
  }

  private boolean rotationDue(JWKSet set, Instant now) {
    Duration every = config.keys().rotateEvery();
    if (every.isZero()) {
      return false;
    }
    String kid = ring.signer().kid();
    Instant since = started;
    for (JWK k : set.getKeys()) {
      if (k.getNotBeforeTime() != null && k.getNotBeforeTime().toInstant().isAfter(now) && k.getExpirationTime() == null) {
        return false; // a rotation is pending already
      }
      if (k.getKeyID().equals(kid) && k.getNotBeforeTime() != null) {
        since = k.getNotBeforeTime().toInstant();
      }
    }
    return !since.plus(every).isAfter(now);
  }

  private void apply(SigningKeys keys) {
    String state = state(keys);
    if (Objects.equals(state, lastState)) {
      return;
    }
    // publish first: a resource server asking now must find every key that can sign
    verifier.update(keys.publicJwks());
    metadata.updateJwks(keys.publicJwks());
    ring.set(keys);
    lastState = state;
    LOG.info("signing keys now: access tokens {} key {}, ID tokens {} key {}; {} key(s) published", keys.signer().algorithm(),
        keys.signer().kid(), config.token().idTokenAlgorithm(), keys.signer(config.token().idTokenAlgorithm()).kid(),
        keys.publicJwks().getJsonArray("keys").size());
  }

  private String state(SigningKeys keys) {
    StringBuilder sb = new StringBuilder(keys.signer().kid()).append('|').append(keys.signer(config.token().idTokenAlgorithm()).kid());
    keys.schedule().forEach((kid, s) -> sb.append('|').append(kid).append(':').append(s[0]).append(':').append(s[1]));
    return sb.toString();
  }

  /** The key set as {@code GET /admin/keys} shows it: kid, algorithm, schedule and state, never a private part. */
  public JsonObject describe() {
    SigningKeys keys = ring.current();
    long now = clock.instant().getEpochSecond();
    JsonArray out = new JsonArray();
    java.util.Map<String, String> algs = new java.util.HashMap<>();
    keys.publicJwks().getJsonArray("keys").forEach(k -> algs.put(((JsonObject) k).getString("kid"), ((JsonObject) k).getString("alg")));
    keys.schedule().forEach((kid, s) -> {
      String state = kid.equals(keys.signer().kid()) || kid.equals(keys.signer(config.token().idTokenAlgorithm()).kid()) ? "signing"
          : s[0] > now ? "pending" : s[1] >= 0 && s[1] <= now ? "retired" : "published";
      JsonObject k = new JsonObject().put("kid", kid).put("alg", algs.get(kid)).put("state", state);
      if (s[0] >= 0) {
        k.put("signs_from", s[0]);
      }
      if (s[1] >= 0) {
        k.put("signs_until", s[1]);
      }
      out.add(k);
    });
    return new JsonObject().put("keys", out).put("rotatable", owned);
  }

  static boolean exists(Path file) {
    return Files.exists(file);
  }
}
