package io.consumergraph.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.Reader;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarFile;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.flink.configuration.ConfigOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * Checks what {@code package} produced and what {@code deploy/} ships: the fat jar carries the job
 * and leaves cluster and test-only classes out, and the deployment files parse, use only the job's
 * configuration keys and never hold a secret.
 */
class FatJarIT {

  private static final Path FAT_JAR =
      Path.of(System.getProperty("fatJar", "target/consumer-graph-job.jar"));
  private static final Path DEPLOY_DIR = Path.of(System.getProperty("deployDir", "."));
  private static final String MAIN_CLASS = "io.consumergraph.job.ConsumerGraphJob";
  private static final String JOB_OPTIONS = "io.consumergraph.job.config.JobOptions";
  private static final String ENV_PREFIX = "CONSUMER_GRAPH_";
  private static final Pattern SECRET_NAME =
      Pattern.compile("(?i).*(password|token|secret|credential|access_key).*");

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final ObjectMapper JSON = new ObjectMapper();

  private static Set<String> jarEntries;

  @BeforeAll
  static void readJar() throws IOException {
    assertThat(FAT_JAR).as("shaded jar built by `package`").isRegularFile();
    try (JarFile jar = new JarFile(FAT_JAR.toFile())) {
      jarEntries =
          jar.stream().map(e -> e.getName()).collect(Collectors.toCollection(TreeSet::new));
    }
  }

  @Test
  void fatJarContainsTheJobMainClassAndNamesItInTheManifest() throws IOException {
    String mainClassFile = MAIN_CLASS.replace('.', '/') + ".class";
    assertThat(jarEntries.contains(mainClassFile))
        .as("fat jar contains %s", mainClassFile)
        .isTrue();
    try (JarFile jar = new JarFile(FAT_JAR.toFile())) {
      assertThat(jar.getManifest().getMainAttributes().getValue("Main-Class"))
          .isEqualTo(MAIN_CLASS);
    }
  }

  @Test
  void fatJarLeavesFlinkItselfToTheCluster() {
    // A second copy of Flink in the user class loader breaks class identity at runtime.
    assertNoEntriesUnder(
        "org/apache/flink/runtime/",
        "org/apache/flink/streaming/api/environment/",
        "org/apache/flink/api/common/ExecutionConfig",
        "org/apache/flink/contrib/streaming/state/",
        "org/rocksdb/");
  }

  @Test
  void fatJarBundlesNoInProcessTestServers() {
    assertNoEntriesUnder(
        "org/neo4j/harness/",
        "org/neo4j/kernel/",
        "kafka/server/",
        "kafka/testkit/",
        "org/apache/kafka/raft/",
        "org/elasticmq/",
        "org/apache/pekko/",
        "io/consumergraph/embedded/",
        "io/consumergraph/simulator/");
  }

  @Test
  void fatJarBundlesNoLoggingImplementation() {
    // The cluster's log4j2 configuration must stay the only one in effect.
    assertNoEntriesUnder(
        "org/apache/logging/log4j/",
        "org/apache/log4j/",
        "org/slf4j/",
        "ch/qos/logback/",
        "log4j2.xml",
        "log4j.properties",
        "log4j2.properties");
  }

  @Test
  void everyYamlAndJsonFileUnderDeployParses() throws IOException {
    List<Path> files = deployFiles(".yaml", ".yml", ".json");
    assertThat(files)
        .extracting(f -> DEPLOY_DIR.relativize(f).toString())
        .contains(
            "kubernetes/flink-deployment.yaml",
            "kubernetes/secret.example.yaml",
            "managed-flink/application-properties.json",
            "compose/docker-compose.yml");
    for (Path file : files) {
      assertThat(readAll(file)).as("documents in %s", file).isNotEmpty();
    }
  }

  @Test
  void flinkDeploymentRunsTheJarWithRocksDbSavepointUpgradesAndStrictTypes() throws IOException {
    JsonNode deployment = readOne(DEPLOY_DIR.resolve("kubernetes/flink-deployment.yaml"));
    JsonNode spec = deployment.path("spec");
    JsonNode conf = spec.path("flinkConfiguration");

    assertThat(deployment.path("kind").asText()).isEqualTo("FlinkDeployment");
    // The operator's version enum names the build's Flink line (2.3.0 -> v2_3).
    assertThat(spec.path("flinkVersion").asText()).isEqualTo("v" + flinkLine().replace('.', '_'));
    assertThat(spec.path("job").path("upgradeMode").asText()).isEqualTo("savepoint");
    assertThat(spec.path("job").path("jarURI").asText())
        .isEqualTo("local:///opt/flink/usrlib/consumer-graph-job.jar");
    assertThat(spec.path("job").path("entryClass").asText()).isEqualTo(MAIN_CLASS);
    assertThat(conf.path("state.backend.type").asText()).isEqualTo("rocksdb");
    assertThat(conf.path("execution.checkpointing.incremental").asText()).isEqualTo("true");
    assertThat(conf.path("execution.checkpointing.interval").asText()).isEqualTo("30s");
    assertThat(conf.path("pipeline.generic-types").asText()).isEqualTo("false");
    assertThat(conf.path("restart-strategy.type").asText()).isEqualTo("exponential-delay");
    // The operator refuses savepoint upgrades without both directories.
    assertThat(conf.path("execution.checkpointing.dir").asText()).startsWith("s3://");
    assertThat(conf.path("execution.checkpointing.savepoint-dir").asText()).startsWith("s3://");
    // The operator's CRD types flinkConfiguration as a map of strings.
    conf.fields()
        .forEachRemaining(
            e ->
                assertThat(e.getValue().isTextual())
                    .as("flinkConfiguration %s is a string", e.getKey())
                    .isTrue());
  }

