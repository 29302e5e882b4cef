# cargo fuzz, from crates.io, with the stable toolchain. Source it. Targets
# build in the dev profile (with AddressSanitizer): a cold build takes ~9
# minutes on 2 cores instead of ~25 optimised, and a bounded run in CI needs
# coverage of the input space more than raw speed.
CARGO_FUZZ_VERSION=0.13.2

fuzz_setup() {
    ensure_packages g++
    FUZZ_TOOLS="$VERITRAIL_CACHE/cargo-fuzz-$CARGO_FUZZ_VERSION"
    if [ ! -x "$FUZZ_TOOLS/bin/cargo-fuzz" ]; then
        log "installing cargo-fuzz $CARGO_FUZZ_VERSION from crates.io"
        cargo install --quiet --locked --version "$CARGO_FUZZ_VERSION" --root "$FUZZ_TOOLS" cargo-fuzz
    fi
}

# fuzz_run SECONDS [TARGET...]: each target for SECONDS; fails on a crash.
fuzz_run() {
    local seconds="$1"; shift
    local targets=("$@")
    [ ${#targets[@]} -gt 0 ] || targets=(mrz request_bodies image_header)
    local work="$VERITRAIL_CACHE/fuzz"
    for target in "${targets[@]}"; do
        mkdir -p "$work/corpus/$target" "$work/artifacts/$target"
        log "fuzzing $target for ${seconds}s"
        RUSTC_BOOTSTRAP=1 PATH="$FUZZ_TOOLS/bin:$PATH" \
            cargo fuzz run --dev --fuzz-dir fuzz --target-dir "$CARGO_TARGET_DIR/fuzz" \
            "$target" "$work/corpus/$target" "fuzz/seeds/$target" -- \
            -max_total_time="$seconds" -timeout=10 -rss_limit_mb=4096 -max_len=65536 \
            -artifact_prefix="$work/artifacts/$target/" -print_final_stats=1 \
            || die "fuzz target $target crashed: see $work/artifacts/$target/ and fuzz/README.md"
    done
}
