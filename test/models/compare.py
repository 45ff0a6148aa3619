"""What the model tests share: compile a model, run it, compare outputs."""

import os
import subprocess

import numpy as np


def compile_and_run(bin_dir, model, inputs, out_dir, target="host",
                    flags=()):
    """Compiles `model` for `target` (with `flags`), runs it on the `inputs`
    files (on the simulator for an accelerator target) and returns output
    0, or (None, the compiler's last message) when it does not compile."""
    artifact = out_dir + ".so"
    built = subprocess.run([os.path.join(bin_dir, "anvil-compile"), model,
                            "-o", artifact, "--target=" + target] +
                           list(flags),
                           capture_output=True, text=True)
    if built.returncode != 0:
        return None, built.stderr.strip().splitlines()[-1]
    subprocess.run([os.path.join(bin_dir, "anvil-run"), artifact,
                    "--output-dir=" + out_dir] +
                   ["--input=" + p for p in inputs],
                   check=True, capture_output=True, text=True)
    return np.load(os.path.join(out_dir, "output0.npy")), None


def max_diff(got, want, relative=1e-3):
    """The largest absolute difference and the bound it must stay within:
    `relative` (1e-3 on the host) of the largest reference magnitude."""
    return (float(np.abs(got - want).max()),
            relative * float(np.abs(want).max()))


def compare_forms(got, onnx, error, bound):
    """Compares the .pt2 artifact's output with the ONNX form's: (ok, note).
    An ONNX form that does not compile fails the comparison."""
    if onnx is None:
        return False, "ONNX form not compiled (%s)" % error
    pair, _ = max_diff(got, onnx)
    return pair <= bound, ".pt2 vs ONNX max |diff| %.3g" % pair


def summarize(results):
    """Prints the pass/fail count; the exit status for the results."""
    passed = sum(results)
    print("%d passed, %d failed" % (passed, len(results) - passed))
    return 0 if all(results) else 1