  @Test
  void kubernetesSecretsReachThePodsOnlyAsSecretReferences() throws IOException {
    JsonNode deployment = readOne(DEPLOY_DIR.resolve("kubernetes/flink-deployment.yaml"));
    List<JsonNode> env = new ArrayList<>();
    collectEnvEntries(deployment, env);
    Map<String, JsonNode> byName =
        env.stream().collect(Collectors.toMap(e -> e.path("name").asText(), e -> e));

    for (String name : List.of("NEO4J_PASSWORD", "ADMIN_TOKEN")) {
      assertThat(byName).containsKey(name);
      assertThat(byName.get(name).path("valueFrom").path("secretKeyRef").path("name").asText())
          .isEqualTo("consumer-graph-secrets");
    }
    for (JsonNode entry : env) {
      if (SECRET_NAME.matcher(entry.path("name").asText()).matches()) {
        assertThat(entry.has("value")).as("inline value of %s", entry.path("name")).isFalse();
      }
    }
    for (JsonNode arg : deployment.path("spec").path("job").path("args")) {
      assertThat(SECRET_NAME.matcher(arg.asText()).matches()).as("job arg %s", arg).isFalse();
    }

    String example =
        Files.readString(
            DEPLOY_DIR.resolve("kubernetes/secret.example.yaml"), StandardCharsets.UTF_8);
    assertThat(example).contains("never go in git");
    JsonNode secret = readOne(DEPLOY_DIR.resolve("kubernetes/secret.example.yaml"));
    secret.path("stringData").forEach(value -> assertThat(value.asText()).startsWith("CHANGE-ME"));
  }

  @Test
  void managedFlinkPropertiesUseOnlyTheJobsKeysAndNoSecrets() throws IOException {
    Set<String> known = jobOptionKeys();
    JsonNode groups =
        JSON.readTree(DEPLOY_DIR.resolve("managed-flink/application-properties.json").toFile());

    assertThat(groups.isArray()).isTrue();
    Set<String> used = new TreeSet<>();
    for (JsonNode group : groups) {
      assertThat(group.path("PropertyGroupId").asText()).matches("[a-zA-Z0-9_.-]{1,50}");
      group.path("PropertyMap").fieldNames().forEachRemaining(used::add);
      group
          .path("PropertyMap")
          .forEach(v -> assertThat(v.isTextual()).as("property values are strings").isTrue());
    }
    assertThat(known).containsAll(used);
    assertThat(used).noneMatch(k -> SECRET_NAME.matcher(k).matches());
    assertThat(used).contains("kafka.bootstrap-servers", "neo4j.uri", "upstream.bts.url");
  }

  @Test
  void flinkDeploymentArgsUseOnlyTheJobsKeys() throws IOException {
    Set<String> known = jobOptionKeys();
    JsonNode args =
        readOne(DEPLOY_DIR.resolve("kubernetes/flink-deployment.yaml"))
            .path("spec")
            .path("job")
            .path("args");

    assertThat(args.size() % 2).as("--key value pairs").isZero();
    for (int i = 0; i < args.size(); i += 2) {
      String flag = args.get(i).asText();
      assertThat(flag).startsWith("--");
      assertThat(known).contains(flag.substring(2));
    }
  }

  @Test
  void composeRunsTheFullLocalStackWithTheJobsKeysAndSecretsFromDotEnv() throws IOException {
    JsonNode services = readOne(DEPLOY_DIR.resolve("compose/docker-compose.yml")).path("services");

    assertThat(services.path("kafka").path("image").asText()).startsWith("apache/kafka:");
    assertThat(services.path("neo4j").path("image").asText()).startsWith("neo4j:5.26");
    assertThat(services.path("elasticmq").path("image").asText())
        .startsWith("softwaremill/elasticmq-native");
    assertThat(services.path("jobmanager").path("command").asText())
        .contains("standalone-job")
        .contains(MAIN_CLASS);
    assertThat(services.path("taskmanager").path("command").asText()).isEqualTo("taskmanager");
    for (String flink : List.of("jobmanager", "taskmanager")) {
      assertThat(
              services
                  .path(flink)
                  .path("environment")
                  .has("CONSUMER_GRAPH_KAFKA_BOOTSTRAP_SERVERS"))
          .as("job settings reach %s", flink)
          .isTrue();
    }

    // Environment variables cannot tell '.' from '-': the job reads both as '.'.
    Set<String> envStyleKeys =
        jobOptionKeys().stream()
            .map(k -> k.replace('-', '.'))
            .collect(Collectors.toCollection(TreeSet::new));
    services
        .fields()
        .forEachRemaining(
            service ->
                service
                    .getValue()
                    .path("environment")
                    .fields()
                    .forEachRemaining(
                        var -> {
                          String name = var.getKey();
                          if (name.startsWith(ENV_PREFIX)) {
                            assertThat(envStyleKeys)
                                .as("%s in service %s", name, service.getKey())
                                .contains(
                                    name.substring(ENV_PREFIX.length())
                                        .toLowerCase(Locale.ROOT)
                                        .replace('_', '.'));
                          }
                          if (SECRET_NAME.matcher(name).matches() || name.equals("NEO4J_AUTH")) {
                            assertThat(var.getValue().asText())
                                .as("%s comes from .env", name)
                                .contains("${");
                          }
                        }));
  }

