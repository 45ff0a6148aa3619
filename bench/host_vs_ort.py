#!/usr/bin/python3
"""Anvil on the host next to ONNX Runtime, same machine, same thread count.

For each model: export (test/models/torchvision_models.py), compile with
/usr/bin/time -v (compile seconds, peak memory), then alternate ROUNDS
rounds of anvil-run --benchmark and ONNX Runtime (bench/ort_run.js) so that
machine noise hits both alike; each round is the median of RUNS timed runs
after warm-up, and the table gives the median over rounds and the ratio.
Needs `npm install --ignore-scripts` in bench/ first.
"""

import argparse
import json
import os
import re
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "test", "models"))
import torchvision_models  # noqa: E402


def compile_model(bin_dir, onnx_path, artifact):
    res = subprocess.run(["/usr/bin/time", "-v",
                          os.path.join(bin_dir, "anvil-compile"), onnx_path,
                          "-o", artifact], capture_output=True, text=True,
                         check=True)
    wall = re.search(r"Elapsed \(wall clock\) time.*: (\S+)", res.stderr)[1]
    parts = [float(p) for p in wall.split(":")]
    seconds = sum(p * 60 ** i for i, p in enumerate(reversed(parts)))
    peak_kb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)",
                            res.stderr)[1])
    return seconds, peak_kb / 1024


def anvil_median(bin_dir, artifact, inp, threads, runs):
    out = subprocess.run([os.path.join(bin_dir, "anvil-run"), artifact,
                          "--input=" + inp, "--benchmark=%d" % runs,
                          "--warmup=3", "--threads=%d" % threads],
                         capture_output=True, text=True, check=True).stdout
    return float(re.search(r"median ([\d.]+) ms", out)[1])


def ort_median(onnx_path, inp, threads, runs):
    out = subprocess.run(["node", os.path.join(HERE, "ort_run.js"), onnx_path,
                          inp, str(threads), "3", str(runs)],
                         capture_output=True, text=True, check=True).stdout
    return json.loads(out)["median_ms"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--bin", required=True)
    parser.add_argument("--cache", default=os.path.expanduser(
        "~/.cache/anvil/models"))
    parser.add_argument("--threads", type=int, action="append")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--json", help="also write the results here")
    parser.add_argument("models", nargs="*",
                        default=["resnet18", "resnet50", "mobilenet_v2"])
    args = parser.parse_args()
    os.makedirs(args.cache, exist_ok=True)
    rows = []
    print("%-13s %7s %9s %10s %10s %10s %7s" % (
        "model", "threads", "compile", "peak MiB", "anvil ms", "ort ms",
        "ratio"))
    for name in args.models:
        paths = torchvision_models.export(name, args.cache)
        artifact = os.path.join(args.cache, name + ".bench.so")
        seconds, peak = compile_model(args.bin, paths["onnx"], artifact)
        for threads in args.threads or [1, 2]:
            anvil, ort = [], []
            for _ in range(args.rounds):
                anvil.append(anvil_median(args.bin, artifact,
                                          paths["input.npy"], threads,
                                          args.runs))
                ort.append(ort_median(paths["onnx"], paths["input.npy"],
                                      threads, args.runs))
            a, o = statistics.median(anvil), statistics.median(ort)
            rows.append({"model": name, "threads": threads,
                         "compile_s": seconds, "compile_peak_mib": peak,
                         "anvil_ms": a, "ort_ms": o, "ratio": a / o})
            print("%-13s %7d %8.1fs %10.0f %10.1f %10.1f %6.2fx" % (
                name, threads, seconds, peak, a, o, a / o))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(rows, f, indent=1)


if __name__ == "__main__":
    main()
