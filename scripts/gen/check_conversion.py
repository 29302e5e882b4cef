"""Checks that an ONNX conversion computes what its TFLite source computes:
both run (TFLite's interpreter, ONNX Runtime) on fixed random inputs and on
an all-grey one; every output must agree within the tolerance.

usage: check_conversion.py SOURCE.tflite CONVERTED.onnx [TOLERANCE]
"""
import sys

import numpy as np
import onnxruntime as ort
import tensorflow as tf

source, converted = sys.argv[1], sys.argv[2]
tolerance = float(sys.argv[3]) if len(sys.argv) > 3 else 1e-4

interpreter = tf.lite.Interpreter(model_path=source)
interpreter.allocate_tensors()
tfl_in = interpreter.get_input_details()[0]
tfl_out = sorted(interpreter.get_output_details(), key=lambda d: d["name"])
session = ort.InferenceSession(converted, providers=["CPUExecutionProvider"])
onnx_in = session.get_inputs()[0]
onnx_out = sorted(o.name for o in session.get_outputs())

rng = np.random.default_rng(7)
shape = tuple(tfl_in["shape"])
inputs = [np.full(shape, 0.5, dtype=np.float32)] + [
    rng.random(shape, dtype=np.float32) for _ in range(4)
]
worst = 0.0
for x in inputs:
    interpreter.set_tensor(tfl_in["index"], x)
    interpreter.invoke()
    expected = [interpreter.get_tensor(d["index"]) for d in tfl_out]
    got = session.run(onnx_out, {onnx_in.name: x})
    for e, g in zip(expected, got):
        worst = max(worst, float(np.max(np.abs(e - g))))
print(f"max difference {worst:.2e} over {len(inputs)} inputs")
if not worst <= tolerance:
    sys.exit(f"the conversion differs from its source by {worst} (> {tolerance})")
