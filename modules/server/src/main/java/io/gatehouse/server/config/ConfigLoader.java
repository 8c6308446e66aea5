package io.gatehouse.server.config;

import io.gatehouse.core.token.SigningAlgorithm;
import io.gatehouse.server.crypto.CryptoProvider;
import io.gatehouse.server.config.GatehouseConfig.StoreType;
import io.gatehouse.store.cluster.HazelcastClusterOptions;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * Loads the configuration once: the defaults shipped in the jar ({@code conf/gatehouse.yaml}), overlaid
 * by the file given with {@code --config}, then by environment variables {@code GATEHOUSE_<KEY>} (the
 * key in upper case, dots as underscores). Only keys present in the defaults exist; any other key is an
 * error, so a typo never passes silently. Every bad value stops start-up with a message naming the key
 * and where its value came from.
 */
public final class ConfigLoader {
  public static final String DEFAULTS_RESOURCE = "/gatehouse.yaml";

  private record Value(Object value, String source) {}

  private final Map<String, Value> values = new LinkedHashMap<>();

  private ConfigLoader() {}

  /** The environment variable that overrides {@code key}. */
  public static String envName(String key) {
    return "GATEHOUSE_" + key.toUpperCase(Locale.ROOT).replace('.', '_');
  }

  /** Parses command-line arguments and the environment into a validated configuration. */
  public static GatehouseConfig load(List<String> args, Map<String, String> env) {
    return prepare(args, env, null).build();
  }

  /**
   * Every problem {@link #load} would meet, for {@code gatehouse config check}; empty when it loads. Every unknown
   * key is named. After a bad value the check goes on as if that key had its default, so it names each bad key
   * once; it stops at a problem that names no key, or one that the default of an earlier bad key caused.
   */
  public static List<String> check(List<String> args, Map<String, String> env) {
    List<String> problems = new ArrayList<>();
    ConfigLoader loader;
    try {
      loader = prepare(args, env, problems);
    } catch (ConfigException e) {
      problems.add(e.getMessage());
      return problems;
    }
    ConfigLoader defaults = prepare(List.of(), Map.of(), null);
    java.util.Set<String> reset = new java.util.HashSet<>();
    while (true) {
      try {
        loader.build();
        return problems;
      } catch (ConfigException e) {
        if (e.key() != null && reset.contains(e.key())) {
          return problems; // the default put in for an earlier bad value caused it: not the operator's
        }
        problems.add(e.getMessage());
        if (e.key() == null || !defaults.values.containsKey(e.key())) {
          return problems;
        }
        reset.add(e.key());
        loader.values.put(e.key(), defaults.values.get(e.key()));
      }
    }
  }

