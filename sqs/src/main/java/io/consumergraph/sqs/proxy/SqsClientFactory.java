package io.consumergraph.sqs.proxy;

import java.io.Serializable;
import software.amazon.awssdk.services.sqs.SqsClient;

/** Creates the AWS SDK client on the task manager (custom credentials, endpoint, retries). */
@FunctionalInterface
public interface SqsClientFactory extends Serializable {
  SqsClient create();
}
