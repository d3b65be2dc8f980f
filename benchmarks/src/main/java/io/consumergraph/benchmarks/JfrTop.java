package io.consumergraph.benchmarks;

import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;

/**
 * Where the CPU went in a flight recording of a benchmark run, as text: execution samples by thread
 * group and the top methods (self and with a given package prefix on the stack). JDK 17's {@code
 * jfr} tool has no {@code view} command, hence this.
 *
 * <p>usage: JfrTop file.jfr [fromEpochMs toEpochMs] [topN]
 */
public final class JfrTop {

  private JfrTop() {}

  public static void main(String[] args) throws Exception {
    Path file = Path.of(args[0]);
    long from = args.length > 2 ? Long.parseLong(args[1]) : Long.MIN_VALUE;
    long to = args.length > 2 ? Long.parseLong(args[2]) : Long.MAX_VALUE;
    int top = args.length > 3 ? Integer.parseInt(args[3]) : 25;
    Map<String, Integer> byThread = new HashMap<>();
    Map<String, Integer> selfMethods = new HashMap<>();
    Map<String, Integer> neo4jEntry = new HashMap<>();
    Map<String, Integer> inclusive = new HashMap<>();
    int total = 0;
    try (RecordingFile recording = new RecordingFile(file)) {
      while (recording.hasMoreEvents()) {
        RecordedEvent event = recording.readEvent();
        if (!event.getEventType().getName().equals("jdk.ExecutionSample")) {
          continue;
        }
        Instant at = event.getStartTime();
        if (at.toEpochMilli() < from || at.toEpochMilli() > to) {
          continue;
        }
        total++;
        String thread =
            event.getThread("sampledThread") == null
                ? "?"
                : event.getThread("sampledThread").getJavaName();
        byThread.merge(group(thread), 1, Integer::sum);
        List<RecordedFrame> frames =
            event.getStackTrace() == null ? List.of() : event.getStackTrace().getFrames();
        if (!frames.isEmpty()) {
          selfMethods.merge(name(frames.get(0)), 1, Integer::sum);
        }
        // Inclusive samples per Neo4j class: which part of the server (commit, index, Cypher
        // operators, record reads) a sample was under.
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (RecordedFrame frame : frames) {
          String type = frame.getMethod().getType().getName();
          if (type.startsWith("org.neo4j") && seen.add(type)) {
            inclusive.merge(type, 1, Integer::sum);
          }
        }
        // The outermost Cypher runtime / planner frame says which phase of a query burns CPU.
        for (int i = frames.size() - 1; i >= 0; i--) {
          String n = name(frames.get(i));
          if (n.contains("cypher.internal.compiler")
              || n.contains("cypher.internal.planner")
              || n.contains("frontend.phases")
              || n.contains("CypherPlanner")) {
            neo4jEntry.merge("cypher planning", 1, Integer::sum);
            break;
          }
        }
      }
    }
    System.out.printf("%d execution samples%n%nby thread group:%n", total);
    print(byThread, total, top);
    System.out.printf("%ntop self methods:%n");
    print(selfMethods, total, top);
    System.out.printf("%ntop Neo4j classes, inclusive:%n");
    print(inclusive, total, top * 2);
    System.out.printf("%nphases:%n");
    print(neo4jEntry, total, top);
  }

  private static String name(RecordedFrame frame) {
    return frame.getMethod().getType().getName() + "." + frame.getMethod().getName();
  }

  /** Thread names carry counters and subtask indexes; fold them into one group each. */
  private static String group(String thread) {
    return thread.replaceAll("[0-9]+", "#").replaceAll("\\(#/#\\)", "");
  }

  private static void print(Map<String, Integer> counts, int total, int top) {
    counts.entrySet().stream()
        .sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
        .limit(top)
        .forEach(
            e -> System.out.printf("  %5.1f%%  %s%n", 100.0 * e.getValue() / total, e.getKey()));
  }
}
