package io.consumergraph.sqs.source.suite;

import io.consumergraph.sqs.source.testing.ElasticMqResource;
import java.util.List;
import org.apache.flink.connector.testframe.environment.MiniClusterTestEnvironment;
import org.apache.flink.connector.testframe.environment.TestEnvironment;
import org.apache.flink.connector.testframe.external.ExternalContextFactory;
import org.apache.flink.connector.testframe.external.source.DataStreamSourceExternalContext;
import org.apache.flink.connector.testframe.junit.annotations.TestContext;
import org.apache.flink.connector.testframe.junit.annotations.TestEnv;
import org.apache.flink.connector.testframe.junit.annotations.TestExternalSystem;
import org.apache.flink.connector.testframe.junit.annotations.TestSemantics;
import org.apache.flink.connector.testframe.testsuites.SourceTestSuiteBase;
import org.apache.flink.connector.testframe.utils.CollectIteratorAssertions;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.TestTemplate;

/** Flink's own source test suite run against the SQS source on ElasticMQ, at least once. */
class SqsSourceTestSuiteIT extends SourceTestSuiteBase<String> {

  @TestEnv
  MiniClusterTestEnvironment flink =
      new MiniClusterTestEnvironment(
          new MiniClusterResourceConfiguration.Builder()
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(6)
              .build());

  @TestExternalSystem ElasticMqResource elasticMq = new ElasticMqResource();

  @TestContext
  ExternalContextFactory<SqsSourceExternalContext> contexts =
      testName -> new SqsSourceExternalContext(elasticMq.sqs(), testName);

  // SQS offers at-least-once delivery only; exactly-once is for the job's dedup, not the source.
  @TestSemantics CheckpointingMode[] semantics = {CheckpointingMode.AT_LEAST_ONCE};

  /**
   * SQS gives no order, neither within a queue (standard queues reorder) nor between the readers
   * that share a queue, so records are matched as a set. Duplicates are allowed (at least once).
   */
  @Override
  protected void checkResultWithSemantic(
      CloseableIterator<String> resultIterator,
      List<List<String>> testData,
      CheckpointingMode semantic,
      Integer limit) {
    var assertion = CollectIteratorAssertions.assertUnordered(resultIterator);
    if (limit != null) {
      assertion = assertion.withNumRecordsLimit(limit);
    }
    assertion.matchesRecordsFromSource(testData, semantic);
  }

  @Override
  @TestTemplate
  @Disabled(
      "Needs a BOUNDED source that finishes when its data is read; an SQS queue has no end and"
          + " the source is CONTINUOUS_UNBOUNDED only.")
  public void testSourceSingleSplit(
      TestEnvironment testEnv,
      DataStreamSourceExternalContext<String> externalContext,
      CheckpointingMode semantic) {}

  @Override
  @TestTemplate
  @Disabled(
      "Needs a BOUNDED source whose job reaches FINISHED; an SQS queue has no end and the source"
          + " is CONTINUOUS_UNBOUNDED only.")
  public void testMultipleSplits(
      TestEnvironment testEnv,
      DataStreamSourceExternalContext<String> externalContext,
      CheckpointingMode semantic) {}

  @Override
  @TestTemplate
  @Disabled(
      "Checks that an idle reader of a BOUNDED source gets NoMoreSplits so the job FINISHES; the"
          + " SQS source is unbounded and every reader polls every queue, so no reader is idle.")
  public void testIdleReader(
      TestEnvironment testEnv,
      DataStreamSourceExternalContext<String> externalContext,
      CheckpointingMode semantic) {}

  // Not overridden, so they run as Flink wrote them: testSavepoint, testScaleUp, testScaleDown,
  // testSourceMetrics, testTaskManagerFailure.
}
