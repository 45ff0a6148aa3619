#!/usr/bin/python3
"""Check that vector-core kernels with enough work use every PE.

Each ONNX model is compiled for a simulated machine up to its kernels
(anvil-compile --emit=linalg, then anvil-opt --anvil-mtia-pipeline printed
after anvil-mtia-form-kernels). Every vector-core launch records the
parallel iterations it had to share out (anvil.parallel_iterations) beside
its PE count; a launch with at least as many parallel iterations as the
machine has PEs must run on all of them. The machine's PE count is read
from the IR's #mtia.target. Exit 1, listing the launches, when one does
not.
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile

LAUNCH = re.compile(r'^(\s*)(?:%\S+ = )?mtia\.launch "([^"]+)" pes\((\d+)\)')
ITERATIONS = re.compile(r"anvil\.parallel_iterations = (\d+)")
NUM_PES = re.compile(r"#mtia\.target<[^>]*num_pes = (\d+)")


def kernels_ir(bin_dir, model, target, work):
    linalg = os.path.join(work, "model.mlir")
    subprocess.run([os.path.join(bin_dir, "anvil-compile"), model,
                    f"--target={target}", "--emit=linalg", "-o", linalg],
                   check=True)
    run = subprocess.run(
        [os.path.join(bin_dir, "anvil-opt"), linalg, "--anvil-mtia-pipeline",
         "--mlir-print-ir-after=anvil-mtia-form-kernels",
         "--mlir-elide-elementsattrs-if-larger=8", "-o", os.devnull],
        check=True, capture_output=True, text=True)
    return run.stderr


def launches(ir):
    """(name, pes, parallel iterations or None) of every launch in `ir`."""
    lines = ir.splitlines()
    found = []
    for i, line in enumerate(lines):
        m = LAUNCH.match(line)
        if not m:
            continue
        indent, name, pes = m.group(1), m.group(2), int(m.group(3))
        iterations = None
        for end in lines[i + 1:]:
            if end.startswith(indent + "}"):
                it = ITERATIONS.search(end)
                iterations = int(it.group(1)) if it else None
                break
        found.append((name, pes, iterations))
    return found


def check(bin_dir, model, target):
    with tempfile.TemporaryDirectory() as work:
        ir = kernels_ir(bin_dir, model, target, work)
    num_pes = int(NUM_PES.search(ir).group(1))
    vector = [k for k in launches(ir) if k[2] is not None]
    short = [k for k in vector if k[2] >= num_pes and k[1] < num_pes]
    name = os.path.basename(model)
    print(f"{name} on {target}: {len(vector)} vector kernels, "
          f"{len(short)} with {num_pes} or more parallel iterations "
          f"on fewer than {num_pes} PEs")
    for kernel, pes, iterations in short:
        print(f"  {kernel}: {iterations} parallel iterations on {pes} PEs")
    return not short


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--bin", required=True)
    parser.add_argument("--target", action="append", required=True)
    parser.add_argument("models", nargs="+", help="ONNX files")
    args = parser.parse_args()
    ok = True
    for model in args.models:
        for target in args.target:
            ok &= check(args.bin, model, target)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
