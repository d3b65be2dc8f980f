package io.consumergraph.sqs.proxy;

import java.io.Serializable;

/** Creates the proxy on the task manager; shipped with the job graph, hence serializable. */
@FunctionalInterface
public interface SqsProxyFactory extends Serializable {
  SqsProxy create();
}
