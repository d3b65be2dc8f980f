package io.consumergraph.benchmarks;

import io.consumergraph.embedded.EmbeddedNeo4j;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.neo4j.driver.AuthTokens;
import org.neo4j.driver.Config;
import org.neo4j.driver.Driver;
import org.neo4j.driver.GraphDatabase;

/**
 * The Neo4j a benchmark writes to: in this JVM (the embedded harness, as the demo and the tests run
 * it) or a standalone server in a process of its own (Neo4j's {@code CommunityEntryPoint}, Bolt
 * over the loopback network, as production runs it on its own machine).
 */
interface GraphServer extends AutoCloseable {

  URI boltUri();

  Driver driver();

  /** The standalone server's heap; its page cache is set in its neo4j.conf. */
  String PROCESS_HEAP = "1g";

  /**
   * Returns {@code where} if it names a placement ({@code in-process} or {@code process}), for the
   * benchmarks' {@code --neo4j} option; throws with what is accepted otherwise.
   */
  static String placement(String where) {
    if (!where.equals("in-process") && !where.equals("process")) {
      throw new IllegalArgumentException("--neo4j: in-process or process, got " + where);
    }
    return where;
  }

  static GraphServer start(String where) throws Exception {
    return switch (placement(where)) {
      case "in-process" -> new InProcess(EmbeddedNeo4j.start());
      case "process" -> Standalone.start();
      default -> throw new AssertionError(where);
    };
  }

  @Override
  void close() throws Exception;

  /** The harness in this JVM. */
  record InProcess(EmbeddedNeo4j neo4j) implements GraphServer {
    @Override
    public URI boltUri() {
      return neo4j.boltUri();
    }

    @Override
    public Driver driver() {
      return neo4j.driver();
    }

    @Override
    public void close() {
      neo4j.close();
    }
  }

  /** A Neo4j server process started from this JVM's class path, stopped with the benchmark. */
  final class Standalone implements GraphServer {

    private final Process process;
    private final Path home;
    private final URI bolt;
    private final Driver driver;

    private Standalone(Process process, Path home, URI bolt, Driver driver) {
      this.process = process;
      this.home = home;
      this.bolt = bolt;
      this.driver = driver;
    }

    static Standalone start() throws Exception {
      Path home =
          Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), "neo4j-");
      Path conf = Files.createDirectories(home.resolve("conf"));
      int boltPort = freePort();
      int httpPort = freePort();
      Files.writeString(
          conf.resolve("neo4j.conf"),
          String.join(
              "\n",
              "server.default_listen_address=127.0.0.1",
              "server.bolt.listen_address=127.0.0.1:" + boltPort,
              "server.bolt.advertised_address=127.0.0.1:" + boltPort,
              "server.http.listen_address=127.0.0.1:" + httpPort,
              "server.https.enabled=false",
              "dbms.security.auth_enabled=false",
              "server.memory.pagecache.size=512m",
              "db.tx_log.rotation.retention_policy=1 files",
              ""),
          StandardCharsets.UTF_8);
      String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      List<String> command = new ArrayList<>();
      command.add(java);
      command.add("-Xmx" + PROCESS_HEAP);
      command.add("-Djava.io.tmpdir=" + home);
      command.add("-cp");
      command.add(System.getProperty("java.class.path"));
      command.add("org.neo4j.server.CommunityEntryPoint");
      command.add("--home-dir=" + home);
      command.add("--config-dir=" + conf);
      Process process =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(home.resolve("neo4j-console.log").toFile())
              .start();
      URI bolt = URI.create("bolt://127.0.0.1:" + boltPort);
      Driver driver =
          GraphDatabase.driver(
              bolt, AuthTokens.none(), Config.builder().withoutEncryption().build());
      long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
      while (true) {
        try {
          driver.verifyConnectivity();
          break;
        } catch (RuntimeException notYet) {
          if (!process.isAlive() || System.nanoTime() > deadline) {
            driver.close();
            process.destroyForcibly();
            throw new IllegalStateException(
                "the Neo4j server process did not start; see " + home.resolve("neo4j-console.log"),
                notYet);
          }
          Thread.sleep(250);
        }
      }
      System.out.printf("Neo4j server process %d listening on %s%n", process.pid(), bolt);
      return new Standalone(process, home, bolt, driver);
    }

    /** The server's process id, to sample its CPU apart from the benchmark's. */
    long pid() {
      return process.pid();
    }

    @Override
    public URI boltUri() {
      return bolt;
    }

    @Override
    public Driver driver() {
      return driver;
    }

    @Override
    public void close() throws Exception {
      driver.close();
      process.destroy();
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor();
      }
      try (Stream<Path> paths = Files.walk(home)) {
        for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      } catch (IOException e) {
        System.err.println("could not delete " + home + ": " + e);
      }
    }

    private static int freePort() throws IOException {
      try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
        return socket.getLocalPort();
      }
    }
  }
}
