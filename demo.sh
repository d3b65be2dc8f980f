#!/usr/bin/env bash
# Runs consumer-graph on the embedded stack (Kafka, Neo4j, ElasticMQ, upstream simulator and a
# local Flink cluster with the web UI on :8081). Options: see ./demo.sh --help.
set -euo pipefail
cd "$(dirname "$0")"

mvn -B -q -ntp -DskipTests package -pl demo -am
mkdir -p .demo/tmp
exec java -Xmx4g \
  -Djava.io.tmpdir="$PWD/.demo/tmp" \
  -Dlog4j.configurationFile=demo/src/main/resources/log4j2-demo.properties \
  --add-opens java.base/java.util=ALL-UNNAMED \
  --add-opens java.base/java.lang=ALL-UNNAMED \
  --add-opens java.base/java.lang.reflect=ALL-UNNAMED \
  --add-opens java.base/java.nio=ALL-UNNAMED \
  --add-opens java.base/sun.nio.ch=ALL-UNNAMED \
  -cp "demo/target/classes:$(cat demo/target/classpath.txt)" \
  io.consumergraph.demo.Demo "$@"
