#!/usr/bin/env bash
# Webhook delivery: deliveries/s against the raw ceiling in the same run,
# and commit → delivery latency (docs/benchmarks.md).
# Usage: bash scripts/bench-webhooks.sh [MESSAGES]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/common.sh
source scripts/lib/postgres.sh

require_rust
pg_start
trap pg_stop EXIT
build_release
echo "== machine: $(nproc --all) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr)"
"$CARGO_TARGET_DIR/release/bench_webhooks" "${1:-2000}"
