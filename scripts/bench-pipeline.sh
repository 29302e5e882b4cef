#!/usr/bin/env bash
# The pipeline end to end: submission → decision latency, one case at a
# time and in a burst, next to the same checks called directly in the same
# run (docs/benchmarks.md). Usage: bash scripts/bench-pipeline.sh [CASES]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/common.sh
source scripts/lib/postgres.sh
source scripts/lib/vision.sh
source scripts/lib/face.sh

require_rust
vision_setup
face_models
face_photos
pg_start
trap pg_stop EXIT
build_release
echo "== machine: $(nproc --all) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr)"
"$CARGO_TARGET_DIR/release/bench_pipeline" "${1:-20}"
