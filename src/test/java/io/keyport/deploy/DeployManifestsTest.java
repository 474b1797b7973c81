package io.keyport.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.SecretKeySelector;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.keyport.platform.Metrics;
import io.keyport.platform.PrometheusText;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * deploy/kubernetes parsed as Kubernetes objects (fabric8's models; the ServiceMonitor as a generic
 * object) and held to the image (deploy/image/environment), to Keyport's health paths and
 * documented configuration, and to each other; the Grafana dashboard's queries name only metrics
 * Keyport registers. Kustomize itself does not run here (no kustomize on the build machines): the
 * test reads the kustomizations and checks what they name.
 */
class DeployManifestsTest {

  private static final Path BASE = ImageDefinition.PROJECT.resolve("deploy/kubernetes/base");
  private static final Path OVERLAY =
      ImageDefinition.PROJECT.resolve("deploy/kubernetes/overlays/example");
  private static final ObjectMapper YAML = new YAMLMapper();
  private static final Map<String, String> PORT_VARIABLES =
      Map.of(
          "http", "KEYPORT_HTTP_PORT",
          "check", "KEYPORT_CHECK_PORT",
          "grpc", "KEYPORT_CHECK_GRPC_PORT",
          "metrics", "KEYPORT_METRICS_PORT",
          "datagrid", "KEYPORT_CLUSTER_PORT");

  private static JsonNode kustomization;
  private static List<KubernetesResource> objects;
  private static Deployment deployment;
  private static Container container;

  @BeforeAll
  static void parse() throws IOException {
    kustomization = YAML.readTree(BASE.resolve("kustomization.yaml").toFile());
    objects = new ArrayList<>();
    for (JsonNode resource : kustomization.get("resources")) {
      objects.addAll(parseAll(BASE.resolve(resource.asText())));
    }
    deployment = only(Deployment.class);
    container = deployment.getSpec().getTemplate().getSpec().getContainers().get(0);
  }

  @Test
  void theBaseListsEveryManifestItHoldsAndEachParses() throws IOException {
    Set<String> listed = new TreeSet<>();
    kustomization.get("resources").forEach(r -> listed.add(r.asText()));
    try (Stream<Path> files = Files.list(BASE)) {
      Set<String> present = new TreeSet<>();
      files
          .map(f -> f.getFileName().toString())
          .filter(f -> f.endsWith(".yaml") && !f.equals("kustomization.yaml"))
          .forEach(present::add);
      assertEquals(present, listed, "kustomization.yaml's resources are the base's files");
    }
    Set<String> kinds = new TreeSet<>();
    for (KubernetesResource object : objects) {
      HasMetadata named = (HasMetadata) object;
      assertNotNull(named.getMetadata().getName(), named.getKind());
      kinds.add(named.getKind());
    }
    assertEquals(
        Set.of(
            "Namespace",
            "ServiceAccount",
            "Role",
            "RoleBinding",
            "Deployment",
            "Service",
            "PodDisruptionBudget",
            "ServiceMonitor"),
        kinds);
    GenericKubernetesResource monitor = (GenericKubernetesResource) byKind("ServiceMonitor").get(0);
    assertEquals("monitoring.coreos.com/v1", monitor.getApiVersion());
  }

  @Test
  void containerPortsAreTheImagesPorts() {
    Map<String, Integer> ports = new LinkedHashMap<>();
    for (ContainerPort port : container.getPorts()) {
      ports.put(port.getName(), port.getContainerPort());
    }
    assertEquals(PORT_VARIABLES.keySet(), ports.keySet());
    ports.forEach(
        (name, port) ->
            assertEquals(
                ImageDefinition.port(PORT_VARIABLES.get(name)), port, "container port " + name));
    assertEquals(ImageDefinition.ports(), new TreeSet<>(ports.values()));
    // a port the Deployment sets in the environment is the one it declares
    for (EnvVar env : container.getEnv()) {
      if (env.getName().endsWith("_PORT")) {
        assertEquals(
            Integer.toString(ImageDefinition.port(env.getName())), env.getValue(), env.getName());
      }
    }
    String image = container.getImage();
    assertEquals("keyport:" + projectVersion(), image, "the tag mvn -Pimage package writes");
  }

