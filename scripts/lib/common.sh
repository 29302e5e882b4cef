# Shared settings for the scripts. Source it; do not run it.
# Caches live outside the clone so fresh clones rebuild fast.
export VERITRAIL_CACHE="${VERITRAIL_CACHE:-$HOME/.cache/veritrail}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$VERITRAIL_CACHE/target}"
mkdir -p "$VERITRAIL_CACHE"

# The one build every script uses: the release profile with every target
# of the workspace, which resolves the same features as
# `cargo test --workspace --release` (scripts/test.sh), so tests, the live
# checks, the benchmarks and `serve` share one compilation.
build_release() {
    log "building the workspace (release profile; shared by tests, benchmarks and serve)"
    cargo build --release --workspace --all-targets --locked "$@"
}

# Every line says how long the script has been running.
log() { printf '==> [%02d:%02d] %s\n' $((SECONDS / 60)) $((SECONDS % 60)) "$*" >&2; }

# Runs a slow, quiet step ("$1" says what) and says it is still working
# every 20 s, then how long it took.
progress() {
    local what=$1 start=$SECONDS ticker status=0
    shift
    ( while sleep 20; do log "  … still $what ($((SECONDS - start)) s)"; done ) &
    ticker=$!
    "$@" || status=$?
    kill "$ticker" 2>/dev/null; wait "$ticker" 2>/dev/null || true
    [ "$status" -eq 0 ] && log "  $what: done in $((SECONDS - start)) s"
    return "$status"
}
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# Runs a command as root: directly when we are root, else through sudo.
as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# Installs Debian packages that are missing (apt-get update once per run).
APT_UPDATED=""
ensure_packages() {
    local missing=()
    for pkg in "$@"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    log "installing Debian packages: ${missing[*]}"
    if [ -z "$APT_UPDATED" ]; then
        as_root apt-get update -qq
        APT_UPDATED=1
    fi
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

require_rust() {
    command -v cargo >/dev/null || die "cargo not found: install Rust (rustup) first"
}

# A TCP port on 127.0.0.1 that nothing listens on.
free_port() {
    local port
    for _ in $(seq 1 200); do
        port=$(( 20000 + RANDOM % 30000 ))
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            echo "$port"
            return 0
        fi
    done
    die "no free port found"
}
