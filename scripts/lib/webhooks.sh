# The independent webhook signature checker: the `standardwebhooks` package
# (PyPI, MIT) in its own venv under the cache. Source it. After
# `webhooks_setup`, VERITRAIL_WEBHOOK_PYTHON is that venv's python, which
# the webhook tests run scripts/check/verify_webhooks.py with.
STANDARDWEBHOOKS_VERSION=1.1.0

webhooks_setup() {
    ensure_packages python3-venv
    local venv="$VERITRAIL_CACHE/venv-webhooks-$STANDARDWEBHOOKS_VERSION"
    if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import standardwebhooks' 2>/dev/null; then
        log "installing standardwebhooks $STANDARDWEBHOOKS_VERSION (an independent signature checker) from PyPI"
        rm -rf "$venv"
        python3 -m venv "$venv"
        "$venv/bin/pip" install -q --disable-pip-version-check "standardwebhooks==$STANDARDWEBHOOKS_VERSION"
    fi
    export VERITRAIL_WEBHOOK_PYTHON="$venv/bin/python"
}