  @Test
  void theRootIsReadOnlyWithTmpAndTheDataFolderWritable() {
    // as ImageRunIT runs the image (run-unpacked.sh --read-only)
    assertTrue(container.getSecurityContext().getReadOnlyRootFilesystem());
    assertFalse(container.getSecurityContext().getAllowPrivilegeEscalation());
    Set<String> mounted = new TreeSet<>();
    container.getVolumeMounts().forEach(m -> mounted.add(m.getMountPath()));
    assertEquals(Set.of("/tmp", ImageDefinition.environment().get("KEYPORT_DATA_DIR")), mounted);
    deployment
        .getSpec()
        .getTemplate()
        .getSpec()
        .getVolumes()
        .forEach(v -> assertNotNull(v.getEmptyDir(), v.getName() + " is an emptyDir"));
  }

  @Test
  void probesAskKeyportsHealthPaths() {
    assertProbe(container.getStartupProbe(), ImageDefinition.LIVENESS);
    assertProbe(container.getLivenessProbe(), ImageDefinition.LIVENESS);
    assertProbe(container.getReadinessProbe(), ImageDefinition.READINESS);
    String production = ImageDefinition.read(ImageDefinition.PROJECT.resolve("docs/production.md"));
    assertTrue(production.contains("`" + ImageDefinition.LIVENESS + "`"));
    assertTrue(production.contains("`" + ImageDefinition.READINESS + "`"));
  }

  @Test
  void everyEnvironmentNameIsDocumented() throws IOException {
    Set<String> documented = ImageDefinition.documentedEnvironment();
    List<EnvVar> env = new ArrayList<>(container.getEnv());
    Deployment patch = (Deployment) parseAll(OVERLAY.resolve("deployment-patch.yaml")).get(0);
    env.addAll(patch.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv());
    Set<String> names = new HashSet<>();
    for (EnvVar var : env) {
      assertTrue(
          documented.contains(var.getName()),
          var.getName() + " is not a KEYPORT_* name docs/configuration.md documents");
      names.add(var.getName());
    }
    assertTrue(
        names.containsAll(
            List.of(
                "KEYPORT_DB_URL",
                "KEYPORT_KEYS_HMAC_SECRET",
                "KEYPORT_REDIS_URL",
                "KEYPORT_CLUSTER")),
        names.toString());
  }

  @Test
  void secretsComeFromTheSecretTheOverlayGenerates() throws IOException {
    JsonNode overlay = YAML.readTree(OVERLAY.resolve("kustomization.yaml").toFile());
    JsonNode generator = overlay.get("secretGenerator").get(0);
    Set<String> generated = new TreeSet<>();
    for (JsonNode file : generator.get("files")) {
      generated.add(file.asText().split("=", 2)[0]);
    }
    Map<String, String> refs = new LinkedHashMap<>();
    for (EnvVar env : container.getEnv()) {
      if (env.getValueFrom() != null) {
        SecretKeySelector ref = env.getValueFrom().getSecretKeyRef();
        assertNotNull(ref, env.getName() + " comes from a Secret");
        assertEquals(generator.get("name").asText(), ref.getName(), env.getName());
        refs.put(env.getName(), ref.getKey());
      }
    }
    assertEquals("hmac-secret", refs.get("KEYPORT_KEYS_HMAC_SECRET"));
    assertEquals("db-password", refs.get("KEYPORT_DB_PASSWORD"));
    assertEquals(generated, new TreeSet<>(refs.values()), "the overlay generates every key used");
    assertTrue(
        ImageDefinition.read(OVERLAY.resolve(".gitignore")).contains("secrets/"),
        "the secret files are never committed");
  }

  @Test
  void clusterDiscoveryNamesTheHeadlessServiceOfTheNamespace() {
    String cluster = env("KEYPORT_CLUSTER");
    String namespace = kustomization.get("namespace").asText();
    Service discovery = service("keyport-cluster");
    assertEquals("kubernetes:" + namespace + "," + discovery.getMetadata().getName(), cluster);
    assertEquals("None", discovery.getSpec().getClusterIP());
    assertTrue(discovery.getSpec().getPublishNotReadyAddresses());
    // Payara Micro's discovery reads the Service's endpoints with the pods' service account
    String account = deployment.getSpec().getTemplate().getSpec().getServiceAccountName();
    RoleBinding binding = only(RoleBinding.class);
    assertEquals(account, binding.getSubjects().get(0).getName());
    Role role = only(Role.class);
    assertEquals(role.getMetadata().getName(), binding.getRoleRef().getName());
    assertTrue(
        role.getRules().stream()
            .anyMatch(
                r -> r.getResources().contains("endpoints") && r.getVerbs().contains("list")));
    assertTrue(deployment.getSpec().getReplicas() >= 2, "N replicas");
    assertEquals(
        ImageDefinition.APP_UID,
        deployment.getSpec().getTemplate().getSpec().getSecurityContext().getRunAsUser());
  }

