#!/usr/bin/python3
"""Anvil's benchmark: the model suite on the host, next to its peers.

Each model is exported once into a cache (PyTorch 1.13, opset 17; the
opset-20 fixtures come as files), compiled with anvil-compile under
/usr/bin/time -v (compile seconds, peak memory), and timed, at each thread
count, by three peers in this one invocation: Anvil's artifact
(anvil-run --benchmark), ONNX Runtime on the same ONNX file
(bench/ort_run.js) and PyTorch 1.13 eager on the same module (none for the
fixtures, which only PyTorch 2.11 can load). Rounds alternate the peers so
that machine noise hits them alike; each round is the median of RUNS timed
runs after WARMUP runs, and a figure is the median over rounds. Prints a
table, writes JSON and draws a PNG chart of the ratios.

Each model is also compiled for the simulated accelerators (--sim-target,
default mtia-v1 and mtia-2i) and run once on the simulator: its simulated
latency, roofline ratio and DRAM bytes go in a second table, with how long
the simulation took on this machine next to Anvil's native host run.

With --baseline-bin, a second Anvil build (the commit before a change, or
the same build with --baseline-flag, e.g. --disable=roller) compiles each
model too and is timed as a fourth peer in the same rounds: the table adds
its time and the ratio of the two.

Setup (once): bench/setup.sh. Then:
    /usr/bin/python3 bench/run.py --bin build/bin --out bench-results
"""

import argparse
import glob
import json
import os
import re
import statistics
import subprocess
import sys
import time

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
MODELS_DIR = os.path.join(HERE, "..", "test", "models")
FIXTURES = os.path.join(HERE, "..", "test", "fixtures", "torch2")
sys.path.insert(0, MODELS_DIR)
import model_suite  # noqa: E402
import torchvision_models  # noqa: E402

CLASSIFIERS = ["resnet18", "resnet50", "mobilenet_v2"]
OTHERS = ["bert_base", "dlrm", "lstm2"]
# Models with branches and wavefronts for the spatial scheduler
# (docs/Rammer.md): run when named.
BRANCHY_CLASSIFIERS = ["inception_v3", "googlenet"]
BRANCHY_OTHERS = ["nasnet_cells", "resnext_stage", "lstm4"]


def models_named(wanted, cache):
    """The models of `wanted` (names; "torch2" for the fixtures), in the
    order of the lists above."""
    models = [classifier(n, cache) for n in CLASSIFIERS + BRANCHY_CLASSIFIERS
              if n in wanted]
    models += [other(n, cache) for n in OTHERS + BRANCHY_OTHERS
               if n in wanted]
    if "torch2" in wanted:
        models += list(fixtures())
    return models


class Model:
    """An ONNX file, its input files and (when PyTorch 1.13 can run it) a
    builder of the eager module and its inputs."""

    def __init__(self, name, onnx_path, inputs, eager=None):
        self.name, self.onnx, self.inputs, self.eager = (name, onnx_path,
                                                         inputs, eager)


def classifier(name, cache):
    paths = torchvision_models.export(name, cache)

    def eager():
        # The exported model: untouched BatchNorm statistics would make
        # activations vanish into denormals, which slows PyTorch alone.
        torch.manual_seed(0)
        model = torchvision_models.MODELS[name]()
        x = torch.from_numpy(np.load(paths["input.npy"]))
        torchvision_models.calibrate_batchnorm(model, x.shape[-1])
        return model.eval(), (x,)
    return Model(name, paths["onnx"], [paths["input.npy"]], eager)


def other(name, cache):
    paths, inputs = model_suite.export_other(name, cache)

    def eager():
        torch.manual_seed(0)
        model, args = model_suite.OTHERS[name]()
        return model.eval(), args
    return Model(name, paths["onnx"], inputs, eager)


def fixtures():
    for onnx_path in sorted(glob.glob(os.path.join(FIXTURES, "*.onnx"))):
        base = onnx_path[:-len(".onnx")]
        yield Model("torch2/" + os.path.basename(base), onnx_path,
                    sorted(glob.glob(base + ".input*.npy")))


def compile_model(bin_dir, onnx_path, artifact, flags=()):
    res = subprocess.run(["/usr/bin/time", "-v",
                          os.path.join(bin_dir, "anvil-compile"), onnx_path,
                          "-o", artifact] + list(flags),
                         capture_output=True, text=True)
    if res.returncode != 0:
        raise RuntimeError("anvil-compile failed on %s: %s" %
                           (onnx_path, res.stderr.strip().splitlines()[-1]))
    wall = re.search(r"Elapsed \(wall clock\) time.*: (\S+)", res.stderr)[1]
    seconds = sum(float(p) * 60 ** i
                  for i, p in enumerate(reversed(wall.split(":"))))
    peak_kb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)",
                            res.stderr)[1])
    return seconds, peak_kb / 1024


