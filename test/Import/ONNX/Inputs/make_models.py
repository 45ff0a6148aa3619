"""Writes small ONNX models exercising the importer's error paths to argv[1]."""
import os
import random
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

out = sys.argv[1]
os.makedirs(out, exist_ok=True)


def save(name, nodes, inputs, outputs, initializers=(), opset=17):
    graph = helper.make_graph(nodes, name, inputs, outputs, list(initializers))
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    onnx.save(model, os.path.join(out, name + ".onnx"))
    return os.path.join(out, name + ".onnx")


f32 = lambda name, shape: helper.make_tensor_value_info(name, TensorProto.FLOAT, shape)

# Three unsupported operators, one unsupported attribute value, a custom
# domain, and a supported node in between: all five problems in one report.
save("unsupported", [
    helper.make_node("Relu", ["x"], ["a"], name="relu_ok"),
    helper.make_node("NonZero", ["a"], ["b"], name="nonzero_1"),
    helper.make_node("Unique", ["a"], ["c"], name="unique_1"),
    helper.make_node("Pad", ["a", "pads"], ["d"], name="pad_wrap", mode="wrap"),
    helper.make_node("Frobnicate", ["a"], ["e"], name="custom_1", domain="com.example"),
    helper.make_node("Det", ["a"], ["f"], name="det_1"),
], [f32("x", [2, 3])], [f32("b", None), f32("c", None), f32("d", None),
                        f32("e", None), f32("f", None)],
    [numpy_helper.from_array(np.array([0, 1, 0, 1], np.int64), "pads")])

# A dynamic batch dimension, to be pinned with --input-shape.
save("dynamic", [helper.make_node("Relu", ["x"], ["y"], name="relu")],
     [f32("x", ["batch", 3])], [f32("y", ["batch", 3])])

# Shapes that do not broadcast: a malformed model, named by its node.
save("bad_shapes", [helper.make_node("Add", ["x", "z"], ["y"], name="add_1")],
     [f32("x", [2, 3]), f32("z", [4])], [f32("y", [2, 3])])

# An initializer whose external data points outside the model directory.
weight = numpy_helper.from_array(np.ones(4, np.float32), "w")
weight.data_location = TensorProto.EXTERNAL
del weight.external_data[:]
for key, value in (("location", "../outside.bin"), ("offset", "0"), ("length", "16")):
    entry = weight.external_data.add()
    entry.key, entry.value = key, value
weight.ClearField("raw_data")
with open(os.path.join(out, "..", "outside.bin"), "wb") as f:
    f.write(np.ones(4, np.float32).tobytes())
save("external_outside", [helper.make_node("Add", ["x", "w"], ["y"], name="add_w")],
     [f32("x", [4])], [f32("y", [4])], [weight])

# A required input given as the empty name (ONNX's "omitted optional"), and
# a constant far beyond any real model's size.
save("missing_input", [helper.make_node("Conv", ["x", ""], ["y"], name="conv_no_weight")],
     [f32("x", [1, 1, 4, 4])], [f32("y", None)])
save("huge_constant", [helper.make_node("ConstantOfShape", ["shape"], ["y"], name="too_big",
                                        value=numpy_helper.from_array(np.ones(1, np.float32)))],
     [], [f32("y", None)],
     [numpy_helper.from_array(np.array([1 << 20, 1 << 20], np.int64), "shape")])

# A valid model, then its first half, then random bytes.
path = save("valid", [helper.make_node("Sigmoid", ["x"], ["y"], name="sig")],
            [f32("x", [2, 3])], [f32("y", [2, 3])])
