package io.consumergraph.simulator;

import java.util.concurrent.CountDownLatch;

/**
 * Runs the upstream simulator as a process of its own until it is stopped: {@code --port 8090
 * --host 127.0.0.1 --seed 42 --products 5000 --retailers 200}.
 */
public final class StandaloneSimulator {

  private StandaloneSimulator() {}

  public static void main(String[] args) throws Exception {
    int port = 8090;
    String host = "127.0.0.1";
    long seed = SyntheticCatalog.DEFAULT_SEED;
    int products = SyntheticCatalog.DEFAULT_PRODUCT_COUNT;
    int retailers = SyntheticCatalog.DEFAULT_RETAILER_COUNT;
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      String value = i + 1 < args.length ? args[i + 1] : null;
      switch (arg) {
        case "--port" -> port = Integer.parseInt(required(arg, value));
        case "--host" -> host = required(arg, value);
        case "--seed" -> seed = Long.parseLong(required(arg, value));
        case "--products" -> products = Integer.parseInt(required(arg, value));
        case "--retailers" -> retailers = Integer.parseInt(required(arg, value));
        case "--help", "-h" -> {
          System.out.println(
              "usage: UpstreamSimulator [--port 8090] [--host 127.0.0.1] [--seed 42]"
                  + " [--products 5000] [--retailers 200]");
          return;
        }
        default -> throw new IllegalArgumentException("unknown option " + arg);
      }
      i++;
    }
    UpstreamSimulator simulator =
        UpstreamSimulator.start(new SyntheticCatalog(seed, products, retailers), host, port);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  simulator.close();
                  stopped.countDown();
                }));
    System.out.println("Upstream simulator listening on " + simulator.baseUri());
    stopped.await();
  }

  private static String required(String option, String value) {
    if (value == null) {
      throw new IllegalArgumentException(option + " needs a value");
    }
    return value;
  }
}
