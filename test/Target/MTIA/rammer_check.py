"""Checks a graph's runs under Rammer's ablations (rammer.test): the same
bits from every schedule, the jobs each launches, and the idle PE-cycles
the report gives, which running the branches side by side lowers."""

import json
import sys

import numpy as np


def report(path):
    text = open(path).read()
    return json.loads(text)["simulation"]


def main():
    runs = {}
    same = True
    for name in ("waves", "serial", "apart"):
        runs[name] = report(sys.argv[1] + "/" + name + ".json")
        for index in range(2):
            out = np.load("%s/%s/output%d.npy" % (sys.argv[1], name, index))
            ref = np.load("%s/waves/output%d.npy" % (sys.argv[1], index))
            if not np.array_equal(out, ref):
                print("%s: output %d differs from waves" % (name, index))
                same = False
    if same:
        print("same outputs")
    for name, run in runs.items():
        idle = sum(job["idle_pe_cycles"] for job in run["job_list"])
        print("%s: %d jobs" % (name, run["jobs"]))
        runs[name]["idle"] = idle
    if runs["waves"]["idle"] < runs["serial"]["idle"]:
        print("waves idle less than serial")
    for name in ("waves", "serial"):
        waves = runs[name]["job_list"][0]["waves"]
        print("%s waves: %s" % (name, " | ".join(
            ",".join(w["kernels"]) for w in waves)))
        job = runs[name]["job_list"][0]
        tiled = (job["start_cycle"] <= waves[0]["start_cycle"] and
                 all(a["end_cycle"] == b["start_cycle"]
                     for a, b in zip(waves, waves[1:])) and
                 waves[-1]["end_cycle"] <= job["end_cycle"])
        print("%s: waves %s the job" % (name, "tile" if tiled else
                                        "do not tile"))


main()
