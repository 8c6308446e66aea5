package io.gatehouse.resource;

import com.nimbusds.jose.jwk.JWK;
import io.gatehouse.core.token.JwsSigner;
import io.gatehouse.core.token.SigningAlgorithm;
import io.gatehouse.core.token.SigningKeys;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An issuer the tests control, on a real Vert.x HTTP server: its discovery documents, its JWK set (keys
 * generated and signed with Gatehouse core's own key code; rotation by publishing and withdrawing), an
 * introspection endpoint answering what the test sets, and counters of every fetch.
 */
final class TestIssuer implements AutoCloseable {
  static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
  static final String AUDIENCE = "user-api";

  /** A signing key: its private JWK and Gatehouse's signer for it. */
  record Key(JWK jwk, JwsSigner signer, SigningAlgorithm algorithm) {
    String kid() {
      return jwk.getKeyID();
    }
  }

  final HttpServer server;
  final String issuer;
  final List<Key> published = new CopyOnWriteArrayList<>();
  final AtomicInteger oidcFetches = new AtomicInteger();
  final AtomicInteger rfc8414Fetches = new AtomicInteger();
  final AtomicInteger jwksFetches = new AtomicInteger();
  final AtomicInteger introspections = new AtomicInteger();
  volatile boolean serveOpenIdConfiguration = true;
  volatile String advertisedIssuer;
  volatile long jwksDelayMillis;
  volatile int jwksStatus = 200;
  volatile int introspectionStatus = 200;
  volatile JsonObject introspectionAnswer = new JsonObject().put("active", false);
  volatile long introspectionDelayMillis;
  volatile String lastIntrospectionAuthorization;
  volatile String lastIntrospectedToken;

  private TestIssuer(Vertx vertx) throws Exception {
    Router router = Router.router(vertx);
    router.get("/.well-known/openid-configuration").handler(ctx -> {
      oidcFetches.incrementAndGet();
      if (!serveOpenIdConfiguration) {
        ctx.response().setStatusCode(404).end();
        return;
      }
      ctx.json(metadata());
    });
    router.get("/.well-known/oauth-authorization-server").handler(ctx -> {
      rfc8414Fetches.incrementAndGet();
      ctx.json(metadata());
    });
    router.get("/jwks").handler(ctx -> {
      jwksFetches.incrementAndGet();
      if (jwksStatus != 200) {
        ctx.response().setStatusCode(jwksStatus).end();
        return;
      }
      JsonArray keys = new JsonArray();
      published.forEach(k -> keys.add(new JsonObject(k.jwk.toPublicJWK().toJSONObject())));
      String body = new JsonObject().put("keys", keys).encode();
      if (jwksDelayMillis > 0) {
        vertx.setTimer(jwksDelayMillis, t -> ctx.response().putHeader("Content-Type", "application/jwk-set+json").end(body));
      } else {
        ctx.response().putHeader("Content-Type", "application/jwk-set+json").end(body);
      }
    });
    router.post("/introspect").handler(BodyHandler.create()).handler(ctx -> {
      introspections.incrementAndGet();
      lastIntrospectionAuthorization = ctx.request().getHeader("Authorization");
      lastIntrospectedToken = ctx.request().getFormAttribute("token");
      Runnable answer = () -> ctx.response().setStatusCode(introspectionStatus).putHeader("Content-Type", "application/json")
          .end(introspectionAnswer.encode());
      if (introspectionDelayMillis > 0) {
        vertx.setTimer(introspectionDelayMillis, t -> answer.run());
      } else {
        answer.run();
      }
    });
    this.server = Http.serve(vertx, router);
    this.issuer = Http.base(server);
    this.advertisedIssuer = issuer;
  }

  static TestIssuer start(Vertx vertx) throws Exception {
    return new TestIssuer(vertx);
  }

  private JsonObject metadata() {
    return new JsonObject().put("issuer", advertisedIssuer).put("jwks_uri", issuer + "/jwks")
        .put("introspection_endpoint", issuer + "/introspect").put("token_endpoint", issuer + "/token");
  }

  /** A new key (not yet published). */
  static Key newKey(SigningAlgorithm algorithm) {
    JWK jwk = SigningKeys.generate(algorithm);
    JwsSigner signer = SigningKeys.fromJwkSet(new com.nimbusds.jose.jwk.JWKSet(jwk), algorithm).signer();
    return new Key(jwk, signer, algorithm);
  }

  Key publishNewKey(SigningAlgorithm algorithm) {
    Key key = newKey(algorithm);
    published.add(key);
    return key;
  }

  /** Claims of a valid access token of this issuer for {@link #AUDIENCE} (RFC 9068 §2.2). */
  JsonObject claims() {
    long now = System.currentTimeMillis() / 1000;
    return new JsonObject().put("iss", issuer).put("sub", "alice").put("aud", AUDIENCE).put("client_id", "web-app")
        .put("scope", "read:users").put("iat", now).put("exp", now + 300).put("jti", UUID.randomUUID().toString());
  }

  /** A header for {@code key}: alg, typ at+jwt, kid. */
  static JsonObject header(Key key) {
    return new JsonObject().put("alg", key.algorithm.name()).put("typ", "at+jwt").put("kid", key.kid());
  }

  String mint(Key key) {
    return sign(key, header(key), claims());
  }

  String mint(Key key, JsonObject claims) {
    return sign(key, header(key), claims);
  }

  /** The compact JWS of {@code header}.{@code claims} signed by {@code key} (whatever the header says). */
  static String sign(Key key, JsonObject header, JsonObject claims) {
    return sign(key.signer, header, claims);
  }

  static String sign(JwsSigner signer, JsonObject header, JsonObject claims) {
    String input = b64(header.encode()) + "." + b64(claims.encode());
    return input + "." + B64.encodeToString(signer.sign(input.getBytes(StandardCharsets.US_ASCII)));
  }

  static String b64(String json) {
    return B64.encodeToString(json.getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public void close() throws Exception {
    Http.await(server.close());
  }
}
