package io.consumergraph.job.testing;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;

/** The MiniCluster the job's integration tests run on: one task manager, metrics in memory. */
public final class MiniClusters {

  private MiniClusters() {}

  /** A cluster with {@code slots} slots whose metrics {@code reporter} keeps for the test. */
  public static MiniClusterExtension reportingTo(InMemoryReporter reporter, int slots) {
    return new MiniClusterExtension(
        new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1)
            .setNumberSlotsPerTaskManager(slots)
            .setConfiguration(reporter.addToConfiguration(new Configuration()))
            .build());
  }
}
