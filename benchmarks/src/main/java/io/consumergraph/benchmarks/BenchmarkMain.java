package io.consumergraph.benchmarks;

import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The {@code main} of every benchmark: parses the options (a bad one prints its message and exits
 * 2), runs, and exits with the run's status (0 = every figure's checks held, 1 = one did not). The
 * exit is explicit because Kafka, Neo4j and Flink leave non-daemon threads behind.
 */
final class BenchmarkMain {

  /** A benchmark's run: the exit status for its options. */
  @FunctionalInterface
  interface Run<O> {
    int run(O options) throws Exception;
  }

  private BenchmarkMain() {}

  static <O> void main(String[] args, Function<String[], O> parse, Run<O> run) throws Exception {
    O options;
    try {
      options = parse.apply(args);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.exit(2);
      return;
    }
    System.exit(run.run(options));
  }

  /** 0 when every result passed its checks, 1 otherwise. */
  static <R> int status(Iterable<R> results, Predicate<R> correct) {
    for (R result : results) {
      if (!correct.test(result)) {
        return 1;
      }
    }
    return 0;
  }
}
