#!/usr/bin/env bash
# Liveness: APCER per attack and BPCER (ISO/IEC 30107-3) on the generated
# presentations, and verdict latency (docs/accuracy.md, docs/benchmarks.md).
# Usage: bash scripts/bench-liveness.sh [--frames]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/common.sh
source scripts/lib/vision.sh
source scripts/lib/face.sh

require_rust
face_models
face_photos
build_release
echo "== machine: $(nproc --all) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr)"
"$CARGO_TARGET_DIR/release/bench_liveness" "$@"
