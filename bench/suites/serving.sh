#!/usr/bin/env bash
# GET /v1/recommendations p50/p99 and req/s under wrk vs redis-benchmark GET, plus publish keys/s
# Usage: bench/run serving [USERS] [SECONDS]   (defaults 100000 users x 20 items, 10 s of load)
# Prints the embedded-store measurement (LMDB / RocksDB / heap map), then publish throughput, then the last line:
#   serving ratio=<our req/s / redis-benchmark req/s> rps=.. p50_ms=.. p99_ms=.. redis_rps=.. redis_p50_ms=.. redis_p99_ms=..
#   publish_keys_per_s=.. publish_redis_keys_per_s=..
#   paced_rps=.. paced_p50_ms=.. paced_p99_ms=..
# Both load generators use 16 connections on loopback, on the same machine in the same run. The ratio and rps/p50/p99
# are at saturation (wrk sends as fast as the server answers, so p99 there is mostly queueing behind wrk itself on
# 2 cores); the paced_* figures are the latency SLO view: the same 16 connections, each waiting PACE_MS (default 2)
# between requests, which offers a fixed load well below saturation (about 16 / (PACE_MS + latency) per ms).
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
users=${1:-100000}
seconds=${2:-10}
conns=16
pace_ms=${PACE_MS:-2}
# IO_THREADS (server I/O threads, default one per core) and SERVER_JAVA_OPTS (e.g. a GC choice) tune the server JVM.
work=$(mktemp -d -t millrace-bench-serving-XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]:-}"; do [ -n "$p" ] && wait "$p" 2>/dev/null || true; done
  rm -rf "$work"
  # The publish JVM's temporary lake (SharedSpark's folder) holds the published store: remove it too.
  if [ -n "${store:-}" ]; then
    root=${store%%/bench-*}
    case "$root" in /tmp/millrace-test-*) rm -rf "$root" ;; esac
  fi
}
trap cleanup EXIT

for tool in redis-server redis-benchmark wrk; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "bench serving: installing redis-server and wrk (apt-get)" >&2
    (apt-get install -y -qq redis-server wrk || (apt-get update -qq && apt-get install -y -qq redis-server wrk)) >&2
    break
  fi
done

# The project's ordinary build (bin/millrace's) compiles the bench classes (feature-store's test sources) and writes
# that module's test class path; the JVM flags are the launcher's.
"$here/bin/build-if-needed"
cp="$here/feature-store/target/test-classes:$here/feature-store/target/classes:$(cat "$here/feature-store/target/test-classpath.txt")"
flags=$(cat "$here/jobs/target/launcher/jvm-flags.txt")
log4j="-Dlog4j2.configurationFile=$here/conf/log4j2-test.properties"

echo "== embedded KV measurement (200k keys x 200 B, one thread) ==" >&2
# shellcheck disable=SC2086
java $flags -Xmx2g "$log4j" -cp "$cp" dev.millrace.featurestore.bench.EmbeddedKvMeasure 200000

# Redis on a free port, no persistence.
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
redis-server --bind 127.0.0.1 --port "$port" --save "" --appendonly no --dir "$work" --daemonize no >"$work/redis.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.1; done
redis-cli -p "$port" set bench:key "$(head -c 400 /dev/zero | tr '\0' x)" >/dev/null

# Publish (embedded, then Redis) in a Spark JVM; then serve the embedded store from a lean JVM until stdin closes.
# shellcheck disable=SC2086
java $flags -Xmx3g "$log4j" -cp "$cp" dev.millrace.featurestore.bench.ServingBench "$users" "$port" \
  >"$work/java.log" 2>"$work/java.err" || { tail -30 "$work/java.err" >&2; exit 1; }
store=$(sed -n 's/^STORE //p' "$work/java.log")
mkfifo "$work/in"
# shellcheck disable=SC2086
java $flags -Xms1g -Xmx1g -XX:+AlwaysPreTouch ${IO_THREADS:+-Dbench.io-threads=$IO_THREADS} ${SERVER_JAVA_OPTS:-} "$log4j" \
  -cp "$cp" dev.millrace.featurestore.bench.ServingBench serve "$store" \
  <"$work/in" >"$work/serve.log" 2>"$work/serve.err" &
