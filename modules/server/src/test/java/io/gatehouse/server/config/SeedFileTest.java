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
  void parseWhenSecretMissingOrShortThenRefused() {
    refused("clients:\n  - client_id: a\n    grant_types: [client_credentials]\n", "clients[0] (a)", "'client_secret'", "required");
    refused("clients:\n  - client_id: a\n    client_secret: short\n    grant_types: [client_credentials]\n", "'client_secret'", "at least 32");
    refused("clients:\n  - client_id: a\n    client_secret: \"" + SECRET + "\"\n    grant_types: [authorization_code]\n"
        + "    token_endpoint_auth_methods: [none]\n", "'client_secret'", "public client");
  }

  @Test
  void parseWhenRefusedOrUnknownGrantThenRefused() {
    refused(client("").replace("[client_credentials]", "[password]"), "'grant_types'", "refused");
    refused(client("").replace("[client_credentials]", "[implicit]"), "'grant_types'", "refused");
    refused(client("").replace("[client_credentials]", "[device_code]"), "'grant_types'", "unknown");
    refused(client("").replace("[client_credentials]", "[]"), "'grant_types'");
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
}
