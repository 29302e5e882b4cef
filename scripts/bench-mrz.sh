#!/usr/bin/env bash
# MRZ reading accuracy and latency (docs/accuracy.md, docs/benchmarks.md) on a
# generated evaluation set of COUNT documents × 3 degradation levels.
# Usage: bash scripts/bench-mrz.sh [COUNT]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/common.sh
source scripts/lib/vision.sh

MRZ_EVAL_COUNT="${1:-100}"
require_rust
vision_setup
build_release
echo "== machine: $(nproc --all) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr)"
"$CARGO_TARGET_DIR/release/bench_mrz" "$VERITRAIL_MRZ_EVAL_DIR"
