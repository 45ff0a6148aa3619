#!/usr/bin/python3
"""Two compilers side by side on the simulated accelerators.

Compiles each model of the suite (the models of bench/run.py) for each
simulated machine twice, with a baseline compiler (--baseline-bin, with
--baseline-flag options) and with the candidate (--bin, with --flag
options), and runs each artifact on its own build's simulator
(anvil-run --report=json). With --same-runner both run on the
candidate's, so that only the compiled code differs (the two builds'
artifacts must share a format version). The simulator is deterministic:
one run per artifact suffices.
Prints, per model and machine, both simulated times and their ratio,
jobs, time over the roofline bound and DRAM bytes, and writes the figures
as JSON.

A scheduling pass is judged this way against the first implementation it
replaces; a change to the compiler against the commit before it:

    /usr/bin/python3 bench/sim_compare.py --bin build/bin \\
        --baseline-bin ../base/build/bin resnet18 mobilenet_v2
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import run  # noqa: E402


def simulate(compiler, flags, runner, model, target, artifact):
    """Compiles with `compiler` and runs with `runner`: the report's
    figures, or None and the reason."""
    built = subprocess.run([compiler, model.onnx, "-o", artifact,
                            "--target=" + target] + flags,
                           capture_output=True, text=True)
    if built.returncode != 0:
        return None, built.stderr.strip().splitlines()[-1]
    ran = subprocess.run([runner, artifact, "--report=json"] +
                         ["--input=" + p for p in model.inputs],
                         capture_output=True, text=True)
    if ran.returncode != 0:
        return None, (ran.stderr or ran.stdout).strip().splitlines()[-1]
    # Runtimes before the report's schema printed a timing line first.
    report = json.loads(ran.stdout)["simulation"]
    return {"simulated_us": report["microseconds"],
            "roofline_ratio": report["roofline"]["ratio"],
            "limiter": report["roofline"]["limiter"],
            "dram_bytes": report["bytes"]["dram"],
            "pe_occupancy": report.get("pe_occupancy"),
            "jobs": report["jobs"]}, None


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--bin", required=True,
                        help="the candidate's anvil-compile and anvil-run")
    parser.add_argument("--baseline-bin",
                        help="the baseline's anvil-compile (default: --bin)")
    parser.add_argument("--flag", action="append", default=[],
                        help="an anvil-compile option of the candidate")
    parser.add_argument("--baseline-flag", action="append", default=[],
                        help="an anvil-compile option of the baseline")
    parser.add_argument("--same-runner", action="store_true",
                        help="run the baseline's artifacts on the "
                        "candidate's simulator too")
    parser.add_argument("--target", action="append",
                        help="simulated machines (default: mtia-v1, mtia-2i)")
    parser.add_argument("--cache", default=os.path.expanduser(
        "~/.cache/anvil/models"))
    parser.add_argument("--out", default="bench-results",
                        help="directory for sim_compare.json")
    parser.add_argument("models", nargs="*",
                        help="by name (default: all): " +
                        ", ".join(run.CLASSIFIERS + run.OTHERS) + ", torch2; "
                        "when named: " + ", ".join(run.BRANCHY_CLASSIFIERS +
                                                   run.BRANCHY_OTHERS))
    args = parser.parse_args()
    targets = args.target or ["mtia-v1", "mtia-2i"]
    wanted = set(args.models or run.CLASSIFIERS + run.OTHERS + ["torch2"])
    os.makedirs(args.cache, exist_ok=True)
    os.makedirs(args.out, exist_ok=True)
    models = run.models_named(wanted, args.cache)
    baseline_bin = args.baseline_bin or args.bin
    sides = {
        "baseline": (baseline_bin, args.baseline_flag),
        "candidate": (args.bin, args.flag),
    }
    rows = []
    work = tempfile.TemporaryDirectory(prefix="sim_compare.")
    artifacts = work.name
    for model in models:
        for target in targets:
            row = {"model": model.name, "target": target}
            for side, (bin_dir, flags) in sides.items():
                # Artifacts go to a directory of this run's own, so that
                # runs side by side never write each other's.
                artifact = os.path.join(artifacts, "%s.%s.%s.so" % (
                    model.name.replace("/", "_"), target, side))
                runner = os.path.join(
                    args.bin if args.same_runner else bin_dir, "anvil-run")
                row[side], error = simulate(
                    os.path.join(bin_dir, "anvil-compile"), flags, runner,
                    model, target, artifact)
                if error:
                    row[side] = {"error": error}
            rows.append(row)
            print_row(row, file=sys.stderr)
    work.cleanup()
    print_table(rows)
    with open(os.path.join(args.out, "sim_compare.json"), "w") as f:
        json.dump({"baseline": baseline_bin, "candidate": args.bin,
                   "same_runner": args.same_runner, "flags": {
                       "baseline": args.baseline_flag,
                       "candidate": args.flag}, "rows": rows}, f, indent=1)
    return 0


def speedup(row):
    b, c = row["baseline"], row["candidate"]
    if "error" in b or "error" in c:
        return None
    return b["simulated_us"] / c["simulated_us"]


def print_row(row, file):
    s = speedup(row)
    print("%s on %s: %s" % (row["model"], row["target"],
                            "%.2fx" % s if s else "error"), file=file)


def print_table(rows):
    print("| model | target | baseline us | candidate us | speedup | jobs "
          "| simulated / roofline bound | DRAM MB |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for row in rows:
        b, c = row["baseline"], row["candidate"]
        if "error" in b or "error" in c:
            print("| %s | %s | %s | %s | | | | |" % (
                row["model"], row["target"], b.get("error", ""),
                c.get("error", "")))
            continue
        print("| %s | %s | %.1f | %.1f | %.2fx | %d -> %d | %.1f -> %.1f "
              "(%s) | %.1f -> %.1f |" % (
                  row["model"], row["target"], b["simulated_us"],
                  c["simulated_us"], speedup(row), b["jobs"], c["jobs"],
                  b["roofline_ratio"], c["roofline_ratio"], c["limiter"],
                  b["dram_bytes"] / 1e6, c["dram_bytes"] / 1e6))
    by_target = {}
    for row in rows:
        s = speedup(row)
        if s:
            by_target.setdefault(row["target"], []).append(s)
    for target, ratios in by_target.items():
        print("\n%s: geometric mean speedup %.2fx over %d models" % (
            target, statistics.geometric_mean(ratios), len(ratios)))


if __name__ == "__main__":
    sys.exit(main())
