#!/usr/bin/env bash
# Delta ingest (parse, validate, dedupe, bronze+silver+quarantine) vs a plain Parquet write of the same rows, at 1M and 10M events.
# Usage: bench/run ingest [EVENTS...]   (default: 1000000 10000000; generated data is kept in target/bench-ingest)
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
exec "$here/bin/run-class" dev.millrace.jobs.bench.IngestBench "$here/target/bench-ingest" "$@"
