"""LRN with windows wider than the channels, and PyTorch's results.

    make_lrn.py DIR

Writes x.npy (2 x 3 x 4 x 5) and, for window sizes 5, 9 and 2^31 - 1 over
its 3 channels, lrn_SIZE.onnx with lrn_SIZE_ref.npy from
torch.nn.functional.local_response_norm. A window that covers every
channel sums all of them, so the 2^31 - 1 window's reference is PyTorch's
7-wide one (which covers them too) with alpha scaled by 7 / (2^31 - 1).
"""

import os
import sys

import numpy as np
import onnx
import torch
from onnx import TensorProto, helper

directory = sys.argv[1]
x = np.random.default_rng(3).standard_normal((2, 3, 4, 5)).astype(np.float32)
np.save(os.path.join(directory, "x.npy"), x)
alpha, beta, bias = 0.5, 0.75, 2.0
for size in (5, 9, 2**31 - 1):
    node = helper.make_node("LRN", ["x"], ["y"], size=size, alpha=alpha,
                            beta=beta, bias=bias)
    graph = helper.make_graph(
        [node], "lrn", [helper.make_tensor_value_info("x", TensorProto.FLOAT,
                                                      list(x.shape))],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)])
    model = helper.make_model(graph,
                              opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    onnx.save(model, os.path.join(directory, "lrn_%d.onnx" % size))
    window = min(size, 7)
    ref = torch.nn.functional.local_response_norm(
        torch.from_numpy(x), window, alpha=alpha * window / size, beta=beta,
        k=bias)
    np.save(os.path.join(directory, "lrn_%d_ref.npy" % size), ref.numpy())
