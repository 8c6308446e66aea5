package io.gatehouse.server;

import static io.gatehouse.testing.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.User;
import io.vertx.ext.auth.oauth2.OAuth2Auth;
import io.vertx.ext.auth.oauth2.OAuth2FlowType;
import io.vertx.ext.auth.oauth2.OAuth2Options;
import io.vertx.ext.auth.oauth2.Oauth2Credentials;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The same flows with the client registry in the real PostgreSQL (own schema, dropped afterwards). */
class PostgresTokenEndpointTest {
  static final String HOST = env("GATEHOUSE_TEST_PG_HOST", "127.0.0.1");
  static final String PORT = env("GATEHOUSE_TEST_PG_PORT", "5432");
  static final String USER = env("GATEHOUSE_TEST_PG_USER", "postgres");
  static final String DATABASE = env("GATEHOUSE_TEST_PG_DATABASE", "test");
  static final String SCHEMA = "gh_e2e_" + HexFormat.of().formatHex(longBytes(ThreadLocalRandom.current().nextLong()));
  static TestServer server;

  static String env(String name, String fallback) {
    return Optional.ofNullable(System.getenv(name)).orElse(fallback);
  }

  static byte[] longBytes(long v) {
    return java.nio.ByteBuffer.allocate(8).putLong(v).array();
  }

  static Map<String, String> postgresEnv(String schema, String cacheTtl) {
    return Map.of("GATEHOUSE_STORE_TYPE", "postgres", "GATEHOUSE_POSTGRES_HOST", HOST, "GATEHOUSE_POSTGRES_PORT", PORT,
        "GATEHOUSE_POSTGRES_USER", USER, "GATEHOUSE_POSTGRES_DATABASE", DATABASE, "GATEHOUSE_POSTGRES_SCHEMA", schema,
        "GATEHOUSE_STORE_CLIENT_CACHE_TTL", cacheTtl);
  }