  @Test
  void servicesReachTheNamedPortsAndTheCheckKeepsNotReadyNodes() {
    Map<String, String> podLabels = deployment.getSpec().getTemplate().getMetadata().getLabels();
    Set<String> portNames = new HashSet<>(PORT_VARIABLES.keySet());
    for (KubernetesResource object : byKind("Service")) {
      Service service = (Service) object;
      assertTrue(
          podLabels.entrySet().containsAll(service.getSpec().getSelector().entrySet()),
          service.getMetadata().getName() + " selects the pods");
      for (ServicePort port : service.getSpec().getPorts()) {
        assertTrue(
            portNames.contains(port.getTargetPort().getStrVal()),
            service.getMetadata().getName() + " targets a container port by name");
      }
    }
    assertEquals(Set.of("http"), targets(service("keyport")));
    assertFalse(Boolean.TRUE.equals(service("keyport").getSpec().getPublishNotReadyAddresses()));
    Service check = service("keyport-check");
    assertEquals(Set.of("check", "grpc"), targets(check));
    assertTrue(check.getSpec().getPublishNotReadyAddresses(), "docs/production.md, Health");
    // examples/gateways (Istio, Envoy Gateway, Gloo) call keyport-check:9191
    assertTrue(check.getSpec().getPorts().stream().anyMatch(p -> p.getPort() == 9191));
    assertEquals(Set.of("metrics"), targets(service("keyport-metrics")));

    PodDisruptionBudget budget = only(PodDisruptionBudget.class);
    assertTrue(
        podLabels
            .entrySet()
            .containsAll(budget.getSpec().getSelector().getMatchLabels().entrySet()));
    assertEquals(1, budget.getSpec().getMaxUnavailable().getIntVal());
  }

  @Test
  void theServiceMonitorScrapesTheMetricsService() {
    GenericKubernetesResource monitor = (GenericKubernetesResource) byKind("ServiceMonitor").get(0);
    JsonNode spec = new ObjectMapper().valueToTree(monitor.getAdditionalProperties().get("spec"));
    Service metrics = service("keyport-metrics");
    spec.get("selector")
        .get("matchLabels")
        .fields()
        .forEachRemaining(
            label ->
                assertEquals(
                    label.getValue().asText(),
                    metrics.getMetadata().getLabels().get(label.getKey()),
                    label.getKey()));
    JsonNode endpoint = spec.get("endpoints").get(0);
    assertEquals(ImageDefinition.METRICS, endpoint.get("path").asText());
    assertEquals(metrics.getSpec().getPorts().get(0).getName(), endpoint.get("port").asText());
  }

  @Test
  void theOverlayPatchesWhatTheBaseHas() throws IOException {
    JsonNode overlay = YAML.readTree(OVERLAY.resolve("kustomization.yaml").toFile());
    assertEquals("../../base", overlay.get("resources").get(0).asText());
    String image = container.getImage().split(":")[0];
    assertEquals(image, overlay.get("images").get(0).get("name").asText());
    assertEquals(
        deployment.getMetadata().getName(), overlay.get("replicas").get(0).get("name").asText());
    for (JsonNode patch : overlay.get("patches")) {
      for (KubernetesResource object : parseAll(OVERLAY.resolve(patch.get("path").asText()))) {
        HasMetadata patched = (HasMetadata) object;
        assertTrue(
            objects.stream()
                .map(HasMetadata.class::cast)
                .anyMatch(
                    o ->
                        o.getKind().equals(patched.getKind())
                            && o.getMetadata().getName().equals(patched.getMetadata().getName())),
            "the base has the " + patched.getKind() + " " + patched.getMetadata().getName());
      }
    }
  }

