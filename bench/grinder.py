#!/usr/bin/python3
"""Grinder against the control flow it replaces, on the simulated machines.

Each model with loops or branches is compiled for mtia-v1 and mtia-2i
twice, as it is by default (Grinder's placement: loops and branches on
the device) and with --disable=grinder (the host runs them and launches
the kernels of each iteration and branch), and each input set runs on
the simulator (deterministic: one run each). A rolled recurrent model is
also compiled unrolled (--rnn=unroll, the control flow gone, Rammer's
program over all steps) for comparison. Prints per model, machine and
input set the simulated times, their ratio and the jobs, and writes
grinder.json.

The models: the torch.export fixtures with a branch (torch2/cond) and a
loop over images (torch2/small_cnn); the two-layer LSTM fixture and the
suite's 4- and 10-layer LSTMs kept as loops (--rnn=loop); the ONNX while
loop of test/Import/ONNX/loops.test; and the control-flow suite models
(test/models/control_models.py: a greedy decoder, a gated ResNet), each
with input sets that take different paths.

usage: grinder.py --bin build/bin [--cache DIR] [--out DIR] [NAME...]
"""
import argparse
import glob
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
FIXTURES = os.path.join(ROOT, "test", "fixtures")
LOOPS = os.path.join(ROOT, "test", "Import", "ONNX", "Inputs", "loops")
TARGETS = ["mtia-v1", "mtia-2i"]


def input_sets(base):
    """The input sets next to `base`: BASE.input*.npy, or BASE.setK.input*."""
    single = sorted(glob.glob(base + ".input*.npy"))
    if single:
        return {"0": single}
    sets = {}
    for path in sorted(glob.glob(base + ".set*.input*.npy")):
        name = path[len(base) + 1:].split(".")[0]
        sets.setdefault(name, []).append(path)
    return sets


def control_models(cache):
    """Exports the control-flow suite models into the cache."""
    out = os.path.join(cache, "control")
    if not os.path.exists(os.path.join(out, "gated_resnet.onnx")):
        os.makedirs(out, exist_ok=True)
        subprocess.run([sys.executable, os.path.join(
            ROOT, "test", "Target", "MTIA", "Inputs", "make_control.py"), out],
            check=True, stdout=subprocess.DEVNULL)
    return out


def models(cache):
    """name -> (onnx path, {set: inputs}, extra compile flags, unrolled?)"""
    control = control_models(cache)
    found = {
        "torch2/cond": (os.path.join(FIXTURES, "torch2", "cond.onnx"),
                        input_sets(os.path.join(FIXTURES, "torch2", "cond")),
                        [], False),
        "torch2/small_cnn": (
            os.path.join(FIXTURES, "torch2", "small_cnn.onnx"),
            input_sets(os.path.join(FIXTURES, "torch2", "small_cnn")), [],
            False),
        "torch2/lstm2": (os.path.join(FIXTURES, "torch2", "lstm2.onnx"),
                         input_sets(os.path.join(FIXTURES, "torch2", "lstm2")),
                         ["--rnn=loop"], True),
        "loop_while": (os.path.join(LOOPS, "loop_while.onnx"),
                       input_sets(os.path.join(LOOPS, "loop_while")), [],
                       False),
        "greedy_decoder": (
            os.path.join(control, "greedy_decoder.onnx"),
            {str(k): [os.path.join(control, "decoder_%d.input0.npy" % k)]
             for k in range(3)}, [], False),
        "gated_resnet": (
            os.path.join(control, "gated_resnet.onnx"),
            {str(k): [os.path.join(control, "gated_%d.input0.npy" % k)]
             for k in range(2)}, [], False),
    }
    for name in ["lstm4", "lstm10"]:
        onnx = os.path.join(cache, name + ".onnx")
        if os.path.exists(onnx):
            # The 10-layer LSTM unrolled takes minutes to compile.
            found[name] = (onnx, {"0": [os.path.join(cache, name +
                                                     ".input0.npy")]},
                           ["--rnn=loop"], name == "lstm4")
    return found


def simulate(bin_dir, onnx, flags, target, inputs, tmp):
    artifact = os.path.join(tmp, "model.so")
    built = subprocess.run([os.path.join(bin_dir, "anvil-compile"), onnx,
                            "-o", artifact, "--target=" + target] + flags,
                           capture_output=True, text=True)
    if built.returncode != 0:
        raise RuntimeError(built.stderr.strip().splitlines()[-1])
    figures = {}
    for name, paths in inputs.items():
        ran = subprocess.run([os.path.join(bin_dir, "anvil-run"), artifact,
                              "--report=json"] +
                             ["--input=" + p for p in paths],
                             capture_output=True, text=True, check=True)
        report = json.loads(ran.stdout)["simulation"]
        figures[name] = {"simulated_us": report["microseconds"],
                         "jobs": report["jobs"]}
    return figures


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--bin", required=True)
    parser.add_argument("--cache", default=os.path.expanduser(
        "~/.cache/anvil/models"))
    parser.add_argument("--out", default="bench-results")
    parser.add_argument("models", nargs="*")
    args = parser.parse_args()
    table = models(args.cache)
    names = args.models or list(table)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name in names:
            onnx, inputs, flags, unrolls = table[name]
            for target in TARGETS:
                sides = {"grinder": flags,
                         "host": flags + ["--disable=grinder"]}
                if unrolls:
                    sides["unrolled"] = ["--rnn=unroll"]
                figures = {side: simulate(args.bin, onnx, side_flags, target,
                                          inputs, tmp)
                           for side, side_flags in sides.items()}
                for key in inputs:
                    row = {"model": name, "target": target, "inputs": key}
                    for side in sides:
                        row[side] = figures[side][key]
                    rows.append(row)
                    print_row(row)
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "grinder.json"), "w") as f:
        json.dump({"rows": rows}, f, indent=1)


def print_row(row):
    g, h = row["grinder"], row["host"]
    line = ("%s (%s) on %s: grinder %.1f us (%d jobs), host-driven %.1f us "
            "(%d jobs), %.2fx" % (row["model"], row["inputs"], row["target"],
                                  g["simulated_us"], g["jobs"],
                                  h["simulated_us"], h["jobs"],
                                  h["simulated_us"] / g["simulated_us"]))
    if "unrolled" in row:
        u = row["unrolled"]
        line += "; unrolled %.1f us (%d jobs), grinder/unrolled %.2fx" % (
            u["simulated_us"], u["jobs"], g["simulated_us"] / u["simulated_us"])
    print(line, flush=True)


if __name__ == "__main__":
    main()
