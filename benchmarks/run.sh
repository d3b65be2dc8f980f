#!/usr/bin/env bash
# Runs the graph-write benchmark: hand-written baseline, the sink's writer, the whole pipeline,
# on the same synthetic data against embedded Neo4j/Kafka. Options: benchmarks/run.sh --help.
# `benchmarks/run.sh backfill [options]` runs the backfill benchmark instead (the whole job, SQS
# requests, the simulator at 30 ms): benchmarks/run.sh backfill --help.
# `benchmarks/run.sh edges [options]` measures one live append to edges carrying 1K/10K ids.
# `benchmarks/run.sh state [options]` measures keyed state per user (100K, 1M) and a killswitch
# release of everything held.
# `benchmarks/run.sh all` runs each of them at a size that fits about 20 minutes and prints one
# table; every run also writes its figures as JSON to benchmarks/target/results/.
# BENCH_CLASSPATH_FIRST puts jars/directories ahead of the installed modules, e.g. an older sinks
# jar to measure "before" and "after" of a sink change in two runs.
# Extra JVM flags go in BENCH_JAVA_OPTS, e.g. a flight recording:
#   BENCH_JAVA_OPTS="-XX:StartFlightRecording=filename=benchmarks/target/bench.jfr,settings=profile" benchmarks/run.sh
set -euo pipefail
cd "$(dirname "$0")/.."

main=io.consumergraph.benchmarks.GraphWriteBenchmark
case "${1:-}" in
  backfill) main=io.consumergraph.benchmarks.BackfillBenchmark; shift ;;
  edges) main=io.consumergraph.benchmarks.EdgeGrowthBenchmark; shift ;;
  state) main=io.consumergraph.benchmarks.StateBenchmark; shift ;;
  all) main=all; shift ;;
esac

mvn -B -q -ntp -DskipTests package -pl benchmarks -am
mkdir -p benchmarks/target/tmp benchmarks/target/results

bench() {
  java -Xmx3g ${BENCH_JAVA_OPTS:-} \
    -Djava.io.tmpdir="$PWD/benchmarks/target/tmp" \
    -Dlog4j.configurationFile=benchmarks/src/main/resources/log4j2-benchmarks.properties \
    -Dbenchmarks.log="$PWD/benchmarks/target/benchmarks.log" \
    -Dbenchmarks.results="$PWD/benchmarks/target/results" \
    --add-opens java.base/java.util=ALL-UNNAMED \
    --add-opens java.base/java.lang=ALL-UNNAMED \
    --add-opens java.base/java.lang.reflect=ALL-UNNAMED \
    --add-opens java.base/java.nio=ALL-UNNAMED \
    --add-opens java.base/sun.nio.ch=ALL-UNNAMED \
    -cp "${BENCH_CLASSPATH_FIRST:+$BENCH_CLASSPATH_FIRST:}benchmarks/target/classes:$(cat benchmarks/target/classpath.txt)" \
    "$@"
}

if [[ "$main" != all ]]; then
  bench "$main" "$@"
  exit $?
fi

# Every benchmark at a size that fits the whole run in about 20 minutes on 2 cores, then one table
# of all figures (benchmarks/target/results/*.json, summary.json). Exit 1 if any run was wrong.
rm -f benchmarks/target/results/*.json
status=0
started=$SECONDS
timings=()
# Runs one benchmark of the whole set and notes how long it took (printed at the end).
step() {
  local name=$1 t0=$SECONDS
  shift
  bench "$@" || status=1
  timings+=("$(printf '%-22s %4d s' "$name" $((SECONDS - t0)))")
}
# Live at 40,000 receipts: at 10,000 a pipeline round spent as long JIT compiling as it ran
# (benchmarks/README.md); the untimed pipeline run before it reads 10,000 others. The per-receipt
# writer's rate does not grow with the run, and at 50-300 receipts/s 40,000 would take minutes: it
# writes 1,000 and its time is scaled.
live=(--receipts 40000 --rounds 1 --per-receipt-receipts 1000 --pipeline-warmup 10000)
step live io.consumergraph.benchmarks.GraphWriteBenchmark "${live[@]}"
step live-neo4j-process io.consumergraph.benchmarks.GraphWriteBenchmark "${live[@]}" --neo4j process
# The UNWIND writer alone on 1,000 users' histories is what Neo4j takes here without the job.
step backfill io.consumergraph.benchmarks.BackfillBenchmark --users 3000 --baseline-users 400 \
  --rate-limit-users 300 --enrollments 8 --warmup-users 1000 --unwind-users 1000
step edges io.consumergraph.benchmarks.EdgeGrowthBenchmark
# The release of 1M in one call takes minutes here (benchmarks/README.md): only 100K run both ways.
step state io.consumergraph.benchmarks.StateBenchmark --users 100000 --sink-rate 20000
step state-1m io.consumergraph.benchmarks.StateBenchmark --users 1000000 --variants batched \
  --release-batch 5000 --sink-rate 20000 --name state-1m
bench io.consumergraph.benchmarks.BenchmarkSummary || status=1
echo "time per benchmark (the build before them: $((started)) s):"
printf '  %s\n' "${timings[@]}"
echo "  all                    $((SECONDS - started)) s"
exit $status