data = open(path, "rb").read()
open(os.path.join(out, "truncated.onnx"), "wb").write(data[: len(data) // 2])
rng = random.Random(1234)
open(os.path.join(out, "random.onnx"), "wb").write(
    bytes(rng.randrange(256) for _ in range(4096)))
np.save(os.path.join(out, "x23.npy"), np.linspace(-2, 2, 6, dtype=np.float32).reshape(2, 3))
np.save(os.path.join(out, "x33.npy"), np.zeros((3, 3), np.float32))
np.save(os.path.join(out, "sigmoid_ref.npy"),
        1 / (1 + np.exp(-np.linspace(-2, 2, 6, dtype=np.float32).reshape(2, 3))))
np.save(os.path.join(out, "wrong_ref.npy"), np.zeros((2, 3), np.float32))

# A shape-valued graph input: refused until bound with --bind-input; the
# data files hold the bound value, a mistyped one, and the run's input.
i64 = lambda name, shape: helper.make_tensor_value_info(name, TensorProto.INT64, shape)
save("reshape_input", [helper.make_node("Reshape", ["x", "shape"], ["y"], name="reshape_1"),
                       helper.make_node("Relu", ["y"], ["z"], name="relu_after")],
     [f32("x", [2, 3]), i64("shape", [2])], [f32("z", None)])
for name, value in [("shape_3x2", np.array([3, 2], np.int64)),
                    ("shape_f32", np.array([3, 2], np.float32)),
                    ("x_in", np.arange(-3, 3, dtype=np.float32).reshape(2, 3))]:
    with open(os.path.join(out, name + ".pb"), "wb") as f:
        f.write(numpy_helper.from_array(value, "shape" if name != "x_in" else "x")
                .SerializeToString())

# An opset newer than Anvil knows is refused, not read with old semantics.
save("opset_23", [helper.make_node("Relu", ["x"], ["y"], name="relu")],
     [f32("x", [2])], [f32("y", [2])], opset=23)

# A slice with run-time bounds (a data-dependent shape) may only be summed
# over its axis; anything else is refused, naming the node.
save("runtime_slice", [
    helper.make_node("Slice", ["x", "start", "end"], ["s"], name="bag"),
    helper.make_node("ReduceSum", ["s", "axis0"], ["total"], name="bag_sum", keepdims=0),
    helper.make_node("Relu", ["s"], ["r"], name="relu_of_bag"),
], [f32("x", [5, 2]), i64("start", [1]), i64("end", [1])],
    [f32("total", [2]), f32("r", None)],
    [numpy_helper.from_array(np.array([0], np.int64), "axis0")])
save("runtime_slice_sum", [
    helper.make_node("Slice", ["x", "start", "end"], ["s"], name="bag"),
    helper.make_node("ReduceSum", ["s", "axis0"], ["total"], name="bag_sum", keepdims=0),
], [f32("x", [5, 2]), i64("start", [1]), i64("end", [1])], [f32("total", [2])],
    [numpy_helper.from_array(np.array([0], np.int64), "axis0")])
for name, value in [("x52", np.arange(10, dtype=np.float32).reshape(5, 2)),
                    ("start1", np.array([1], np.int64)),
                    ("end4", np.array([4], np.int64))]:
    np.save(os.path.join(out, name + ".npy"), value)

# An op whose nn form does not take the model's element type: the verifier's
# rejection is reported at the node, not as a bare count.
u8 = lambda name, shape: helper.make_tensor_value_info(name, TensorProto.UINT8, shape)
save("avgpool_uint8", [helper.make_node("AveragePool", ["x"], ["y"], name="pool_u8",
                                        kernel_shape=[2, 2])],
     [u8("x", [1, 1, 4, 4])], [u8("y", [1, 1, 3, 3])])

# A Loop whose body's condition is a float: it can neither be unrolled (its
# trip count is an input) nor stay a loop; both reasons are given.
cond_body = helper.make_graph(
    [helper.make_node("Identity", ["a"], ["a2"]),
     helper.make_node("Identity", ["a"], ["a3"])], "body",
    [helper.make_tensor_value_info("i", TensorProto.INT64, []),
     helper.make_tensor_value_info("c", TensorProto.BOOL, []), f32("a", [2])],
    [f32("a2", [2]), f32("a3", [2])])
save("loop_float_condition",
     [helper.make_node("Loop", ["m", "c0", "a0"], ["af"], name="loop_1",
                       body=cond_body)],
     [helper.make_tensor_value_info("m", TensorProto.INT64, []),
      helper.make_tensor_value_info("c0", TensorProto.BOOL, []), f32("a0", [2])],
     [f32("af", [2])])
