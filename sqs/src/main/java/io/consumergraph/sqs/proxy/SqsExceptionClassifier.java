package io.consumergraph.sqs.proxy;

import java.util.Set;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.sqs.model.QueueDoesNotExistException;

/** Decides which SQS failures are worth retrying and which are a misconfiguration. */
public final class SqsExceptionClassifier {

  private static final Set<String> RETRYABLE_CODES =
      Set.of(
          "RequestThrottled",
          "ThrottlingException",
          "ServiceUnavailable",
          "InternalError",
          "InternalFailure",
          "KmsThrottled");

  private SqsExceptionClassifier() {}

  /** Network trouble, throttling and 5xx are transient; a missing queue or denied access is not. */
  public static boolean isRetryable(Throwable error) {
    if (error instanceof QueueDoesNotExistException) {
      return false;
    }
    if (error instanceof AwsServiceException service) {
      if (service.isThrottlingException() || service.statusCode() >= 500) {
        return true;
      }
      return service.awsErrorDetails() != null
          && RETRYABLE_CODES.contains(service.awsErrorDetails().errorCode());
    }
    // Connection refused, timeouts, interrupted I/O: the SDK could not reach SQS at all.
    return error instanceof SdkClientException;
  }
}
