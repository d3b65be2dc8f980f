package io.consumergraph.operators.metrics;

import java.util.Map;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.metrics.MetricGroup;

/**
 * Where the job's operators register their metrics: on the operator's group, or, when the job
 * parameter {@value #PARAMETER} names a group, under it. Managed Service for Apache Flink sends a
 * user metric to CloudWatch only when it sits under a group named {@value #KINESIS_ANALYTICS}; the
 * job sets the parameter there and nowhere else, so Prometheus names stay as they are.
 */
public final class MetricGroups {

  /** Global job parameter naming the group every metric of the job goes under. */
  public static final String PARAMETER = "consumer-graph.metrics.group";

  /** The group Managed Flink forwards to CloudWatch. */
  public static final String KINESIS_ANALYTICS = "KinesisAnalytics";

  private MetricGroups() {}

  /** The group an operator's metrics go in, given its runtime context. */
  public static MetricGroup of(RuntimeContext context) {
    Map<String, String> parameters = context.getGlobalJobParameters();
    return within(context.getMetricGroup(), parameters == null ? null : parameters.get(PARAMETER));
  }

  /** {@code group}, or its subgroup {@code name} when a name is given. */
  public static MetricGroup within(MetricGroup group, String name) {
    return name == null || name.isEmpty() ? group : group.addGroup(name);
  }
}
