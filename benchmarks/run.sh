#!/usr/bin/env bash
# Runs Jotter's benchmark suite beside Caffeine's JCache provider and Ehcache 3, and writes
# docs/benchmarks.md with its charts (docs/benchmarks-*.png).
#
#   benchmarks/run.sh                 # the default suite: 3 interleaved rounds, about 25 minutes on 2 cores
#   ROUNDS=1 W1_OPTS="-wi 2 -i 3 -r 1s" benchmarks/run.sh   # a quick look
#   SKIP_BUILD=1 benchmarks/run.sh    # reuse benchmarks/target/benchmarks.jar
#
# Settings (environment):
#   ROUNDS      rounds of the whole suite; each round runs every benchmark and contender in one JMH
#               fork, so that a slow spell on a shared machine hits all contenders alike (default 3)
#   W1_OPTS     JMH options of workload 1, JCache API   (default: -wi 2 -w 800ms -i 2 -r 1s)
#   W2_OPTS     JMH options of workload 2, slow writer  (default: -wi 1 -w 1s -i 2 -r 2s)
#   W1_FILTER   JMH include pattern of workload 1 (default: JCacheBenchmark)
#   W2_FILTER   JMH include pattern of workload 2 (default: WriteBenchmark)
#   W3_OPTS     JMH options of workload 3, real database drain (default: -wi 8 -w 4s -i 3 -r 4s; the
#               long warm-up is for H2, whose engine runs in the benchmark's JVM and is JIT-compiled
#               there; about 3.5 minutes a round on 2 cores), e.g. add "-p database=postgres" for one database
#   W4_OPTS     JMH options of workload 4, journal cost (default: -wi 1 -w 1s -i 2 -r 1s)
#   W2_PARAMS   JMH -p options of workload 2, e.g. "-p contender=jotter-wt,ehcache-wb" (default: all)
#   SKIP=       space-separated parts to leave out: w1 w2 w3 w4 memory
#   JMH_EXTRA   more JMH options for both workloads (e.g. "-prof stack")
#   RESULTS     folder for the raw results (default: benchmarks/target/results)
#   DOCS        where benchmarks.md and the PNGs go (default: docs)
#   SKIP_BUILD  1 to use the jar as it is
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$(pwd)
JAR=benchmarks/target/benchmarks.jar
ROUNDS=${ROUNDS:-3}
W1_OPTS=${W1_OPTS:--wi 2 -w 800ms -i 2 -r 1s}
W2_OPTS=${W2_OPTS:--wi 1 -w 1s -i 2 -r 2s}
W3_OPTS=${W3_OPTS:--wi 8 -w 4s -i 3 -r 4s}
W4_OPTS=${W4_OPTS:--wi 1 -w 1s -i 2 -r 1s}
W1_FILTER=${W1_FILTER:-JCacheBenchmark}
W2_FILTER=${W2_FILTER:-WriteBenchmark}
W2_PARAMS=${W2_PARAMS:-}
SKIP=${SKIP:-}
JMH_EXTRA=${JMH_EXTRA:-}
RESULTS=${RESULTS:-benchmarks/target/results}
DOCS=${DOCS:-docs}
JAVA=${JAVA_HOME:+$JAVA_HOME/bin/}java

skip() { [[ " $SKIP " == *" $1 "* ]]; }

if [[ "${SKIP_BUILD:-0}" != 1 || ! -f "$JAR" ]]; then
  if grep -q '<id>benchmarks</id>' pom.xml; then
    ./mvnw -B -q -Pbenchmarks -pl benchmarks -am package -DskipTests
  else
    # the root pom has no benchmarks profile yet: build the module on its own
    # (workload 3 uses the examples module's JDBC writer, so install that too)
    ./mvnw -B -q install -DskipTests -pl jcache-provider,examples -am
    ./mvnw -B -q -f benchmarks/pom.xml package -DskipTests
  fi
fi

