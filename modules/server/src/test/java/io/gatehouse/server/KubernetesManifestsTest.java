package io.gatehouse.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarSource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.KeyToPath;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.autoscaling.v2.MetricSpec;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.gatehouse.core.token.SigningKeys;
import io.gatehouse.core.user.PasswordHasher;
import io.gatehouse.server.config.ConfigLoader;
import io.gatehouse.server.config.GatehouseConfig;
import io.gatehouse.server.config.GatehouseConfig.StoreType;
import io.gatehouse.server.config.SeedFile;
import io.gatehouse.store.cluster.HazelcastClusterOptions;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.xpath.XPathFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * Keeps the Kubernetes manifests in {@code k8s/} true to the server: they are parsed with the
 * Kubernetes model, the ConfigMap's configuration file goes through the server's own
 * {@link ConfigLoader} with the environment the Deployment sets, and the ports, probes, discovery name,
 * selectors and policies are checked against each other and against that configuration.
 */
class KubernetesManifestsTest {
  /** The manifests, relative to the module directory (where Surefire runs). */
  static final Path K8S = Path.of("..", "..", "k8s");
  static final Path REPO = Path.of("..", "..");

  /** What the downward API gives {@code status.podIP} in this test. */
  static final String POD_IP = "10.244.1.7";
  /** What stands in for the Secret's placeholders. */
  static final String PLACEHOLDER = "REPLACE_ME";
  static final String PLACEHOLDER_STAND_IN = "test-only-not-a-secret";
  /** How long Main's shutdown hook waits for the server to close (Main.main: done.await(30, SECONDS)). */
  static final int SERVER_SHUTDOWN_SECONDS = 30;
  /** Environment variables the Deployment may set that are not configuration keys. */
  static final Set<String> NON_CONFIG_ENV = Set.of("JAVA_TOOL_OPTIONS");

  static final Set<String> EXPECTED_KINDS = Set.of("Namespace", "ServiceAccount", "ConfigMap", "Secret", "Deployment",
      "Service", "PodDisruptionBudget", "HorizontalPodAutoscaler", "NetworkPolicy");

  record Doc(Path file, int index, Object resource) {
    String where() {
      return file.getFileName() + " (document " + (index + 1) + ")";
    }
  }

  static List<Doc> docs;

  @TempDir
  Path tmp;

  @BeforeAll
  static void loadManifests() throws IOException {
    assertThat(K8S).as("the k8s/ folder at the repository root").isDirectory();
    docs = new ArrayList<>();
    for (Path file : manifestFiles()) {
      String text = Files.readString(file, StandardCharsets.UTF_8);
      String[] parts = text.split("(?m)^---\\s*$");
      for (int i = 0; i < parts.length; i++) {
        if (parts[i].lines().allMatch(l -> l.isBlank() || l.stripLeading().startsWith("#"))) {
          continue;
        }
        docs.add(new Doc(file, i, Serialization.unmarshal(parts[i])));
      }
    }
  }

  /** What {@code kubectl apply -f k8s/} reads: the .yaml, .yml and .json files of the folder. */
  static List<Path> manifestFiles() throws IOException {
    try (Stream<Path> files = Files.list(K8S)) {
      return files.filter(p -> p.toString().matches(".*\\.(ya?ml|json)$")).sorted().toList();
    }
  }

  // --- every document ---

