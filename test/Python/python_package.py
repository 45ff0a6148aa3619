#!/usr/bin/python3
"""The anvil Python package from the build tree, against PyTorch's outputs:
loading artifacts, running them on NumPy arrays (by position, by name, from
several threads), compiling ONNX and .pt2 files and a PyTorch module, the
simulator's report as a dict (validated against its schema), and the errors
a user meets.

usage: python_package.py --build BUILD_DIR
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading

import jsonschema
import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..", "..")
FIXTURES = os.path.join(ROOT, "test", "fixtures", "torch2")
MALFORMED = os.path.join(ROOT, "test", "malformed", "inputs")
problems = []


def check(label, condition, detail=""):
    print("%s: %s%s" % (label, "ok" if condition else "FAIL",
                        "" if condition else " " + str(detail)))
    if not condition:
        problems.append(label)


def close(got, want):
    return got.shape == want.shape and np.allclose(got, want, rtol=1e-3,
                                                   atol=1e-4)


def fixture(name, which):
    return np.load(os.path.join(FIXTURES, "%s.%s.npy" % (name, which)))


def loading_and_running(anvil, work):
    artifact = os.path.join(work, "mlp.so")
    subprocess.run([anvil.compiler_path(), os.path.join(FIXTURES, "mlp.onnx"),
                    "-o", artifact], check=True)
    model = anvil.load(artifact)
    x, want = fixture("mlp", "input0"), fixture("mlp", "output0")
    check("inputs and outputs", model.inputs == [
        anvil.TensorInfo("x", np.dtype(np.float32), (4, 64))] and
        [o.shape for o in model.outputs] == [(4, 10)], model)
    check("host model", model.device == "host" and model.target == "host" and
          model.report() is None)
    check("run by position", close(model(x)[0], want))
    check("run by name", close(model(x=x)[0], want))
    check("a list takes the input's dtype",
          close(model(x.tolist())[0], want))
    results = [None] * 4

    def worker(i):
        results[i] = model(x)[0]
    threads = [threading.Thread(target=worker, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    check("four threads, one model",
          all(np.array_equal(r, results[0]) for r in results) and
          close(results[0], want))
    for label, call, message in [
            ("wrong dtype", lambda: model(x.astype(np.float64)),
             "expects float32, got float64"),
            ("wrong shape", lambda: model(x[:2]), "expects shape [4x64]"),
            ("missing input", lambda: model(), "takes 1 inputs"),
            ("unknown name", lambda: model(y=x), "input 'x' is not given")]:
        try:
            call()
            check(label, False, "no error")
        except anvil.AnvilError as e:
            check(label, message in str(e), e)
    model.close()
    try:
        model(x)
        check("closed model", False, "ran")
    except anvil.AnvilError as e:
        check("closed model", "closed" in str(e), e)
    try:
        anvil.load(os.path.join(FIXTURES, "mlp.onnx"))
        check("not an artifact", False, "loaded")
    except anvil.AnvilError as e:
        check("not an artifact", "not a shared library" in str(e), e)


def compiling(anvil, schema_dir, work):
    x, want = fixture("small_cnn", "input0"), fixture("small_cnn", "output0")
    for source in ("small_cnn.pt2", "small_cnn.onnx"):
        model = anvil.compile(os.path.join(FIXTURES, source),
                              target="mtia-v1")
        (y,) = model(x)
        report = model.report()
        schema = json.load(open(os.path.join(schema_dir,
                                             "sim-report.schema.json")))
        try:
            jsonschema.validate(report, schema)
            valid = True
        except jsonschema.ValidationError as e:
            valid = e.message
        check("compile %s for mtia-v1" % source,
              close(y, want) and model.device == "sim" and
              report["target"] == "mtia-v1" and report["cycles"] > 0 and
              valid is True, valid)
        check("text report", "simulated on mtia-v1" in model.report("text"))
    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Conv2d(3, 4, 3), torch.nn.ReLU(),
                              torch.nn.Flatten(), torch.nn.Linear(4 * 6 * 6, 5))
    example = torch.randn(2, 3, 8, 8)
    model = anvil.compile(net, example_inputs=(example,))
    with torch.no_grad():
        want = net.eval()(example).numpy()
    check("compile a torch.nn.Module", close(model(example.numpy())[0], want))
    out = os.path.join(work, "dynamic.so")
    path = anvil.compile(os.path.join(MALFORMED, "shape_dynamic.onnx"),
                         output=out, input_shapes={"x": (2, 4)}, load=False)
    check("input_shapes pins a dynamic dimension",
          path == out and anvil.load(out).inputs[0].shape == (2, 4))
    for name, code in [("unknown_op.onnx", 3), ("empty.onnx", 2)]:
        try:
            anvil.compile(os.path.join(MALFORMED, name))
            check("CompileError %s" % name, False, "compiled")
        except anvil.CompileError as e:
            check("CompileError %s" % name,
                  e.exit_code == code and "error:" in str(e), e)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--build", required=True)
    args = parser.parse_args()
    sys.path.insert(0, os.path.join(os.path.abspath(args.build), "lib",
                                    "python3", "dist-packages"))
    import anvil
    with tempfile.TemporaryDirectory(prefix="anvil-python-") as work:
        loading_and_running(anvil, work)
        compiling(anvil, os.path.join(ROOT, "docs", "schemas"), work)
    print("python package:", "FAIL " + ", ".join(problems) if problems
          else "ok")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
