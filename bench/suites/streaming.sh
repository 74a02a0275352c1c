#!/usr/bin/env bash
# Flink job events/s on 2 cores and produce-to-online-store latency p50/p99 vs the broker's own produce-consume rate
# Usage: bench/run streaming [BACKLOG] [RATE] [SECONDS]   (defaults 200000 events, 2000 events/s for 20 s)
# One JVM, one in-process broker (KRaft), Flink MiniCluster with parallelism 2:
#   baseline: plain producer + consumer through the broker (records/s end to end, same records, same run);
#   throughput: the job (validation, lateness, DLQ, window features to LMDB, Delta Kernel sink) on a backlog, counted
#     from its first to its last online-store write;
#   latency: events produced at RATE/s into the running job, from the producer's record timestamp to the write of the
#     user's features in the online store (when a reader can see them).
# Last line: streaming ratio=<job events/s / broker records/s> events_per_s=.. broker_produce_consume_per_s=.. p50_ms=.. p99_ms=..
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
MILLRACE_NO_BUILD=${MILLRACE_NO_BUILD:-} "$here/bin/build-if-needed"
cp="$here/streaming/target/classes:$(cat "$here/streaming/target/runtime-classpath.txt"):$(cat "$here/streaming/target/provided-classpath.txt")"
java_bin="${JAVA_HOME:+$JAVA_HOME/bin/}java"
# The product's log set-up: Millrace's lines on the terminal, Flink's, Kafka's and Hadoop's in a file (at shutdown
# they warn about closed clients and interrupted threads, which would otherwise bury the result line).
log="$here/streaming/target/bench-streaming-$(date -u +%Y%m%dT%H%M%SZ).log"
echo "bench streaming: library log in $log" >&2
exec "$java_bin" --add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED \
  --add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.util=ALL-UNNAMED -Xmx3g \
  -Dlog4j2.configurationFile="$here/conf/log4j2.properties" -Dmillrace.log.file="$log" \
  -cp "$cp" dev.millrace.streaming.bench.StreamingBench "${1:-200000}" "${2:-2000}" "${3:-20}"
