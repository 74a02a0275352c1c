#!/usr/bin/env bash
# DJL model UDF in Spark vs a plain DJL loop (1M x 32 floats, MLP 32-64-32-1, batch 1024, local[2]), ONNX Runtime and PyTorch
# Usage: bench/run udf [rows] [rounds]   (defaults 1000000 and 5)
# Both sides run in one JVM on the same rows, the same loaded model and translator, 2 threads with one engine thread
# each (ONNX Runtime intra/inter-op threads 1, PyTorch num_threads 1), after 3 warm-up passes over every path
# (-Dmillrace.bench.udf.warmup=N in JAVA_OPTS). Prints each round; the last line is
#   udf ratio=X onnx_ratio=.. onnx_udf_rows_s=.. onnx_loop_rows_s=.. onnx_cpu_ratio=.. onnx_cached_source_ratio=..
#   onnx_parquet_source_ratio=.. onnx_ceiling=.. onnx_fill=.. pytorch_... rows=..
# X = the lower of the two engines' median per-round ratios (Spark rows/s over loop rows/s, Spark reading in-memory
# UnsafeRows and writing every column to the noop sink); *_cpu_ratio the same in process CPU time per row;
# *_cached_source_ratio / *_parquet_source_ratio with Spark reading its columnar cache / a Parquet file instead;
# *_ceiling = 1 / (1 + loop rows/s / rows/s of Spark reading and writing the rows without the model). docs/udfs.md.
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
export JAVA_OPTS="${JAVA_OPTS:-} -Dai.djl.pytorch.num_threads=1 -Dai.djl.pytorch.num_interop_threads=1"
exec "$here/bin/run-class" dev.millrace.udfs.bench.UdfBench "$@"
