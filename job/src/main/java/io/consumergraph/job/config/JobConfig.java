package io.consumergraph.job.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;

/**
 * Loads the job's {@link Configuration}: defaults, then the {@value #MANAGED_FLINK_GROUP} property
 * group of Amazon Managed Service for Apache Flink (which passes no arguments), then {@code
 * CONSUMER_GRAPH_*} environment variables, then {@code --key value} arguments. Secrets are never
 * part of it: the Neo4j sink reads {@code NEO4J_PASSWORD} from the task manager's environment.
 */
public final class JobConfig {

  static final String ENV_PREFIX = "CONSUMER_GRAPH_";

  /** Where Managed Service for Apache Flink puts the application's runtime properties. */
  public static final Path MANAGED_FLINK_PROPERTIES =
      Path.of("/etc/flink/application_properties.json");

  /** The property group holding this job's settings (deploy/managed-flink). */
  public static final String MANAGED_FLINK_GROUP = "ConsumerGraph";

  /** Environment variable holding the Neo4j password (read by the sink, never by the job). */
  public static final String NEO4J_PASSWORD_ENV = "NEO4J_PASSWORD";

  private final Configuration configuration;

  private JobConfig(Configuration configuration) {
    this.configuration = configuration;
  }

  public static JobConfig load(String[] args, Map<String, String> env) {
    return load(args, env, MANAGED_FLINK_PROPERTIES);
  }

  static JobConfig load(String[] args, Map<String, String> env, Path managedProperties) {
    // Environment variables cannot tell '.' from '-', so every layer is keyed in that one form
    // (see normalise) and a later layer always replaces an earlier one.
    Map<String, String> values = new HashMap<>();
    managedFlinkGroup(managedProperties).forEach((k, v) -> values.put(normalise(k), v));
    for (Map.Entry<String, String> e : env.entrySet()) {
      if (e.getKey().startsWith(ENV_PREFIX)) {
        values.put(envToKey(e.getKey()), e.getValue());
      }
    }
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (!arg.startsWith("--")) {
        throw new IllegalArgumentException("expected --key value, got '" + arg + "'");
      }
      String key = arg.substring(2);
      int eq = key.indexOf('=');
      if (eq > 0) {
        values.put(normalise(key.substring(0, eq)), key.substring(eq + 1));
      } else if (i + 1 < args.length) {
        values.put(normalise(key), args[++i]);
      } else {
        throw new IllegalArgumentException("missing value for --" + key);
      }
    }
    if (values.containsKey(normalise("neo4j.password"))) {
      throw new IllegalArgumentException(
          "the Neo4j password is read from the environment variable "
              + NEO4J_PASSWORD_ENV
              + ", never from arguments");
    }
    return new JobConfig(Configuration.fromMap(values));
  }

  /**
   * The {@value #MANAGED_FLINK_GROUP} group of a runtime properties file ({@code
   * [{"PropertyGroupId": …, "PropertyMap": {…}}]}); empty when the file does not exist (not on
   * Managed Flink).
   */
  static Map<String, String> managedFlinkGroup(Path file) {
    if (!Files.isRegularFile(file)) {
      return Map.of();
    }
    JsonNode groups;
    try {
      groups = new ObjectMapper().readTree(file.toFile());
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "cannot read runtime properties " + file + ": " + e.getMessage());
    }
    Map<String, String> values = new HashMap<>();
    for (JsonNode group : groups) {
      if (MANAGED_FLINK_GROUP.equals(group.path("PropertyGroupId").asText())) {
        group
            .path("PropertyMap")
            .fields()
            .forEachRemaining(e -> values.put(e.getKey(), e.getValue().asText()));
      }
    }
    if (values.containsKey("neo4j.password")) {
      throw new IllegalArgumentException(
          "the Neo4j password is read from the environment variable "
              + NEO4J_PASSWORD_ENV
              + ", never from runtime properties");
    }
    return values;
  }

  public static JobConfig of(Configuration configuration) {
    return new JobConfig(configuration);
  }

  /** {@code CONSUMER_GRAPH_KAFKA_BOOTSTRAP_SERVERS} → {@code kafka.bootstrap.servers}. */
  static String envToKey(String name) {
    return name.substring(ENV_PREFIX.length()).toLowerCase(Locale.ROOT).replace('_', '.');
  }

  /** The one form every layer is keyed in: {@code kafka.group-id} → {@code kafka.group.id}. */
  static String normalise(String key) {
    return key.replace('-', '.');
  }

  public <T> T get(ConfigOption<T> option) {
    T value = lookup(option);
    if (value == null) {
      throw new IllegalArgumentException(
          "missing required setting '"
              + option.key()
              + "' (--"
              + option.key()
              + " or "
              + ENV_PREFIX
              + option.key().toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_')
              + ")");
    }
    return value;
  }

  private <T> T lookup(ConfigOption<T> option) {
    if (configuration.contains(option)) {
      return configuration.get(option);
    }
    // load() keys every layer in normalised form (see normalise); of() keeps the option's key.
    String envStyle = option.key().replace('-', '.');
    if (!envStyle.equals(option.key())) {
      String raw = configuration.toMap().get(envStyle);
      if (raw != null) {
        Configuration single = new Configuration();
        single.setString(option.key(), raw);
        return single.get(option);
      }
    }
    return configuration.get(option);
  }

  public Configuration configuration() {
    return configuration;
  }
}
