#!/usr/bin/env bash
# Runs the graph-write benchmark: hand-written baseline, the sink's writer, the whole pipeline,
# on the same synthetic data against embedded Neo4j/Kafka. Options: benchmarks/run.sh --help.
# `benchmarks/run.sh backfill [options]` runs the backfill benchmark instead (the whole job, SQS
# requests, the simulator at 30 ms): benchmarks/run.sh backfill --help.
# `benchmarks/run.sh edges [options]` measures one live append to edges carrying 1K/10K ids.
# BENCH_CLASSPATH_FIRST puts jars/directories ahead of the installed modules, e.g. an older sinks
# jar to measure "before" and "after" of a sink change in two runs.
# Extra JVM flags go in BENCH_JAVA_OPTS, e.g. a flight recording:
#   BENCH_JAVA_OPTS="-XX:StartFlightRecording=filename=benchmarks/target/bench.jfr,settings=profile" benchmarks/run.sh
set -euo pipefail
cd "$(dirname "$0")/.."

main=io.consumergraph.benchmarks.GraphWriteBenchmark
if [[ "${1:-}" == backfill ]]; then
  main=io.consumergraph.benchmarks.BackfillBenchmark
  shift
elif [[ "${1:-}" == edges ]]; then
  main=io.consumergraph.benchmarks.EdgeGrowthBenchmark
  shift
fi

mvn -B -q -ntp -DskipTests package -pl benchmarks -am
mkdir -p benchmarks/target/tmp
exec java -Xmx3g ${BENCH_JAVA_OPTS:-} \
  -Djava.io.tmpdir="$PWD/benchmarks/target/tmp" \
  -Dlog4j.configurationFile=benchmarks/src/main/resources/log4j2-benchmarks.properties \
  -Dbenchmarks.log="$PWD/benchmarks/target/benchmarks.log" \
  --add-opens java.base/java.util=ALL-UNNAMED \
  --add-opens java.base/java.lang=ALL-UNNAMED \
  --add-opens java.base/java.lang.reflect=ALL-UNNAMED \
  --add-opens java.base/java.nio=ALL-UNNAMED \
  --add-opens java.base/sun.nio.ch=ALL-UNNAMED \
  -cp "${BENCH_CLASSPATH_FIRST:+$BENCH_CLASSPATH_FIRST:}benchmarks/target/classes:$(cat benchmarks/target/classpath.txt)" \
  "$main" "$@"
