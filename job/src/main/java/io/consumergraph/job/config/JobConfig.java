package io.consumergraph.job.config;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;

/**
 * Loads the job's {@link Configuration}: defaults, then {@code CONSUMER_GRAPH_*} environment
 * variables, then {@code --key value} arguments. Secrets are never part of it: the Neo4j sink reads
 * {@code NEO4J_PASSWORD} from the task manager's environment.
 */
public final class JobConfig {

  static final String ENV_PREFIX = "CONSUMER_GRAPH_";

  /** Environment variable holding the Neo4j password (read by the sink, never by the job). */
  public static final String NEO4J_PASSWORD_ENV = "NEO4J_PASSWORD";

  private final Configuration configuration;

  private JobConfig(Configuration configuration) {
    this.configuration = configuration;
  }

  public static JobConfig load(String[] args, Map<String, String> env) {
    Map<String, String> values = new HashMap<>();
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
        values.put(key.substring(0, eq), key.substring(eq + 1));
      } else if (i + 1 < args.length) {
        values.put(key, args[++i]);
      } else {
        throw new IllegalArgumentException("missing value for --" + key);
      }
    }
    if (values.containsKey("neo4j.password")) {
      throw new IllegalArgumentException(
          "the Neo4j password is read from the environment variable "
              + NEO4J_PASSWORD_ENV
              + ", never from arguments");
    }
    return new JobConfig(Configuration.fromMap(values));
  }

  public static JobConfig of(Configuration configuration) {
    return new JobConfig(configuration);
  }

  /** {@code CONSUMER_GRAPH_KAFKA_BOOTSTRAP_SERVERS} → {@code kafka.bootstrap.servers}. */
  static String envToKey(String name) {
    return name.substring(ENV_PREFIX.length()).toLowerCase(Locale.ROOT).replace('_', '.');
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
    // Environment variables cannot tell '.' from '-': accept the key with '-' read as '.'.
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