mkdir -p "$RESULTS" "$DOCS"
# a skipped part keeps its earlier results, so that the report can be redone part by part
skip w1 || rm -f "$RESULTS"/jcache-*
skip w2 || rm -f "$RESULTS"/write-*
skip w3 || rm -f "$RESULTS"/db-*
skip memory || rm -f "$RESULTS"/memory.json
skip w4 || rm -f "$RESULTS"/journal-* "$RESULTS"/fsync-*
start=$(date +%s)
for round in $(seq 1 "$ROUNDS"); do
  if ! skip w1; then
    echo "=== round $round/$ROUNDS: workload 1, JCache API"
    # shellcheck disable=SC2086
    "$JAVA" -jar "$JAR" "$W1_FILTER" -f 1 $W1_OPTS -prof gc $JMH_EXTRA \
      -rf json -rff "$RESULTS/jcache-$round.json" -o "$RESULTS/jcache-$round.log"
    tail -n 40 "$RESULTS/jcache-$round.log" | grep -E '^(Benchmark|JCacheBenchmark\.[a-z0-9_]+ )' || true
  fi
  if ! skip w2; then
    echo "=== round $round/$ROUNDS: workload 2, slow database"
    # shellcheck disable=SC2086
    "$JAVA" -jar "$JAR" "$W2_FILTER" -f 1 $W2_OPTS $W2_PARAMS $JMH_EXTRA \
      -rf json -rff "$RESULTS/write-$round.json" -o "$RESULTS/write-$round.log"
    grep -E '^WriteBenchmark\.put +' "$RESULTS/write-$round.log" || true
  fi
  if ! skip w3; then
    echo "=== round $round/$ROUNDS: workload 3, real database drain (H2, PostgreSQL)"
    # shellcheck disable=SC2086
    # -o keeps the forks' own output out of the log: db-N.out keeps it (database versions and
    # settings, the write-behind buffer's account of its batches) for the report
    "$JAVA" -jar "$JAR" 'DatabaseDrainBenchmark' -f 1 $W3_OPTS $JMH_EXTRA \
      -rf json -rff "$RESULTS/db-$round.json" -o "$RESULTS/db-$round.log" | tee "$RESULTS/db-$round.out"
    grep -E '^DatabaseDrainBenchmark\.drain +' "$RESULTS/db-$round.log" || true
  fi
done
if ! skip w4; then
  echo "=== workload 4, durability: the journal's cost and the disk's fsync rate"
  for round in $(seq 1 "$ROUNDS"); do
    # shellcheck disable=SC2086
    "$JAVA" -jar "$JAR" 'FsyncBenchmark' -f 1 $W4_OPTS $JMH_EXTRA \
      -rf json -rff "$RESULTS/fsync-$round.json" -o "$RESULTS/fsync-$round.log"
    # shellcheck disable=SC2086
    "$JAVA" -jar "$JAR" 'JournalBenchmark' -f 1 $W4_OPTS $JMH_EXTRA \
      -rf json -rff "$RESULTS/journal-$round.json" -o "$RESULTS/journal-$round.log"
    grep -E '^(FsyncBenchmark|JournalBenchmark)\.[a-z0-9_]+ ' "$RESULTS/fsync-$round.log" \
      "$RESULTS/journal-$round.log" || true
  done
fi
if ! skip memory; then
  echo "=== workload 5, memory per entry"
  "$JAVA" -XX:+UseSerialGC -Xms1g -Xmx1g -cp "$JAR" dev.jotter.benchmarks.memory.MemoryFootprint \
    "$RESULTS/memory.json"
fi

command="benchmarks/run.sh"
[[ "$ROUNDS" != 3 ]] && command="ROUNDS=$ROUNDS $command"
[[ "$W1_OPTS" != "-wi 2 -w 800ms -i 2 -r 1s" ]] && command="W1_OPTS=\"$W1_OPTS\" $command"
[[ "$W2_OPTS" != "-wi 1 -w 1s -i 2 -r 2s" ]] && command="W2_OPTS=\"$W2_OPTS\" $command"
[[ "$W3_OPTS" != "-wi 8 -w 4s -i 3 -r 4s" ]] && command="W3_OPTS=\"$W3_OPTS\" $command"
[[ -n "$W2_PARAMS" ]] && command="W2_PARAMS=\"$W2_PARAMS\" $command"
[[ -n "$SKIP" ]] && command="SKIP=\"$SKIP\" $command"
JOTTER_GIT_REVISION=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || true) \
  "$JAVA" -Djava.awt.headless=true -cp "$JAR" dev.jotter.benchmarks.report.Report \
  "$RESULTS" "$DOCS" "$command"
echo "done in $(( $(date +%s) - start )) s: $DOCS/benchmarks.md"