  /** Closes {@code server}, then drops its schema. */
  static void closeAndDrop(TestServer server, String schema) throws Exception {
    try {
      server.close();
    } finally {
      sql("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
    }
  }

  static void sql(String statement) throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:postgresql://" + HOST + ":" + PORT + "/" + DATABASE, USER, null);
        Statement s = c.createStatement()) {
      s.execute(statement);
    }
  }

  static long sqlCount(String query) throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:postgresql://" + HOST + ":" + PORT + "/" + DATABASE, USER, null);
        Statement s = c.createStatement();
        java.sql.ResultSet rs = s.executeQuery(query)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  @BeforeAll
  static void start() throws Exception {
    server = TestServer.start(postgresEnv(SCHEMA, "30s"));
  }

  @AfterAll
  static void stop() throws Exception {
    try {
      server.close();
    } finally {
      sql("DROP SCHEMA IF EXISTS " + SCHEMA + " CASCADE");
    }
  }

  @Test
  void tokenWithStandardOAuthClientThenVerifiesAgainstDiscoveredJwks() throws Exception {
    OAuth2Auth oauth2 = OAuth2Auth.create(server.vertx, new OAuth2Options()
        .setClientId("billing-service").setClientSecret(TokenEndpointTest.BILLING_SECRET).setSite(server.base).setTokenPath("/token"));
    User user = await(oauth2.authenticate(new Oauth2Credentials().setFlow(OAuth2FlowType.CLIENT).setScopes(List.of("write:users"))));
    var claims = server.verify(user.principal().getString("access_token"));
    assertThat(claims.getSubject()).isEqualTo("billing-service");
    assertThat(claims.getStringClaimValue("scope")).isEqualTo("write:users");
  }

  @Test
  void seededSecretsAreStoredAsHashesOnly() throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:postgresql://" + HOST + ":" + PORT + "/" + DATABASE, USER, null);
        var rs = c.createStatement().executeQuery("SELECT secret_hash FROM " + SCHEMA + ".clients WHERE client_id = 'billing-service'")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getString(1)).startsWith("s256$").doesNotContain(TokenEndpointTest.BILLING_SECRET);
    }
  }

  @Test
  void tokenErrorsAnswerTheSameAsOnTheMemoryRegistry() throws Exception {
    TokenEndpointTest.assertError(server.form("grant_type=client_credentials", "Authorization", TestServer.basic("billing-service", "wrong")),
        401, "invalid_client");
    TokenEndpointTest.assertError(server.form("grant_type=client_credentials", "Authorization", TestServer.basic("nobody", "wrong")),
        401, "invalid_client");
    TokenEndpointTest.assertError(server.form("grant_type=client_credentials&scope=admin", "Authorization", TokenEndpointTest.BILLING),
        400, "invalid_scope");
    TokenEndpointTest.assertError(server.form("grant_type=client_credentials", "Authorization",
        TestServer.basic("web-app", "web-app-secret-0123456789-abcdefghijkl")), 400, "unauthorized_client");
  }

  interface SchemaTest {
    void run(TestServer server, String schema) throws Exception;
  }

  /** Runs {@code test} against a server of its own on a schema of its own, dropped afterwards. */
  static void withOwnSchema(String suffix, String cacheTtl, SchemaTest test) throws Exception {
    String schema = SCHEMA + suffix;
    try (TestServer own = TestServer.start(postgresEnv(schema, cacheTtl))) {
      test.run(own, schema);
    } finally {
      sql("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
    }
  }

  @Test
  void tokenWhenRegistryFailsThen500ServerErrorWithoutDetail() throws Exception {
    withOwnSchema("_b", "0s", (broken, schema) -> {
      assertThat(broken.form("grant_type=client_credentials", "Authorization", TokenEndpointTest.BILLING).statusCode()).isEqualTo(200);
      sql("DROP TABLE " + schema + ".clients");
      HttpResponse<String> r = broken.form("grant_type=client_credentials", "Authorization", TokenEndpointTest.BILLING);
      TokenEndpointTest.assertError(r, 500, "server_error");
      assertThat(new JsonObject(r.body()).getString("error_description")).isEqualTo("the server could not process the request");
      assertThat(r.body()).doesNotContain("clients").doesNotContain("relation").doesNotContain(schema);
    });
  }

  @Test
  void tokenWhenClientCachedThenNoDatabaseRoundTrip() throws Exception {
    // the hot path does no network I/O: once cached, the client is served even with the table gone
    withOwnSchema("_c", "1h", (cached, schema) -> {
      assertThat(cached.form("grant_type=client_credentials", "Authorization", TokenEndpointTest.BILLING).statusCode()).isEqualTo(200);
      sql("DROP TABLE " + schema + ".clients");
      assertThat(cached.form("grant_type=client_credentials", "Authorization", TokenEndpointTest.BILLING).statusCode()).isEqualTo(200);
    });
  }

  @Test
  void healthWhenPostgresAnswersThenUp() throws Exception {
    assertThat(server.get("/health").statusCode()).isEqualTo(200);
  }

  @Test
  void revokeWhenTheRevocationCannotBeRecordedThen503NeverSuccess() throws Exception {
    withOwnSchema("_r", "1h", (broken, schema) -> {
      // the client is cached, so only the refresh-token store fails
      assertThat(broken.form("grant_type=client_credentials", "Authorization", TokenEndpointTest.BILLING).statusCode()).isEqualTo(200);
      sql("DROP TABLE " + schema + ".refresh_tokens CASCADE");
      HttpResponse<String> r = broken.post("/revoke", "application/x-www-form-urlencoded", "token=some-refresh-token",
          "Authorization", TokenEndpointTest.BILLING);
      TokenEndpointTest.assertError(r, 503, "temporarily_unavailable");
      assertThat(r.body()).doesNotContain("relation").doesNotContain(schema);
    });
  }

  @Test
  void revokeAccessTokenWhenTheRevocationListCannotBeWrittenThen503AndTheTokenStaysUnrevokedNowhere() throws Exception {
    withOwnSchema("_rl", "1h", (broken, schema) -> {
      String access = new JsonObject(broken.form("grant_type=client_credentials&scope=read%3Ausers", "Authorization", TokenEndpointTest.BILLING)
          .body()).getString("access_token");
      sql("DROP TABLE " + schema + ".revocations CASCADE");

      HttpResponse<String> r = broken.post("/revoke", "application/x-www-form-urlencoded", "token=" + access,
          "Authorization", TokenEndpointTest.BILLING);

      TokenEndpointTest.assertError(r, 503, "temporarily_unavailable");
      assertThat(new JsonObject(r.body()).getString("error_description")).isEqualTo("the revocation could not be recorded; try again");
      assertThat(r.body()).doesNotContain("relation").doesNotContain(schema);
    });
  }

  @Test
  void revokeAccessTokenOnPostgresThenDurableAndAStartingNodeRejectsItToo() throws Exception {
    withOwnSchema("_rd", "1h", (first, schema) -> {
      String access = new JsonObject(first.form("grant_type=client_credentials&scope=read%3Ausers", "Authorization", TokenEndpointTest.BILLING)
          .body()).getString("access_token");
      assertThat(first.post("/revoke", "application/x-www-form-urlencoded", "token=" + access, "Authorization", TokenEndpointTest.BILLING)
          .statusCode()).isEqualTo(200);
      assertThat(sqlCount("SELECT count(*) FROM " + schema + ".revocations WHERE kind = 'token'")).isEqualTo(1);

      // a node started afterwards (same keys, same database) loads the revocation before it serves
      Map<String, String> env = new java.util.HashMap<>(postgresEnv(schema, "1h"));
      env.put("GATEHOUSE_KEYS_JWKS_FILE", first.dir.resolve("data/signing-keys.json").toString());
      try (TestServer second = TestServer.start(env)) {
        HttpResponse<String> r = second.post("/introspect", "application/x-www-form-urlencoded", "token=" + access, "Authorization",
            RevocationTest.RS);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(new JsonObject(r.body())).isEqualTo(new JsonObject().put("active", false));
      }
    });
  }
}
