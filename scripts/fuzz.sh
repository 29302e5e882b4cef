#!/usr/bin/env bash
# Runs each cargo fuzz target (fuzz/fuzz_targets/) for a bounded time:
# the MRZ parser and repair, the API's request bodies, the image header
# checks (issue 12 item 9). cargo-fuzz comes from crates.io (cached); the
# stable toolchain runs it with RUSTC_BOOTSTRAP=1 (cargo fuzz passes -Z
# flags). Seeds are in fuzz/seeds/<target>/; the growing corpus and any
# crash stay under ~/.cache/veritrail/fuzz/. A crash fails the run: turn it
# into a regression test (fuzz/README.md).
# Usage: bash scripts/fuzz.sh [SECONDS_PER_TARGET (default 45)] [TARGET...]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/common.sh
source scripts/lib/fuzz.sh

require_rust
fuzz_setup
seconds="${1:-45}"
shift || true
fuzz_run "$seconds" "$@"
