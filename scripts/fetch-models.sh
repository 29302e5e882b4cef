#!/usr/bin/env bash
# Fetches and prepares the models the service needs into
# ~/.cache/veritrail/models (PyPI only, sha256-checked; docs/models.md).
# `scripts/serve.sh` and `scripts/test.sh` call this themselves.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/common.sh
source scripts/lib/vision.sh

vision_models
log "models ready in $VERITRAIL_TESSDATA"
