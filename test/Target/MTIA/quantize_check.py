"""Checks an i8-policy product against NumPy's f32 product.

Usage: quantize_check.py A.npy B.npy Y.npy [BIAS]

Symmetric quantization per row of A and per column of B, rounded to
nearest, is off by at most half a step per element: |A - A_q s_a| <= s_a / 2
with s_a[i] = max_k |A[i, k]| / 127 (likewise for B). The product is then
off by at most 1/2 (s_a[i] sum_k |B[k, j]| + s_b[j] sum_k |A[i, k]|) +
K s_a[i] s_b[j] / 4, plus f32 rounding of the rescale and the sums. Every
element must lie within that bound, and, so that a loose bound cannot hide
a wrong result, the relative L2 error must be below 2%.
"""
import sys

import numpy as np


def quantization_bound(a, b, bias):
    """The bound above on each element of a @ b + bias (bias: a scalar or
    one per row)."""
    sa = np.abs(a).max(axis=1) / 127
    sb = np.abs(b).max(axis=0) / 127
    k = a.shape[1]
    bound = 0.5 * (np.outer(sa, np.abs(b).sum(axis=0)) +
                   np.outer(np.abs(a).sum(axis=1), sb)) + \
        k * np.outer(sa, sb) / 4
    return bound + 1e-5 * (np.abs(a) @ np.abs(b) + np.abs(bias))


def check(y, want, bound):
    err = np.abs(y - want)
    worst = (err / bound).max()
    relative = np.linalg.norm(y - want) / np.linalg.norm(want)
    print(f"max |error| {err.max():.3g}; largest error / bound {worst:.3f}; "
          f"relative L2 error {relative:.2e}")
    assert worst <= 1.0, "beyond the quantization bound"
    assert relative <= 0.02, "relative L2 error too large for an i8 product"


if __name__ == "__main__":
    a, b, y = (np.load(p).astype(np.float64) for p in sys.argv[1:4])
    bias = float(sys.argv[4]) if len(sys.argv) > 4 else 0.0
    check(y, a @ b + bias, quantization_bound(a, b, bias))
