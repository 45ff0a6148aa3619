"""Writes an nn-dialect model of one convolution with constant weights
(and a bias, a ReLU after it) for implicit im2col, its input and NumPy's
output, with the shapes given: images, channels, size, filters, kernel,
padding, stride and dilation (each one number for both axes, or
STRIDE_H,STRIDE_W for the stride, TOP,LEFT,BOTTOM,RIGHT for the padding).

Usage: implicit_patches.py OUT_DIR N C HW F K PAD STRIDE DILATION
"""
import os
import sys

import numpy as np

out = sys.argv[1]
n, c, hw, f, k = (int(v) for v in sys.argv[2:7])
pads = [int(v) for v in sys.argv[7].split(",")]
top, left, bottom, right = pads * 4 if len(pads) == 1 else pads
sh, sw = (int(v) for v in (sys.argv[8] + "," + sys.argv[8]).split(",")[:2])
d = int(sys.argv[9])
r = np.random.default_rng(7)
x = r.standard_normal((n, c, hw, hw), dtype=np.float32)
w = r.standard_normal((f, c, k, k), dtype=np.float32)
b = r.standard_normal(f, dtype=np.float32)

padded = np.pad(x, ((0, 0), (0, 0), (top, bottom), (left, right)))
span = d * (k - 1) + 1
oh = (hw + top + bottom - span) // sh + 1
ow = (hw + left + right - span) // sw + 1
y = np.zeros((n, f, oh, ow), np.float64)
for i in range(k):
    for j in range(k):
        taps = padded[:, :, i * d:i * d + sh * (oh - 1) + 1:sh,
                      j * d:j * d + sw * (ow - 1) + 1:sw]
        y += np.einsum("nchw,fc->nfhw", taps, w[:, :, i, j])
y = np.maximum(y + b[None, :, None, None], 0).astype(np.float32)
np.save(os.path.join(out, "x.npy"), x)
np.save(os.path.join(out, "ref.npy"), y)


def literal(a):
    return "dense<[" + ", ".join(f"{v:.8e}" for v in a.ravel()) + "]>"


xt = f"tensor<{n}x{c}x{hw}x{hw}xf32>"
yt = f"tensor<{n}x{f}x{oh}x{ow}xf32>"
wt = f"tensor<{f * c * k * k}xf32>"
with open(os.path.join(out, "model.mlir"), "w") as m:
    m.write(f"""func.func @main_graph(%x: {xt} {{anvil.name = "x"}})
    -> ({yt} {{anvil.name = "y"}}) {{
  %flat = nn.constant {literal(w)} : {wt}
  %w = nn.reshape %flat {{shape = array<i64: {f}, {c}, {k}, {k}>}} : {wt} -> tensor<{f}x{c}x{k}x{k}xf32>
  %b = nn.constant {literal(b)} : tensor<{f}xf32>
  %0 = nn.conv %x, %w, %b {{strides = array<i64: {sh}, {sw}>, pads = array<i64: {top}, {left}, {bottom}, {right}>, dilations = array<i64: {d}, {d}>}} : {xt}, tensor<{f}x{c}x{k}x{k}xf32>, tensor<{f}xf32> -> {yt} loc("Conv_1")
  %1 = nn.relu %0 : {yt} loc("Relu_2")
  return %1 : {yt}
}}
""")
