#!/usr/bin/env bash
# Read-side benchmark (docs/benchmarks.md): generates CASES cases × 5 events
# (1,000,000 events by default) in a private PostgreSQL, rebuilds both
# projections from the log (events/s), then measures the queue and status
# endpoints under CLIENTS concurrent clients, and rebuilds both again from a
# SQLite copy of the log.
# Usage: bash scripts/bench-read.sh [CASES] [CLIENTS] [REQUESTS]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/common.sh
source scripts/lib/postgres.sh

CASES="${1:-200000}"
CLIENTS="${2:-16}"
REQUESTS="${3:-20000}"
require_rust
PG_FSYNC=on PG_SYNCHRONOUS_COMMIT=on pg_start
trap pg_stop EXIT
build_release

psql_run() { "$(pg_bin)/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PG_PORT" -U postgres "$@"; }
psql_run -d postgres -c "CREATE DATABASE bench_read"
url="postgres://postgres@127.0.0.1:$PG_PORT/bench_read?sslmode=disable"
"$CARGO_TARGET_DIR/release/bench_read" "$url" 1 1 --migrate-only
echo "== machine: $(nproc --all) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr)"
start=$(date +%s%N)
psql_run -d bench_read -v cases="$CASES" -f bench/generate-events.sql
psql_run -d bench_read -c "VACUUM ANALYZE events"
echo "== generated $(psql_run -d bench_read -At -c 'SELECT COUNT(*) FROM events') events in $(( ($(date +%s%N) - start) / 1000000 )) ms"
"$CARGO_TARGET_DIR/release/bench_read" "$url" "$CLIENTS" "$REQUESTS" 2>/dev/null
# The same log copied into an embedded SQLite database, both read models
# rebuilt there (the generator above is PostgreSQL SQL).
sqlite_dir=$(mktemp -d)
"$CARGO_TARGET_DIR/release/bench_read" "$url" 1 1 --sqlite "$sqlite_dir/bench-read.db" 2>/dev/null
rm -rf "$sqlite_dir"
