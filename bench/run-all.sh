#!/usr/bin/env bash
# Runs every scenario of docs/BENCHMARKS.md on this machine and appends the table rows to one file.
#   bash bench/run-all.sh [OUTPUT.md]      (RUNS=5 by default; about an hour on 2 cores)
# Cluster mode needs PostgreSQL: a throw-away one is started here with fsync on (durable commits, unlike the tests'),
# on PGPORT (default 55434), and stopped at the end. The grains modes (the Orleans runtime) need no PostgreSQL;
# grains-cluster starts a redis-server of its own each run (Debian's redis-server on PATH).
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-bench/results-$(date -u +%Y%m%d-%H%M).md}"
runs="${RUNS:-5}"
export PGROOT="${PGROOT:-/tmp/flowmesh-bench-pg}" PGPORT="${PGPORT:-55434}" PGFSYNC=on
pg="$(bash .ci/pg-up.sh)"
trap 'bash .ci/pg-down.sh >/dev/null 2>&1 || true' EXIT
dotnet build -c Release bench/FlowMesh.Bench -v q -nologo >/dev/null
bench() { dotnet bench/FlowMesh.Bench/bin/Release/net10.0/flowmesh-bench.dll "$@" --pg "$pg" | tee -a "$out"; }

bench chain_1000 fanout_10000 many_1000x10 huge_100000 --runs "$runs"
bench chain_1000 fanout_10000 many_1000x10 --durability process --runs "$runs"
bench live_10000 --runs "$runs"
bench chain_1000 fanout_10000 many_1000x10 sse_latency --mode server --runs "$runs"
bench chain_1000 fanout_10000 many_1000x10 sse_latency agents_1000 live_10000 --mode cluster --runs "$runs"
bench huge_100000 --mode cluster --runs 1
bench chain_1000 fanout_10000 many_1000x10 --mode grains --runs "$runs"
bench chain_1000 fanout_10000 many_1000x10 --mode grains --durability process --runs "$runs"
bench chain_1000 fanout_10000 many_1000x10 --mode grains-cluster --runs "$runs"
echo "rows appended to $out"
