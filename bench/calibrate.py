#!/usr/bin/python3
"""The cost model against the simulator, kernel by kernel.

Compiles each model for each simulated machine (each kernel a job of its
own: --disable=rammer; with --programs, Rammer's programs instead, each
job a program whose predicted cycles are the scheduler's; loops and
branches on the host either way, --disable=grinder, since a loop's job
carries no prediction), runs it with
`anvil-run --report=json`, and compares every job's `predicted_cycles`
(the cost model's prediction, which the compiler writes on the launch)
with its measured span (end_cycle - start_cycle). Prints, per machine, the
distribution of predicted / measured, the share of kernels within the
tolerance, the worst kernels, and per kind of kernel (the name without its
number) the median error; writes everything as JSON.

Exits 1 when fewer than --min-share of a machine's kernels are within
--tolerance (default: 90% within 20%), 2 on a compile or run failure, so
that the check can gate a test:

    /usr/bin/python3 bench/calibrate.py --bin build/bin \\
        resnet18 mobilenet_v2 bert_base torch2/lstm2 torch2/dlrm_small
"""

import argparse
import json
import os
import re
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import run  # noqa: E402


def find_models(names, cache):
    """The bench's models by name: classifiers, other suite models, and
    fixtures as torch2/NAME."""
    fixtures = {m.name: m for m in run.fixtures()}
    models = []
    for name in names:
        if name in run.CLASSIFIERS + run.BRANCHY_CLASSIFIERS:
            models.append(run.classifier(name, cache))
        elif name in run.OTHERS + run.BRANCHY_OTHERS:
            models.append(run.other(name, cache))
        elif name in fixtures:
            models.append(fixtures[name])
        else:
            sys.exit("unknown model %s (known: %s)" % (name, ", ".join(
                run.CLASSIFIERS + run.BRANCHY_CLASSIFIERS + run.OTHERS +
                run.BRANCHY_OTHERS + sorted(fixtures))))
    return models


def jobs_of(bin_dir, model, target, cache, programs):
    """The report's job list, or exits with the failure."""
    artifact = os.path.join(cache, "%s.%s.calibrate%s.so" % (
        model.name.replace("/", "_"), target, ".programs" if programs else ""))
    schedule = ["--disable=grinder"] + ([] if programs else
                                        ["--disable=rammer"])
    steps = [[os.path.join(bin_dir, "anvil-compile"), model.onnx, "-o",
              artifact, "--target=" + target] + schedule,
             [os.path.join(bin_dir, "anvil-run"), artifact, "--report=json"] +
             ["--input=" + p for p in model.inputs]]
    for step in steps:
        done = subprocess.run(step, capture_output=True, text=True)
        if done.returncode != 0:
            print("%s on %s: %s failed: %s" % (
                model.name, target, os.path.basename(step[0]),
                (done.stderr or done.stdout).strip()), file=sys.stderr)
            sys.exit(2)
    return json.loads(done.stdout)["simulation"]["job_list"]


def kind(name):
    return re.sub(r"_\d+$", "", name)


def summarize(target, rows, tolerance):
    """Prints the distribution of one machine's kernels."""
    ratios = sorted(r["ratio"] for r in rows)
    within = sum(1 for r in ratios if abs(r - 1) <= tolerance)
    share = within / len(ratios)

    def pct(q):
        return ratios[min(len(ratios) - 1, int(q * len(ratios)))]

    print("%s: %d jobs, %.1f%% within %d%%; predicted / measured: "
          "p5 %.2f, p25 %.2f, median %.2f, p75 %.2f, p95 %.2f; "
          "whole models: %s" % (
              target, len(ratios), 100 * share, round(100 * tolerance),
              pct(0.05), pct(0.25), pct(0.5), pct(0.75), pct(0.95),
              ", ".join("%s %.2f" % (m, p / s) for m, (p, s) in
                        model_totals(rows).items())))
    by_kind = {}
    for r in rows:
        by_kind.setdefault(kind(r["name"]), []).append(r["ratio"])
    for k, values in sorted(by_kind.items()):
        inside = sum(1 for v in values if abs(v - 1) <= tolerance)
        print("  %-28s %4d kernels, %5.1f%% within, median %.2f, "
              "range %.2f .. %.2f" % (k, len(values), 100 * inside / len(values),
                                       statistics.median(values), min(values),
                                       max(values)))
    worst = sorted(rows, key=lambda r: -abs(r["ratio"] - 1))[:8]
    for r in worst:
        print("  worst: %s %s on %d PEs: predicted %d, measured %d (%.2f)" % (
            r["model"], r["name"], r["pes"], r["predicted"], r["measured"],
            r["ratio"]))
    return share


def model_totals(rows):
    """Per model: predicted and measured cycles of all its jobs."""
    totals = {}
    for r in rows:
        p, s = totals.get(r["model"], (0, 0))
        totals[r["model"]] = (p + r["predicted"], s + r["measured"])
    return totals


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--bin", required=True,
                        help="anvil-compile and anvil-run")
    parser.add_argument("--target", action="append",
                        help="simulated machines (default: mtia-v1, mtia-2i)")
    parser.add_argument("--cache", default=os.path.expanduser(
        "~/.cache/anvil/models"))
    parser.add_argument("--tolerance", type=float, default=0.2)
    parser.add_argument("--min-share", type=float, default=0.9)
    parser.add_argument("--programs", action="store_true",
                        help="compare Rammer's programs, not kernels")
    parser.add_argument("--out", help="write the kernels as JSON here")
    parser.add_argument("models", nargs="+")
    args = parser.parse_args()
    os.makedirs(args.cache, exist_ok=True)
    models = find_models(args.models, args.cache)
    failed = False
    everything = {}
    for target in args.target or ["mtia-v1", "mtia-2i"]:
        rows = []
        for model in models:
            for job in jobs_of(args.bin, model, target, args.cache,
                               args.programs):
                measured = job["end_cycle"] - job["start_cycle"]
                if "predicted_cycles" not in job:
                    print("%s on %s: job %s carries no prediction" % (
                        model.name, target, job["name"]), file=sys.stderr)
                    sys.exit(2)
                rows.append({"model": model.name, "name": job["name"],
                             "pes": job["pes"], "measured": measured,
                             "predicted": job["predicted_cycles"],
                             "ratio": job["predicted_cycles"] / measured})
        everything[target] = rows
        failed |= summarize(target, rows, args.tolerance) < args.min_share
    if args.out:
        with open(args.out, "w") as f:
            json.dump(everything, f, indent=1)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
