package io.gatehouse.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gatehouse.core.client.SecretHasher;
import io.gatehouse.core.model.AuthMethod;
import io.gatehouse.core.model.Client;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class SeedFileTest {
  static final String SECRET = "at-least-32-characters-of-random-secret";

  static String client(String extra) {
    return "clients:\n  - client_id: billing-service\n    client_secret: \"" + SECRET + "\"\n    grant_types: [client_credentials]\n"
        + "    scopes: [read:users, write:users]\n" + extra;
  }

  @Test
  void parseWhenIssueFormatThenClientWithHashedSecret() {
    List<Client> clients = SeedFile.parse(client("""
            token_endpoint_auth_methods: [client_secret_basic, client_secret_post]
            redirect_uris: []
            access_token_ttl: 5m
        """));
    Client c = clients.get(0);
    assertThat(c.clientId()).isEqualTo("billing-service");
    assertThat(c.secretHash()).doesNotContain(SECRET);
    assertThat(SecretHasher.matches(SECRET, c.secretHash())).isTrue();
    assertThat(c.grantTypes()).containsExactly("client_credentials");
    assertThat(c.scopes().wire()).isEqualTo("read:users write:users");
    assertThat(c.defaultScopes().isEmpty()).isTrue();
    assertThat(c.authMethods()).containsExactlyInAnyOrder(AuthMethod.CLIENT_SECRET_BASIC, AuthMethod.CLIENT_SECRET_POST);
    assertThat(c.accessTokenTtl()).isEqualTo(Duration.ofMinutes(5));
  }

  @Test
  void parseWhenAuthMethodsOmittedThenClientSecretBasic() {
    assertThat(SeedFile.parse(client("")).get(0).authMethods()).containsExactly(AuthMethod.CLIENT_SECRET_BASIC);
  }

  @Test
  void parseWhenPublicClientThenNoSecret() {
    Client c = SeedFile.parse("""
        clients:
          - client_id: spa
            grant_types: [authorization_code]
            token_endpoint_auth_methods: [none]
            redirect_uris: ["http://127.0.0.1:3000/cb", "https://app.example.com/cb"]
        """).get(0);
    assertThat(c.isPublic()).isTrue();
    assertThat(c.redirectUris()).containsExactly("http://127.0.0.1:3000/cb", "https://app.example.com/cb");
  }

  @Test
  void parseWhenEmptyDocumentThenNoClients() {
    assertThat(SeedFile.parse("")).isEmpty();
    assertThat(SeedFile.parse("clients: []\n")).isEmpty();
  }

  static void refused(String yaml, String... fragments) {
    var assertion = assertThatThrownBy(() -> SeedFile.parse(yaml)).isInstanceOf(ConfigException.class);
    for (String f : fragments) {
      assertion.hasMessageContaining(f);
    }
    assertion.satisfies(e -> assertThat(e.getMessage()).doesNotContain(SECRET));
  }

  @Test
  void parseWhenMalformedThenMessageNamesEntryAndField() {
    refused(client("    access_token_ttl: soon\n"), "clients[0] (billing-service)", "'access_token_ttl'");
    refused(client("    access_token_ttl: 2d\n"), "'access_token_ttl'");
    refused(client("    grant_type: [x]\n"), "clients[0] (billing-service)", "unknown field 'grant_type'");
    refused(client("    token_endpoint_auth_methods: [private_key_jwt]\n"), "'token_endpoint_auth_methods'");
    refused(client("    token_endpoint_auth_methods: [none, client_secret_basic]\n"), "'token_endpoint_auth_methods'");
    refused(client("    default_scopes: [admin]\n"), "'default_scopes'", "subset");
    refused(client("    redirect_uris: [\"/relative\"]\n"), "'redirect_uris'");
    refused(client("    redirect_uris: [\"https://app.example.com/cb#frag\"]\n"), "'redirect_uris'");
    refused(client("    redirect_uris: [\"http://app.example.com/cb\"]\n"), "'redirect_uris'", "https");
    refused(client("    redirect_uris: [\"JavaScript:alert(1)\"]\n"), "'redirect_uris'");
    refused(client("    scopes: [\"bad scope\"]\n").replace("    scopes: [read:users, write:users]\n", ""), "'scopes'");
  }

  @Test
  void parseWhenRedirectUriBreaksTheRegistrationRulesThenRefusedNamingTheFieldAndTheEntry() {
    // the seed and the admin API share ClientMetadata's rules; the seed's message quotes the entry for its operator
    refused(client("    redirect_uris: [\"https://app.example.com/cb?state=x\"]\n"), "clients[0] (billing-service)",
        "field 'redirect_uris' 'https://app.example.com/cb?state=x' must not carry state in its query");
    refused(client("    redirect_uris: [\"https://app.example.com/cb?iss=x\"]\n"), "'redirect_uris'", "must not carry iss");
    refused(client("    redirect_uris: [\"ws://app.example.com/cb\"]\n"), "'redirect_uris'", "must not use the ws: scheme");
    refused(client("    redirect_uris: [\"view-source:https://app.example.com/cb\"]\n"), "'redirect_uris'", "view-source:");
    refused(client("    redirect_uris: [\"http://localhost:3000/cb\"]\n"), "'redirect_uris'", "instead of localhost");
    refused(client("    redirect_uris: [\"com.example.app:/cb\"]\n"), "'redirect_uris'", "only for a public (native) client");
    refused(client("    post_logout_redirect_uris: [\"https://app.example.com/bye?error=x\"]\n"), "'post_logout_redirect_uris'",
        "must not carry error in its query");
    refused(client("    post_logout_redirect_uris: [\"ftp://app.example.com/bye\"]\n"), "'post_logout_redirect_uris'", "ftp:");
  }

  @Test
  void parseWhenPublicClientWithReverseDomainPrivateUseSchemeThenAccepted() {
    Client c = SeedFile.parse("""
        clients:
          - client_id: native
            grant_types: [authorization_code]
            token_endpoint_auth_methods: [none]
            redirect_uris: ["com.example.app:/oauth2redirect", "http://[::1]/cb"]
        """).get(0);
    assertThat(c.redirectUris()).containsExactly("com.example.app:/oauth2redirect", "http://[::1]/cb");
  }

  @Test
  void parseWhenSecretMissingOrShortThenRefused() {
    refused("clients:\n  - client_id: a\n    grant_types: [client_credentials]\n", "clients[0] (a)", "'client_secret'", "required");
    refused("clients:\n  - client_id: a\n    client_secret: short\n    grant_types: [client_credentials]\n", "'client_secret'", "at least 32");
    refused("clients:\n  - client_id: a\n    client_secret: \"" + SECRET + "\"\n    grant_types: [authorization_code]\n"
        + "    token_endpoint_auth_methods: [none]\n    redirect_uris: [\"https://a.example/cb\"]\n", "'client_secret'", "public client");
  }

  @Test
  void parseWhenRefusedOrUnknownGrantThenRefused() {
    refused(client("").replace("[client_credentials]", "[password]"), "'grant_types'", "refused");
    refused(client("").replace("[client_credentials]", "[implicit]"), "'grant_types'", "refused");
    refused(client("").replace("[client_credentials]", "[device_code]"), "'grant_types'", "unknown");
  }

  @Test
  void parseWhenNoGrantThenAConfidentialClientThatOnlyAuthenticates() {
    // issue 14 item 7: a resource server that only introspects and revokes needs no grant
    Client c = SeedFile.parse(client("    can_introspect: true\n").replace("[client_credentials]", "[]")).get(0);
    assertThat(c.grantTypes()).isEmpty();
    assertThat(c.allowsGrant("client_credentials")).isFalse();
    assertThat(c.canIntrospect()).isTrue();
    // a public client still needs authorization_code
    refused(client("    token_endpoint_auth_methods: [none]\n    redirect_uris: [\"https://a.example/cb\"]\n")
        .replace("[client_credentials]", "[]").replace("    client_secret: \"" + SECRET + "\"\n", ""), "'grant_types'", "authorization_code");
  }

  @Test
  void parseWhenStructureWrongThenRefused() {
    refused("clients: {a: 1}\n", "'clients' must be a list");
    refused("clients:\n  - just-a-string\n", "clients[0]", "mapping");
    refused("clients:\n  - grant_types: [client_credentials]\n", "clients[0]", "'client_id'");
    refused("tenants: []\n", "unknown top-level key 'tenants'");
    refused(client("") + client("").replace("clients:\n", ""), "clients[1] (billing-service)", "repeated");
  }

  @Test
  void parseWhenYamlBrokenThenMessageDoesNotQuoteTheFile() {
    String broken = "clients:\n  - client_id: a\n    client_secret: \"" + SECRET + "\n    grant_types: [\n";
    assertThatThrownBy(() -> SeedFile.parse(broken)).isInstanceOf(ConfigException.class)
        .hasMessageContaining("not valid YAML")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain(SECRET));
  }

  static final io.gatehouse.core.user.PasswordHasher FAST = new io.gatehouse.core.user.PasswordHasher(64, 1, 1);

  @Test
  void readWhenUsersThenPasswordsHashedSubjectsStableAndClaimsKept() {
    SeedFile.Seed seed = SeedFile.read("""
        users:
          - username: Alice
            password: "alice-password-123"
            claims: {name: Alice Example, email_verified: true, address: {country: NL}}
          - username: bob
            password_hash: "$argon2id$v=19$m=64,t=1,p=1$c29tZXNhbHRzb21lc2FsdA$QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo"
            subject: "bob-1"
        """, FAST);
    var alice = seed.users().get(0);
    assertThat(alice.username()).isEqualTo("Alice");
    assertThat(alice.passwordHash()).startsWith("$argon2id$").doesNotContain("alice-password-123");
    assertThat(FAST.verify("alice-password-123", alice.passwordHash())).isTrue();
    assertThat(alice.subject()).isEqualTo(SeedFile.read("users:\n  - {username: alice, password: other-password}\n", FAST)
        .users().get(0).subject());
    assertThat(alice.claims().getString("name")).isEqualTo("Alice Example");
    assertThat(alice.claims().getJsonObject("address").getString("country")).isEqualTo("NL");
    assertThat(seed.users().get(1).subject()).isEqualTo("bob-1");
  }

  @Test
  void readWhenUserMalformedThenRefusedWithoutEchoingThePassword() {
    for (String[] c : new String[][] {
        {"users:\n  - {username: a, password: sup3rsecretpassw0rd, password_hash: x}\n", "exactly one of password and password_hash"},
        {"users:\n  - {username: a}\n", "exactly one of password and password_hash"},
        {"users:\n  - {username: a, password: short}\n", "at least 8"},
        {"users:\n  - {username: a, password_hash: sup3rsecretpassw0rd}\n", "Argon2id PHC"},
        {"users:\n  - {username: \"a b\", password: sup3rsecretpassw0rd}\n", "'username'"},
        {"users:\n  - {username: a, password: sup3rsecretpassw0rd, claims: {sub: x}}\n", "'sub'"},
        {"users:\n  - {username: a, password: sup3rsecretpassw0rd}\n  - {username: A, password: sup3rsecretpassw0rd}\n", "repeated"},
        {"users:\n  - {username: a, password: sup3rsecretpassw0rd, role: admin}\n", "unknown field 'role'"}}) {
      assertThatThrownBy(() -> SeedFile.read(c[0], FAST)).isInstanceOf(ConfigException.class).hasMessageContaining(c[1])
          .satisfies(e -> assertThat(e.getMessage()).doesNotContain("sup3rsecretpassw0rd"));
    }
  }

  @Test
  void parseWhenARuleOfTheAdminApiIsBrokenThenTheSeedRefusesItToo() {
    refused(client("    redirect_uris: [\"https://user@app.example.com/cb\"]\n"), "'redirect_uris'", "user information");
    refused(client("    access_token_ttl: 1500ms\n"), "'access_token_ttl'", "whole seconds");
    refused("clients:\n  - client_id: p\n    grant_types: [client_credentials]\n    token_endpoint_auth_methods: [none]\n",
        "clients[0] (p)", "'grant_types'", "public client");
    refused(client("").replace("[client_credentials]", "[authorization_code]"), "'redirect_uris'", "at least one");
    assertThatThrownBy(() -> SeedFile.read("users:\n  - {username: a, password: sup3rsecretpassw0rd, claims: {role: admin}}\n", FAST))
        .isInstanceOf(ConfigException.class).hasMessageContaining("users[0] (a)").hasMessageContaining("'role'")
        .hasMessageContaining("OIDC standard claim");
  }

  @Test
  void parseWhenLogoutAndCorsSettingsThenValidated() {
    Client c = SeedFile.parse(client("""
            redirect_uris: ["https://app.example.com/cb"]
            post_logout_redirect_uris: ["https://app.example.com/bye"]
            allowed_origins: ["https://spa.example.com", "http://127.0.0.1:3000"]
            logout_revokes_refresh_tokens: true
        """)).get(0);
    assertThat(c.postLogoutRedirectUris()).containsExactly("https://app.example.com/bye");
    assertThat(c.allowedOrigins()).containsExactlyInAnyOrder("https://spa.example.com", "http://127.0.0.1:3000");
    assertThat(c.logoutRevokesRefreshTokens()).isTrue();
    refused(client("    post_logout_redirect_uris: [\"JavaScript:alert(1)\"]\n"), "'post_logout_redirect_uris'");
    refused(client("    allowed_origins: [\"https://spa.example.com/path\"]\n"), "'allowed_origins'");
    refused(client("    allowed_origins: [\"http://spa.example.com\"]\n"), "'allowed_origins'", "https");
    refused(client("    logout_revokes_refresh_tokens: sometimes\n"), "'logout_revokes_refresh_tokens'");
  }

  @Test
  void readWhenIdTokenSignedResponseAlgIsOneTheServerSignsWithThenKeptElseRefusedNamingTheAlgorithms() throws Exception {
    // issue 14 item 1: OIDC Registration §2 id_token_signed_response_alg, among the algorithms the server holds keys for
    java.nio.file.Path file = java.nio.file.Files.createTempFile("seed", ".yaml");
    List<io.gatehouse.core.token.SigningAlgorithm> held = List.of(io.gatehouse.core.token.SigningAlgorithm.RS256,
        io.gatehouse.core.token.SigningAlgorithm.ES256);
    try {
      java.nio.file.Files.writeString(file, client("    id_token_signed_response_alg: ES256\n"));
      assertThat(SeedFile.read(file, new io.gatehouse.core.user.PasswordHasher(), held).clients().get(0).idTokenSignedResponseAlg())
          .isEqualTo(io.gatehouse.core.token.SigningAlgorithm.ES256);
      assertThat(SeedFile.parse(client("")).get(0).idTokenSignedResponseAlg()).isNull();
      for (String bad : List.of("EdDSA", "HS256", "none", "es256")) {
        java.nio.file.Files.writeString(file, client("    id_token_signed_response_alg: " + bad + "\n"));
        assertThatThrownBy(() -> SeedFile.read(file, new io.gatehouse.core.user.PasswordHasher(), held))
            .isInstanceOf(ConfigException.class)
            .hasMessage("seed file " + file + ": clients[0] (billing-service): field 'id_token_signed_response_alg' '" + bad
                + "' must be one of RS256, ES256 (the algorithms this server signs ID tokens with)");
      }
    } finally {
      java.nio.file.Files.delete(file);
    }
  }

  @Test
  void parseWhenTheClientDescribesItselfThenKeptElseRefusedNamingTheField() {
    // issue 14 item 6: client_name, logo_uri, client_uri, policy_uri, tos_uri, contacts (OIDC Registration §2)
    Client c = SeedFile.parse(client("""
            client_name: Billing Service
            logo_uri: https://billing.example/logo.png
            client_uri: https://billing.example/
            policy_uri: https://billing.example/privacy
            tos_uri: https://billing.example/tos
            contacts: [ops@billing.example, billing@billing.example]
        """)).get(0);
    assertThat(c.info()).isEqualTo(new io.gatehouse.core.model.ClientInfo("Billing Service", "https://billing.example/logo.png",
        "https://billing.example/", "https://billing.example/privacy", "https://billing.example/tos",
        List.of("ops@billing.example", "billing@billing.example")));
    assertThat(c.displayName()).isEqualTo("Billing Service");
    assertThat(SeedFile.parse(client("")).get(0).info()).isEqualTo(io.gatehouse.core.model.ClientInfo.NONE);
    assertThat(SeedFile.parse(client("")).get(0).displayName()).isEqualTo("billing-service");

    assertThatThrownBy(() -> SeedFile.parse(client("    logo_uri: http://billing.example/logo.png\n")))
        .isInstanceOf(ConfigException.class)
        .hasMessage("seed file seed: clients[0] (billing-service): field 'logo_uri' 'http://billing.example/logo.png'"
            + " must use https (http only for loopback)");
    refused(client("    client_name: \"" + "n".repeat(201) + "\"\n"), "clients[0] (billing-service)", "field 'client_name'",
        "must be at most 200 characters");
    refused(client("    contacts: [\"a\\u0007b\"]\n"), "field 'contacts'", "must not contain control characters");
    refused(client("    client_name#fr: Facturation\n"), "unknown field 'client_name#fr'");
  }
}
