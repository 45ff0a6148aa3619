#!/usr/bin/python3
"""Compile time against sequence length: a stacked LSTM kept as loops
(--rnn=loop) and copied out per step (--rnn=unroll), side by side.

The model is Cocktailer's LSTM benchmark shape: 10 layers, hidden and input
256, batch 1, exported by PyTorch 1.13 at opset 17 (one ONNX LSTM per
layer) for each sequence length into the cache. Each (target, form,
length) is compiled --repeats times; the figure is the median wall time
and the largest peak memory (/usr/bin/time). An unrolled compile that
passes --timeout seconds is recorded as such and longer lengths of that
form are skipped.

usage: compile_time.py --bin build/bin [--steps 32,64,...] [--out DIR]
"""
import argparse
import json
import os
import signal
import statistics
import subprocess
import tempfile
import time

import torch

LAYERS, WIDTH = 10, 256


def export(steps, cache):
    path = os.path.join(cache, "lstm%d_%dsteps.onnx" % (LAYERS, steps))
    if not os.path.exists(path):
        torch.manual_seed(0)
        model = torch.nn.LSTM(WIDTH, WIDTH, num_layers=LAYERS).eval()
        with torch.no_grad():
            torch.onnx.export(model, (torch.randn(steps, 1, WIDTH),), path,
                              opset_version=17)
    return path


def compile_once(bin_dir, model, target, form, timeout, tmp):
    out = os.path.join(tmp, "model.so")
    stats = os.path.join(tmp, "time.txt")
    start = time.time()
    # Its own process group: a compile past the timeout is killed with
    # /usr/bin/time, not left running beside the next one.
    proc = subprocess.Popen(["/usr/bin/time", "-f", "%M", "-o", stats,
                             os.path.join(bin_dir, "anvil-compile"), model,
                             "--target=" + target, "--rnn=" + form, "-o", out],
                            stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL,
                            start_new_session=True)
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        return None, None
    if proc.returncode != 0:
        raise RuntimeError("%s --target=%s --rnn=%s failed" % (model, target,
                                                              form))
    seconds = time.time() - start
    with open(stats) as f:
        peak_kb = int(f.read().split()[-1])
    return seconds, peak_kb / 1024


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--bin", required=True)
    parser.add_argument("--cache", default=os.path.expanduser(
        "~/.cache/anvil/models"))
    parser.add_argument("--steps", default="32,64,128,256,512")
    parser.add_argument("--targets", default="host,mtia-v1")
    parser.add_argument("--forms", default="loop,unroll")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--timeout", type=float, default=300)
    parser.add_argument("--out", default="bench-results")
    args = parser.parse_args()
    os.makedirs(args.cache, exist_ok=True)
    steps = [int(s) for s in args.steps.split(",")]
    models = {n: export(n, args.cache) for n in steps}
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for target in args.targets.split(","):
            for form in args.forms.split(","):
                for n in steps:
                    runs = []
                    for _ in range(args.repeats):
                        runs.append(compile_once(args.bin, models[n], target,
                                                 form, args.timeout, tmp))
                        if runs[-1][0] is None:
                            break
                    if runs[-1][0] is None:
                        rows.append({"target": target, "form": form,
                                     "steps": n, "timed_out": args.timeout})
                        print("%-8s %-6s %4d steps: over %.0f s"
                              % (target, form, n, args.timeout))
                        break
                    seconds = statistics.median(s for s, _ in runs)
                    peak = max(m for _, m in runs)
                    rows.append({"target": target, "form": form, "steps": n,
                                 "seconds": seconds, "peak_mb": peak,
                                 "runs": [s for s, _ in runs]})
                    print("%-8s %-6s %4d steps: %7.2f s  %6.0f MB"
                          % (target, form, n, seconds, peak))
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "compile_time_lstm.json"), "w") as f:
        json.dump({"model": "LSTM, %d layers, hidden %d, batch 1, opset 17"
                   % (LAYERS, WIDTH), "rows": rows}, f, indent=1)


if __name__ == "__main__":
    main()