def anvil_ms(bin_dir, artifact, inputs, threads, warmup, runs):
    out = subprocess.run([os.path.join(bin_dir, "anvil-run"), artifact,
                          "--benchmark=%d" % runs, "--warmup=%d" % warmup,
                          "--threads=%d" % threads] +
                         ["--input=" + p for p in inputs],
                         capture_output=True, text=True, check=True).stdout
    return float(re.search(r"median ([\d.]+) ms", out)[1])


def ort_ms(model, threads, warmup, runs):
    out = subprocess.run(["node", os.path.join(HERE, "ort_run.js"), model.onnx,
                          str(threads), str(warmup), str(runs)] + model.inputs,
                         capture_output=True, text=True, check=True).stdout
    return json.loads(out)["median_ms"]


def torch_ms(module, args, threads, warmup, runs):
    """PyTorch eager; a model slower than a second per run (Debian's
    PyTorch runs BERT-base in about 11 s on one core) gets one warm-up run
    and at least 3 timed runs, within about 10 s a round."""
    torch.set_num_threads(threads)
    with torch.no_grad():
        start = time.perf_counter()
        module(*args)
        first = time.perf_counter() - start
        if first > 1.0:
            warmup, runs = 0, max(3, min(runs, int(10 / first)))
        for _ in range(max(0, warmup - 1)):
            module(*args)
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            module(*args)
            times.append((time.perf_counter() - start) * 1e3)
    return statistics.median(times)


def simulate(bin_dir, model, target, cache):
    """Compiles `model` for `target` and runs it once on the simulator:
    the report's figures and the run's wall time, or None and the reason."""
    artifact = os.path.join(cache, "%s.%s.bench.so" % (
        model.name.replace("/", "_"), target))
    built = subprocess.run([os.path.join(bin_dir, "anvil-compile"),
                            model.onnx, "-o", artifact, "--target=" + target],
                           capture_output=True, text=True)
    if built.returncode != 0:
        return None, built.stderr.strip().splitlines()[-1]
    ran = subprocess.run([os.path.join(bin_dir, "anvil-run"), artifact,
                          "--report=json"] + ["--input=" + p for p in model.inputs],
                         capture_output=True, text=True)
    if ran.returncode != 0:
        return None, (ran.stderr or ran.stdout).strip().splitlines()[-1]
    run = json.loads(ran.stdout)
    wall_ms, report = run["first_run_ms"], run["simulation"]
    return {"target": target, "simulated_us": report["microseconds"],
            "roofline_ratio": report["roofline"]["ratio"],
            "limiter": report["roofline"]["limiter"],
            "dram_bytes": report["bytes"]["dram"], "jobs": report["jobs"],
            "simulation_wall_ms": wall_ms}, None


