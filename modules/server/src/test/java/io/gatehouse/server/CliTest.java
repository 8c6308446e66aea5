package io.gatehouse.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.server.cli.Cli;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operator CLI ({@code java -jar gatehouse.jar COMMAND}) against a real started server: what each command prints,
 * its exit status (0 done, 1 failed, 2 usage), and that no secret is printed but a client's new one.
 */
class CliTest {
  static final String ADMIN_SECRET = "admin-console-secret-0123456789-abcdef";
  static TestServer server;
  static Map<String, String> adminEnv;

  @TempDir
  Path dir;

  @BeforeAll
  static void start() throws Exception {
    server = TestServer.start(Map.of());
    adminEnv = Map.of("GATEHOUSE_ADMIN_URL", server.base, "GATEHOUSE_ADMIN_CLIENT_ID", "admin-console",
        "GATEHOUSE_ADMIN_CLIENT_SECRET", ADMIN_SECRET);
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
  }

  record Run(int status, String out, String err) {
    List<String> lines() {
      return out.isEmpty() ? List.of() : Arrays.asList(out.split("\n"));
    }

    JsonObject json() {
      return new JsonObject(out);
    }
  }

  static Run cli(Map<String, String> env, String stdin, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status = Cli.run(args, env, new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
        new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  static Run admin(String... args) {
    return cli(adminEnv, "", args);
  }

  // ------------------------------------------------------------------ the jar's two uses

  @Test
  void serverArgumentsAreNoCommandSoMainStartsTheServerAsBefore() {
    assertThat(Cli.isCommand(new String[0])).isFalse();
    assertThat(Cli.isCommand(new String[] {"--config", "gatehouse.yaml"})).isFalse();
    assertThat(Cli.isCommand(new String[] {"--seed", "seed.yaml", "--config", "c.yaml"})).isFalse();
    assertThat(Cli.isCommand(new String[] {"clients", "list"})).isTrue();
    assertThat(Cli.isCommand(new String[] {"--help"})).isTrue();
  }

  @Test
  void helpThenEveryCommandAndExit0() {
    Run help = cli(Map.of(), "", "--help");

    assertThat(help.status()).isZero();
    assertThat(help.out()).contains("keys", "clients", "users", "revoke", "config", "Exit status: 0 done, 1 failed, 2 usage error.");
  }

  @Test
  void unknownCommandOrOptionOrMissingArgumentThenUsageAndExit2() {
    assertThat(cli(Map.of(), "", "clients", "frobnicate").status()).isEqualTo(2);
    assertThat(cli(Map.of(), "", "keys", "generate").status()).as("--out is required").isEqualTo(2);
    assertThat(cli(Map.of(), "", "clients", "get", "--bogus", "x").status()).isEqualTo(2);
    assertThat(cli(Map.of(), "", "clients").status()).as("a group without its command").isEqualTo(2);
  }

  // ------------------------------------------------------------------ credentials

  @Test
  void adminCommandWhenNoCredentialsThenExit2NamingWhereTheyComeFrom() {
    Run run = cli(Map.of("GATEHOUSE_ADMIN_URL", server.base), "", "clients", "get", "spa");

    assertThat(run.status()).isEqualTo(2);
    assertThat(run.err()).startsWith("gatehouse: the admin client's id is missing: --client-id or GATEHOUSE_ADMIN_CLIENT_ID\n");
    Run noSecret = cli(Map.of("GATEHOUSE_ADMIN_URL", server.base), "", "clients", "get", "spa", "--client-id", "admin-console");
    assertThat(noSecret.status()).isEqualTo(2);
    assertThat(noSecret.err()).startsWith("gatehouse: the admin client's secret is missing: --client-secret-stdin, "
        + "GATEHOUSE_ADMIN_CLIENT_SECRET or --client-secret\n");
  }

  @Test
  void adminCommandWhenSecretFromStdinOrTheCommandLineThenItWorks() {
    Run stdin = cli(Map.of(), ADMIN_SECRET + "\n", "clients", "get", "spa", "--url", server.base, "--client-id", "admin-console",
        "--client-secret-stdin");
    Run commandLine = cli(Map.of(), "", "clients", "get", "spa", "--url", server.base + "/", "--client-id", "admin-console",
        "--client-secret", ADMIN_SECRET);

    assertThat(stdin.status()).as(stdin.err()).isZero();
    assertThat(stdin.json().getString("client_id")).isEqualTo("spa");
    assertThat(commandLine.status()).as(commandLine.err()).isZero();
    assertThat(commandLine.out()).isEqualTo(stdin.out());
  }

  @Test
  void adminCommandWhenTheSecretIsWrongThenExit1WithTheServersErrorAndNeverTheSecret() {
    Map<String, String> env = new HashMap<>(adminEnv);
    env.put("GATEHOUSE_ADMIN_CLIENT_SECRET", "wrong-secret-0123456789-0123456789-xyz");

    Run run = cli(env, "", "clients", "list");

    assertThat(run.status()).isEqualTo(1);
    assertThat(run.out()).isEmpty();
    assertThat(run.err()).isEqualTo("gatehouse: getting an admin token for client 'admin-console' answered 401 invalid_client: "
        + "client authentication failed\n");
    assertThat(run.err()).doesNotContain("wrong-secret");
  }

  @Test
  void adminCommandWhenTheUrlIsPlainHttpToAnotherHostThenExit2BeforeSendingTheSecret() {
    Map<String, String> env = new HashMap<>(adminEnv);
    env.put("GATEHOUSE_ADMIN_URL", "http://gatehouse.example.com");

    Run run = cli(env, "", "clients", "list");

    assertThat(run.status()).isEqualTo(2);
    assertThat(run.err()).startsWith(
        "gatehouse: --url must use https (http only for a loopback host): the admin secret would travel in clear\n");
  }

  @Test
  void adminCommandWhenTheServerCannotBeReachedThenExit1() throws Exception {
    Map<String, String> env = new HashMap<>(adminEnv);
    env.put("GATEHOUSE_ADMIN_URL", "http://127.0.0.1:" + io.gatehouse.testing.FreePort.loopback());

    Run run = cli(env, "", "users", "list");

    assertThat(run.status()).isEqualTo(1);
    assertThat(run.err()).startsWith("gatehouse: cannot reach http://127.0.0.1:");
  }

  // ------------------------------------------------------------------ clients

  @Test
  void clientsCreateGetRotateDeleteShowsEachNewSecretOnceAndOnlyThen() throws Exception {
    Run created = admin("clients", "create", "cli-made", "--grant-type", "client_credentials", "--scope", "read:users,write:users");
    assertThat(created.status()).as(created.err()).isZero();
    String secret = created.json().getString("client_secret");
    assertThat(secret).hasSizeGreaterThanOrEqualTo(32);
    assertThat(created.json().getJsonArray("scopes")).isEqualTo(new JsonArray().add("read:users").add("write:users"));
    assertThat(AdminApiTest.tokenStatus(server, "cli-made", secret, "read:users")).isEqualTo(200);

    Run got = admin("clients", "get", "cli-made");
    assertThat(got.status()).isZero();
    assertThat(got.json().getString("client_id")).isEqualTo("cli-made");
    assertThat(got.out()).doesNotContain("\"client_secret\"").doesNotContain("hash");

    Run rotated = admin("clients", "rotate-secret", "cli-made");
    assertThat(rotated.status()).as(rotated.err()).isZero();
    String newSecret = rotated.json().getString("client_secret");
    assertThat(newSecret).isNotEqualTo(secret);
    assertThat(AdminApiTest.tokenStatus(server, "cli-made", secret, "read:users")).isEqualTo(401);
    assertThat(AdminApiTest.tokenStatus(server, "cli-made", newSecret, "read:users")).isEqualTo(200);

    Run deleted = admin("clients", "delete", "cli-made");
    assertThat(deleted.status()).isZero();
    assertThat(deleted.out()).isEqualTo("deleted client cli-made\n");
    Run gone = admin("clients", "get", "cli-made");
    assertThat(gone.status()).isEqualTo(1);
    assertThat(gone.err()).isEqualTo("gatehouse: GET /admin/clients/cli-made answered 404 not_found: "
        + "no client is registered under this client_id\n");
  }

  @Test
  void clientsCreateFromAFileWithOptionsOverTheFile() throws Exception {
    Path file = dir.resolve("client.json");
    Files.writeString(file, new JsonObject().put("grant_types", new JsonArray().add("authorization_code"))
        .put("redirect_uris", new JsonArray().add("https://app.example.com/cb")).put("scopes", new JsonArray().add("openid"))
        .encode());

    Run created = admin("clients", "create", "cli-file", "--file", file.toString(), "--scope", "read:users");

    assertThat(created.status()).as(created.err()).isZero();
    assertThat(created.json().getJsonArray("redirect_uris")).isEqualTo(new JsonArray().add("https://app.example.com/cb"));
    assertThat(created.json().getJsonArray("scopes")).isEqualTo(new JsonArray().add("read:users"));
    Run invalid = admin("clients", "create", "cli-bad", "--redirect-uri", "javascript:alert(1)", "--grant-type", "authorization_code");
    assertThat(invalid.status()).isEqualTo(1);
    assertThat(invalid.err()).startsWith("gatehouse: POST /admin/clients answered 400 invalid_redirect_uri: redirect_uris[0]");
    admin("clients", "delete", "cli-file");
  }

  @Test
  void clientsListPrintsOneJsonObjectALineForEveryPage() throws Exception {
    Run all = admin("clients", "list");
    Run prefixed = admin("clients", "list", "--prefix", "s");

    assertThat(all.status()).isZero();
    assertThat(all.lines().stream().map(l -> new JsonObject(l).getString("client_id")).toList())
        .containsSubsequence(AdminListingTest.SEEDED_CLIENTS);
    assertThat(prefixed.lines().stream().map(l -> new JsonObject(l).getString("client_id")).toList())
        .containsExactly("short-lived", "spa");
  }

  @Test
  void clientsListWithLimitPrintsOnePageAndItsCursorOnStandardError() {
    Run first = admin("clients", "list", "--limit", "2", "--prefix", "s");

    assertThat(first.lines()).hasSize(2);
    assertThat(first.err()).isEmpty();
    Run page = admin("clients", "list", "--limit", "1");
    assertThat(page.lines()).hasSize(1);
    assertThat(page.err()).startsWith("next_cursor: ");
    Run next = admin("clients", "list", "--limit", "1", "--cursor", page.err().substring("next_cursor: ".length()).trim());
    assertThat(next.lines()).hasSize(1);
    assertThat(new JsonObject(next.out()).getString("client_id")).isEqualTo("billing-service");
    Run bad = admin("clients", "list", "--limit", "500");
    assertThat(bad.status()).isEqualTo(1);
    assertThat(bad.err()).isEqualTo("gatehouse: GET /admin/clients answered 400 invalid_request: limit must be a whole number from 1 to 200\n");
  }

  // ------------------------------------------------------------------ users

  @Test
  void usersCreateWithThePasswordFromStdinThenListThenDelete() throws Exception {
    Run created = cli(adminEnv, "carol-password-123\n", "users", "create", "carol", "--password-stdin", "--claim", "name=Carol C",
        "--claim", "email_verified=true", "--subject", "cli-carol");

    assertThat(created.status()).as(created.err()).isZero();
    assertThat(created.json()).isEqualTo(new JsonObject().put("subject", "cli-carol").put("username", "carol")
        .put("claims", new JsonObject().put("name", "Carol C").put("email_verified", true)));
    assertThat(io.gatehouse.testing.Await.await(server.gatehouse.parts().logins().login("carol", "carol-password-123", "203.0.113.9")))
        .isNotInstanceOf(io.gatehouse.core.user.LoginService.InvalidCredentials.class);
    Run listed = admin("users", "list", "--prefix", "CAR");
    assertThat(listed.out()).isEqualTo(created.json().encode() + "\n");
    Run deleted = admin("users", "delete", "cli-carol");
    assertThat(deleted.out()).isEqualTo("deleted user cli-carol\n");
    assertThat(admin("users", "list", "--prefix", "carol").out()).isEmpty();
  }

  @Test
  void usersCreateWhenTheAdminSecretAndThePasswordBothComeFromStdinThenOneALine() {
    Run created = cli(Map.of("GATEHOUSE_ADMIN_URL", server.base, "GATEHOUSE_ADMIN_CLIENT_ID", "admin-console"),
        ADMIN_SECRET + "\ndave-password-123\n", "users", "create", "dave", "--client-secret-stdin", "--password-stdin");

    assertThat(created.status()).as(created.err()).isZero();
    assertThat(created.out()).doesNotContain("dave-password-123").doesNotContain(ADMIN_SECRET);
    admin("users", "delete", created.json().getString("subject"));
  }

  @Test
  void usersCreateWithoutAPasswordThenExit2() {
    Run run = admin("users", "create", "erin");

    assertThat(run.status()).isEqualTo(2);
    assertThat(run.err()).startsWith("gatehouse: the password is missing: --password-stdin, GATEHOUSE_USER_PASSWORD or a terminal to type it on\n");
    assertThat(admin("users", "list", "--prefix", "erin").out()).isEmpty();
  }

  // ------------------------------------------------------------------ revoke

  @Test
  void revokeClientThenItsTokensAreInactiveAndTheRevocationIsListed() throws Exception {
    String adminToken = AdminApiTest.adminToken(server);
    String secret = AdminApiTest.createCc(server, adminToken, "cli-revoked", "read:users");
    String token = AdminApiTest.clientToken(server, TestServer.basic("cli-revoked", secret), "read:users");
    assertThat(AdminApiTest.introspect(server, token).getBoolean("active")).isTrue();

    Run revoked = admin("revoke", "client", "cli-revoked");

    assertThat(revoked.status()).as(revoked.err()).isZero();
    assertThat(revoked.json().getString("kind")).isEqualTo("client");
    assertThat(revoked.json().getString("value")).isEqualTo("cli-revoked");
    assertThat(AdminApiTest.introspect(server, token)).isEqualTo(AdminApiTest.INACTIVE);
    assertThat(admin("revoke", "list").lines()).anySatisfy(l -> assertThat(new JsonObject(l).getString("value")).isEqualTo("cli-revoked"));
  }

  // ------------------------------------------------------------------ keys generate

  @Test
  void keysGenerateWritesAnOwnerOnlyKeySetThatAServerSignsWith() throws Exception {
    Path keys = dir.resolve("cluster/keys.json");

    Run run = cli(Map.of(), "", "keys", "generate", "--out", keys.toString());

    assertThat(run.status()).as(run.err()).isZero();
    assertThat(Files.getPosixFilePermissions(keys)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
    JsonArray set = new JsonObject(Files.readString(keys)).getJsonArray("keys");
    assertThat(set).hasSize(2);
    JsonObject accessKey = set.getJsonObject(0);
    assertThat(accessKey.getString("alg")).isEqualTo("ES256");
    assertThat(accessKey.containsKey("d")).as("a private key").isTrue();
    assertThat(set.getJsonObject(1).getString("alg")).isEqualTo("RS256");
    assertThat(run.out()).startsWith("wrote " + keys + " (mode 600): ES256 key " + accessKey.getString("kid") + ", RS256 key ")
        .doesNotContain(accessKey.getString("d"));

    try (TestServer node = TestServer.start(Map.of("GATEHOUSE_KEYS_JWKS_FILE", keys.toString()))) {
      String token = AdminApiTest.clientToken(node, AdminApiTest.BILLING, "read:users");
      assertThat(node.verify(token).getClaimValueAsString("client_id")).isEqualTo("billing-service");
      String header = new String(java.util.Base64.getUrlDecoder().decode(token.substring(0, token.indexOf('.'))), StandardCharsets.UTF_8);
      assertThat(new JsonObject(header).getString("kid")).isEqualTo(accessKey.getString("kid"));
    }
  }

  @Test
  void keysGenerateWhenTheFileExistsThenLeavesItUnlessForce() throws Exception {
    Path keys = dir.resolve("keys.json");
    Files.writeString(keys, "precious");

    Run refused = cli(Map.of(), "", "keys", "generate", "--out", keys.toString());

    assertThat(refused.status()).isEqualTo(1);
    assertThat(refused.err()).isEqualTo("gatehouse: " + keys + " exists; it is left as it was (--force replaces it)\n");
    assertThat(Files.readString(keys)).isEqualTo("precious");
    Run forced = cli(Map.of(), "", "keys", "generate", "--out", keys.toString(), "--force", "--alg", "EdDSA");
    assertThat(forced.status()).as(forced.err()).isZero();
    assertThat(new JsonObject(Files.readString(keys)).getJsonArray("keys").getJsonObject(0).getString("crv")).isEqualTo("Ed25519");
    assertThat(Files.getPosixFilePermissions(keys)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
  }

  @Test
  void keysGenerateFollowsTheConfigurationsAlgorithmsOrRefusesAnUnknownOne() throws Exception {
    Path config = dir.resolve("gatehouse.yaml");
    Files.writeString(config, "keys:\n  algorithm: EdDSA\ntoken:\n  id_token_algorithm: ES256\n");

    Run run = cli(Map.of(), "", "keys", "generate", "--out", dir.resolve("k.json").toString(), "--config", config.toString());
    Run bogus = cli(Map.of(), "", "keys", "generate", "--out", dir.resolve("b.json").toString(), "--alg", "HS256");

    assertThat(run.status()).as(run.err()).isZero();
    assertThat(run.out()).startsWith("wrote ").contains(": EdDSA key ").contains(", ES256 key ");
    assertThat(bogus.status()).isEqualTo(2);
    assertThat(bogus.err()).startsWith("gatehouse: --alg must be ES256, RS256 or EdDSA, got 'HS256'\n");
    assertThat(dir.resolve("b.json")).doesNotExist();
  }

  // ------------------------------------------------------------------ config check

  @Test
  void configCheckWhenValidThenOkAndExit0() throws Exception {
    Path config = dir.resolve("ok.yaml");
    Files.writeString(config, "http:\n  port: 9999\n");

    Run run = cli(Map.of(), "", "config", "check", "--config", config.toString());

    assertThat(run.status()).isZero();
    assertThat(run.out()).isEqualTo("OK\n");
    assertThat(run.err()).isEmpty();
  }

  @Test
  void configCheckWhenSeveralProblemsThenEachOnceAndExit1() throws Exception {
    Path config = dir.resolve("bad.yaml");
    Files.writeString(config, "http:\n  port: 99999\nnonsense: 1\ntoken:\n  audience: ''\nstore:\n  type: mongo\n");

    Run run = cli(Map.of("GATEHOUSE_METRICS_ENABLED", "maybe"), "", "config", "check", "--config", config.toString());

    assertThat(run.status()).isEqualTo(1);
    assertThat(run.out()).isEmpty();
    assertThat(run.err()).isEqualTo(String.join("\n",
        "error: unknown configuration key 'nonsense' in " + config,
        "error: configuration key 'http.port' (from " + config + ") must be between 0 and 65535, got '99999'",
        "error: configuration key 'token.audience' (from " + config + ") must not be empty, got ''",
        "error: configuration key 'store.type' (from " + config + ") must be memory or postgres, got 'mongo'",
        "error: configuration key 'metrics.enabled' (from environment variable GATEHOUSE_METRICS_ENABLED) must be true or false, got 'maybe'",
        ""));
  }

  @Test
  void configCheckWhenTheDefaultPutInForABadValueClashesWithAnotherKeyThenOnlyTheBadValueIsNamed() throws Exception {
    Path config = dir.resolve("ttl.yaml");
    // the bad lifetime is checked on as its default (10m), which is longer than this maximum: not the operator's error
    Files.writeString(config, "token:\n  access_token_ttl: soon\n  max_access_token_ttl: 1m\n");

    Run run = cli(Map.of(), "", "config", "check", "--config", config.toString());

    assertThat(run.status()).isEqualTo(1);
    assertThat(run.err()).isEqualTo("error: configuration key 'token.access_token_ttl' (from " + config
        + ") expected a duration such as 500ms, 30s, 10m, 1h or 1d, got 'soon'\n");
  }

  @Test
  void configCheckWhenTheSeedOrKeyFileIsBrokenThenExit1NamingIt() throws Exception {
    Path seed = dir.resolve("seed.yaml");
    Files.writeString(seed, "clients:\n  - client_id: x\n    grant_types: [password]\n");
    Path missingKeys = dir.resolve("absent-keys.json");

    Run badSeed = cli(Map.of(), "", "config", "check", "--seed", seed.toString());
    Run badKeys = cli(Map.of("GATEHOUSE_KEYS_JWKS_FILE", missingKeys.toString()), "", "config", "check");

    assertThat(badSeed.status()).isEqualTo(1);
    assertThat(badSeed.err()).startsWith("error: seed file " + seed);
    assertThat(badKeys.status()).isEqualTo(1);
    assertThat(badKeys.err()).startsWith("error: keys.jwks_file " + missingKeys + " cannot be read (");
  }
}
