"""Converts a TFLite model to ONNX with tflite2onnx (used for MobileFaceNet).

tflite2onnx emits initializers and value_info in set order, which varies
from run to run; they are sorted by name afterwards so the output is
byte-for-byte reproducible (its sha256 is recorded in scripts/lib/face.sh).

usage: tflite_to_onnx.py IN.tflite OUT.onnx
"""
import sys

import onnx
import tflite2onnx

tflite2onnx.convert(sys.argv[1], sys.argv[2])

model = onnx.load(sys.argv[2])
for field in (model.graph.initializer, model.graph.value_info):
    ordered = sorted(field, key=lambda item: item.name)
    del field[:]
    field.extend(ordered)
onnx.save(model, sys.argv[2])