  /** The values of the defaults, the file, the environment and {@code --seed}; unknown keys go to {@code problems} when given. */
  private static ConfigLoader prepare(List<String> args, Map<String, String> env, List<String> problems) {
    Path configFile = null;
    Path seedFile = null;
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      if ((arg.equals("--config") || arg.equals("--seed")) && i + 1 < args.size()) {
        Path p = Path.of(args.get(++i));
        if (arg.equals("--config")) {
          configFile = p;
        } else {
          seedFile = p;
        }
      } else {
        throw new ConfigException("unknown or incomplete argument '" + arg + "' (usage: [--config FILE] [--seed FILE])");
      }
    }
    ConfigLoader loader = new ConfigLoader();
    loader.overlay(readDefaults(), "defaults", true, null);
    if (configFile != null) {
      loader.overlay(readFile(configFile), configFile.toString(), false, problems);
    }
    for (String key : List.copyOf(loader.values.keySet())) {
      String fromEnv = env.get(envName(key));
      if (fromEnv != null) {
        loader.values.put(key, new Value(fromEnv, "environment variable " + envName(key)));
      }
    }
    if (seedFile != null) {
      loader.values.put("seed.file", new Value(seedFile.toString(), "--seed"));
    }
    return loader;
  }

  private GatehouseConfig build() {
    URI issuer = issuer();
    int maxBody = integer("http.max_body_bytes", 1024, 16 * 1024 * 1024);
    Optional<Path> tlsCert = optionalPath("http.tls.cert_file");
    Optional<Path> tlsKey = optionalPath("http.tls.key_file");
    if (tlsCert.isPresent() != tlsKey.isPresent()) {
      throw invalid(tlsCert.isPresent() ? "http.tls.key_file" : "http.tls.cert_file", "must be set together with the other http.tls file");
    }
    java.util.Set<String> proxies = new java.util.LinkedHashSet<>();
    for (String p : string("http.trusted_proxies").split(",")) {
      if (!p.isBlank()) {
        if (!p.trim().matches("[0-9A-Fa-f:.]+")) {
          throw invalid("http.trusted_proxies", "must be comma-separated IP addresses");
        }
        proxies.add(p.trim());
      }
    }
    var http = new GatehouseConfig.Http(nonEmpty("http.host"), integer("http.port", 0, 65535), maxBody, integer("http.instances", 0, 256),
        tlsCert, tlsKey, java.util.Set.copyOf(proxies), connections());
    Duration ttl = duration("token.access_token_ttl", Duration.ofSeconds(10), Duration.ofHours(24));
    Duration maxTtl = duration("token.max_access_token_ttl", Duration.ofSeconds(10), Duration.ofHours(24));
    if (ttl.compareTo(maxTtl) > 0) {
      throw invalid("token.access_token_ttl", "must not be longer than token.max_access_token_ttl");
    }
    SigningAlgorithm idAlg = SigningAlgorithm.fromJose(nonEmpty("token.id_token_algorithm"))
        .orElseThrow(() -> invalid("token.id_token_algorithm", "must be one of ES256, RS256, EdDSA"));
    Duration refreshIdle = duration("token.refresh_idle_ttl", Duration.ofMinutes(1), Duration.ofDays(365));
    Duration refreshAbsolute = duration("token.refresh_absolute_ttl", Duration.ofMinutes(1), Duration.ofDays(365));
    if (refreshIdle.compareTo(refreshAbsolute) > 0) {
      throw invalid("token.refresh_idle_ttl", "must not be longer than token.refresh_absolute_ttl");
    }
    var token = new GatehouseConfig.Token(ttl, nonEmpty("token.audience"),
        duration("token.id_token_ttl", Duration.ofSeconds(10), Duration.ofHours(24)), idAlg, refreshIdle, refreshAbsolute, maxTtl);
    Duration codeTtl = duration("authorize.code_ttl", Duration.ofSeconds(5), Duration.ofMinutes(10));
    var authorize = new GatehouseConfig.Authorize(codeTtl,
        duration("authorize.code_used_ttl", codeTtl, Duration.ofDays(1)), bool("authorize.require_pkce"),
        duration("authorize.pending_ttl", Duration.ofMinutes(1), Duration.ofHours(1)), scopeList("authorize.advertised_scopes"));
    String cookieName = nonEmpty("session.cookie_name");
    if (!cookieName.matches("[A-Za-z0-9_-]{1,64}")) {
      throw invalid("session.cookie_name", "must be 1 to 64 letters, digits, '_' or '-'");
    }
    var session = new GatehouseConfig.Session(duration("session.idle_timeout", Duration.ofMinutes(1), Duration.ofDays(30)), cookieName,
        (int) integer("session.max_sessions", 100, 10_000_000));
    var login = new GatehouseConfig.Login(integer("login.free_failures", 1, 1000),
        duration("login.max_backoff", Duration.ofSeconds(1), Duration.ofDays(1)),
        duration("login.account_delay", Duration.ZERO, Duration.ofSeconds(10)));
    String alg = nonEmpty("keys.algorithm");
    SigningAlgorithm algorithm = SigningAlgorithm.fromJose(alg)
        .orElseThrow(() -> invalid("keys.algorithm", "must be one of ES256, RS256, EdDSA"));
    CryptoProvider.Mode provider = switch (nonEmpty("keys.provider")) {
      case "auto" -> CryptoProvider.Mode.AUTO;
      case "jdk" -> CryptoProvider.Mode.JDK;
      default -> throw invalid("keys.provider", "must be auto or jdk");
    };
    Duration reload = duration("keys.reload_interval", Duration.ofMillis(100), Duration.ofHours(1));
    Duration lead = duration("keys.publish_lead", Duration.ZERO, Duration.ofDays(7));
    if (lead.compareTo(reload) < 0) {
      throw invalid("keys.publish_lead", "must be at least keys.reload_interval (every node must publish a key before any signs with it)");
    }
    var keys = new GatehouseConfig.Keys(algorithm, provider, optionalPath("keys.jwks_file"), Path.of(nonEmpty("keys.data_dir")),
        duration("keys.rotate_every", Duration.ZERO, Duration.ofDays(3650)), lead, reload);
    StoreType type = switch (nonEmpty("store.type")) {
      case "memory" -> StoreType.MEMORY;
      case "postgres" -> StoreType.POSTGRES;
      default -> throw invalid("store.type", "must be memory or postgres");
    };
    var store = new GatehouseConfig.Store(type, duration("store.client_cache_ttl", Duration.ZERO, Duration.ofHours(1)),
        integer("store.client_cache_size", 1, 10_000_000));
    String schema = nonEmpty("postgres.schema");
    if (!schema.matches("[a-z_][a-z0-9_]{0,62}")) {
      throw invalid("postgres.schema", "must be a lower-case SQL identifier");
    }
    var postgres = new GatehouseConfig.Postgres(nonEmpty("postgres.host"), integer("postgres.port", 1, 65535),
        nonEmpty("postgres.database"), nonEmpty("postgres.user"), string("postgres.password"), schema,
        integer("postgres.pool_size", 1, 1000), storeTimeout("postgres.connect_timeout"), storeTimeout("postgres.query_timeout"),
        maxClockOffset());
    return new GatehouseConfig(issuer, http, token, authorize, session, login, keys, store, cluster(type), postgres,
        optionalPath("seed.file"), bool("demo.enabled"), integer("introspection.cache_size", 1, 100_000_000),
        revocations(), redis(), adminScope(), bool("metrics.enabled"), bool("audit.token_events"),
        new io.gatehouse.server.http.RateLimits.Settings(bool("rate_limit.enabled"), integer("rate_limit.per_address", 0, 10_000_000),
            integer("rate_limit.per_client_address", 0, 10_000_000), integer("rate_limit.login_per_address", 0, 1_000_000),
            integer("rate_limit.authorize_per_address", 0, 1_000_000)),
        new GatehouseConfig.Shutdown(duration("shutdown.drain_delay", Duration.ZERO, Duration.ofMinutes(1)),
            duration("shutdown.timeout", Duration.ZERO, Duration.ofMinutes(1))),
        management(http), tracing());
  }

  /**
   * {@code tracing.*}: the OTLP endpoint is an http(s) URL with a host and no user info, query or fragment
   * (checked even while tracing is off, so turning it on never meets a bad value first).
   */
  private GatehouseConfig.Tracing tracing() {
    URI endpoint = url("tracing.otlp_endpoint");
    if (endpoint.getRawUserInfo() != null) {
      // never echo the value: the user info may be a password
      throw new ConfigException("configuration key 'tracing.otlp_endpoint' must not carry user info (value withheld)");
    }
    if (!("http".equals(endpoint.getScheme()) || "https".equals(endpoint.getScheme())) || endpoint.getHost() == null
        || endpoint.getRawQuery() != null || endpoint.getRawFragment() != null) {
      throw invalid("tracing.otlp_endpoint", "must be an http or https URL with a host and no user info, query or fragment");
    }
    String serviceName = nonEmpty("tracing.service_name");
    if (!serviceName.matches("[A-Za-z0-9._:/-]{1,128}")) {
      throw invalid("tracing.service_name", "must be 1 to 128 letters, digits, '.', '_', ':', '/' or '-'");
    }
    return new GatehouseConfig.Tracing(bool("tracing.enabled"), endpoint, serviceName, ratio("tracing.sample_ratio"));
  }

  /** A number from 0 to 1. */
  private double ratio(String key) {
    String s = string(key).trim();
    double d;
    try {
      d = Double.parseDouble(s);
    } catch (NumberFormatException e) {
      throw invalid(key, "must be a number from 0 to 1");
    }
    if (!(d >= 0.0 && d <= 1.0)) {
      throw invalid(key, "must be a number from 0 to 1");
    }
    return d;
  }

  /** {@code management.*}: its port must differ from the HTTP port (0 picks a free one). */
  private GatehouseConfig.Management management(GatehouseConfig.Http http) {
    boolean enabled = bool("management.enabled");
    int port = integer("management.port", 0, 65535);
    if (enabled && port != 0 && port == http.port()) {
      throw invalid("management.port", "must differ from http.port");
    }
    return new GatehouseConfig.Management(enabled, nonEmpty("management.host"), port);
  }

  private GatehouseConfig.Connections connections() {
    int max = integer("http.max_connections", 1, 1_000_000);
    int perAddress = integer("http.max_connections_per_address", 1, 1_000_000);
    if (perAddress > max) {
      throw invalid("http.max_connections_per_address", "must not be more than http.max_connections");
    }
    return new GatehouseConfig.Connections(duration("http.idle_timeout", Duration.ofMillis(100), Duration.ofHours(1)),
        duration("http.request_head_timeout", Duration.ofMillis(100), Duration.ofMinutes(10)),
        duration("http.request_body_timeout", Duration.ofMillis(100), Duration.ofMinutes(10)), max, perAddress);
  }

  /** {@code postgres.max_clock_offset}: zero (off), or 100 ms to 1 h (issue 12, chaos finding K5 and the clock scenario). */
  private Duration maxClockOffset() {
    Duration d = duration("postgres.max_clock_offset", Duration.ZERO, Duration.ofHours(1));
    if (!d.isZero() && d.compareTo(Duration.ofMillis(100)) < 0) {
      throw invalid("postgres.max_clock_offset", "must be 0s (off) or at least 100ms");
    }
    return d;
  }

  private GatehouseConfig.Revocations revocations() {
    Duration resync = duration("revocation.resync_interval", Duration.ofMillis(100), Duration.ofMinutes(10));
    Duration staleness = duration("revocation.max_staleness", Duration.ofSeconds(1), Duration.ofHours(1));
    if (staleness.compareTo(resync.multipliedBy(2)) < 0) {
      throw invalid("revocation.max_staleness", "must be at least twice revocation.resync_interval");
    }
    var failClosed = switch (nonEmpty("revocation.fail_closed")) {
      case "unavailable" -> io.gatehouse.core.service.IntrospectionService.FailClosed.UNAVAILABLE;
      case "inactive" -> io.gatehouse.core.service.IntrospectionService.FailClosed.INACTIVE;
      default -> throw invalid("revocation.fail_closed", "must be unavailable or inactive");
    };
    // a longer pause than max_staleness is caught by the staleness rule anyway: the shorter of the two applies
    Duration maxPause = duration("revocation.max_pause", Duration.ofMillis(100), Duration.ofHours(1));
    maxPause = maxPause.compareTo(staleness) > 0 ? staleness : maxPause;
    // how often a node reads the durable list's change feed (issue 12, chaos finding K1)
    Duration catchUp = duration("revocation.catch_up_interval", Duration.ofMillis(100), Duration.ofMinutes(10));
    return new GatehouseConfig.Revocations(resync, staleness, failClosed, maxPause, catchUp);
  }

  private GatehouseConfig.Redis redis() {
    boolean enabled = bool("redis.enabled");
    String uri = nonEmpty("redis.uri");
    if (!uri.startsWith("redis://") && !uri.startsWith("rediss://")) {
      // never echo the value: it may carry a password
      throw new ConfigException("redis.uri", "configuration key 'redis.uri' must start with redis:// or rediss://");
    }
    String prefix = string("redis.key_prefix");
    if (!prefix.matches("[A-Za-z0-9:._-]{0,64}")) {
      throw invalid("redis.key_prefix", "must be at most 64 letters, digits, ':', '.', '_' or '-'");
    }
    return new GatehouseConfig.Redis(enabled, uri, prefix, nonEmpty("redis.channel"), storeTimeout("redis.connect_timeout"),
        storeTimeout("redis.command_timeout"));
  }

  /**
   * A timeout of a call to a backing store: long enough for a loaded store (at least 10 ms), short enough
   * that a silent one answers clients and probes in time (at most 60 s).
   */
  private Duration storeTimeout(String key) {
    return duration(key, Duration.ofMillis(10), Duration.ofMinutes(1));
  }

  private String adminScope() {
    String scope = nonEmpty("admin.scope");
    // RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E )
    if (!scope.matches("[\\x21\\x23-\\x5B\\x5D-\\x7E]+")) {
      throw invalid("admin.scope", "must be one scope token (RFC 6749 §3.3)");
    }
    return scope;
  }

  private static final String EB_TLS = "cluster.event_bus_tls.";

  /** {@code cluster.event_bus_tls.*}: null when off; else exactly one key source and one trust source, files that exist. */
  private EventBusTls eventBusTls() {
    if (!bool(EB_TLS + "enabled")) {
      return null;
    }
    Optional<Path> keyStore = existingFile(EB_TLS + "key_store");
    Optional<Path> cert = existingFile(EB_TLS + "cert_file");
    Optional<Path> key = existingFile(EB_TLS + "key_file");
    if (keyStore.isPresent() == (cert.isPresent() || key.isPresent()) || cert.isPresent() != key.isPresent()) {
      throw invalid(EB_TLS + "key_store", "or else both cert_file and key_file must name this node's key (exactly one of the two)");
    }
    Optional<Path> trustStore = existingFile(EB_TLS + "trust_store");
    Optional<Path> trustCerts = existingFile(EB_TLS + "trust_cert_file");
    if (trustStore.isPresent() == trustCerts.isPresent()) {
      throw invalid(EB_TLS + "trust_store", "or else trust_cert_file must name the certificates to trust (exactly one of the two)");
    }
    // passwords: read as they are, never validated (an error message would quote them)
    return new EventBusTls(keyStore, string(EB_TLS + "key_store_password"), cert, key, trustStore, string(EB_TLS + "trust_store_password"),
        trustCerts);
  }

  private Optional<Path> existingFile(String key) {
    Optional<Path> p = optionalPath(key);
    if (p.isPresent() && !java.nio.file.Files.isReadable(p.get())) {
      throw invalid(key, "must name a readable file");
    }
    return p;
  }

  private GatehouseConfig.Cluster cluster(StoreType type) {
    boolean enabled = bool("cluster.enabled");
    EventBusTls tls = eventBusTls();
    if (!enabled) {
      if (tls != null) {
        throw invalid("cluster.event_bus_tls.enabled", "needs cluster.enabled: true (a node alone has no event bus between nodes)");
      }
      return new GatehouseConfig.Cluster(false, null, 0, storeTimeout("cluster.call_timeout"), bool("cluster.code_ledger"), null);
    }
    if (type != StoreType.POSTGRES) {
      // refresh tokens, users and consent must be shared by every node
      throw invalid("cluster.enabled", "needs store.type: postgres (the memory stores are per node)");
    }
    HazelcastClusterOptions.Discovery discovery = switch (nonEmpty("cluster.discovery")) {
      case "tcp_ip" -> HazelcastClusterOptions.Discovery.TCP_IP;
      case "kubernetes" -> HazelcastClusterOptions.Discovery.KUBERNETES;
      default -> throw invalid("cluster.discovery", "must be tcp_ip or kubernetes");
    };
    List<String> members = new ArrayList<>();
    for (String m : string("cluster.members").split(",")) {
      if (!m.isBlank()) {
        members.add(m.trim());
      }
    }
    try {
      return new GatehouseConfig.Cluster(true, new HazelcastClusterOptions(nonEmpty("cluster.name"), nonEmpty("cluster.host"),
          integer("cluster.port", 0, 65535), discovery, members, string("cluster.kubernetes.service_dns"),
          string("cluster.kubernetes.namespace"), string("cluster.kubernetes.service_name"),
          integer("cluster.expected_members", 0, HazelcastClusterOptions.MAX_EXPECTED_MEMBERS)),
          integer("cluster.event_bus_port", 0, 65535), storeTimeout("cluster.call_timeout"), bool("cluster.code_ledger"), tls);
    } catch (IllegalArgumentException e) {
      throw new ConfigException("cluster configuration: " + e.getMessage());
    }
  }

  // RFC 8414 §2: the issuer is an https URL with no query or fragment; we allow http on loopback only
  private URI issuer() {
    String raw = nonEmpty("issuer");
    URI uri = url("issuer");
    if (uri.getScheme() == null || uri.getHost() == null || uri.getRawQuery() != null || uri.getRawFragment() != null
        || uri.getRawUserInfo() != null) {
      throw invalid("issuer", "must be an absolute URL with a host and no user info, query or fragment (RFC 8414 §2)");
    }
    if (raw.endsWith("/")) {
      throw invalid("issuer", "must not end with '/' (it is compared as an exact string)");
    }
    boolean loopback = uri.getHost().equals("127.0.0.1") || uri.getHost().equals("[::1]") || uri.getHost().equals("localhost");
    if (!uri.getScheme().equals("https") && !(uri.getScheme().equals("http") && loopback)) {
      throw invalid("issuer", "must use https (http is allowed only for a loopback host)");
    }
    return uri;
  }

  /** The value of {@code key} as a URI reference (not yet checked for what the key needs). */
  private URI url(String key) {
    try {
      return new URI(nonEmpty(key));
    } catch (URISyntaxException e) {
      throw invalid(key, "is not a URL");
    }
  }

  private Object raw(String key) {
    Value v = values.get(key);
    if (v == null) {
      throw new IllegalStateException("no default for configuration key " + key);
    }
    return v.value();
  }

  /** The most scopes {@code authorize.advertised_scopes} may list. */
  static final int MAX_ADVERTISED_SCOPES = 100;

  // a comma- or space-separated list of scope tokens (RFC 6749 §3.3: 1*NQCHAR each), at most 100, no repeats
  private List<String> scopeList(String key) {
    java.util.Set<String> out = new java.util.LinkedHashSet<>();
    for (String s : string(key).split("[,\\s]+")) {
      if (s.isEmpty()) {
        continue;
      }
      if (s.length() > 128 || !s.chars().allMatch(c -> c == 0x21 || (c >= 0x23 && c <= 0x5B) || (c >= 0x5D && c <= 0x7E))) {
        throw invalid(key, "must list scope names (RFC 6749 section 3.3: printable ASCII without '\"' or '\\', at most 128 characters each)");
      }
      if (!out.add(s)) {
        throw invalid(key, "names the scope '" + s + "' twice");
      }
      if (out.size() > MAX_ADVERTISED_SCOPES) {
        throw invalid(key, "must list at most " + MAX_ADVERTISED_SCOPES + " scopes");
      }
    }
    return List.copyOf(out);
  }

  private ConfigException invalid(String key, String problem) {
    Value v = values.get(key);
    String source = v == null ? "" : " (from " + v.source() + ")";
    return new ConfigException(key, "configuration key '" + key + "'" + source + " " + problem + ", got '" + (v == null ? null : v.value()) + "'");
  }

  private String string(String key) {
    Object v = raw(key);
    if (v == null) {
      return "";
    }
    if (v instanceof Map || v instanceof List) {
      throw invalid(key, "must be a single value");
    }
    return String.valueOf(v);
  }

  private String nonEmpty(String key) {
    String s = string(key).trim();
    if (s.isEmpty()) {
      throw invalid(key, "must not be empty");
    }
    return s;
  }

  private int integer(String key, int min, int max) {
    String s = string(key).trim();
    try {
      int n = Integer.parseInt(s);
      if (n < min || n > max) {
        throw invalid(key, "must be between " + min + " and " + max);
      }
      return n;
    } catch (NumberFormatException e) {
      throw invalid(key, "must be a whole number");
    }
  }

  private boolean bool(String key) {
    String s = string(key).trim().toLowerCase(Locale.ROOT);
    return switch (s) {
      case "true" -> true;
      case "false" -> false;
      default -> throw invalid(key, "must be true or false");
    };
  }

  private Duration duration(String key, Duration min, Duration max) {
    Duration d;
    try {
      d = Durations.parse(string(key));
    } catch (IllegalArgumentException e) {
      throw invalid(key, e.getMessage().replaceFirst(", got '.*'$", ""));
    }
    if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
      throw invalid(key, "must be between " + min.toSeconds() + "s and " + max.toSeconds() + "s");
    }
    return d;
  }

  private Optional<Path> optionalPath(String key) {
    String s = string(key).trim();
    return s.isEmpty() ? Optional.empty() : Optional.of(Path.of(s));
  }

  /** Adds the values of {@code tree}; an unknown key is an error, or one more of {@code problems} when given. */
  private void overlay(Map<String, Object> tree, String source, boolean defining, List<String> problems) {
    Map<String, Object> flat = new LinkedHashMap<>();
    flatten("", tree, flat);
    for (Map.Entry<String, Object> e : flat.entrySet()) {
      if (!defining && !values.containsKey(e.getKey())) {
        ConfigException unknown = new ConfigException("unknown configuration key '" + e.getKey() + "' in " + source);
        if (problems == null) {
          throw unknown;
        }
        problems.add(unknown.getMessage());
        continue;
      }
      values.put(e.getKey(), new Value(e.getValue(), source));
    }
  }

  private static void flatten(String prefix, Map<?, ?> tree, Map<String, Object> out) {
    for (Map.Entry<?, ?> e : tree.entrySet()) {
      String key = prefix + e.getKey();
      if (e.getValue() instanceof Map<?, ?> m) {
        flatten(key + ".", m, out);
      } else {
        out.put(key, e.getValue());
      }
    }
  }

  private static Map<String, Object> readDefaults() {
    try (InputStream in = ConfigLoader.class.getResourceAsStream(DEFAULTS_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("the defaults " + DEFAULTS_RESOURCE + " are missing from the class path");
      }
      return parseYaml(new java.io.InputStreamReader(in, StandardCharsets.UTF_8), "defaults");
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Map<String, Object> readFile(Path file) {
    try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      return parseYaml(r, file.toString());
    } catch (IOException e) {
      throw new ConfigException("cannot read configuration file " + file + ": " + e.getMessage());
    }
  }

  /** Reads a YAML document whose top level is a mapping (an empty document is an empty mapping). */
  @SuppressWarnings("unchecked")
  static Map<String, Object> parseYaml(Reader reader, String source) {
    Object doc;
    try {
      doc = new Yaml(new SafeConstructor(new LoaderOptions())).load(reader);
    } catch (MarkedYAMLException e) {
      // only the position and the problem: SnakeYAML's own message quotes the line, which may hold a secret
      var mark = e.getProblemMark();
      String at = mark == null ? "" : " at line " + (mark.getLine() + 1) + ", column " + (mark.getColumn() + 1);
      throw new ConfigException(source + " is not valid YAML" + at + ": " + e.getProblem());
    } catch (YAMLException e) {
      throw new ConfigException(source + " is not valid YAML");
    }
    if (doc == null) {
      return new LinkedHashMap<>();
    }
    if (!(doc instanceof Map)) {
      throw new ConfigException(source + " must be a YAML mapping at the top level");
    }
    Map<String, Object> map = new LinkedHashMap<>();
    for (Map.Entry<Object, Object> e : ((Map<Object, Object>) doc).entrySet()) {
      map.put(String.valueOf(e.getKey()), e.getValue());
    }
    return map;
  }

  /** The keys that exist, for documentation and tests. */
  public static List<String> keys() {
    Map<String, Object> flat = new LinkedHashMap<>();
    flatten("", readDefaults(), flat);
    return new ArrayList<>(flat.keySet());
  }
}
