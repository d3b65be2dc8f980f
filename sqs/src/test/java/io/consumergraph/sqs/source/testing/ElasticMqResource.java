package io.consumergraph.sqs.source.testing;

import io.consumergraph.embedded.EmbeddedSqs;
import org.apache.flink.connector.testframe.TestResource;

/** ElasticMQ as the external system of Flink's connector test framework. */
public final class ElasticMqResource implements TestResource {

  private volatile EmbeddedSqs sqs;

  @Override
  public void startUp() {
    sqs = EmbeddedSqs.start();
  }

  @Override
  public void tearDown() {
    if (sqs != null) {
      sqs.close();
    }
  }

  public EmbeddedSqs sqs() {
    return sqs;
  }
}
