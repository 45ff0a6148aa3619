#!/usr/bin/python3
"""Compile cost against graph size, and of networks with squeeze-and-
excitation blocks, on the host and mtia-v1.

A chain of N elementwise ops (Sin, Cos, Tanh, Exp, Sigmoid in turn on a
1x64 tensor, opset 17) is compiled for each N; then torchvision 0.14's
MobileNetV3-small and EfficientNet-B0 (random weights, opset 17: both have
squeeze-and-excitation blocks, whose 1x1 convolutions on 1x1 images once
unrolled into a scalar FMA per channel pair). Each figure is the median
wall time of --repeats compiles and the largest peak memory
(/usr/bin/time). Prints a table and writes compile_cost.json to --out.

usage: compile_cost.py --bin build/bin [--lengths 100,...] [--cache DIR]
                       [--out DIR] [--repeats 3]
"""
import argparse
import json
import os
import statistics
import subprocess
import tempfile
import time

TARGETS = ["host", "mtia-v1"]
CHAIN_OPS = ["Sin", "Cos", "Tanh", "Exp", "Sigmoid"]


def chain(n, cache):
    path = os.path.join(cache, "chain%d.onnx" % n)
    if os.path.exists(path):
        return path
    import onnx
    from onnx import TensorProto, helper
    nodes, prev = [], "x"
    for i in range(n):
        out = "y" if i == n - 1 else "t%d" % i
        nodes.append(helper.make_node(CHAIN_OPS[i % len(CHAIN_OPS)], [prev],
                                      [out], name="n%d" % i))
        prev = out
    shape = [1, 64]
    graph = helper.make_graph(
        nodes, "chain",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, shape)],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, shape)])
    onnx.save(helper.make_model(graph, opset_imports=[
        helper.make_opsetid("", 17)]), path)
    return path


def torchvision_model(name, cache):
    path = os.path.join(cache, "%s.onnx" % name)
    if os.path.exists(path):
        return path
    import torch
    import torchvision
    torch.manual_seed(0)
    model = getattr(torchvision.models, name)().eval()
    with torch.no_grad():
        torch.onnx.export(model, (torch.randn(1, 3, 224, 224),), path,
                          opset_version=17)
    return path


def compile_once(bin_dir, model, target, tmp):
    stats = os.path.join(tmp, "time.txt")
    start = time.time()
    done = subprocess.run(["/usr/bin/time", "-f", "%M", "-o", stats,
                           os.path.join(bin_dir, "anvil-compile"), model,
                           "--target=" + target, "-q",
                           "-o", os.path.join(tmp, "model.so")],
                          capture_output=True, text=True)
    seconds = time.time() - start
    if done.returncode != 0:
        raise RuntimeError("%s --target=%s failed: %s" % (
            model, target, done.stderr.strip()))
    with open(stats) as f:
        peak_kb = int(f.read().split()[-1])
    return seconds, peak_kb


def measure(bin_dir, model, target, repeats):
    with tempfile.TemporaryDirectory(prefix="anvil-cost-") as tmp:
        runs = [compile_once(bin_dir, model, target, tmp)
                for _ in range(repeats)]
    return {"seconds": statistics.median(r[0] for r in runs),
            "peak_mb": max(r[1] for r in runs) / 1024}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--bin", required=True)
    parser.add_argument("--lengths", default="100,300,1000,3000,10000")
    parser.add_argument("--cache", default=os.path.join(
        tempfile.gettempdir(), "anvil-compile-cost"))
    parser.add_argument("--out", default="bench-results")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    os.makedirs(args.cache, exist_ok=True)
    os.makedirs(args.out, exist_ok=True)
    models = [("chain%s" % n, chain(int(n), args.cache))
              for n in args.lengths.split(",")]
    models += [(name, torchvision_model(name, args.cache))
               for name in ["mobilenet_v3_small", "efficientnet_b0"]]
    results = {}
    print("%-20s %-8s %9s %9s" % ("model", "target", "seconds", "peak MB"))
    for name, path in models:
        for target in TARGETS:
            r = measure(args.bin, path, target, args.repeats)
            results.setdefault(name, {})[target] = r
            print("%-20s %-8s %9.2f %9.0f" % (name, target, r["seconds"],
                                              r["peak_mb"]), flush=True)
    with open(os.path.join(args.out, "compile_cost.json"), "w") as f:
        json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
