#!/usr/bin/env bash
# features job vs a plain scan-and-aggregate of the same silver.ratings (10M generated events), plus its GPU-eligible share
# Usage: bench/run features [EVENTS] [ROUNDS]   (defaults 10000000 and 2)
# Generates MovieLens-layout data (bin/millrace generate), ingests it into a fresh lake, then runs
# dev.millrace.jobs.features.bench.FeaturesBench: the features job for the latest event date (every feature in
# conf/application.conf, written to the offline store) and the baseline (per-user and per-item count/mean/latest,
# written to Delta), alternating in one JVM, medians over ROUNDS; then RAPIDS explain-only on the features plans.
# Last line:  features ratio=<features s / baseline s> features_s=.. baseline_s=.. events=.. gpu_share=.. not_on_gpu=..
# Set MILLRACE_BENCH_DIR to keep (and reuse) the generated data and lake between runs.
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
events=${1:-10000000}
rounds=${2:-2}
users=$(( events / 100 > 1000 ? events / 100 : 1000 ))
items=$(( users / 4 > 2000 ? users / 4 : 2000 ))
keep=${MILLRACE_BENCH_DIR:-}
work=${keep:-$(mktemp -d -t millrace-bench-features-XXXXXX)}
mkdir -p "$work"
cleanup() { [ -n "$keep" ] || rm -rf "$work"; }
trap cleanup EXIT

conf="$work/bench.conf"
printf 'millrace.lake.root = "%s/lake"\n' "$work" > "$conf"
if [ ! -d "$work/lake/silver/ratings/_delta_log" ]; then
  echo "bench features: generating $events events ($users users, $items items) and ingesting them" >&2
  "$here/bin/millrace" generate --out "$work/data" --users "$users" --items "$items" --events "$events" >&2
  MILLRACE_NO_BUILD=1 "$here/bin/millrace" ingest --conf "$conf" --source "$work/data" --format movielens >&2
fi
export MILLRACE_NO_BUILD=1
# The GPU-eligible share comes from RAPIDS' explain-only mode, which loads the RAPIDS jar (copied once, as gpu-plan does).
"$here/bin/fetch-rapids"
"$here/bin/run-class" dev.millrace.jobs.features.bench.FeaturesBench "$work/lake" "$rounds" 2> "$work/bench.err" \
  || { tail -40 "$work/bench.err" >&2; exit 1; }
