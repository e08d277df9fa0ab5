#!/usr/bin/env bash
# Runs the Kafka log's benchmarks and keeps their raw results in benchmarks/results/kafka/:
#   1. KafkaLogBenchmark: acknowledged puts/s, file journal and Kafka, SYNC and ASYNC, 1/4/16 threads
#   2. KafkaDrainBenchmark: rows/s drained into H2, then embedded PostgreSQL, by 1 and 2 group members,
#      beside the plain JDBC loop
#   3. KafkaNodeLoss: seconds from a node's SIGKILL until the database holds what it acknowledged
#   4. KafkaCoherenceLag: from a put's acknowledgement on one node until another node's get returns it
#
#   benchmarks/run-kafka.sh            # about 27 minutes on 2 cores
#   SKIP_BUILD=1 benchmarks/run-kafka.sh
# Settings (environment): LOG_OPTS, DRAIN_OPTS (JMH options), CYCLES (node-loss cycles), SKIP
# (space-separated: log drain nodeloss coherence), RESULTS (default benchmarks/results/kafka)
set -euo pipefail
cd "$(dirname "$0")/.."
JAR=benchmarks/target/benchmarks.jar
LOG_OPTS=${LOG_OPTS:--f 2 -wi 1 -w 3s -i 3 -r 5s}
DRAIN_OPTS=${DRAIN_OPTS:--f 2 -wi 6 -w 4s -i 3 -r 5s}
CYCLES=${CYCLES:-5}
SKIP=${SKIP:-}
RESULTS=${RESULTS:-benchmarks/results/kafka}
JAVA=${JAVA_HOME:+$JAVA_HOME/bin/}java
skip() { [[ " $SKIP " == *" $1 "* ]]; }
if [[ "${SKIP_BUILD:-0}" != 1 || ! -f "$JAR" ]]; then
  ./mvnw -B -q -Pbenchmarks -pl benchmarks -am package -DskipTests
fi
mkdir -p "$RESULTS"
if ! skip log; then
  # shellcheck disable=SC2086
  "$JAVA" -jar "$JAR" 'KafkaLogBenchmark' $LOG_OPTS -rf json -rff "$RESULTS/log.json" \
    > "$RESULTS/log.out" 2>&1
  grep -E '^KafkaLogBenchmark\.' "$RESULTS/log.out" || true
fi
if ! skip drain; then
  # shellcheck disable=SC2086
  "$JAVA" -jar "$JAR" 'KafkaDrainBenchmark' $DRAIN_OPTS -rf json -rff "$RESULTS/drain.json" \
    > "$RESULTS/drain.out" 2>&1
  grep -E '^KafkaDrainBenchmark\.' "$RESULTS/drain.out" || true
  # shellcheck disable=SC2086
  "$JAVA" -jar "$JAR" 'KafkaDrainBenchmark' -p database=postgres $DRAIN_OPTS \
    -rf json -rff "$RESULTS/drain-postgres.json" > "$RESULTS/drain-postgres.out" 2>&1
  grep -E '^KafkaDrainBenchmark\.' "$RESULTS/drain-postgres.out" || true
fi
if ! skip nodeloss; then
  "$JAVA" -cp "$JAR" dev.jotter.benchmarks.KafkaNodeLoss "$CYCLES" "$RESULTS/nodeloss.json" \
    > "$RESULTS/nodeloss.out" 2>&1
  grep -E '^NODE-LOSS' "$RESULTS/nodeloss.out" || true
fi
if ! skip coherence; then
  "$JAVA" -cp "$JAR" dev.jotter.benchmarks.KafkaCoherenceLag "${PUTS:-2000}" \
    > "$RESULTS/coherence-lag.out" 2>&1
  grep -E '^(KafkaCoherenceLag|coherence lag|database window)' "$RESULTS/coherence-lag.out" || true
fi
