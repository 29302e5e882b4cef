#!/usr/bin/env bash
# Builds and runs the service on the embedded store (no external server):
# a SQLite file in ~/.local/share/veritrail/ (VERITRAIL_DATA_DIR), HTTP on
# 127.0.0.1:8080. Installs Tesseract
# and fetches the MRZ and face models and ONNX Runtime first
# (scripts/fetch-models.sh).
# Arguments go to `veritrail serve` (e.g. `--bind 127.0.0.1:9000`).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/common.sh
source scripts/lib/vision.sh
source scripts/lib/face.sh

require_rust
vision_models
face_models
build_release
exec "$CARGO_TARGET_DIR/release/veritrail" serve "$@"
