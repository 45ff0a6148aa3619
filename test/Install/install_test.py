#!/usr/bin/python3
"""Installs Anvil into a temporary prefix, moves the tree, and uses it as an
application would: a CMake project (find_package(Anvil), anvil_add_model,
the C API, two models linked into one program), pkg-config, and the Python
package. Outputs are compared with PyTorch's (the torch2 fixtures).

usage: install_test.py --build BUILD_DIR
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "..", "fixtures", "torch2")
EXAMPLE = os.path.join(HERE, "..", "..", "examples", "embed")


def run(command, **kwargs):
    done = subprocess.run(command, capture_output=True, text=True, **kwargs)
    if done.returncode != 0:
        sys.exit("FAIL: %s exited %d\n%s%s" % (
            " ".join(command), done.returncode, done.stdout, done.stderr))
    return done.stdout


def fixture(name, which):
    return np.load(os.path.join(FIXTURES, "%s.%s.npy" % (name, which)))


def compare(label, got, want):
    got = got.reshape(want.shape)
    error = float(np.max(np.abs(got - want)))
    ok = np.allclose(got, want, rtol=1e-3, atol=1e-4)
    print("%s: max abs error %.2e: %s" % (label, error, "ok" if ok else "FAIL"))
    return ok


def check_no_build_paths(prefix, build, source):
    """No installed file names the build or source tree: the tree must work
    wherever it is moved."""
    bad = []
    for root, _, files in os.walk(prefix):
        for f in files:
            path = os.path.join(root, f)
            if os.path.islink(path):
                continue
            data = open(path, "rb").read()
            for tree in (build, source):
                if tree.encode() in data:
                    bad.append("%s names %s" % (os.path.relpath(path, prefix),
                                                tree))
    for b in bad:
        print("FAIL:", b)
    return not bad


def check_runtime(prefix):
    """The runtime library links no LLVM shared library."""
    library = os.path.join(prefix, "lib", "libanvil_runtime.so")
    needed = run(["ldd", library])
    size = os.path.getsize(os.path.realpath(library))
    names = sorted(line.split()[0] for line in needed.splitlines() if line)
    print("libanvil_runtime.so: %d bytes, needs %s" % (size, " ".join(names)))
    ok = "LLVM" not in needed and "MLIR" not in needed
    print("runtime without LLVM:", "ok" if ok else "FAIL")
    return ok


def cmake_project(prefix, work, env):
    project = EXAMPLE
    build = os.path.join(work, "project-build")
    run(["cmake", "-S", project, "-B", build, "-G", "Ninja",
         "-DCMAKE_C_COMPILER=clang", "-DCMAKE_PREFIX_PATH=" + prefix,
         "-DMLP_MODEL=" + os.path.join(FIXTURES, "mlp.pt2"),
         "-DCNN_MODEL=" + os.path.join(FIXTURES, "small_cnn.pt2")], env=env)
    run(["cmake", "--build", build], env=env)
    ok = True
    # The artifact, through the C API, on the simulator.
    fixture("small_cnn", "input0").tofile(os.path.join(work, "cnn.in"))
    report = run([os.path.join(build, "run_artifact"),
                  os.path.join(work, "cnn.in"), os.path.join(work, "cnn.out")],
                 env=env)
    ok &= report.startswith("device sim") and '"cycles"' in report
    ok &= compare("run_artifact (mtia-v1 artifact, C API)",
                  np.fromfile(os.path.join(work, "cnn.out"), np.float32),
                  fixture("small_cnn", "output0"))
    # Two objects with prefixed entry points in one program.
    fixture("mlp", "input0").tofile(os.path.join(work, "mlp.in"))
    out = [os.path.join(work, n) for n in ("mlp.in", "mlp.out", "cnn.in",
                                           "cnn2.out")]
    run([os.path.join(build, "two_models")] + out, env=env)
    ok &= compare("two_models: mlp_run",
                  np.fromfile(out[1], np.float32), fixture("mlp", "output0"))
    ok &= compare("two_models: cnn_run",
                  np.fromfile(out[3], np.float32),
                  fixture("small_cnn", "output0"))
    return ok, build


def pkg_config(prefix, work, env, artifact):
    """The runtime through pkg-config and the C compiler alone."""
    flags = run(["pkg-config", "--cflags", "--libs", "anvil"],
                env=dict(env, PKG_CONFIG_PATH=os.path.join(prefix, "lib",
                                                           "pkgconfig")))
    program = os.path.join(work, "by_pkg_config")
    run(["clang", os.path.join(EXAMPLE, "run_artifact.c"),
         "-DARTIFACT=\"%s\"" % artifact, "-o", program] + flags.split(),
        env=env)
    run([program, os.path.join(work, "cnn.in"),
         os.path.join(work, "cnn3.out")], env=env)
    return compare("pkg-config build",
                   np.fromfile(os.path.join(work, "cnn3.out"), np.float32),
                   fixture("small_cnn", "output0"))


def python_package(prefix, env):
    script = """
import anvil, numpy as np, sys
x = np.load(sys.argv[1])
model = anvil.compile(sys.argv[2], target="mtia-2i")
(y,) = model(x)
np.save(sys.argv[3], y)
assert model.device == "sim" and model.report()["cycles"] > 0
assert anvil.compiler_path().startswith(sys.argv[4]), anvil.compiler_path()
"""
    out = os.path.join(os.path.dirname(prefix), "py.npy")
    run(["/usr/bin/python3", "-c", script,
         os.path.join(FIXTURES, "mlp.input0.npy"),
         os.path.join(FIXTURES, "mlp.pt2"), out, prefix],
        env=dict(env, PYTHONPATH=os.path.join(prefix, "lib", "python3",
                                              "dist-packages")))
    return compare("python package (mtia-2i)", np.load(out),
                   fixture("mlp", "output0"))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--build", required=True)
    args = parser.parse_args()
    build = os.path.abspath(args.build)
    source = os.path.abspath(os.path.join(HERE, "..", ".."))
    # Nothing may point the installed tools back at the build tree.
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("ANVIL_") and k != "PYTHONPATH"}
    with tempfile.TemporaryDirectory(prefix="anvil-install-") as work:
        staged = os.path.join(work, "staged")
        run(["cmake", "--install", build, "--prefix", staged])
        prefix = os.path.join(work, "moved", "anvil")
        os.makedirs(os.path.dirname(prefix))
        shutil.move(staged, prefix)
        ok = check_no_build_paths(prefix, build, source)
        ok &= check_runtime(prefix)
        project_ok, project_build = cmake_project(prefix, work, env)
        ok &= project_ok
        artifact = os.path.join(project_build, "anvil-models", "cnn_sim.so")
        ok &= pkg_config(prefix, work, env, artifact)
        ok &= python_package(prefix, env)
    print("install test:", "ok" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
