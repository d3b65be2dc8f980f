package io.consumergraph.upstream;

/**
 * Told of every finished HTTP exchange with an upstream service, for latency and error metrics.
 * Called on the clients' I/O threads: keep it short and thread-safe.
 */
@FunctionalInterface
public interface ExchangeListener {

  /** Listens to nothing. */
  ExchangeListener NONE = (service, nanos, status) -> {};

  /**
   * One exchange has ended.
   *
   * @param nanos from sending the request to the answer or the failure
   * @param status the HTTP status, or -1 when no answer came (timeout, connection failure)
   */
  void exchanged(UpstreamService service, long nanos, int status);
}
