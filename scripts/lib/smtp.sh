# A real local SMTP server for the notification tests: `aiosmtpd` (PyPI,
# Apache-2.0) in its own venv under the cache. Source it. After
# `smtp_setup`, VERITRAIL_SMTP_PYTHON is that venv's python; the tests start
# `python -m aiosmtpd` on a free port with a Maildir of their own and read
# what arrived with scripts/check/read_maildir.py.
AIOSMTPD_VERSION=1.4.6

smtp_setup() {
    ensure_packages python3-venv
    local venv="$VERITRAIL_CACHE/venv-smtp-$AIOSMTPD_VERSION"
    if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import aiosmtpd' 2>/dev/null; then
        log "installing aiosmtpd $AIOSMTPD_VERSION (a local SMTP server for the tests) from PyPI"
        rm -rf "$venv"
        python3 -m venv "$venv"
        "$venv/bin/pip" install -q --disable-pip-version-check "aiosmtpd==$AIOSMTPD_VERSION"
    fi
    export VERITRAIL_SMTP_PYTHON="$venv/bin/python"
}
