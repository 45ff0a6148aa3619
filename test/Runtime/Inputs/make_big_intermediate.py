"""Writes big.onnx: x [1] expanded to a 16384 x 8192 f32 intermediate
(512 MiB), transposed, multiplied by ones and summed, and x.npy."""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper

out = sys.argv[1]
shape = helper.make_tensor("shape", TensorProto.INT64, [2], [16384, 8192])
ones = helper.make_tensor("w", TensorProto.FLOAT, [16384, 1],
                          np.ones(16384, np.float32))
nodes = [
    helper.make_node("Expand", ["x", "shape"], ["big"], name="expand"),
    helper.make_node("Transpose", ["big"], ["t"], perm=[1, 0], name="transpose"),
    helper.make_node("MatMul", ["t", "w"], ["m"], name="matmul"),
    helper.make_node("ReduceSum", ["m"], ["y"], keepdims=0, name="sum"),
]
graph = helper.make_graph(
    nodes, "big_intermediate",
    [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1])],
    [helper.make_tensor_value_info("y", TensorProto.FLOAT, [])], [shape, ones])
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
onnx.save(model, os.path.join(out, "big.onnx"))
np.save(os.path.join(out, "x.npy"), np.array([0.5], np.float32))
