#!/usr/bin/env bash
# Reproduces the issue-12 tables of docs/benchmarks.md: securepair (engine
# alone and through adapters.Conn), crypto/tls and the floor (the same
# primitives alone), side by side in one process, then ratios by benchstat.
#
#   bench/run.sh [output directory]      (default: bench/results)
#
# COUNT repetitions (default 10) of the matrix run interleaved: one pass
# over every benchmark, then the next, so a slow spell of the machine falls
# on all of them alike. BenchmarkMemory runs MEMCOUNT times (default 3) over
# PAIRS client+server pairs (default 10000).
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-bench/results}
count=${COUNT:-10}
memcount=${MEMCOUNT:-3}
pairs=${PAIRS:-10000}
benchstat="go run golang.org/x/perf/cmd/benchstat@v0.0.0-20260908200009-22c9c6c9d4da"
mkdir -p "$out"
go test -c -o "$out/bench.test" ./bench
go version | tee "$out/env.txt"
grep -m1 'model name' /proc/cpuinfo | tee -a "$out/env.txt" || true
nproc | tee -a "$out/env.txt"
: > "$out/matrix.txt"
for i in $(seq "$count"); do
  echo "== pass $i of $count" >&2
  "$out/bench.test" -test.run '^$' -test.bench 'Handshake|Bulk|SmallMessages' -test.count 1 \
    -test.timeout 60m | tee -a "$out/matrix.txt"
done
"$out/bench.test" -test.run '^$' -test.bench 'Memory' -test.benchtime 1x -test.count "$memcount" \
  -test.timeout 60m -pairs "$pairs" | tee "$out/memory.txt"
$benchstat -col /impl "$out/matrix.txt" | tee "$out/matrix.benchstat"
$benchstat -col /impl "$out/memory.txt" | tee "$out/memory.benchstat"