  @Test
  void dockerfileAddsTheJarToTheOfficialFlinkImage() throws IOException {
    String dockerfile =
        Files.readString(DEPLOY_DIR.resolve("docker/Dockerfile"), StandardCharsets.UTF_8);

    assertThat(dockerfile).contains("flink:" + flinkLine() + "-java17");
    assertThat(dockerfile).containsPattern("(?m)^FROM ");
    assertThat(dockerfile)
        .contains("target/consumer-graph-job.jar /opt/flink/usrlib/consumer-graph-job.jar");
  }

  /** The Flink line the build compiles against, e.g. {@code 2.3}. */
  private static String flinkLine() {
    String version = org.apache.flink.runtime.util.EnvironmentInformation.getVersion();
    String[] parts = version.split("\\.");
    return parts[0] + "." + parts[1];
  }

  private static void assertNoEntriesUnder(String... prefixes) {
    List<String> offending =
        jarEntries.stream()
            .filter(e -> Stream.of(prefixes).anyMatch(e::startsWith))
            .limit(20)
            .collect(Collectors.toList());
    if (!offending.isEmpty()) {
      fail("fat jar must not contain %s, but has e.g. %s", List.of(prefixes), offending);
    }
  }

  /** The keys the job understands, read from its typed options so the two cannot drift. */
  private static Set<String> jobOptionKeys() {
    Class<?> options;
    try {
      options = Class.forName(JOB_OPTIONS);
    } catch (ClassNotFoundException e) {
      throw new AssertionError(JOB_OPTIONS + " is missing from module job", e);
    }
    Set<String> keys = new TreeSet<>();
    for (Field field : options.getFields()) {
      if (Modifier.isStatic(field.getModifiers()) && field.getType() == ConfigOption.class) {
        try {
          keys.add(((ConfigOption<?>) field.get(null)).key());
        } catch (IllegalAccessException e) {
          throw new AssertionError(e);
        }
      }
    }
    assertThat(keys).as("options declared by %s", JOB_OPTIONS).isNotEmpty();
    return keys;
  }

  private static List<Path> deployFiles(String... suffixes) throws IOException {
    try (Stream<Path> paths = Files.walk(DEPLOY_DIR)) {
      return paths
          .filter(Files::isRegularFile)
          .filter(p -> !p.startsWith(DEPLOY_DIR.resolve("target")))
          .filter(p -> !p.startsWith(DEPLOY_DIR.resolve("src")))
          .filter(p -> Stream.of(suffixes).anyMatch(s -> p.getFileName().toString().endsWith(s)))
          .sorted()
          .collect(Collectors.toList());
    }
  }

  /** Parses with Jackson, as the deployment tools' JSON/YAML readers would. */
  private static List<JsonNode> readAll(Path file) throws IOException {
    ObjectMapper mapper = file.toString().endsWith(".json") ? JSON : YAML;
    List<JsonNode> documents = new ArrayList<>();
    // YAML files may hold several documents separated by '---'.
    try (var parser = mapper.getFactory().createParser(file.toFile())) {
      Iterator<JsonNode> it = mapper.readValues(parser, JsonNode.class);
      it.forEachRemaining(documents::add);
    }
    return documents;
  }

  /**
   * The single document of a YAML file with anchors, aliases and merge keys resolved, as Compose
   * and kubectl see it. Jackson leaves aliases unresolved, so SnakeYAML (which Jackson's YAML
   * module is built on) loads it.
   */
  private static JsonNode readOne(Path file) throws IOException {
    assertThat(readAll(file)).as("documents in %s", file).hasSize(1);
    try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      Object document = new Yaml(new SafeConstructor(new LoaderOptions())).load(reader);
      return JSON.valueToTree(document);
    }
  }

  /** Container {@code env} entries anywhere in a pod spec or pod template. */
  private static void collectEnvEntries(JsonNode node, List<JsonNode> out) {
    if (node.isObject()) {
      JsonNode env = node.get("env");
      if (env != null && env.isArray()) {
        env.forEach(out::add);
      }
      node.forEach(child -> collectEnvEntries(child, out));
    } else if (node.isArray()) {
      node.forEach(child -> collectEnvEntries(child, out));
    }
  }
}
