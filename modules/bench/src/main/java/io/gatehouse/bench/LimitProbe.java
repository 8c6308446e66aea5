package io.gatehouse.bench;

import com.nimbusds.jose.jwk.JWKSet;
import io.gatehouse.core.client.SecretHasher;
import io.gatehouse.core.error.OAuthErrorCode;
import io.gatehouse.core.error.OAuthException;
import io.gatehouse.core.grant.ClientCredentialsGrant;
import io.gatehouse.core.model.AuthMethod;
import io.gatehouse.core.model.Client;
import io.gatehouse.core.model.ClientCredentials;
import io.gatehouse.core.model.GrantTypes;
import io.gatehouse.core.model.TokenRequest;
import io.gatehouse.core.service.IntrospectionService;
import io.gatehouse.core.token.AccessTokenIssuer;
import io.gatehouse.core.token.AccessTokenVerifier;
import io.gatehouse.core.token.SigningAlgorithm;
import io.gatehouse.core.token.SigningKeys;
import io.gatehouse.server.config.ConfigException;
import io.gatehouse.server.config.ConfigLoader;
import io.gatehouse.server.config.GatehouseConfig;
import io.gatehouse.server.config.SeedFile;
import io.gatehouse.server.crypto.CryptoProvider;
import io.gatehouse.server.http.BodyReader;
import io.gatehouse.server.http.ConnectionGuard;
import io.gatehouse.server.http.FormBody;
import io.gatehouse.server.http.OAuthErrorResponder;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The limit probe (issue 13 §5, docs/PERFORMANCE.md "The limit probe"): the least a Vert.x server must do
 * to answer W1 and W2 as Gatehouse does, so that {@code bench/run.sh} can state Gatehouse's rate as a share
 * of what this stack can do on the same core, measured in the same run. A benchmark tool, not a product
 * endpoint.
 *
 * <p>What it shares with Gatehouse, as the same classes: the configuration and seed file
 * ({@link ConfigLoader}, {@link SeedFile}: host, port, issuer, audience, HTTP instances, idle timeout,
 * body limit, the clients with their secret hashes), the JCA provider choice ({@link CryptoProvider}: ACCP
 * where it loads), the Vert.x HTTP server with Gatehouse's server options (compression off, no h2c, the
 * read-idle timeout of {@link ConnectionGuard#configure}), one server instance per core, the body reader
 * ({@link BodyReader}), the strict form parser ({@link FormBody}), the secret check ({@link SecretHasher}
 * against the seed's hash, as for a client in Gatehouse's cache), the client credentials grant
 * ({@link ClientCredentialsGrant}: scope policy, lifetime, {@link AccessTokenIssuer} with an ES256
 * {@link SigningKeys} signer: the same claims and the same native signature), the token JSON, the
 * introspection JSON ({@link IntrospectionService#accessTokenResponse}), the errors
 * ({@link OAuthErrorResponder}) and the response headers.
 *
 * <p>What it skips (so the difference is what Gatehouse spends on them): vertx-web's router and its
 * per-request context; the connection guard's hooks (the per-address and per-node caps, and
 * {@code StrictRequestDecoder}'s framing checks and head/body deadlines); rate limits and CORS; Vert.x and
 * Micrometer metrics and the token counters; the audit events (a log line and an event-bus publish per
 * token); the revocation deny-set check and the node's vouching; the service layer (futures through
 * TokenService, the authenticator, ServiceOperations). W2: a token is verified once
 * ({@link AccessTokenVerifier}, as Gatehouse does) and its claims kept in a hash map keyed by the token
 * itself, where Gatehouse keys its cache by the token's SHA-256 (one digest per request) in a Caffeine
 * cache; refresh tokens are not introspected (every non-JWT answers {@code {"active":false}}).
 *
 * <p>{@code java -cp gatehouse.jar:gatehouse-bench.jar io.gatehouse.bench.LimitProbe [--config FILE]
 * --seed FILE}, configured like Gatehouse ({@code GATEHOUSE_*} variables); prints
 * {@value #READY} and the port when it listens.
 */
public final class LimitProbe {
  /** The line (followed by the port) printed on standard output once the probe listens. */
  public static final String READY = "limit probe listening on port ";
  /** Tokens whose claims the W2 map keeps at most (a run introspects one). */
  static final int MAX_VERIFIED = 100_000;
  private static final String FORM = "application/x-www-form-urlencoded";
  private static final String JSON = "application/json;charset=UTF-8";
  private static final String FAILED = "client authentication failed";

  private final Vertx vertx;
  private final String deployment;
  private final int port;

  private LimitProbe(Vertx vertx, String deployment, int port) {
    this.vertx = vertx;
    this.deployment = deployment;
    this.port = port;
  }

  public static void main(String[] args) {
    GatehouseConfig config;
    try {
      config = ConfigLoader.load(List.of(args), System.getenv());
    } catch (ConfigException e) {
      System.err.println("limit probe: " + e.getMessage());
      System.exit(2);
      return;
    }
    Vertx vertx = Vertx.vertx();
    start(vertx, config).onSuccess(probe -> {
      System.out.println(READY + probe.port());
      Runtime.getRuntime().addShutdownHook(new Thread(() -> vertx.close().await(), "limit-probe-shutdown"));
    }).onFailure(e -> {
      System.err.println("limit probe: cannot start: " + e);
      vertx.close();
      System.exit(1);
    });
  }

  /** Starts the probe on {@code vertx} as {@code config} says (its seed file's clients, its port; 0: a free one). */
  public static Future<LimitProbe> start(Vertx vertx, GatehouseConfig config) {
    return vertx.executeBlocking(() -> {
      String provider = CryptoProvider.select(config.keys().provider());
      SigningKeys keys = SigningKeys.fromJwkSet(new JWKSet(SigningKeys.generate(SigningAlgorithm.ES256)), SigningAlgorithm.ES256);
      Map<String, Client> clients = new HashMap<>();
      if (config.seedFile().isPresent()) {
        SeedFile.load(config.seedFile().get()).forEach(c -> clients.put(c.clientId(), c));
      }
      System.out.println("limit probe: " + clients.size() + " client(s); ES256 through " + provider);
      return new Work(config, Map.copyOf(clients), keys);
    }).compose(work -> {
      int instances = config.http().instances() > 0 ? config.http().instances() : Runtime.getRuntime().availableProcessors();
      // as Gatehouse: a negative port is one random port shared by every instance
      int bindPort = config.http().port() == 0 ? -1 : config.http().port();
      List<ProbeVerticle> verticles = new CopyOnWriteArrayList<>();
      return vertx.deployVerticle(() -> {
        ProbeVerticle v = new ProbeVerticle(work, config, bindPort);
        verticles.add(v);
        return v;
      }, new DeploymentOptions().setInstances(instances)).map(id -> new LimitProbe(vertx, id, verticles.get(0).server.actualPort()));
    });
  }

  public int port() {
    return port;
  }

  public Future<Void> close() {
    return vertx.undeploy(deployment);
  }

  /** What every instance shares: the clients, the grant, the verifier and the verified tokens. */
  private static final class Work {
    final Map<String, Client> clients;
    final ClientCredentialsGrant grant;
    final AccessTokenVerifier verifier;
    final Map<String, JsonObject> verified = new ConcurrentHashMap<>();
    final Clock clock = Clock.systemUTC();
    final String base;
    final int maxBodyBytes;

    Work(GatehouseConfig config, Map<String, Client> clients, SigningKeys keys) {
      this.clients = clients;
      GatehouseConfig.Token t = config.token();
      AccessTokenIssuer issuer = new AccessTokenIssuer(config.issuerString(), t.audience(), config.adminScope(), keys::signer, clock);
      this.grant = new ClientCredentialsGrant(issuer, t.accessTokenTtl(), t.maxAccessTokenTtl());
      this.verifier = new AccessTokenVerifier(config.issuerString(), keys.publicJwks(), clock, SigningAlgorithm.ES256, null);
      this.base = config.basePath();
      this.maxBodyBytes = config.http().maxBodyBytes();
    }

    /** {@code POST /token}: client credentials only (RFC 6749 §4.4). */
    Future<JsonObject> token(Client client, TokenRequest request) {
      String grantType = request.grantType();
      if (grantType == null) {
        throw OAuthException.invalidRequest("grant_type is required");
      }
      if (!GrantTypes.CLIENT_CREDENTIALS.equals(grantType)) {
        throw OAuthException.unsupportedGrantType("the limit probe serves client_credentials only");
      }
      if (!client.allowsGrant(grantType)) {
        throw OAuthException.unauthorizedClient("the client is not allowed the " + grantType + " grant");
      }
      return grant.handle(client, grant.parameters(request.params())).map(r -> r.toJson());
    }

    /** {@code POST /introspect} (RFC 7662 §2) of an access token, as a caller that may see it. */
    JsonObject introspect(Client caller, TokenRequest request) {
      String token = request.parameter("token").orElseThrow(() -> OAuthException.invalidRequest("token is required"));
      JsonObject claims = verified.get(token);
      if (claims == null && token.indexOf('.') > 0) {
        claims = verifier.verify(token).orElse(null);
        if (claims != null && verified.size() < MAX_VERIFIED) {
          verified.put(token, claims);
        }
      }
      if (claims == null || claims.getLong("exp") <= clock.instant().getEpochSecond()
          || !(caller.canIntrospect() || caller.clientId().equals(claims.getString("client_id")))) {
        return new JsonObject().put("active", false);
      }
      return IntrospectionService.accessTokenResponse(claims);
    }

    /** RFC 6749 §2.3.1: HTTP Basic, id and secret form-encoded; the secret checked against the seed's hash. */
    Client authenticate(String authorization) {
      if (authorization == null || !authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
        throw OAuthException.invalidClient("client authentication is required");
      }
      String decoded;
      try {
        decoded = StandardCharsets.UTF_8.newDecoder()
            .decode(java.nio.ByteBuffer.wrap(Base64.getDecoder().decode(authorization.substring(6).trim()))).toString();
      } catch (IllegalArgumentException | CharacterCodingException e) {
        throw OAuthException.invalidClient("malformed Basic credentials");
      }
      int colon = decoded.indexOf(':');
      if (colon < 1) {
        throw OAuthException.invalidClient("malformed Basic credentials");
      }
      String id;
      String secret;
      try {
        id = FormBody.decode(decoded.substring(0, colon));
        secret = FormBody.decode(decoded.substring(colon + 1));
      } catch (OAuthException e) {
        throw OAuthException.invalidClient("malformed Basic credentials");
      }
      Client client = clients.get(id);
      // as Gatehouse: the constant-time check runs also for an unknown client (against a dummy hash)
      boolean secretOk = SecretHasher.matches(secret, client == null ? null : client.secretHash());
      if (client == null || !secretOk || !client.authMethods().contains(AuthMethod.CLIENT_SECRET_BASIC)) {
        throw OAuthException.invalidClient(FAILED);
      }
      return client;
    }

    void handle(HttpServerRequest request) {
      HttpServerResponse response = request.response();
      // the header Gatehouse's router puts on every answer
      response.putHeader("X-Content-Type-Options", "nosniff");
      String path = request.path();
      boolean token = path.equals(base + "/token");
      if (!token && !path.equals(base + "/introspect")) {
        request.resume();
        OAuthErrorResponder.respond(response, OAuthException.of(OAuthErrorCode.NOT_FOUND, "no endpoint at this path"));
        return;
      }
      String contentType = request.getHeader(HttpHeaders.CONTENT_TYPE);
      if (request.method() != HttpMethod.POST || contentType == null || !contentType.regionMatches(true, 0, FORM, 0, FORM.length())) {
        request.resume();
        OAuthErrorResponder.respond(response, OAuthException.invalidRequest("POST a form body"));
        return;
      }
      String authorization = request.getHeader(HttpHeaders.AUTHORIZATION);
      BodyReader.read(request, maxBodyBytes).compose(body -> {
        Map<String, String> params = FormBody.parse(body.getBytes());
        Client client = authenticate(authorization);
        TokenRequest parsed = new TokenRequest(params, new ClientCredentials(AuthMethod.CLIENT_SECRET_BASIC, client.clientId(), null));
        return token ? token(client, parsed) : Future.succeededFuture(introspect(client, parsed));
      }).onSuccess(answer -> response.setStatusCode(200).putHeader("Content-Type", JSON)
          .putHeader("Cache-Control", "no-store").putHeader("Pragma", "no-cache").end(answer.toBuffer()))
          .onFailure(failure -> OAuthErrorResponder.respond(response,
              failure instanceof OAuthException oauth ? oauth : OAuthException.serverError()));
    }
  }

  /** One HTTP server instance, with Gatehouse's server options. */
  private static final class ProbeVerticle extends VerticleBase {
    private final Work work;
    private final GatehouseConfig config;
    private final int port;
    HttpServer server;

    ProbeVerticle(Work work, GatehouseConfig config, int port) {
      this.work = work;
      this.config = config;
      this.port = port;
    }

    @Override
    public Future<?> start() {
      HttpServerOptions options = new HttpServerOptions()
          .setHost(config.http().host())
          .setPort(port)
          .setCompressionSupported(false)
          .setHttp2ClearTextEnabled(false);
      new ConnectionGuard(config.http().connections(), Set.copyOf(config.http().trustedProxies())).configure(options);
      return vertx.createHttpServer(options).requestHandler(work::handle).listen().onSuccess(s -> server = s);
    }
  }
}
