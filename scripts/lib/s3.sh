# Starts a local S3-compatible server for the blob store's tests: moto's
# server (from PyPI, in its own venv under the cache), on a free port of
# 127.0.0.1. Source it. After `s3_start`, VERITRAIL_TEST_S3_URL points at
# it; `s3_stop` stops it.
MOTO_VERSION=5.2.5

s3_start() {
    ensure_packages python3-venv curl
    local venv="$VERITRAIL_CACHE/moto-$MOTO_VERSION" port
    if [ ! -x "$venv/bin/moto_server" ]; then
        log "installing moto $MOTO_VERSION (a local S3-compatible server) from PyPI"
        rm -rf "$venv"
        python3 -m venv "$venv"
        "$venv/bin/pip" install -q --disable-pip-version-check "moto[server]==$MOTO_VERSION"
    fi
    port=$(free_port)
    S3_LOG=$(mktemp /tmp/veritrail-s3.XXXXXX)
    "$venv/bin/moto_server" -H 127.0.0.1 -p "$port" >"$S3_LOG" 2>&1 &
    S3_PID=$!
    for _ in $(seq 1 100); do
        if curl -fsS "http://127.0.0.1:$port/moto-api/" >/dev/null 2>&1; then
            log "S3-compatible server (moto $MOTO_VERSION) on 127.0.0.1:$port"
            export VERITRAIL_TEST_S3_URL="http://127.0.0.1:$port" S3_PID
            return 0
        fi
        kill -0 "$S3_PID" 2>/dev/null || break
        sleep 0.2
    done
    cat "$S3_LOG" >&2
    die "the S3-compatible server did not start"
}

s3_stop() {
    [ -n "${S3_PID:-}" ] || return 0
    kill "$S3_PID" 2>/dev/null || true
    wait "$S3_PID" 2>/dev/null || true
    rm -f "${S3_LOG:-}"
    S3_PID=""
}
