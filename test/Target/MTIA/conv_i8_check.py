"""Checks an i8-policy convolution with a bias per channel, a ReLU and an
added constant against NumPy, within the quantization bound of its product
(quantize_check.py): the convolution is W [F, C*KH*KW] times the input's
patches [C*KH*KW, OH*OW] (stride 1, no padding, one image), and a ReLU
moves no element further from its reference than its input was.

Usage: conv_i8_check.py X.npy W.npy BIAS.npy Y.npy ADDED
"""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from quantize_check import check, quantization_bound  # noqa: E402

x, w, bias, y = (np.load(p).astype(np.float64) for p in sys.argv[1:5])
added = float(sys.argv[5])
f, c, kh, kw = w.shape
windows = np.lib.stride_tricks.sliding_window_view(x[0], (kh, kw),
                                                   axis=(1, 2))
oh, ow = windows.shape[1:3]
patches = windows.transpose(0, 3, 4, 1, 2).reshape(c * kh * kw, oh * ow)
a = w.reshape(f, -1)
want = a @ patches + bias[:, None]
bound = quantization_bound(a, patches, bias[:, None])
check(y.reshape(f, -1) - added, np.maximum(want, 0), bound)
