#!/usr/bin/python3
"""ONNX conformance: compile and run ONNX's own backend tests with Anvil.

Every test directory (model.onnx plus test_data_set_*/{input,output}_*.pb)
is compiled with anvil-compile and each data set run with anvil-run
--expected, using anvil-run's default tolerances (ONNX's: rtol 1e-3,
atol 1e-7). The outcome of every test is compared with the checked-in list
(test/conformance/<suite>.expected): a test that passed and now fails, or
failed and now passes, is an error until the list is updated (--update).
"""

import argparse
import concurrent.futures
import os
import subprocess
import sys
import tempfile

DATA = "/usr/share/libonnx-testdata/data"
SUITES = ["node", "pytorch-converted", "pytorch-operator", "simple"]
HERE = os.path.dirname(os.path.abspath(__file__))
EXIT_REASONS = {2: "invalid", 3: "unsupported", 4: "internal", 5: "mismatch"}


def first_error(text):
    """The first error line, without paths that differ between machines."""
    for line in text.splitlines():
        if "error:" in line:
            return line.split("error:", 1)[1].strip()
    lines = [l for l in text.splitlines() if l.strip()]
    return lines[-1].strip() if lines else "no output"


def run_test(bin_dir, test_dir, work):
    """Returns 'pass' or 'fail <kind>: <reason>' for one test directory."""
    name = os.path.basename(test_dir)
    artifact = os.path.join(work, name + ".so")
    try:
        compiled = subprocess.run(
            [os.path.join(bin_dir, "anvil-compile"),
             os.path.join(test_dir, "model.onnx"), "-o", artifact],
            capture_output=True, text=True, timeout=300)
    except subprocess.TimeoutExpired:
        return "fail timeout: compile took over 300 s"
    if compiled.returncode != 0:
        kind = EXIT_REASONS.get(compiled.returncode,
                                "crash %d" % compiled.returncode)
        return "fail compile-%s: %s" % (kind, first_error(compiled.stderr))
    sets = sorted(d for d in os.listdir(test_dir)
                  if d.startswith("test_data_set_"))
    for data_set in sets:
        path = os.path.join(test_dir, data_set)
        files = sorted(os.listdir(path))
        inputs = ["--input=" + os.path.join(path, f)
                  for f in files if f.startswith("input_")]
        expected = ["--expected=" + os.path.join(path, f)
                    for f in files if f.startswith("output_")]
        # input_10.pb sorts before input_2.pb; order numerically.
        key = lambda a: int(a.rsplit("_", 1)[1].split(".")[0])
        inputs.sort(key=key)
        expected.sort(key=key)
        try:
            ran = subprocess.run(
                [os.path.join(bin_dir, "anvil-run"), artifact] + inputs +
                expected, capture_output=True, text=True, timeout=300)
        except subprocess.TimeoutExpired:
            return "fail timeout: run took over 300 s"
        if ran.returncode != 0:
            kind = EXIT_REASONS.get(ran.returncode, "crash %d" % ran.returncode)
            reason = first_error(ran.stderr + ran.stdout)
            if ran.returncode == 5:
                bad = [l for l in ran.stdout.splitlines() if "FAIL" in l]
                reason = bad[0] if bad else reason
            return "fail run-%s: %s" % (kind, reason)
    os.remove(artifact)
    return "pass"


def read_expected(path):
    outcomes = {}
    if os.path.exists(path):
        with open(path) as f:
            for line in f:
                line = line.rstrip("\n")
                if line and not line.startswith("#"):
                    name, outcome = line.split(" ", 1)
                    outcomes[name] = outcome
    return outcomes


def write_expected(path, suite, outcomes):
    with open(path, "w") as f:
        f.write("# Expected outcome of every ONNX '%s' test, one per line.\n"
                "# Regenerate with test/conformance/onnx_conformance.py "
                "--update.\n" % suite)
        for name in sorted(outcomes):
            f.write("%s %s\n" % (name, outcomes[name]))


def run_suite(bin_dir, suite, jobs, update, name_filter):
    root = os.path.join(DATA, suite)
    tests = sorted(t for t in os.listdir(root)
                   if os.path.exists(os.path.join(root, t, "model.onnx"))
                   and (not name_filter or name_filter in t))
    expected_path = os.path.join(HERE, suite + ".expected")
    expected = read_expected(expected_path)
    with tempfile.TemporaryDirectory() as work:
        with concurrent.futures.ThreadPoolExecutor(jobs) as pool:
            outcomes = dict(zip(tests, pool.map(
                lambda t: run_test(bin_dir, os.path.join(root, t), work),
                tests)))
    passed = sum(o == "pass" for o in outcomes.values())
    regressions = [t for t in tests
                   if expected.get(t) == "pass" and outcomes[t] != "pass"]
    fixed = [t for t in tests
             if expected.get(t, "pass") != "pass" and outcomes[t] == "pass"]
    unlisted = [t for t in tests if t not in expected]
    print("%s: %d of %d tests pass" % (suite, passed, len(tests)))
    for t in regressions:
        print("  REGRESSION %s: %s" % (t, outcomes[t]))
    for t in fixed:
        print("  NOW PASSES %s (update the expected list)" % t)
    if update:
        merged = dict(expected) if name_filter else {}
        merged.update(outcomes)
        write_expected(expected_path, suite, merged)
        return passed, len(tests), True
    ok = not regressions and not fixed and (not unlisted or name_filter)
    if unlisted and not name_filter:
        print("  %d test(s) missing from %s" % (len(unlisted), expected_path))
    return passed, len(tests), ok


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--bin", required=True,
                        help="directory holding anvil-compile and anvil-run")
    parser.add_argument("--suite", action="append", choices=SUITES)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--filter", help="only tests whose name contains this")
    parser.add_argument("--update", action="store_true",
                        help="rewrite the expected lists from this run")
    args = parser.parse_args()
    all_ok, total_passed, total = True, 0, 0
    for suite in args.suite or SUITES:
        passed, count, ok = run_suite(args.bin, suite, args.jobs, args.update,
                                      args.filter)
        all_ok &= ok
        total_passed += passed
        total += count
    failed = total - total_passed
    print("conformance: %d passed, %d failed (expected failures included)"
          % (total_passed, failed))
    print("conformance %s" % ("matches the expected outcomes" if all_ok
                              else "DIFFERS from the expected outcomes"))
    return 0 if all_ok else 1


if __name__ == "__main__":
    sys.exit(main())