  @Test
  void everyManifestParsesToAKnownKubernetesKindWithNoUnknownField() throws IOException {
    assertThat(docs).isNotEmpty();
    try (Stream<Path> files = Files.list(K8S)) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .as("k8s/ holds manifests and documentation only (kubectl apply -f k8s/ would try anything else)")
          .allMatch(n -> n.matches(".*\\.(ya?ml|json|md)$"));
    }
    List<String> problems = new ArrayList<>();
    for (Doc d : docs) {
      if (!(d.resource() instanceof HasMetadata r) || d.resource() instanceof GenericKubernetesResource) {
        problems.add(d.where() + ": not a kind the Kubernetes model knows: " + d.resource());
        continue;
      }
      if (!EXPECTED_KINDS.contains(r.getKind())) {
        problems.add(d.where() + ": unexpected kind " + r.getKind());
      }
      if (r.getMetadata() == null || r.getMetadata().getName() == null) {
        problems.add(d.where() + ": no metadata.name");
      }
      // a misspelt field (readOnlyRootFileSystem, ...) lands in additionalProperties and would be ignored
      unknownFields(r, r.getKind(), problems, d.where());
    }
    assertThat(problems).isEmpty();
    assertThat(docs.stream().map(d -> ((HasMetadata) d.resource()).getKind()).collect(Collectors.toSet()))
        .as("every kind the deployment needs").containsAll(EXPECTED_KINDS);
  }

  @Test
  void everyObjectLivesInTheNamespaceTheManifestsCreateFirst() throws IOException {
    Namespace ns = only(Namespace.class);
    for (Doc d : docs) {
      HasMetadata r = (HasMetadata) d.resource();
      if (!(r instanceof Namespace)) {
        assertThat(r.getMetadata().getNamespace()).as(d.where() + " namespace").isEqualTo(ns.getMetadata().getName());
      }
    }
    // kubectl apply -f k8s/ applies the files in name order: the namespace must come first
    Path nsFile = docs.stream().filter(d -> d.resource() instanceof Namespace).findFirst().orElseThrow().file();
    assertThat(manifestFiles().get(0)).isEqualTo(nsFile);
    assertThat(ns.getMetadata().getLabels()).containsEntry("pod-security.kubernetes.io/enforce", "restricted");
  }

  // --- the configuration ---

  @Test
  void theConfigMapNamesExactlyTheKeysOfTheServersDefaults() {
    Map<String, Object> flat = new LinkedHashMap<>();
    flatten("", parseYaml(configYaml()), flat);
    assertThat(new TreeSet<>(flat.keySet())).as("keys of the ConfigMap's gatehouse.yaml vs conf/gatehouse.yaml")
        .isEqualTo(new TreeSet<>(ConfigLoader.keys()));
  }

  @Test
  void theConfigMapIsAcceptedByTheServersConfigLoaderWithTheDeploymentsEnvironment() throws IOException {
    GatehouseConfig config = loadConfig();
    assertThat(config.https()).as("https issuer").isTrue();
    assertThat(config.issuerString()).isEqualTo("https://auth.example.com");
    assertThat(config.http().host()).as("http.host: the probes and the Service reach the pod IP").isEqualTo("0.0.0.0");
    assertThat(config.store().type()).isEqualTo(StoreType.POSTGRES);
    assertThat(config.redis().enabled()).isTrue();
    assertThat(config.demoEnabled()).isFalse();
    assertThat(config.cluster().enabled()).isTrue();
    // the password comes from the Secret through the environment, not from the file
    assertThat(config.postgres().password()).isEqualTo(PLACEHOLDER_STAND_IN);
    assertThat(config.redis().uri()).isEqualTo(secretValue("GATEHOUSE_REDIS_URI"));
  }

  @Test
  void theDeploymentPassesTheMountedConfigMapAsTheConfigFile() {
    assertThat(container().getCommand()).as("command: the image's entrypoint runs the server").isNullOrEmpty();
    List<String> args = container().getArgs();
    assertThat(args).hasSize(2);
    assertThat(args.get(0)).isEqualTo("--config");
    assertThat(args.get(1)).isEqualTo("/etc/gatehouse/gatehouse.yaml")
        .isEqualTo(mountedFile(v -> v.getConfigMap() != null && configMap().getMetadata().getName().equals(v.getConfigMap().getName()),
            "gatehouse.yaml"));
  }

  @Test
  void everyEnvironmentVariableTheDeploymentSetsIsARealConfigKey() {
    Set<String> configEnv = ConfigLoader.keys().stream().map(ConfigLoader::envName).collect(Collectors.toSet());
    assertThat(container().getEnvFrom()).as("envFrom would turn every key (jwks.json too) into a variable").isNullOrEmpty();
    for (EnvVar e : container().getEnv()) {
      if (e.getName().startsWith("GATEHOUSE_")) {
        assertThat(configEnv).as(e.getName() + " maps back to a key of conf/gatehouse.yaml").contains(e.getName());
      } else {
        assertThat(NON_CONFIG_ENV).as(e.getName() + " is not a GATEHOUSE_ variable").contains(e.getName());
      }
    }
    assertThat(container().getEnv().stream().map(EnvVar::getName))
        .contains(ConfigLoader.envName("postgres.password"), ConfigLoader.envName("redis.uri"),
            ConfigLoader.envName("cluster.host"))
        .doesNotHaveDuplicates();
  }

  @Test
  void theSecretHoldsOnlyMarkedPlaceholdersForEverythingTheDeploymentTakesFromIt() {
    Secret secret = only(Secret.class);
    assertThat(secret.getData()).as("placeholders in stringData, readable").isNullOrEmpty();
    assertThat(secret.getStringData()).containsOnlyKeys("GATEHOUSE_POSTGRES_PASSWORD", "GATEHOUSE_REDIS_URI", "jwks.json", "seed.yaml");
    assertThat(secret.getStringData().values()).as("every value is marked").allMatch(v -> v.contains(PLACEHOLDER));
    assertThat(secret.getMetadata().getLabels()).containsEntry("gatehouse.io/placeholder", "true");
    for (EnvVar e : container().getEnv()) {
      if (e.getValueFrom() != null && e.getValueFrom().getSecretKeyRef() != null) {
        assertThat(e.getValueFrom().getSecretKeyRef().getName()).isEqualTo(secret.getMetadata().getName());
        assertThat(secret.getStringData()).as(e.getName()).containsKey(e.getValueFrom().getSecretKeyRef().getKey());
        assertThat(e.getValueFrom().getSecretKeyRef().getOptional()).as(e.getName() + " optional").isNotEqualTo(Boolean.TRUE);
      }
    }
  }

  @Test
  void theSigningKeySetAndTheSeedAreTheFilesMountedFromTheSecret() throws IOException {
    GatehouseConfig config = loadConfig();
    Secret secret = only(Secret.class);
    var isSecret = (java.util.function.Predicate<Volume>) v -> v.getSecret() != null
        && secret.getMetadata().getName().equals(v.getSecret().getSecretName());
    assertThat(config.keys().jwksFile()).as("keys.jwks_file").contains(Path.of(mountedFile(isSecret, "jwks.json")));
    assertThat(config.seedFile()).as("seed.file").contains(Path.of(mountedFile(isSecret, "seed.yaml")));
    Volume volume = podSpec().getVolumes().stream().filter(isSecret).findFirst().orElseThrow();
    assertThat(volume.getSecret().getOptional()).isNotEqualTo(Boolean.TRUE);
    // readable by the fsGroup (the process is not the files' owner), writable by nobody
    assertThat(volume.getSecret().getDefaultMode()).isEqualTo(0440);
    assertThat(podSpec().getSecurityContext().getFsGroup()).isEqualTo(podSpec().getSecurityContext().getRunAsUser());

    // the seed placeholder is a valid, empty seed
    SeedFile.Seed seed = SeedFile.read(secret.getStringData().get("seed.yaml"), new PasswordHasher());
    assertThat(seed.clients()).isEmpty();
    // the recipe of k8s/README.md: the operator CLI generates a key set for the configured algorithms,
    // and that file is what the server loads from keys.jwks_file
    Path generated = tmp.resolve("signing-keys.json");
    int status = io.gatehouse.server.cli.Cli.run(new String[] {"keys", "generate", "--out", generated.toString()}, java.util.Map.of(),
        java.io.InputStream.nullInputStream(), new java.io.PrintStream(java.io.OutputStream.nullOutputStream()), System.err);
    assertThat(status).isZero();
    SigningKeys loaded = SigningKeys.load(generated, config.keys().algorithm(), config.token().idTokenAlgorithm());
    assertThat(loaded.signer().algorithm()).isEqualTo(config.keys().algorithm());
  }

  // --- ports, services and probes ---

  @Test
  void theContainerPortNamedHttpIsTheConfiguredHttpPortAndTheServiceTargetsIt() throws IOException {
    GatehouseConfig config = loadConfig();
    assertThat(containerPort("http")).isEqualTo(config.http().port());
    Service http = httpService();
    assertThat(selects(http.getSpec().getSelector(), podLabels())).as("the Service selects the Deployment's pods").isTrue();
    assertThat(http.getSpec().getPorts()).hasSize(1);
    ServicePort port = http.getSpec().getPorts().get(0);
    assertThat(resolve(port.getTargetPort())).as("targetPort").isEqualTo(config.http().port());
  }

  @Test
  void probesHitHealthLiveAndHealthReadyOnTheHttpPort() throws IOException {
    GatehouseConfig config = loadConfig();
    String base = config.basePath();
    Container c = container();
    assertProbe(c.getStartupProbe(), "startupProbe", base + "/health/live", config.http().port());
    assertProbe(c.getLivenessProbe(), "livenessProbe", base + "/health/live", config.http().port());
    assertProbe(c.getReadinessProbe(), "readinessProbe", base + "/health/ready", config.http().port());
    // the readiness check gives up on the store after 2 s (HealthEndpoint): the probe must wait longer
    assertThat(c.getReadinessProbe().getTimeoutSeconds()).isGreaterThan(2);
    // the start-up probe covers the cluster join (Main waits up to 120 s)
    assertThat(c.getStartupProbe().getPeriodSeconds() * c.getStartupProbe().getFailureThreshold()).isGreaterThan(120);
  }

  @Test
  void hazelcastFindsItsPeersThroughTheHeadlessServicesDnsName() throws IOException {
    HazelcastClusterOptions cluster = loadConfig().cluster().options();
    Service hz = headlessService();
    assertThat(cluster.discovery()).isEqualTo(HazelcastClusterOptions.Discovery.KUBERNETES);
    assertThat(cluster.kubernetesServiceDns())
        .isEqualTo(hz.getMetadata().getName() + "." + hz.getMetadata().getNamespace() + ".svc.cluster.local");
    assertThat(cluster.kubernetesServiceName()).as("API mode off").isNull();
    assertThat(hz.getSpec().getClusterIP()).isEqualTo("None");
    // pods become ready only after they joined: their peers must find them before that
    assertThat(hz.getSpec().getPublishNotReadyAddresses()).isTrue();
    assertThat(selects(hz.getSpec().getSelector(), podLabels())).as("the headless service selects the Deployment's pods").isTrue();
  }

  @Test
  void theClusterPortIsTheHeadlessServicesPortAndTheContainersHazelcastPort() throws IOException {
    int port = loadConfig().cluster().options().port();
    assertThat(port).isEqualTo(5701);
    assertThat(containerPort("hazelcast")).isEqualTo(port);
    Service hz = headlessService();
    assertThat(hz.getSpec().getPorts()).hasSize(1);
    // Hazelcast's service-port: the peers dial the port of the member list, which is cluster.port
    assertThat(hz.getSpec().getPorts().get(0).getPort()).isEqualTo(port);
    assertThat(resolve(hz.getSpec().getPorts().get(0).getTargetPort())).isEqualTo(port);
  }

  @Test
  void eachNodeBindsAndAdvertisesItsPodIpToItsPeers() throws IOException {
    EnvVar host = container().getEnv().stream().filter(e -> e.getName().equals(ConfigLoader.envName("cluster.host")))
        .findFirst().orElseThrow();
    assertThat(host.getValueFrom().getFieldRef().getFieldPath()).isEqualTo("status.podIP");
    HazelcastClusterOptions cluster = loadConfig().cluster().options();
    assertThat(cluster.host()).isEqualTo(POD_IP);
    assertThat(cluster.bindsAnyHost()).isFalse();
  }

  // --- the pod ---

  @Test
  void thePodRunsAsTheImagesNonRootUserWithAReadOnlyRootFilesystem() throws Exception {
    PodSecurityContext pod = podSpec().getSecurityContext();
    SecurityContext c = container().getSecurityContext();
    assertThat(pod.getRunAsNonRoot()).isTrue();
    assertThat(pod.getRunAsUser()).isNotNull().isPositive();
    assertThat(c.getRunAsUser()).as("the container does not override the uid").isIn(null, pod.getRunAsUser());
    assertThat(c.getRunAsNonRoot()).isIn(null, true);
    assertThat(c.getReadOnlyRootFilesystem()).isTrue();
    assertThat(c.getAllowPrivilegeEscalation()).isFalse();
    assertThat(c.getPrivileged()).isIn(null, false);
    assertThat(c.getCapabilities().getDrop()).containsExactly("ALL");
    assertThat(c.getCapabilities().getAdd()).isNullOrEmpty();
    String seccomp = c.getSeccompProfile() != null ? c.getSeccompProfile().getType() : pod.getSeccompProfile().getType();
    assertThat(seccomp).isEqualTo("RuntimeDefault");
    // the images run as that same user
    assertThat(jibUser()).isEqualTo(pod.getRunAsUser() + ":" + pod.getRunAsGroup());
    assertThat(dockerfileUser()).isEqualTo(pod.getRunAsUser() + ":" + pod.getRunAsGroup());
  }

  @Test
  void theWritablePlacesAreEmptyDirsForTmpAndTheKeyDataDir() throws IOException {
    GatehouseConfig config = loadConfig();
    assertThat(emptyDirMountedAt("/tmp")).as("/tmp").isTrue();
    assertThat(emptyDirMountedAt(config.keys().dataDir().toString())).as("keys.data_dir " + config.keys().dataDir()).isTrue();
    assertThat(config.keys().dataDir().isAbsolute()).isTrue();
  }

  @Test
  void resourcesAreRequestedAndLimited() {
    var resources = container().getResources();
    for (String r : List.of("cpu", "memory")) {
      Quantity request = resources.getRequests().get(r);
      Quantity limit = resources.getLimits().get(r);
      assertThat(request).as(r + " request (the HPA computes CPU utilization from it)").isNotNull();
      assertThat(limit).as(r + " limit").isNotNull();
      assertThat(request.getNumericalAmount()).as(r).isLessThanOrEqualTo(limit.getNumericalAmount());
    }
  }

  @Test
  void rollingUpdatesReplaceOnePodAtATimeAndNeverDropBelowTheWantedReplicas() {
    Deployment d = deployment();
    assertThat(d.getSpec().getReplicas()).isEqualTo(3);
    assertThat(d.getSpec().getStrategy().getType()).isEqualTo("RollingUpdate");
    assertThat(d.getSpec().getStrategy().getRollingUpdate().getMaxUnavailable()).isEqualTo(new IntOrString(0));
    assertThat(d.getSpec().getStrategy().getRollingUpdate().getMaxSurge()).isEqualTo(new IntOrString(1));
    assertThat(selects(d.getSpec().getSelector(), podLabels())).as("the Deployment's selector selects its own pods").isTrue();
  }

  @Test
  void shutdownDrainsEndpointsBeforeSigtermAndFinishesWithinTheGracePeriod() {
    List<String> preStop = container().getLifecycle().getPreStop().getExec().getCommand();
    assertThat(preStop).hasSize(2).startsWith("sleep");
    int sleep = Integer.parseInt(preStop.get(1));
    assertThat(sleep).isBetween(5, 30);
    assertThat(podSpec().getTerminationGracePeriodSeconds()).isGreaterThan(sleep + SERVER_SHUTDOWN_SECONDS);
  }

  @Test
  void theServersDrainAndShutdownFitInTheTimeMainWaitsForThem() throws IOException {
    GatehouseConfig.Shutdown s = loadConfig().shutdown();
    assertThat(s.drainDelay()).as("a balancer polling readiness needs a drain").isPositive();
    assertThat(s.drainDelay().plus(s.timeout()).toSeconds()).isLessThan(SERVER_SHUTDOWN_SECONDS);
  }

  @Test
  void theServiceAccountMountsNoTokenBecauseDnsDiscoveryNeedsNone() throws IOException {
    ServiceAccount sa = only(ServiceAccount.class);
    assertThat(podSpec().getServiceAccountName()).isEqualTo(sa.getMetadata().getName());
    assertThat(loadConfig().cluster().options().kubernetesServiceDns()).as("DNS mode").isNotNull();
    assertThat(sa.getAutomountServiceAccountToken()).isFalse();
    assertThat(podSpec().getAutomountServiceAccountToken()).isFalse();
  }

  // --- disruption and scaling ---

  @Test
  void thePdbAndTheHpaSelectTheDeploymentsPodsAndLeaveRoomForADrain() {
    PodDisruptionBudget pdb = only(PodDisruptionBudget.class);
    assertThat(selects(pdb.getSpec().getSelector(), podLabels())).as("the PDB selects the Deployment's pods").isTrue();
    int minAvailable = pdb.getSpec().getMinAvailable().getIntVal();
    assertThat(minAvailable).isEqualTo(2);

    HorizontalPodAutoscaler hpa = only(HorizontalPodAutoscaler.class);
    var target = hpa.getSpec().getScaleTargetRef();
    assertThat(target.getApiVersion()).isEqualTo(deployment().getApiVersion());
    assertThat(target.getKind()).isEqualTo("Deployment");
    assertThat(target.getName()).isEqualTo(deployment().getMetadata().getName());
    assertThat(hpa.getSpec().getMetrics()).extracting(MetricSpec::getType).contains("Resource");
    assertThat(hpa.getSpec().getMetrics()).anyMatch(m -> m.getResource() != null && m.getResource().getName().equals("cpu"));
    // above minAvailable, so one pod may always be evicted; at most the Deployment's replicas
    assertThat(hpa.getSpec().getMinReplicas()).isGreaterThan(minAvailable).isLessThanOrEqualTo(deployment().getSpec().getReplicas());
    assertThat(hpa.getSpec().getMaxReplicas()).isGreaterThanOrEqualTo(hpa.getSpec().getMinReplicas());
  }

  // --- the network policy ---

  @Test
  void theNetworkPolicyAdmitsHttpFromTheClusterAndClusterTrafficOnlyFromGatehousePods() throws IOException {
    GatehouseConfig config = loadConfig();
    NetworkPolicy np = only(NetworkPolicy.class);
    assertThat(selects(np.getSpec().getPodSelector(), podLabels())).as("the policy applies to the Deployment's pods").isTrue();
    assertThat(np.getSpec().getPolicyTypes()).contains("Ingress", "Egress");
    int http = config.http().port();
    int hz = config.cluster().options().port();

    var ingress = np.getSpec().getIngress();
    assertThat(ingress).as("HTTP from pods of other namespaces (an Ingress controller)")
        .anyMatch(r -> allowsPort(r.getPorts(), http, "TCP") && (r.getFrom() == null || r.getFrom().isEmpty()
            || r.getFrom().stream().anyMatch(p -> p.getNamespaceSelector() != null || p.getIpBlock() != null)));
    assertThat(ingress).as("Hazelcast from the Gatehouse pods")
        .anyMatch(r -> allowsPort(r.getPorts(), hz, "TCP") && r.getFrom() != null
            && r.getFrom().stream().anyMatch(this::isGatehousePods));
    assertThat(ingress).as("Hazelcast from nobody else")
        .filteredOn(r -> allowsPort(r.getPorts(), hz, "TCP"))
        .allMatch(r -> r.getFrom() != null && !r.getFrom().isEmpty() && r.getFrom().stream().allMatch(this::isGatehousePods));

    var egress = np.getSpec().getEgress();
    // DNS, PostgreSQL and Redis live outside these pods: a rule towards the Gatehouse pods alone does not count
    assertThat(egress).as("DNS").anyMatch(r -> allowsPort(r.getPorts(), 53, "UDP") && reachesBeyondThePods(r.getTo()));
    assertThat(egress).as("PostgreSQL on postgres.port")
        .anyMatch(r -> allowsPort(r.getPorts(), config.postgres().port(), "TCP") && reachesBeyondThePods(r.getTo()));
    URI redis = URI.create(config.redis().uri());
    int redisPort = redis.getPort() == -1 ? 6379 : redis.getPort();
    assertThat(egress).as("Redis on the port of redis.uri")
        .anyMatch(r -> allowsPort(r.getPorts(), redisPort, "TCP") && reachesBeyondThePods(r.getTo()));
    assertThat(egress).as("Hazelcast to the Gatehouse pods").anyMatch(r -> allowsPort(r.getPorts(), hz, "TCP")
        && r.getTo() != null && r.getTo().stream().anyMatch(this::isGatehousePods));
    // the event bus (revocation events between nodes) on its fixed port, between Gatehouse pods only
    int bus = config.cluster().eventBusPort();
    assertThat(bus).as("cluster.event_bus_port is fixed").isPositive();
    assertThat(containerPort("eventbus")).isEqualTo(bus);
    assertThat(ingress).as("the event bus from the Gatehouse pods").anyMatch(r -> allowsPort(r.getPorts(), bus, "TCP")
        && r.getFrom() != null && r.getFrom().stream().anyMatch(this::isGatehousePods));
    assertThat(ingress).as("the event bus from nobody else").filteredOn(r -> allowsPort(r.getPorts(), bus, "TCP"))
        .allMatch(r -> r.getFrom() != null && !r.getFrom().isEmpty() && r.getFrom().stream().allMatch(this::isGatehousePods));
    assertThat(egress).as("the event bus to the Gatehouse pods").anyMatch(r -> allowsPort(r.getPorts(), bus, "TCP")
        && r.getTo() != null && r.getTo().stream().anyMatch(this::isGatehousePods));
  }

  // --- helpers ---

  /** The server's configuration as the pod would load it: the ConfigMap's file and the Deployment's env. */
  GatehouseConfig loadConfig() throws IOException {
    Path file = tmp.resolve("gatehouse.yaml");
    Files.writeString(file, configYaml(), StandardCharsets.UTF_8);
    return ConfigLoader.load(List.of("--config", file.toString()), deploymentEnv());
  }

  /** The environment the Deployment gives the container, resolved as the kubelet would. */
  Map<String, String> deploymentEnv() {
    Map<String, String> env = new LinkedHashMap<>();
    for (EnvFromSource from : Optional.ofNullable(container().getEnvFrom()).orElse(List.of())) {
      if (from.getSecretRef() != null) {
        only(Secret.class).getStringData().forEach((k, v) -> env.put(Objects.toString(from.getPrefix(), "") + k, standIn(v)));
      }
      if (from.getConfigMapRef() != null) {
        configMap().getData().forEach((k, v) -> env.put(Objects.toString(from.getPrefix(), "") + k, v));
      }
    }
    for (EnvVar e : container().getEnv()) {
      EnvVarSource src = e.getValueFrom();
      String value;
      if (src == null) {
        value = e.getValue();
      } else if (src.getSecretKeyRef() != null) {
        value = secretValue(src.getSecretKeyRef().getKey());
      } else if (src.getConfigMapKeyRef() != null) {
        value = configMap().getData().get(src.getConfigMapKeyRef().getKey());
      } else if (src.getFieldRef() != null && src.getFieldRef().getFieldPath().equals("status.podIP")) {
        value = POD_IP;
      } else {
        throw new AssertionError("the test does not know how to resolve env " + e.getName() + ": " + src);
      }
      assertThat(value).as("env " + e.getName()).isNotNull();
      env.put(e.getName(), value);
    }
    return env;
  }

  static String secretValue(String key) {
    String v = only(Secret.class).getStringData().get(key);
    assertThat(v).as("Secret key " + key).isNotNull();
    return standIn(v);
  }

  static String standIn(String v) {
    return v.replace(PLACEHOLDER, PLACEHOLDER_STAND_IN);
  }

  static String configYaml() {
    String yaml = configMap().getData().get("gatehouse.yaml");
    assertThat(yaml).as("the ConfigMap's gatehouse.yaml").isNotBlank();
    return yaml;
  }

  /** Where the item {@code key} of the volume {@code which} appears in the container. */
  static String mountedFile(java.util.function.Predicate<Volume> which, String key) {
    Volume volume = podSpec().getVolumes().stream().filter(which).findFirst()
        .orElseThrow(() -> new AssertionError("no such volume for " + key));
    List<KeyToPath> items = volume.getConfigMap() != null ? volume.getConfigMap().getItems() : volume.getSecret().getItems();
    String path = items == null || items.isEmpty() ? key
        : items.stream().filter(i -> i.getKey().equals(key)).map(KeyToPath::getPath).findFirst()
            .orElseThrow(() -> new AssertionError("volume " + volume.getName() + " does not project " + key));
    VolumeMount mount = container().getVolumeMounts().stream().filter(m -> m.getName().equals(volume.getName())).findFirst()
        .orElseThrow(() -> new AssertionError("volume " + volume.getName() + " is not mounted"));
    assertThat(mount.getSubPath()).isNullOrEmpty();
    return mount.getMountPath() + "/" + path;
  }

  static boolean emptyDirMountedAt(String path) {
    return container().getVolumeMounts().stream().filter(m -> Path.of(m.getMountPath()).equals(Path.of(path)))
        .anyMatch(m -> podSpec().getVolumes().stream().anyMatch(v -> v.getName().equals(m.getName()) && v.getEmptyDir() != null)
            && !Boolean.TRUE.equals(m.getReadOnly()));
  }

  static void assertProbe(Probe probe, String what, String path, int port) {
    assertThat(probe).as(what).isNotNull();
    HTTPGetAction get = probe.getHttpGet();
    assertThat(get).as(what + " httpGet").isNotNull();
    assertThat(get.getPath()).as(what + " path").isEqualTo(path);
    assertThat(resolve(get.getPort())).as(what + " port").isEqualTo(port);
    assertThat(get.getScheme()).as(what + " scheme").isIn(null, "HTTP");
  }

  /** A port number, or a port name resolved against the container's ports. */
  static int resolve(IntOrString port) {
    assertThat(port).isNotNull();
    return port.getIntVal() != null ? port.getIntVal() : containerPort(port.getStrVal());
  }

  static int containerPort(String name) {
    return container().getPorts().stream().filter(p -> name.equals(p.getName())).map(ContainerPort::getContainerPort)
        .findFirst().orElseThrow(() -> new AssertionError("no container port named " + name));
  }

  static boolean allowsPort(List<NetworkPolicyPort> ports, int port, String protocol) {
    if (ports == null || ports.isEmpty()) {
      return true;
    }
    for (NetworkPolicyPort p : ports) {
      if (!Objects.requireNonNullElse(p.getProtocol(), "TCP").equals(protocol)) {
        continue;
      }
      if (p.getPort() == null) {
        return true;
      }
      int from = resolve(p.getPort());
      int to = p.getEndPort() == null ? from : p.getEndPort();
      if (port >= from && port <= to) {
        return true;
      }
    }
    return false;
  }

  /** Whether an egress rule's destinations include something other than pods of this namespace. */
  static boolean reachesBeyondThePods(List<NetworkPolicyPeer> to) {
    return to == null || to.isEmpty() || to.stream().anyMatch(p -> p.getIpBlock() != null || p.getNamespaceSelector() != null);
  }

  /** A peer that is the Gatehouse pods of this namespace and nothing else. */
  boolean isGatehousePods(NetworkPolicyPeer peer) {
    return peer.getNamespaceSelector() == null && peer.getIpBlock() == null && peer.getPodSelector() != null
        && peer.getPodSelector().getMatchLabels() != null && !peer.getPodSelector().getMatchLabels().isEmpty()
        && selects(peer.getPodSelector(), podLabels());
  }

  static boolean selects(LabelSelector selector, Map<String, String> labels) {
    assertThat(selector).isNotNull();
    assertThat(selector.getMatchExpressions()).as("matchExpressions (not evaluated here)").isNullOrEmpty();
    return selects(selector.getMatchLabels(), labels);
  }

  static boolean selects(Map<String, String> selector, Map<String, String> labels) {
    return selector != null && !selector.isEmpty() && labels.entrySet().containsAll(selector.entrySet());
  }

  static Map<String, String> podLabels() {
    return deployment().getSpec().getTemplate().getMetadata().getLabels();
  }

  static Deployment deployment() {
    return only(Deployment.class);
  }

  static PodSpec podSpec() {
    return deployment().getSpec().getTemplate().getSpec();
  }

  static Container container() {
    List<Container> containers = podSpec().getContainers();
    assertThat(containers).hasSize(1);
    return containers.get(0);
  }

  static ConfigMap configMap() {
    return only(ConfigMap.class);
  }

  static Service httpService() {
    return onlyOne(all(Service.class).stream().filter(s -> !"None".equals(s.getSpec().getClusterIP())).toList(), "HTTP Service");
  }

  static Service headlessService() {
    return onlyOne(all(Service.class).stream().filter(s -> "None".equals(s.getSpec().getClusterIP())).toList(), "headless Service");
  }

  static <T> List<T> all(Class<T> type) {
    return docs.stream().map(Doc::resource).filter(type::isInstance).map(type::cast).toList();
  }

  static <T> T only(Class<T> type) {
    return onlyOne(all(type), type.getSimpleName());
  }

  static <T> T onlyOne(List<T> list, String what) {
    assertThat(list).as("exactly one " + what + " in k8s/").hasSize(1);
    return list.get(0);
  }

  /** The user of the Jib image (modules/server/pom.xml, profile image). */
  static String jibUser() throws Exception {
    var doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(Path.of("pom.xml").toFile());
    String user = XPathFactory.newInstance().newXPath().evaluate(
        "/project/profiles/profile[id='image']/build/plugins/plugin[artifactId='jib-maven-plugin']/configuration/container/user", doc);
    assertThat(user).as("the Jib image's user").isNotBlank();
    return user.trim();
  }

  /** The USER of the Dockerfile at the repository root. */
  static String dockerfileUser() throws IOException {
    Matcher m = Pattern.compile("(?m)^USER\\s+(\\S+)\\s*$").matcher(Files.readString(REPO.resolve("Dockerfile")));
    assertThat(m.find()).as("a USER line in the Dockerfile").isTrue();
    return m.group(1);
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> parseYaml(String yaml) {
    return (Map<String, Object>) new Yaml(new SafeConstructor(new LoaderOptions())).load(yaml);
  }

  static void flatten(String prefix, Map<?, ?> tree, Map<String, Object> out) {
    for (Map.Entry<?, ?> e : tree.entrySet()) {
      String key = prefix + e.getKey();
      if (e.getValue() instanceof Map<?, ?> m) {
        flatten(key + ".", m, out);
      } else {
        out.put(key, e.getValue());
      }
    }
  }

  /** Walks the model and reports every non-empty additionalProperties: fields the model did not know. */
  static void unknownFields(Object node, String path, List<String> problems, String where) {
    if (node == null) {
      return;
    }
    if (node instanceof Collection<?> c) {
      int i = 0;
      for (Object o : c) {
        unknownFields(o, path + "[" + i++ + "]", problems, where);
      }
      return;
    }
    if (node instanceof Map<?, ?> m) {
      m.forEach((k, v) -> unknownFields(v, path + "." + k, problems, where));
      return;
    }
    if (!node.getClass().getPackageName().startsWith("io.fabric8.kubernetes.api.model")) {
      return;
    }
    for (Method g : node.getClass().getMethods()) {
      if (!g.getName().startsWith("get") || g.getParameterCount() != 0 || Modifier.isStatic(g.getModifiers())) {
        continue;
      }
      Class<?> type = g.getReturnType();
      boolean model = type.getPackageName().startsWith("io.fabric8.kubernetes.api.model");
      if (!model && !Collection.class.isAssignableFrom(type) && !Map.class.isAssignableFrom(type)) {
        continue;
      }
      Object value;
      try {
        value = g.invoke(node);
      } catch (IllegalAccessException | InvocationTargetException e) {
        throw new AssertionError(where + ": cannot read " + path + "." + g.getName(), e);
      }
      if (g.getName().equals("getAdditionalProperties")) {
        if (value instanceof Map<?, ?> extra && !extra.isEmpty()) {
          problems.add(where + ": unknown field(s) " + extra.keySet() + " at " + path);
        }
        continue;
      }
      String field = Character.toLowerCase(g.getName().charAt(3)) + g.getName().substring(4);
      unknownFields(value, path + "." + field, problems, where);
    }
  }
}
