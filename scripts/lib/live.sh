# The live checks (tests/live/): the real service as a child process on the
# test cluster. The contract check runs Schemathesis (from PyPI) with a token
# per role (issue 12 item 5); the fault suite kills the service and restarts
# PostgreSQL under load (item 10). Source it; needs pg_start first.
SCHEMATHESIS_VERSION=4.32.5
HYPOTHESIS_VERSION=6.170.17

schemathesis_setup() {
    ensure_packages python3-venv
    CONTRACT_VENV="$VERITRAIL_CACHE/schemathesis-$SCHEMATHESIS_VERSION"
    if [ ! -x "$CONTRACT_VENV/bin/schemathesis" ]; then
        log "installing Schemathesis $SCHEMATHESIS_VERSION from PyPI"
        rm -rf "$CONTRACT_VENV"
        python3 -m venv "$CONTRACT_VENV"
        "$CONTRACT_VENV/bin/pip" install -q --disable-pip-version-check \
            "schemathesis==$SCHEMATHESIS_VERSION" "hypothesis==$HYPOTHESIS_VERSION"
    fi
}

live_build() {
    log "building the service for the live checks"
    build_release --quiet
    LIVE_BINARY="$CARGO_TARGET_DIR/release/veritrail"
    LIVE_REPORTS="$CARGO_TARGET_DIR/live-report"
}

# Every role's Schemathesis session against a fresh database; fails on any
# server error, response-schema violation or undocumented status.
contract_run() {
    schemathesis_setup
    live_build
    rm -rf "$LIVE_REPORTS/contract"
    log "running Schemathesis against the service (report: $LIVE_REPORTS/contract)"
    python3 tests/live/contract.py "$LIVE_BINARY" "$CONTRACT_VENV/bin/schemathesis" \
        "$LIVE_REPORTS/contract"
}

# kill -9 and a PostgreSQL restart under load; fails on anything lost,
# duplicated or stuck, or any answer but 2xx and the documented retryables.
faults_run() {
    live_build
    rm -rf "$LIVE_REPORTS/faults"
    log "running the fault suite (report: $LIVE_REPORTS/faults)"
    python3 tests/live/faults.py "$LIVE_BINARY" "$LIVE_REPORTS/faults"
}