  @Test
  void theDashboardQueriesOnlyMetricsKeyportRegisters() throws IOException {
    JsonNode generator = kustomization.get("configMapGenerator").get(0);
    String file = generator.get("files").get(0).asText().split("=", 2)[1];
    JsonNode dashboard = JsonMapper.builder().build().readTree(BASE.resolve(file).toFile());
    Set<String> registered = registeredMetrics();
    List<String> expressions = new ArrayList<>();
    dashboard.findValues("expr").forEach(e -> expressions.add(e.asText()));
    dashboard.findValues("definition").forEach(e -> expressions.add(e.asText()));
    assertTrue(expressions.size() >= 20, "a dashboard: " + expressions.size() + " queries");
    Pattern metric = Pattern.compile("\\b((?:keyport|jvm|process|system)_[a-z0-9_]+)\\b");
    Set<String> used = new TreeSet<>();
    for (String expr : expressions) {
      Matcher m = metric.matcher(expr);
      boolean any = false;
      while (m.find()) {
        any = true;
        used.add(m.group(1));
        assertTrue(
            registered.contains(m.group(1)),
            m.group(1) + " (in " + expr + ") is not a metric Keyport registers: " + registered);
      }
      assertTrue(any, "a query names a metric: " + expr);
    }
    assertTrue(used.contains("keyport_check_decisions_total"), used.toString());
    assertTrue(used.contains("keyport_check_latency_seconds_bucket"), used.toString());
  }

  /**
   * The metrics of docs/production.md's table, each found as a registration name in the main code,
   * with the series a counter, timer or histogram writes; and the JVM's, as a real registry writes
   * them.
   */
  private static Set<String> registeredMetrics() throws IOException {
    String code = mainSources();
    Set<String> names = new TreeSet<>();
    Matcher documented =
        Pattern.compile("`(keyport_[a-z0-9_]+)`")
            .matcher(ImageDefinition.read(ImageDefinition.PROJECT.resolve("docs/production.md")));
    while (documented.find()) {
      String name = documented.group(1);
      String registration = name.replaceAll("_(total|seconds)$", "").replace('_', '.');
      assertTrue(
          code.contains("\"" + registration + "\""),
          name + " is documented but no meter \"" + registration + "\" is registered");
      names.add(name);
      if (code.contains("Timer.builder(\"" + registration + "\"")) {
        for (String suffix : List.of("_bucket", "_count", "_sum", "_max")) {
          names.add(name + suffix);
        }
      }
    }
    Metrics metrics = Metrics.standalone();
    PrometheusText.parse(metrics.scrape())
        .families()
        .values()
        .forEach(f -> f.samples().forEach(s -> names.add(s.name())));
    return names;
  }

  private static String mainSources() throws IOException {
    StringBuilder all = new StringBuilder();
    try (Stream<Path> files = Files.walk(ImageDefinition.PROJECT.resolve("src/main/java"))) {
      for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
        all.append(Files.readString(file)).append('\n');
      }
    }
    return all.toString();
  }

  private static void assertProbe(Probe probe, String path) {
    assertNotNull(probe);
    assertEquals(path, probe.getHttpGet().getPath());
    assertEquals("http", probe.getHttpGet().getPort().getStrVal(), "the portal port serves health");
  }

  private static Set<String> targets(Service service) {
    Set<String> targets = new TreeSet<>();
    service.getSpec().getPorts().forEach(p -> targets.add(p.getTargetPort().getStrVal()));
    return targets;
  }

  private static String env(String name) {
    return container.getEnv().stream()
        .filter(e -> e.getName().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError("the Deployment sets no " + name))
        .getValue();
  }

  private static Service service(String name) {
    return byKind("Service").stream()
        .map(Service.class::cast)
        .filter(s -> s.getMetadata().getName().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no Service " + name));
  }

  private static List<KubernetesResource> byKind(String kind) {
    return objects.stream().filter(o -> ((HasMetadata) o).getKind().equals(kind)).toList();
  }

  private static <T> T only(Class<T> type) {
    List<T> found = objects.stream().filter(type::isInstance).map(type::cast).toList();
    assertEquals(1, found.size(), type.getSimpleName());
    return found.get(0);
  }

  private static List<KubernetesResource> parseAll(Path file) throws IOException {
    List<KubernetesResource> parsed = new ArrayList<>();
    ObjectMapper mapper = new ObjectMapper(new YAMLFactory());
    try (var documents =
        mapper.readerFor(KubernetesResource.class).readValues(Files.readString(file))) {
      while (documents.hasNext()) {
        parsed.add((KubernetesResource) documents.next());
      }
    }
    return parsed;
  }

  private static String projectVersion() {
    String pom = ImageDefinition.read(ImageDefinition.PROJECT.resolve("pom.xml"));
    Matcher version =
        Pattern.compile("<artifactId>keyport</artifactId>\\s*<version>([^<]+)</version>")
            .matcher(pom);
    assertTrue(version.find(), "the project's version in pom.xml");
    return version.group(1);
  }
}
