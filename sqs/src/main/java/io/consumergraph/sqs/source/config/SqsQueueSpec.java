package io.consumergraph.sqs.source.config;

import java.io.Serializable;
import java.util.Objects;

/** One queue the source reads and its priority; a higher priority queue is always drained first. */
public record SqsQueueSpec(String queueUrl, int priority) implements Serializable {

  public SqsQueueSpec {
    Objects.requireNonNull(queueUrl, "queueUrl");
    if (queueUrl.isBlank()) {
      throw new IllegalArgumentException("queueUrl must not be blank");
    }
  }
}
