# The API contract check (issue 12 item 5): Schemathesis, from PyPI, against
# the real service with a token per role. Source it; needs pg_start first.
SCHEMATHESIS_VERSION=4.32.5
HYPOTHESIS_VERSION=6.170.17

contract_setup() {
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

# Runs every role's Schemathesis session against a fresh database; fails on
# any server error, response-schema violation or undocumented status.
contract_run() {
    contract_setup
    log "building the service for the contract check"
    cargo build -p veritrail --locked --quiet
    local report="$CARGO_TARGET_DIR/contract-report"
    rm -rf "$report"
    log "running Schemathesis against the service (report: $report)"
    python3 tests/contract/schemathesis_run.py "$CARGO_TARGET_DIR/debug/veritrail" \
        "$CONTRACT_VENV/bin/schemathesis" "$report"
}
