"""Converts a TFLite model to ONNX with tflite2onnx, adding the one operator
FaceAntiSpoofing needs that tflite2onnx 0.4.1 lacks (LEAKY_RELU -> ONNX
LeakyRelu with the model's alpha) and accepting scalar tensors.

tflite2onnx emits initializers and value_info in set order, which varies
from run to run; they are sorted by name afterwards so the output is
byte-for-byte reproducible (its sha256 is recorded in scripts/lib/face.sh).

usage: tflite_to_onnx.py IN.tflite OUT.onnx
"""
import sys

import numpy as np
import onnx
import tflite
import tflite2onnx
from tflite2onnx.op.common import Operator, OpFactory


class LeakyRelu(Operator):
    TypeMapping = {tflite.BuiltinOperator.LEAKY_RELU: "LeakyRelu"}

    def __init__(self, TFactory, index):
        super().__init__(TFactory, index)
        self.setInited()

    @property
    def type(self):
        return "LeakyRelu"

    def parse(self):
        op = self.tflite
        assert op.InputsLength() == 1 and op.OutputsLength() == 1
        options = tflite.LeakyReluOptions()
        options.Init(op.BuiltinOptions().Bytes, op.BuiltinOptions().Pos)
        self.attrs["alpha"] = float(options.Alpha())
        self.parseInput(0)
        self.parseOutput(0)
        self.setParsed()

    def propagatableTensors(self):
        return self.inputs + self.outputs

    def transform(self):
        pass


# Scalar tensors have no shape vector; tflite returns 0 instead of [].
_shape = tflite.Tensor.ShapeAsNumpy


def _shape_or_empty(tensor):
    return np.zeros(0, dtype=np.int32) if tensor.ShapeLength() == 0 else _shape(tensor)


tflite.Tensor.ShapeAsNumpy = _shape_or_empty

if tflite.BuiltinOperator.LEAKY_RELU not in OpFactory.registry:
    OpFactory.register(LeakyRelu)

tflite2onnx.convert(sys.argv[1], sys.argv[2])

model = onnx.load(sys.argv[2])
for field in (model.graph.initializer, model.graph.value_info):
    ordered = sorted(field, key=lambda item: item.name)
    del field[:]
    field.extend(ordered)
onnx.save(model, sys.argv[2])
