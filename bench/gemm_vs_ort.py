#!/usr/bin/python3
"""Anvil's host GEMM kernel next to ONNX Runtime's MatMul, one thread.

For each M x N x K: anvil-gemm-bench gives anvil_sgemm's GFLOP/s and its
fraction of the FMA peak measured alongside; ONNX Runtime (bench/ort_run.js)
times a one-node MatMul model (A an input, B an initializer) on the same
shape. Alternating rounds, medians; the table gives both and their ratio.
Needs `npm install --ignore-scripts` in bench/ first.

    /usr/bin/python3 bench/gemm_vs_ort.py --bin build/bin
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
# 1024^3 is the acceptance shape; the others are ResNet-50 convolutions as
# products (filters x pixels x C*KH*KW) and a BERT-base projection.
SHAPES = ["1024x1024x1024", "64x3136x576", "256x784x1152", "512x49x4608",
          "128x768x3072"]


def matmul_model(m, n, k, directory):
    rng = np.random.default_rng(0)
    b = numpy_helper.from_array(rng.standard_normal((k, n), np.float32), "B")
    graph = helper.make_graph(
        [helper.make_node("MatMul", ["A", "B"], ["C"])], "matmul",
        [helper.make_tensor_value_info("A", TensorProto.FLOAT, [m, k])],
        [helper.make_tensor_value_info("C", TensorProto.FLOAT, [m, n])], [b])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    path = os.path.join(directory, "matmul_%dx%dx%d.onnx" % (m, n, k))
    onnx.save(model, path)
    a_path = path.replace(".onnx", ".a.npy")
    np.save(a_path, rng.standard_normal((m, k), np.float32))
    return path, a_path


def ort_gflops(model, a_path, flops, runs):
    out = subprocess.run(["node", os.path.join(HERE, "ort_run.js"), model,
                          "1", "2", str(runs), a_path],
                         capture_output=True, text=True, check=True).stdout
    return flops / (json.loads(out)["median_ms"] / 1e3) / 1e9


def anvil_gflops(bin_dir, shape, runs):
    out = subprocess.run([os.path.join(bin_dir, "anvil-gemm-bench"),
                          "--rounds=%d" % runs, shape],
                         capture_output=True, text=True, check=True).stdout
    result = json.loads(out)
    entry = result["shapes"][0]
    return entry["gflops"], entry["fraction_of_peak"], entry["fma_peak_gflops"], result["isa"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--bin", required=True)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--json", help="also write the results here")
    parser.add_argument("shapes", nargs="*", default=SHAPES)
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for shape in args.shapes:
            m, n, k = (int(v) for v in shape.split("x"))
            model, a_path = matmul_model(m, n, k, tmp)
            anvil, ort, fractions, peaks = [], [], [], []
            for _ in range(args.rounds):
                gflops, fraction, peak, isa = anvil_gflops(args.bin, shape,
                                                           args.runs)
                anvil.append(gflops)
                fractions.append(fraction)
                peaks.append(peak)
                ort.append(ort_gflops(model, a_path, 2.0 * m * n * k, args.runs))
            rows.append({"shape": shape, "isa": isa,
                         "anvil_gflops": statistics.median(anvil),
                         "fraction_of_peak": statistics.median(fractions),
                         "fma_peak_gflops": statistics.median(peaks),
                         "ort_gflops": statistics.median(ort)})
    print("| M x N x K | Anvil GFLOP/s | of FMA peak | ORT MatMul GFLOP/s | Anvil / ORT |")
    print("| --- | --- | --- | --- | --- |")
    for r in rows:
        print("| %s | %.1f | %.0f%% (peak %.1f, %s) | %.1f | %.2f |" % (
            r["shape"], r["anvil_gflops"], 100 * r["fraction_of_peak"],
            r["fma_peak_gflops"], r["isa"], r["ort_gflops"],
            r["anvil_gflops"] / r["ort_gflops"]))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(rows, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
