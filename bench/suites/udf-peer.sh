#!/usr/bin/env bash
# Millrace's ONNX UDF vs Microsoft SynapseML's ONNXModel (Spark 3.5), same ONNX MLP file and rows (1M x 32 floats, batch 1024, local[2])
# Usage: bench/run udf-peer [rows] [rounds] [warmup]   (defaults 1000000, 5 and 3)
# Writes the udf benchmark's ONNX MLP (32-64-32-1, OnnxMlpWriter seed 42) to one file, then scores that file over
# the same generated rows (UdfBench's formula, cached DataFrame in 2 partitions, every row and column to the noop
# sink) in two JVMs, one after the other: Millrace (dev.millrace.udfs.bench.UdfPeerBench, Spark 4.0, ONNX Runtime
# via DJL, one engine thread per task) and SynapseML (bench/synapseml, a standalone Maven project: ONNXModel 1.1.0
# on Spark 3.5, Scala 2.12, its own ONNX Runtime with its default threads). Both sides plan once, run `warmup`
# passes, then `rounds` timed passes, and report the median rows/s and the sum of all scores; the sums must agree.
# Last line:  udf-peer ratio=X millrace_rows_s=.. synapseml_rows_s=.. sum_millrace=.. sum_synapseml=.. rows=..
# X = millrace rows/s / synapseml rows/s (medians). bench/synapseml is built on first use (Maven, online if its
# dependencies are not in ~/.m2 yet). docs/udfs.md, section "Peer: SynapseML".
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
rows=${1:-1000000}
rounds=${2:-5}
warmup=${3:-3}
peer="$here/bench/synapseml"

stamp="$peer/target/classpath.txt"
if [ ! -f "$stamp" ] || [ ! -d "$peer/target/classes" ] || [ -n "$(find "$peer/pom.xml" "$peer/src" -newer "$stamp" -print -quit)" ]; then
  echo "udf-peer: building bench/synapseml (mvn package)" >&2
  (cd "$peer" && { mvn -B -q -o -DskipTests package || mvn -B -q -DskipTests package; }) >&2
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/millrace-udf-peer-XXXXXX")
trap 'rm -rf "$work"' EXIT
model="$work/mlp.onnx"
"$here/bin/run-class" dev.millrace.udfs.bench.UdfPeerBench write-model "$model"

echo "udf-peer: Millrace ONNX UDF (Spark 4)"
"$here/bin/run-class" dev.millrace.udfs.bench.UdfPeerBench run "$model" "$rows" "$rounds" "$warmup" | tee "$work/millrace.out"

echo "udf-peer: SynapseML ONNXModel (Spark 3.5)"
java_bin="${JAVA_HOME:+$JAVA_HOME/bin/}java"
# shellcheck disable=SC2046
"$java_bin" $(cat "$here/jobs/target/launcher/jvm-flags.txt") -Xmx"${MILLRACE_DRIVER_MEMORY:-6g}" \
  -Dlog4j2.configurationFile="$here/conf/log4j2.properties" ${JAVA_OPTS:-} \
  -cp "$peer/target/classes:$(cat "$stamp")" dev.millrace.bench.synapseml.SynapseOnnxBench \
  "$model" "$rows" "$rounds" "$warmup" | tee "$work/synapseml.out"

field() {  # field FILE PREFIX KEY: KEY's value on the last line of FILE starting with PREFIX
  grep "^$2 " "$1" | tail -1 | tr ' ' '\n' | sed -n "s/^$3=//p"
}
m_rate=$(field "$work/millrace.out" millrace rows_s)
s_rate=$(field "$work/synapseml.out" synapseml rows_s)
m_sum=$(field "$work/millrace.out" millrace sum)
s_sum=$(field "$work/synapseml.out" synapseml sum)
s_spark=$(field "$work/synapseml.out" synapseml spark)
s_version=$(sed -n 's:.*<synapseml.version>\(.*\)</synapseml.version>.*:\1:p' "$peer/pom.xml")
if [ -z "$m_rate" ] || [ -z "$s_rate" ] || [ -z "$m_sum" ] || [ -z "$s_sum" ]; then
  echo "udf-peer: a side printed no result line" >&2
  exit 1
fi
# Different ONNX Runtime releases and summation orders: the sums may differ in the last float digits, no more.
if ! awk -v a="$m_sum" -v b="$s_sum" 'BEGIN { d = a - b; if (d < 0) d = -d; m = (a < 0 ? -a : a); exit !(d <= 1e-4 * (m > 1 ? m : 1)) }'; then
  echo "udf-peer: the sums of the scores differ: millrace=$m_sum synapseml=$s_sum" >&2
  exit 1
fi
awk -v m="$m_rate" -v s="$s_rate" -v ms="$m_sum" -v ss="$s_sum" -v r="$rows" -v v="$s_version" -v sp="$s_spark" \
  'BEGIN { printf "udf-peer ratio=%.2f millrace_rows_s=%d synapseml_rows_s=%d sum_millrace=%s sum_synapseml=%s rows=%d batch=1024 threads=2 synapseml=%s peer_spark=%s\n", m / s, m, s, ms, ss, r, v, sp }'
