"""Products of an f16 model, for the accelerators' DPE.

    f16_products.py make DIR      models, inputs and PyTorch's f32 results
    f16_products.py check REF GOT A B

`make` writes matmul.onnx (70 x 300 by 300 x 90: partial C tiles and a
short last slice), gemm_bias.onnx (the same plus a bias, added by a
second kernel), batch_matmul.onnx ([3, 33, 40] by [3, 40, 50]),
conv.onnx (3 x 3, padding 1, 5 -> 24 channels on 2 x 5 x 11 x 13) and
pointwise.onnx (1 x 1 with a bias, 40 -> 24 channels on 2 x 40 x 9 x 7:
one product over both images without patches, adding to C), each
with its inputs' .npy files and NAME_ref.npy: PyTorch's result in f32 of
the same f16 values; and the inputs of Inputs/matmul_add_f16.mlir (C + A
B, C an input: the DPE kernel loads C). `check` holds an f16 output to
that reference within what f16 storage allows: half a unit in the last
place of the result and of the product before an addition (each rounded
to f16 once), at most 2^-11 of each, plus the f32 summation's error,
2^-20 of the sum of |a||b| over the reduction (A and B the product's
operands).
"""

import os
import sys

import numpy as np


def save_model(path, nodes, inputs, output, inits):
    import onnx
    from onnx import TensorProto, helper
    graph = helper.make_graph(
        nodes, "f16",
        [helper.make_tensor_value_info(n, TensorProto.FLOAT16, s)
         for n, s in inputs],
        [helper.make_tensor_value_info(output, TensorProto.FLOAT16, None)],
        inits)
    model = helper.make_model(graph,
                              opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.save(model, path)


def make(directory):
    import torch
    from onnx import helper, numpy_helper
    rng = np.random.default_rng(7)

    def f16(*shape):
        return rng.standard_normal(shape).astype(np.float16)

    def store(name, **arrays):
        for key, value in arrays.items():
            np.save(os.path.join(directory, "%s_%s.npy" % (name, key)), value)

    def f32(x):
        return torch.from_numpy(x.astype(np.float32))

    a, b, bias = f16(70, 300), f16(300, 90), f16(90)
    save_model(os.path.join(directory, "matmul.onnx"),
               [helper.make_node("MatMul", ["a", "b"], ["y"])],
               [("a", [70, 300]), ("b", [300, 90])], "y", [])
    store("matmul", a=a, b=b, ref=torch.matmul(f32(a), f32(b)).numpy())
    save_model(os.path.join(directory, "gemm_bias.onnx"),
               [helper.make_node("Gemm", ["a", "b", "bias"], ["y"])],
               [("a", [70, 300])], "y",
               [numpy_helper.from_array(b, "b"),
                numpy_helper.from_array(bias, "bias")])
    store("gemm_bias", a=a, b=b,
          ref=(torch.matmul(f32(a), f32(b)) + f32(bias)).numpy())
    c = f16(70, 90)
    store("matmul_add", a=a, b=b, c=c,
          ref=(f32(c) + torch.matmul(f32(a), f32(b))).numpy())

    x, y = f16(3, 33, 40), f16(3, 40, 50)
    save_model(os.path.join(directory, "batch_matmul.onnx"),
               [helper.make_node("MatMul", ["x", "y"], ["z"])],
               [("x", [3, 33, 40]), ("y", [3, 40, 50])], "z", [])
    store("batch_matmul", a=x, b=y, ref=torch.matmul(f32(x), f32(y)).numpy())

    image, w = f16(2, 5, 11, 13), (f16(24, 5, 3, 3) * 0.5).astype(np.float16)
    save_model(os.path.join(directory, "conv.onnx"),
               [helper.make_node("Conv", ["x", "w"], ["y"], pads=[1, 1, 1, 1])],
               [("x", [2, 5, 11, 13])], "y",
               [numpy_helper.from_array(w, "w")])
    store("conv", a=image, b=w,
          ref=torch.nn.functional.conv2d(f32(image), f32(w),
                                         padding=1).numpy())

    image, w, bias = f16(2, 40, 9, 7), f16(24, 40, 1, 1), f16(24)
    save_model(os.path.join(directory, "pointwise.onnx"),
               [helper.make_node("Conv", ["x", "w", "bias"], ["y"])],
               [("x", [2, 40, 9, 7])], "y",
               [numpy_helper.from_array(w, "w"),
                numpy_helper.from_array(bias, "bias")])
    store("pointwise", a=image, b=w,
          ref=torch.nn.functional.conv2d(f32(image), f32(w),
                                         f32(bias)).numpy())


def product(a, b):
    """The product of the two f16 operands in f32 (where b is a filter, a
    convolution that keeps the image's size)."""
    import torch
    a = torch.from_numpy(a.astype(np.float32))
    b = torch.from_numpy(b.astype(np.float32))
    if b.dim() == 4:
        return torch.nn.functional.conv2d(
            a, b, padding=(b.shape[2] - 1) // 2).numpy()
    return torch.matmul(a, b).numpy()


def check(ref_path, got_path, a_path, b_path):
    ref = np.load(ref_path).astype(np.float64)
    got = np.load(got_path)
    if got.dtype != np.float16 or got.shape != ref.shape:
        print("output is %s %s, expected float16 %s" %
              (got.dtype, got.shape, ref.shape))
        return 1
    a, b = np.load(a_path), np.load(b_path)
    bound = ((np.abs(ref) + np.abs(product(a, b))) * 2.0 ** -11 +
             product(np.abs(a), np.abs(b)) * 2.0 ** -20 + 2.0 ** -24)
    error = np.abs(got.astype(np.float64) - ref)
    beyond = int((error > bound).sum())
    print("%s: max error %.3g, %d of %d elements beyond f16's bound" %
          (os.path.basename(got_path), error.max(), beyond, ref.size))
    return 1 if beyond else 0


if __name__ == "__main__":
    if sys.argv[1] == "make":
        make(sys.argv[2])
        sys.exit(0)
    sys.exit(check(*sys.argv[2:6]))