pids+=($!)
exec 9>"$work/in"
srv=""
for _ in $(seq 1 300); do
  srv=$(sed -n 's/^READY //p' "$work/serve.log")
  [ -n "$srv" ] && break
  kill -0 "${pids[1]}" 2>/dev/null || { cat "$work/serve.err" >&2; echo "bench serving: the server died" >&2; exit 1; }
  sleep 0.2
done
[ -n "$srv" ] || { echo "bench serving: the server did not start" >&2; exit 1; }
grep '^PUBLISH' "$work/java.log"
pub_emb=$(sed -n 's/^PUBLISH embedded .*keys_per_s=\([0-9]*\).*/\1/p' "$work/java.log")
pub_redis=$(sed -n 's/^PUBLISH redis .*keys_per_s=\([0-9]*\).*/\1/p' "$work/java.log")

cat >"$work/users.lua" <<LUA
math.randomseed(7)
request = function()
  -- 1 in 10 requests asks for an unknown user (the popularity fallback).
  local u = math.random(1, math.floor($users * 1.1))
  return wrk.format("GET", "/v1/recommendations/" .. u .. "?k=10")
end
LUA
url="http://127.0.0.1:$srv"
curl -fsS "$url/ready" >&2; echo >&2
wrk -t1 -c"$conns" -d2s -s "$work/users.lua" "$url" >/dev/null   # warm-up
wrk -t1 -c"$conns" -d"${seconds}s" --latency -s "$work/users.lua" "$url" | tee "$work/wrk.txt" >&2
sed "s/^request = function()/delay = function() return $pace_ms end\nrequest = function()/" "$work/users.lua" >"$work/paced.lua"
echo "== paced: $conns connections, $pace_ms ms between requests on each ==" >&2
wrk -t1 -c"$conns" -d"${seconds}s" --latency -s "$work/paced.lua" "$url" | tee "$work/paced.txt" >&2
for f in wrk paced; do
  non2xx=$(sed -n 's/.*Non-2xx or 3xx responses: *\([0-9]*\).*/\1/p' "$work/$f.txt")
  [ -z "$non2xx" ] || { echo "bench serving: $non2xx error responses ($f)" >&2; exit 1; }
done

redis-benchmark -p "$port" -c "$conns" -n 300000 -t get --csv -r 1 >/dev/null 2>&1 || true  # warm-up
redis-benchmark -p "$port" -c "$conns" -n 1000000 -t get --csv 2>/dev/null | tee "$work/rb.csv" >&2

python3 - "$work/wrk.txt" "$work/rb.csv" "$pub_emb" "${pub_redis:-0}" "$work/paced.txt" <<'PY'
import csv, re, sys
def ms(v, unit):
    return float(v) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]
def wrk_figures(path):
    text = open(path).read()
    lat = {m.group(1): ms(m.group(2), m.group(3)) for m in re.finditer(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s)\s*$", text, re.M)}
    return lat, float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
lat, rps = wrk_figures(sys.argv[1])
paced, paced_rps = wrk_figures(sys.argv[5])
rows = list(csv.reader(open(sys.argv[2])))
head, get = rows[0], [r for r in rows[1:] if r and r[0].startswith("GET")][0]
rb = dict(zip(head, get))
rrps = float(rb["rps"])
print(f"serving ratio={rps / rrps:.3f} rps={rps:.0f} p50_ms={lat['50']:.3f} p99_ms={lat['99']:.3f} "
      f"redis_rps={rrps:.0f} redis_p50_ms={float(rb['p50_latency_ms']):.3f} redis_p99_ms={float(rb['p99_latency_ms']):.3f} "
      f"publish_keys_per_s={sys.argv[3]} publish_redis_keys_per_s={sys.argv[4]} "
      f"paced_rps={paced_rps:.0f} paced_p50_ms={paced['50']:.3f} paced_p99_ms={paced['99']:.3f}")
PY
exec 9>&-
