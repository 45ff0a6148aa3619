#!/usr/bin/python3
"""ONNX conformance: compile and run ONNX's own backend tests with Anvil.

Every test directory (model.onnx plus test_data_set_*/{input,output}_*.pb)
is compiled with anvil-compile and each data set run with anvil-run
--expected, using anvil-run's default tolerances (ONNX's: rtol 1e-3,
atol 1e-7). The outcome of every test is compared with the checked-in list
(test/conformance/<suite>.expected): a test that passed and now fails, or
failed and now passes, is an error until the list is updated (--update).

With --target=mtia-v1 (or another machine description) the models are
compiled for that machine and run on its simulator, against their own
lists (<suite>.<target>.expected), with the tolerance of the DPE's
precision (DPE_TOLERANCE; docs/Targets.md explains it).
"""

import argparse
import concurrent.futures
import os
import re
import subprocess
import sys
import tempfile

DATA = "/usr/share/libonnx-testdata/data"
SUITES = ["node", "pytorch-converted", "pytorch-operator", "simple"]
HERE = os.path.dirname(os.path.abspath(__file__))
EXIT_REASONS = {2: "invalid", 3: "unsupported", 4: "internal", 5: "mismatch"}
# f32 products run on the DPE with f16 inputs (11 significant bits) summed
# in f32: a sum of K products of unit-sized values is off by about
# 2^-11 * sqrt(K) in absolute terms, relative errors grow where terms
# cancel. Everything else is computed in f32 and meets ONNX's tolerances.
DPE_TOLERANCE = ["--rtol=1e-2", "--atol=1e-3"]
TARGET = "host"


def first_error(text):
    """The first error line, without paths that differ between machines."""
    for line in text.splitlines():
        if "error:" in line:
            return line.split("error:", 1)[1].strip()
    lines = [l for l in text.splitlines() if l.strip()]
    return lines[-1].strip() if lines else "no output"


# anvil-compile names the graph inputs a shape-valued operand comes from.
BIND_HINT = re.compile(r"computed from graph inputs? ((?:'[^']+'(?:, )?)+)")


def inputs_to_bind(stderr):
    """Graph inputs that must be compile-time constants, per the report."""
    names = set()
    for match in BIND_HINT.finditer(stderr):
        names.update(re.findall(r"'([^']+)'", match.group(1)))
    return sorted(names)


def tensor_name(path):
    import onnx
    return onnx.load_tensor(path).name


def compile_model(bin_dir, test_dir, artifact, bindings=()):
    """Runs anvil-compile; returns (None, stderr) or (failure, stderr)."""
    try:
        compiled = subprocess.run(
            [os.path.join(bin_dir, "anvil-compile"),
             os.path.join(test_dir, "model.onnx"), "-o", artifact,
             "--target=" + TARGET] +
            ["--bind-input=%s=%s" % b for b in bindings],
            capture_output=True, text=True, timeout=300)
    except subprocess.TimeoutExpired:
        return "fail timeout: compile took over 300 s", ""
    if compiled.returncode != 0:
        kind = EXIT_REASONS.get(compiled.returncode,
                                "crash %d" % compiled.returncode)
        return ("fail compile-%s: %s" % (kind, first_error(compiled.stderr)),
                compiled.stderr)
    return None, compiled.stderr


def data_set_files(path, prefix):
    # input_10.pb sorts before input_2.pb; order numerically.
    files = [f for f in os.listdir(path) if f.startswith(prefix)]
    files.sort(key=lambda a: int(a.rsplit("_", 1)[1].split(".")[0]))
    return [os.path.join(path, f) for f in files]


def run_test(bin_dir, test_dir, work):
    """Returns 'pass', 'pass with --bind-input NAMES' or
    'fail <kind>: <reason>' for one test directory.

    A model that needs shape-valued graph inputs as constants is compiled
    once per data set with those inputs bound to the data set's values
    (what --bind-input is for); the outcome says so."""
    name = os.path.basename(test_dir)
    artifact = os.path.join(work, name + ".so")
    failure, stderr = compile_model(bin_dir, test_dir, artifact)
    to_bind = inputs_to_bind(stderr) if failure else []
    if failure and not to_bind:
        return failure
    sets = sorted(d for d in os.listdir(test_dir)
                  if d.startswith("test_data_set_"))
    for data_set in sets:
        path = os.path.join(test_dir, data_set)
        inputs = data_set_files(path, "input_")
        if to_bind:
            named = [(tensor_name(f), f) for f in inputs]
            # Binding some inputs can reveal others (one report per node).
            while True:
                bindings = [(n, f) for n, f in named if n in to_bind]
                failure, stderr = compile_model(bin_dir, test_dir, artifact,
                                                bindings)
                more = [n for n in inputs_to_bind(stderr) if n not in to_bind]
                if not failure or not more:
                    break
                to_bind = sorted(set(to_bind) | set(more))
            if failure:
                return failure + " (with --bind-input %s)" % ",".join(to_bind)
            inputs = [f for n, f in named if n not in to_bind]
        inputs = ["--input=" + f for f in inputs]
        expected = ["--expected=" + f
                    for f in data_set_files(path, "output_")]
        try:
            ran = subprocess.run(
                [os.path.join(bin_dir, "anvil-run"), artifact] + inputs +
                expected + (DPE_TOLERANCE if TARGET != "host" else []),
                capture_output=True, text=True, timeout=300)
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
    return "pass with --bind-input %s" % ",".join(to_bind) if to_bind \
        else "pass"


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
    listed = suite if TARGET == "host" else suite + "." + TARGET
    expected_path = os.path.join(HERE, listed + ".expected")
    expected = read_expected(expected_path)
    with tempfile.TemporaryDirectory() as work:
        with concurrent.futures.ThreadPoolExecutor(jobs) as pool:
            outcomes = dict(zip(tests, pool.map(
                lambda t: run_test(bin_dir, os.path.join(root, t), work),
                tests)))
    passes = lambda o: o is not None and o.startswith("pass")
    passed = sum(passes(o) for o in outcomes.values())
    bound = sum(o.startswith("pass with") for o in outcomes.values())
    regressions = [t for t in tests
                   if passes(expected.get(t)) and not passes(outcomes[t])]
    fixed = [t for t in tests
             if not passes(expected.get(t, "pass")) and passes(outcomes[t])]
    unlisted = [t for t in tests if t not in expected]
    print("%s: %d of %d tests pass (%d of them with --bind-input)"
          % (suite, passed, len(tests), bound))
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
    parser.add_argument("--target", default="host",
                        help="compile for this target (host, mtia-v1, ...)")
    args = parser.parse_args()
    global TARGET
    TARGET = args.target
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
