package io.gatehouse.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gatehouse.core.token.SigningAlgorithm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
  @TempDir Path dir;

  GatehouseConfig load(String yaml, Map<String, String> env) throws Exception {
    Path file = dir.resolve("c.yaml");
    Files.writeString(file, yaml);
    return ConfigLoader.load(List.of("--config", file.toString()), env);
  }

  @Test
  void loadWhenNoArgumentsThenEmbeddedDefaults() {
    GatehouseConfig c = ConfigLoader.load(List.of(), Map.of());
    assertThat(c.issuerString()).isEqualTo("http://127.0.0.1:8080");
    assertThat(c.http().port()).isEqualTo(8080);
    assertThat(c.http().maxBodyBytes()).isEqualTo(65536);
    assertThat(c.token().accessTokenTtl()).isEqualTo(Duration.ofMinutes(10));
    assertThat(c.keys().algorithm()).isEqualTo(SigningAlgorithm.ES256);
    assertThat(c.keys().jwksFile()).isEmpty();
    assertThat(c.store().type()).isEqualTo(GatehouseConfig.StoreType.MEMORY);
    assertThat(c.seedFile()).isEmpty();
    assertThat(c.demoEnabled()).isTrue();
  }

  @Test
  void loadWhenDefaultsThenEveryStoreCallIsBoundedAndABadTimeoutIsRefused() {
    GatehouseConfig c = ConfigLoader.load(List.of(), Map.of());
    assertThat(List.of(c.postgres().connectTimeout(), c.postgres().queryTimeout(), c.redis().connectTimeout(), c.redis().commandTimeout(),
        c.cluster().callTimeout())).containsOnly(Duration.ofSeconds(2));
    assertThat(ConfigLoader.load(List.of(), Map.of("GATEHOUSE_POSTGRES_QUERY_TIMEOUT", "300ms")).postgres().queryTimeout())
        .isEqualTo(Duration.ofMillis(300));
    for (String key : List.of("GATEHOUSE_POSTGRES_CONNECT_TIMEOUT", "GATEHOUSE_POSTGRES_QUERY_TIMEOUT", "GATEHOUSE_REDIS_CONNECT_TIMEOUT",
        "GATEHOUSE_REDIS_COMMAND_TIMEOUT", "GATEHOUSE_CLUSTER_CALL_TIMEOUT")) {
      for (String bad : List.of("0s", "2h", "soon")) {
        assertThatThrownBy(() -> ConfigLoader.load(List.of(), Map.of(key, bad))).as(key + "=" + bad).isInstanceOf(ConfigException.class);
      }
    }
  }

  @Test
  void loadWhenDefaultsThenShutdownDrainsLongEnoughForABalancerPollingReadiness() {
    // 0s dropped requests behind a balancer during a rolling restart (issue 12): readiness turns DOWN,
    // and the node keeps serving until the balancer's next checks have seen it
    GatehouseConfig.Shutdown s = ConfigLoader.load(List.of(), Map.of()).shutdown();
    assertThat(s.drainDelay()).isEqualTo(Duration.ofSeconds(5));
  }

  @Test
  void loadWhenConfigFileThenOverlaysOnlyItsKeys() throws Exception {
    GatehouseConfig c = load("http:\n  port: 9999\ntoken:\n  access_token_ttl: 5m\n", Map.of());
    assertThat(c.http().port()).isEqualTo(9999);
    assertThat(c.http().host()).isEqualTo("127.0.0.1");
    assertThat(c.token().accessTokenTtl()).isEqualTo(Duration.ofMinutes(5));
  }

  @Test
  void loadWhenEnvironmentVariableThenOverridesFileAndDefaults() throws Exception {
    GatehouseConfig c = load("http:\n  port: 9999\n", Map.of("GATEHOUSE_HTTP_PORT", "7000", "GATEHOUSE_ISSUER", "https://id.example.com",
        "GATEHOUSE_KEYS_JWKS_FILE", "/etc/keys.json", "GATEHOUSE_STORE_TYPE", "postgres", "GATEHOUSE_POSTGRES_PASSWORD", "pw"));
    assertThat(c.http().port()).isEqualTo(7000);
    assertThat(c.issuerString()).isEqualTo("https://id.example.com");
    assertThat(c.keys().jwksFile()).contains(Path.of("/etc/keys.json"));
    assertThat(c.store().type()).isEqualTo(GatehouseConfig.StoreType.POSTGRES);
    assertThat(c.postgres().password()).isEqualTo("pw");
    assertThat(c.postgres().toString()).doesNotContain("pw");
  }

  @Test
  void envNameIsPrefixedUpperCaseWithUnderscores() {
    assertThat(ConfigLoader.envName("http.port")).isEqualTo("GATEHOUSE_HTTP_PORT");
    assertThat(ConfigLoader.envName("keys.jwks_file")).isEqualTo("GATEHOUSE_KEYS_JWKS_FILE");
    assertThat(ConfigLoader.keys()).contains("issuer", "http.port", "seed.file", "postgres.password");
  }

  @Test
  void loadWhenBadPortFromEnvironmentThenMessageNamesKeyAndSource() {
    assertThatThrownBy(() -> ConfigLoader.load(List.of(), Map.of("GATEHOUSE_HTTP_PORT", "eighty")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("'http.port'")
        .hasMessageContaining("GATEHOUSE_HTTP_PORT")
        .hasMessageContaining("whole number");
    assertThatThrownBy(() -> ConfigLoader.load(List.of(), Map.of("GATEHOUSE_HTTP_PORT", "70000")))
        .hasMessageContaining("'http.port'").hasMessageContaining("between 0 and 65535");
  }

  @Test
  void loadWhenDefaultsThenConnectionBoundsAreSet() {
    GatehouseConfig.Connections c = ConfigLoader.load(List.of(), Map.of()).http().connections();
    assertThat(c).isEqualTo(new GatehouseConfig.Connections(Duration.ofSeconds(60), Duration.ofSeconds(10), Duration.ofSeconds(30), 10000, 512));
  }

  @Test
  void loadWhenRevocationMaxPauseThenDefaultFiveSecondsAtMostMaxStalenessAndTooShortRefused() {
    assertThat(ConfigLoader.load(List.of(), Map.of()).revocation().maxPause()).isEqualTo(Duration.ofSeconds(5));
    assertThat(ConfigLoader.load(List.of(), Map.of("GATEHOUSE_REVOCATION_MAX_PAUSE", "500ms")).revocation().maxPause())
        .isEqualTo(Duration.ofMillis(500));
    assertThat(ConfigLoader.load(List.of(), Map.of("GATEHOUSE_REVOCATION_MAX_PAUSE", "31s")).revocation().maxPause())
        .isEqualTo(Duration.ofSeconds(30));
    assertThatThrownBy(() -> ConfigLoader.load(List.of(), Map.of("GATEHOUSE_REVOCATION_MAX_PAUSE", "10ms")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("'revocation.max_pause'");
  }

  @Test
  void loadWhenRevocationCatchUpIntervalThenDefaultOneSecondAndOutOfRangeRefused() {
    assertThat(ConfigLoader.load(List.of(), Map.of()).revocation().catchUpInterval()).isEqualTo(Duration.ofSeconds(1));
    assertThat(ConfigLoader.load(List.of(), Map.of("GATEHOUSE_REVOCATION_CATCH_UP_INTERVAL", "250ms")).revocation().catchUpInterval())
        .isEqualTo(Duration.ofMillis(250));
    assertThatThrownBy(() -> ConfigLoader.load(List.of(), Map.of("GATEHOUSE_REVOCATION_CATCH_UP_INTERVAL", "10ms")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("'revocation.catch_up_interval'");
    assertThatThrownBy(() -> ConfigLoader.load(List.of(), Map.of("GATEHOUSE_REVOCATION_CATCH_UP_INTERVAL", "11m")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("'revocation.catch_up_interval'");
  }

  @Test
  void loadWhenAdvertisedScopesThenScopeTokensWithoutRepeatsAndAnythingElseRefused() {
    assertThat(ConfigLoader.load(List.of(), Map.of()).authorize().advertisedScopes()).isEmpty();
    assertThat(ConfigLoader.load(List.of(), Map.of("GATEHOUSE_AUTHORIZE_ADVERTISED_SCOPES", " read:users,write:users  billing ")).authorize()
        .advertisedScopes()).containsExactly("read:users", "write:users", "billing");
    for (String bad : List.of("read\\users", "quo\"te", "caf\u00e9", "x".repeat(129), "a,b,a",
        java.util.stream.IntStream.range(0, 101).mapToObj(i -> "s" + i).collect(java.util.stream.Collectors.joining(",")))) {
      assertThatThrownBy(() -> ConfigLoader.load(List.of(), Map.of("GATEHOUSE_AUTHORIZE_ADVERTISED_SCOPES", bad))).as(bad)
          .isInstanceOf(ConfigException.class).hasMessageContaining("'authorize.advertised_scopes'");
    }
  }

  @Test
  void loadWhenManagementThenOffByDefaultAndItsPortMustDifferFromTheHttpPort() {
    assertThat(ConfigLoader.load(List.of(), Map.of()).management()).isEqualTo(new GatehouseConfig.Management(false, "127.0.0.1", 9090));
    assertThat(ConfigLoader.load(List.of(), Map.of("GATEHOUSE_MANAGEMENT_ENABLED", "true", "GATEHOUSE_MANAGEMENT_HOST", "0.0.0.0"))
        .management()).isEqualTo(new GatehouseConfig.Management(true, "0.0.0.0", 9090));
    assertThatThrownBy(() -> ConfigLoader.load(List.of(), Map.of("GATEHOUSE_MANAGEMENT_ENABLED", "true", "GATEHOUSE_MANAGEMENT_PORT", "8080")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("'management.port'");
  }

  @Test
  void loadWhenTracingThenOffByDefaultTypedFromTheEnvironmentAndBadValuesAreRefused() {
    assertThat(ConfigLoader.load(List.of(), Map.of()).tracing())
        .isEqualTo(new GatehouseConfig.Tracing(false, java.net.URI.create("http://127.0.0.1:4318"), "gatehouse", 1.0));
    assertThat(ConfigLoader.load(List.of(), Map.of("GATEHOUSE_TRACING_ENABLED", "true", "GATEHOUSE_TRACING_OTLP_ENDPOINT",
        "https://collector.example.com:4318/otlp", "GATEHOUSE_TRACING_SERVICE_NAME", "gatehouse-eu", "GATEHOUSE_TRACING_SAMPLE_RATIO", "0.25"))
        .tracing()).isEqualTo(new GatehouseConfig.Tracing(true, java.net.URI.create("https://collector.example.com:4318/otlp"), "gatehouse-eu", 0.25));
    for (String endpoint : List.of("grpc://127.0.0.1:4317", "http://", "http://u:p@collector:4318", "http://collector:4318/?a=b", "not a url")) {
      assertThatThrownBy(() -> ConfigLoader.load(List.of(), Map.of("GATEHOUSE_TRACING_OTLP_ENDPOINT", endpoint)))
          .isInstanceOf(ConfigException.class).hasMessageContaining("'tracing.otlp_endpoint'");
    }
    for (String ratio : List.of("1.5", "-0.1", "NaN", "half")) {
      assertThatThrownBy(() -> ConfigLoader.load(List.of(), Map.of("GATEHOUSE_TRACING_SAMPLE_RATIO", ratio)))
          .isInstanceOf(ConfigException.class).hasMessageContaining("'tracing.sample_ratio'").hasMessageContaining("from 0 to 1");
    }
    assertThatThrownBy(() -> ConfigLoader.load(List.of(), Map.of("GATEHOUSE_TRACING_OTLP_ENDPOINT", "http://u:pass-word@collector:4318")))
        .hasMessageNotContaining("pass-word");
    assertThatThrownBy(() -> ConfigLoader.load(List.of(), Map.of("GATEHOUSE_TRACING_SERVICE_NAME", "two words")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("'tracing.service_name'");
  }

  @Test
  void loadWhenConnectionBoundsOutOfRangeThenMessageNamesKey() {
    assertThatThrownBy(() -> ConfigLoader.load(List.of(), Map.of("GATEHOUSE_HTTP_MAX_CONNECTIONS_PER_ADDRESS", "20000")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("'http.max_connections_per_address'")
        .hasMessageContaining("must not be more than http.max_connections");
    assertThatThrownBy(() -> ConfigLoader.load(List.of(), Map.of("GATEHOUSE_HTTP_REQUEST_HEAD_TIMEOUT", "0s")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("'http.request_head_timeout'");
    assertThatThrownBy(() -> ConfigLoader.load(List.of(), Map.of("GATEHOUSE_HTTP_IDLE_TIMEOUT", "forever")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("'http.idle_timeout'");
  }

  @Test
  void loadWhenUnknownKeyInFileThenRefused() {
    assertThatThrownBy(() -> load("http:\n  prot: 80\n", Map.of()))
        .isInstanceOf(ConfigException.class).hasMessageContaining("unknown configuration key 'http.prot'");
  }

  @Test
  void loadWhenDefaultAccessTokenTtlExceedsTheMaximumThenRefused() throws Exception {
    assertThatThrownBy(() -> load("token:\n  access_token_ttl: 2h\n", Map.of()))
        .hasMessageContaining("'token.access_token_ttl'").hasMessageContaining("token.max_access_token_ttl");
    assertThat(load("token:\n  access_token_ttl: 2h\n  max_access_token_ttl: 2h\n", Map.of()).token().maxAccessTokenTtl())
        .isEqualTo(java.time.Duration.ofHours(2));
    assertThat(load("", Map.of()).token().maxAccessTokenTtl()).isEqualTo(java.time.Duration.ofHours(1));
  }

  @Test
  void loadWhenBadDurationOrAlgorithmOrStoreThenNamed() {
    assertThatThrownBy(() -> load("token:\n  access_token_ttl: forever\n", Map.of())).hasMessageContaining("'token.access_token_ttl'");
    assertThatThrownBy(() -> load("token:\n  access_token_ttl: 2d\n", Map.of())).hasMessageContaining("'token.access_token_ttl'");
    assertThatThrownBy(() -> load("keys:\n  algorithm: HS256\n", Map.of())).hasMessageContaining("'keys.algorithm'");
    assertThatThrownBy(() -> load("store:\n  type: mongo\n", Map.of())).hasMessageContaining("'store.type'");
    assertThatThrownBy(() -> load("keys:\n  provider: bouncycastle\n", Map.of())).hasMessageContaining("'keys.provider'");
    assertThatThrownBy(() -> load("demo:\n  enabled: maybe\n", Map.of())).hasMessageContaining("'demo.enabled'");
    assertThatThrownBy(() -> load("postgres:\n  schema: \"x; drop\"\n", Map.of())).hasMessageContaining("'postgres.schema'");
  }

  @Test
  void loadWhenCodeFlowKeysBadThenNamed() {
    assertThatThrownBy(() -> load("authorize:\n  code_ttl: 1h\n", Map.of())).hasMessageContaining("'authorize.code_ttl'");
    assertThatThrownBy(() -> load("authorize:\n  code_used_ttl: 0s\n", Map.of())).hasMessageContaining("'authorize.code_used_ttl'");
    assertThatThrownBy(() -> load("token:\n  refresh_idle_ttl: 60d\n", Map.of())).hasMessageContaining("'token.refresh_idle_ttl'");
    assertThatThrownBy(() -> load("token:\n  id_token_algorithm: none\n", Map.of())).hasMessageContaining("'token.id_token_algorithm'");
    assertThatThrownBy(() -> load("session:\n  cookie_name: \"a b\"\n", Map.of())).hasMessageContaining("'session.cookie_name'");
    assertThatThrownBy(() -> load("login:\n  free_failures: 0\n", Map.of())).hasMessageContaining("'login.free_failures'");
  }

  @Test
  void loadWhenClusterEnabledThenNeedsPostgresAndValidOptions() throws Exception {
    assertThatThrownBy(() -> load("cluster:\n  enabled: true\n", Map.of())).hasMessageContaining("'cluster.enabled'")
        .hasMessageContaining("store.type: postgres");
    assertThatThrownBy(() -> load("store:\n  type: postgres\ncluster:\n  enabled: true\n  discovery: multicast\n", Map.of()))
        .hasMessageContaining("'cluster.discovery'");
    GatehouseConfig cfg = load("store:\n  type: postgres\ncluster:\n  enabled: true\n  members: \"10.0.0.1:5701, 10.0.0.2\"\n", Map.of());
    assertThat(cfg.cluster().enabled()).isTrue();
    assertThat(cfg.cluster().options().members()).containsExactly("10.0.0.1:5701", "10.0.0.2");
    assertThat(load("", Map.of()).cluster().enabled()).isFalse();
  }

  @Test
  void loadWhenClusterExpectedMembersThenMajorityQuorumAndOutOfRangeRefused() throws Exception {
    String cluster = "store:\n  type: postgres\ncluster:\n  enabled: true\n";
    assertThat(load(cluster, Map.of()).cluster().options().expectedMembers()).as("default: off").isZero();
    GatehouseConfig three = load(cluster, Map.of("GATEHOUSE_CLUSTER_EXPECTED_MEMBERS", "3"));
    assertThat(three.cluster().options().expectedMembers()).isEqualTo(3);
    assertThat(three.cluster().options().quorum()).isEqualTo(2);
    assertThatThrownBy(() -> load(cluster + "  expected_members: -1\n", Map.of())).hasMessageContaining("'cluster.expected_members'");
    assertThatThrownBy(() -> load(cluster + "  expected_members: 100\n", Map.of())).hasMessageContaining("'cluster.expected_members'");
    assertThatThrownBy(() -> load(cluster + "  expected_members: three\n", Map.of())).hasMessageContaining("'cluster.expected_members'");
  }

  @Test
  void loadWhenIssuerNotHttpsOffLoopbackOrNotExactThenRefused() {
    for (String bad : List.of("http://id.example.com", "https://id.example.com/", "https://id.example.com?x=1",
        "https://id.example.com#f", "id.example.com", "https://user@id.example.com")) {
      assertThatThrownBy(() -> ConfigLoader.load(List.of(), Map.of("GATEHOUSE_ISSUER", bad)))
          .as(bad).isInstanceOf(ConfigException.class).hasMessageContaining("'issuer'");
    }
    assertThat(ConfigLoader.load(List.of(), Map.of("GATEHOUSE_ISSUER", "https://id.example.com/tenant")).basePath()).isEqualTo("/tenant");
    assertThat(ConfigLoader.load(List.of(), Map.of("GATEHOUSE_ISSUER", "http://localhost:8080")).basePath()).isEmpty();
  }

  @Test
  void loadWhenSeedArgumentThenSeedFileSet() {
    assertThat(ConfigLoader.load(List.of("--seed", "clients.yaml"), Map.of()).seedFile()).contains(Path.of("clients.yaml"));
  }

  @Test
  void loadWhenUnknownArgumentOrMissingConfigFileThenRefused() {
    assertThatThrownBy(() -> ConfigLoader.load(List.of("--port", "80"), Map.of())).isInstanceOf(ConfigException.class);
    assertThatThrownBy(() -> ConfigLoader.load(List.of("--config"), Map.of())).isInstanceOf(ConfigException.class);
    assertThatThrownBy(() -> ConfigLoader.load(List.of("--config", dir.resolve("missing.yaml").toString()), Map.of()))
        .isInstanceOf(ConfigException.class).hasMessageContaining("cannot read configuration file");
  }

  @Test
  void loadWhenConfigNotYamlThenRefusedWithPosition() {
    assertThatThrownBy(() -> load("http: [unclosed\n", Map.of())).isInstanceOf(ConfigException.class).hasMessageContaining("not valid YAML");
    assertThatThrownBy(() -> load("- a\n- b\n", Map.of())).isInstanceOf(ConfigException.class).hasMessageContaining("mapping");
  }

  @Test
  void durationsParseUnits() {
    assertThat(Durations.parse("500ms")).isEqualTo(Duration.ofMillis(500));
    assertThat(Durations.parse("30s")).isEqualTo(Duration.ofSeconds(30));
    assertThat(Durations.parse("10m")).isEqualTo(Duration.ofMinutes(10));
    assertThat(Durations.parse("1h")).isEqualTo(Duration.ofHours(1));
    assertThat(Durations.parse("1d")).isEqualTo(Duration.ofDays(1));
    assertThatThrownBy(() -> Durations.parse("10")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Durations.parse("-1s")).isInstanceOf(IllegalArgumentException.class);
  }
}
