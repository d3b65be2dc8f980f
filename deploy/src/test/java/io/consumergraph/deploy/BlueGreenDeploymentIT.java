package io.consumergraph.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Iterator;
import org.junit.jupiter.api.Test;

/**
 * The blue/green deployment runs what the plain FlinkDeployment runs: its template is the same spec
 * but for the consumer group, which each color takes from its pods' {@code app} label so the two
 * jobs never share Kafka transactional ids while they overlap.
 */
class BlueGreenDeploymentIT {

  private static final Path DEPLOY_DIR = Path.of(System.getProperty("deployDir", "."));
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final String GROUP_ENV = "CONSUMER_GRAPH_KAFKA_GROUP_ID";

  @Test
  void theTemplateIsTheFlinkDeploymentsSpecWithTheGroupIdPerColor() throws IOException {
    JsonNode plain = read("kubernetes/flink-deployment.yaml");
    JsonNode blueGreen = read("kubernetes/flink-bluegreen-deployment.yaml");
    assertThat(blueGreen.path("kind").asText()).isEqualTo("FlinkBlueGreenDeployment");
    assertThat(blueGreen.path("metadata")).isEqualTo(plain.path("metadata"));

    ObjectNode template =
        (ObjectNode) blueGreen.path("spec").path("template").path("spec").deepCopy();
    JsonNode groupEnv = removeEnv(template, GROUP_ENV);
    assertThat(groupEnv).as("%s in the pod template", GROUP_ENV).isNotNull();
    assertThat(groupEnv.path("valueFrom").path("fieldRef").path("fieldPath").asText())
        .isEqualTo("metadata.labels['app']");
    assertThat(args(template))
        .as("an arg would override the environment")
        .doesNotContain("--kafka.group-id");

    ObjectNode expected = (ObjectNode) plain.path("spec").deepCopy();
    removeArg(expected, "--kafka.group-id");
    assertThat(template).isEqualTo(expected);
  }

  @Test
  void greenIsAbortedIfUnhealthyAndBlueOutlivesItOnlyBriefly() throws IOException {
    JsonNode conf =
        read("kubernetes/flink-bluegreen-deployment.yaml").path("spec").path("configuration");
    assertThat(conf.path("kubernetes.operator.bluegreen.abort.grace-period").asText()).isNotBlank();
    assertThat(conf.path("kubernetes.operator.bluegreen.deployment-deletion.delay").asText())
        .isNotBlank();
    assertThat(
            read("kubernetes/flink-bluegreen-deployment.yaml")
                .path("spec")
                .path("template")
                .path("spec")
                .path("job")
                .path("upgradeMode")
                .asText())
        .as("green starts from a savepoint of blue")
        .isEqualTo("savepoint");
  }

  private static JsonNode read(String file) throws IOException {
    return YAML.readTree(DEPLOY_DIR.resolve(file).toFile());
  }

  private static ArrayNode argsNode(JsonNode spec) {
    return (ArrayNode) spec.path("job").path("args");
  }

  private static java.util.List<String> args(JsonNode spec) {
    java.util.List<String> out = new java.util.ArrayList<>();
    argsNode(spec).forEach(a -> out.add(a.asText()));
    return out;
  }

  /** Removes {@code --key value} from the job's args. */
  private static void removeArg(JsonNode spec, String key) {
    ArrayNode args = argsNode(spec);
    for (int i = 0; i < args.size(); i++) {
      if (args.get(i).asText().equals(key)) {
        args.remove(i + 1);
        args.remove(i);
        return;
      }
    }
  }

  /** Removes the main container's env entry {@code name}; returns it, or null. */
  private static JsonNode removeEnv(JsonNode spec, String name) {
    for (JsonNode container : spec.path("podTemplate").path("spec").path("containers")) {
      ArrayNode env = (ArrayNode) container.path("env");
      for (Iterator<JsonNode> it = env.iterator(); it.hasNext(); ) {
        JsonNode entry = it.next();
        if (entry.path("name").asText().equals(name)) {
          it.remove();
          return entry;
        }
      }
    }
    return null;
  }
}
