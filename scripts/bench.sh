#!/usr/bin/env bash
# Command-throughput benchmark (docs/benchmarks.md): the HTTP API against a
# private PostgreSQL (durable settings: fsync and synchronous_commit on), then
# pgbench doing the same event inserts at the same concurrency (the ceiling).
# Usage: bash scripts/bench.sh [CLIENTS] [CASES]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/common.sh
source scripts/lib/postgres.sh

CLIENTS="${1:-16}"
CASES="${2:-3000}"
require_rust
PG_FSYNC=on PG_SYNCHRONOUS_COMMIT=on pg_start
trap pg_stop EXIT
build_release

psql_run() { "$(pg_bin)/psql" -X -q -h 127.0.0.1 -p "$PG_PORT" -U postgres "$@"; }
psql_run -d postgres -c "CREATE DATABASE bench_http" -c "CREATE DATABASE bench_pgbench"
base="postgres://postgres@127.0.0.1:$PG_PORT"

echo "== machine: $(nproc --all) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr)"
echo "== HTTP API: $CLIENTS clients, $CASES cases (create + submit each)"
out=$(mktemp)
"$CARGO_TARGET_DIR/release/bench_commands" "$base/bench_http?sslmode=disable" "$CLIENTS" "$CASES" 2>/dev/null | tee "$out"

echo "== pgbench ceiling: the same 3 appends per case, $CLIENTS clients"
# Schema via the service's own migrations.
"$CARGO_TARGET_DIR/release/bench_commands" migrate "$base/bench_pgbench?sslmode=disable"
"$(pg_bin)/pgbench" -n -h 127.0.0.1 -p "$PG_PORT" -U postgres -c "$CLIENTS" -j 2 \
    -t $(( CASES / CLIENTS )) -f bench/pgbench-commands.sql bench_pgbench 2>&1 \
    | grep -E "number of transactions actually processed|latency average|tps =" | tee -a "$out"
echo "(pgbench counts a case — 3 commits — as one transaction: commands/s = 3 × tps)"
# The issue-17 figure: the service's cases/s as a share of pgbench's.
awk '/^cases\/s/ {service = $2} /^tps =/ {ceiling = $3}
     END { if (ceiling > 0) printf "== ratio: %.1f cases/s / %.1f pgbench cases/s = %.1f %% of the ceiling\n", service, ceiling, 100 * service / ceiling }' "$out"
rm -f "$out"
