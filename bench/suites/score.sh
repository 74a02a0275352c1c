#!/usr/bin/env bash
# Batch scoring stage (features -> input vector -> DJL ranker UDF -> top K per user) vs a plain DJL loop, 100k users
# Usage: bench/run score [users] [candidates_per_user] [rounds]   (defaults 100000, 20 and 3)
# Both sides run in one JVM, local[2], 2 threads with one PyTorch thread each, batch 1024, the same saved ranker
# (MLP 57-32-16-1 built by RankerBlockFactory). Spark side: generated candidate rows with 57 raw features, through
# CandidateRanking.score (standardising from the model version's feature spec, ModelScorer) and CandidateRanking.topKLists
# (score's top K per user as one list), into the noop sink. Loop side: the same rows already standardised in a float[] in memory.
# Last line:  score ratio=X spark_rows_s=.. loop_rows_s=.. users=.. candidates_per_user=.. rows=.. ...
# X = median per-round ratio of candidate rows scored per second (Spark pipeline / plain loop).
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
export JAVA_OPTS="${JAVA_OPTS:-} -Dai.djl.pytorch.num_threads=1 -Dai.djl.pytorch.num_interop_threads=1"
exec "$here/bin/run-class" dev.millrace.jobs.training.bench.ScoreBench "$@"