def print_sim_table(sims, rows):
    print()
    print("| model | target | simulated us | simulated / roofline bound "
          "(limiter) | DRAM MB | jobs | simulation ms | host ms (1 thread) "
          "| simulation / host |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    host = {r["model"]: r["anvil_ms"] for r in rows if r["threads"] == 1}
    for s in sims:
        if s.get("error"):
            print("| %s | %s | not compiled: %s | | | | | | |"
                  % (s["model"], s["target"], s["error"]))
            continue
        h = host.get(s["model"])
        print("| %s | %s | %.1f | %.1f (%s) | %.1f | %d | %.1f | %s | %s |" % (
            s["model"], s["target"], s["simulated_us"], s["roofline_ratio"],
            s["limiter"], s["dram_bytes"] / 1e6, s["jobs"],
            s["simulation_wall_ms"], "%.1f" % h if h else "n/a",
            "%.1fx" % (s["simulation_wall_ms"] / h) if h else "n/a"))


def settle():
    """Lets the previous peer's worker threads stop spinning (OpenMP pools
    spin for up to a few hundred ms after their last task) before the next
    peer runs: on 2 cores a spinning pool halves the next one's threads."""
    time.sleep(0.5)


def measure(model, artifact, args, baseline=None):
    eager = model.eager() if model.eager else None
    rows = []
    for threads in args.threads:
        anvil, ort, eager_ms, base = [], [], [], []
        for _ in range(args.rounds):
            settle()
            anvil.append(anvil_ms(args.bin, artifact, model.inputs, threads,
                                  args.warmup, args.runs))
            if baseline:
                settle()
                base.append(anvil_ms(args.baseline_bin, baseline,
                                     model.inputs, threads, args.warmup,
                                     args.runs))
            settle()
            ort.append(ort_ms(model, threads, args.warmup, args.runs))
            if eager:
                settle()
                eager_ms.append(torch_ms(*eager, threads, args.warmup,
                                         args.runs))
        row = {"model": model.name, "threads": threads,
               "anvil_ms": statistics.median(anvil),
               "ort_ms": statistics.median(ort),
               "torch_ms": statistics.median(eager_ms) if eager_ms else None,
               "baseline_ms": statistics.median(base) if base else None}
        rows.append(row)
    return rows


def print_table(rows):
    baseline = any(r.get("baseline_ms") for r in rows)
    extra = " baseline ms | Anvil/baseline |" if baseline else ""
    print("| model | threads | compile s | compile MiB | Anvil ms | ORT ms "
          "| PyTorch ms | Anvil/ORT | Anvil/PyTorch |" + extra)
    print("| --- " * (11 if baseline else 9) + "|")
    for r in rows:
        torch_cell = "%.3f" % r["torch_ms"] if r["torch_ms"] else "n/a"
        vs_torch = ("%.2fx" % (r["anvil_ms"] / r["torch_ms"])
                    if r["torch_ms"] else "n/a")
        cells = ""
        if baseline:
            cells = " %.3f | %.3f |" % (r["baseline_ms"],
                                        r["anvil_ms"] / r["baseline_ms"])
        print("| %s | %d | %.1f | %.0f | %.3f | %.3f | %s | %.2fx | %s |%s" % (
            r["model"], r["threads"], r["compile_s"], r["compile_peak_mib"],
            r["anvil_ms"], r["ort_ms"], torch_cell,
            r["anvil_ms"] / r["ort_ms"], vs_torch, cells))


def draw_chart(rows, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    threads = sorted({r["threads"] for r in rows})
    models = list(dict.fromkeys(r["model"] for r in rows))
    fig, axes = plt.subplots(1, len(threads), figsize=(6 * len(threads), 5),
                             sharey=True, squeeze=False)
    for ax, t in zip(axes[0], threads):
        by_model = {r["model"]: r for r in rows if r["threads"] == t}
        y = np.arange(len(models))
        ort = [by_model[m]["anvil_ms"] / by_model[m]["ort_ms"] for m in models]
        eager = [by_model[m]["anvil_ms"] / by_model[m]["torch_ms"]
                 if by_model[m]["torch_ms"] else 0 for m in models]
        ax.barh(y - 0.2, ort, 0.4, label="vs ONNX Runtime")
        ax.barh(y + 0.2, eager, 0.4, label="vs PyTorch eager")
        ax.axvline(1.0, color="black", linewidth=0.8)
        ax.set_yticks(y, models)
        ax.invert_yaxis()
        ax.set_xlabel("Anvil time / peer time (lower is better)")
        ax.set_title("%d thread%s" % (t, "s" if t > 1 else ""))
        ax.legend(loc="lower right")
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--bin", required=True)
    parser.add_argument("--cache", default=os.path.expanduser(
        "~/.cache/anvil/models"))
    parser.add_argument("--out", default="bench-results",
                        help="directory for results.json and ratios.png")
    parser.add_argument("--threads", type=int, action="append")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--baseline-bin",
                        help="a second Anvil build timed side by side")
    parser.add_argument("--baseline-flag", action="append", default=[],
                        help="anvil-compile options of the baseline")
    parser.add_argument("--sim-target", action="append",
                        help="simulated machines (default: mtia-v1, "
                        "mtia-2i); --sim-target=none skips them")
    parser.add_argument("models", nargs="*",
                        help="by name (default: all): " +
                        ", ".join(CLASSIFIERS + OTHERS) + ", torch2; "
                        "when named: " + ", ".join(BRANCHY_CLASSIFIERS +
                                                   BRANCHY_OTHERS))
    args = parser.parse_args()
    args.threads = args.threads or [1, 2]
    sim_targets = [t for t in (args.sim_target or ["mtia-v1", "mtia-2i"])
                   if t != "none"]
    wanted = set(args.models or CLASSIFIERS + OTHERS + ["torch2"])
    os.makedirs(args.cache, exist_ok=True)
    os.makedirs(args.out, exist_ok=True)
    models = models_named(wanted, args.cache)
    rows, sims = [], []
    for model in models:
        for target in sim_targets:
            sim, error = simulate(args.bin, model, target, args.cache)
            sims.append(dict(sim or {"target": target, "error": error},
                             model=model.name))
        artifact = os.path.join(args.cache,
                                model.name.replace("/", "_") + ".bench.so")
        seconds, peak = compile_model(args.bin, model.onnx, artifact)
        baseline = None
        if args.baseline_bin:
            baseline = artifact[:-len(".so")] + ".baseline.so"
            compile_model(args.baseline_bin, model.onnx, baseline,
                          args.baseline_flag)
        for row in measure(model, artifact, args, baseline):
            row.update(compile_s=seconds, compile_peak_mib=peak)
            rows.append(row)
            print("%s, %d thread(s): Anvil %.2f ms, ORT %.2f ms" % (
                model.name, row["threads"], row["anvil_ms"], row["ort_ms"]),
                file=sys.stderr)
    print_table(rows)
    if sims:
        print_sim_table(sims, rows)
    with open(os.path.join(args.out, "results.json"), "w") as f:
        json.dump({"cpu": cpu_name(), "rows": rows, "simulated": sims}, f,
                  indent=1)
    draw_chart(rows, os.path.join(args.out, "ratios.png"))
    return 0


def cpu_name():
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                return "%s, %d cores" % (line.split(":", 1)[1].strip(),
                                         os.cpu_count())
    return "unknown"


if __name__ == "__main__":
    sys.exit(main())
