#!/usr/bin/python3
"""Compile the torch.export fixtures (PyTorch 2.11 output) with Anvil.

Every NAME.pt2 in the fixture folders (torch2: the seven reference models;
torch2-more: transformer and CNN styles, each also as NAME_core.pt2 lowered
to core ATen ops, sharing NAME's inputs and output) is compiled by anvil-compile (which
reads the archive itself, no Python involved), run on NAME.input*.npy, and
compared with PyTorch's NAME.output0.npy: the largest absolute difference
must be at most 1e-3 of the largest reference magnitude. NAME.onnx, the same
model from PyTorch's ONNX exporter, is compiled too and its output compared
with the .pt2 artifact's; a model whose ONNX form uses ops the ONNX importer
lacks is reported as such. The cond model is also run on its negated input,
which takes the other branch; that reference is computed here by this
machine's PyTorch from the weights inside the archive.

With --target=mtia-v1 (or another machine description) the artifacts run
on that machine's simulator, held to the same bound: the DPE's 16-bit
product inputs keep these models' outputs well within it.
"""

import argparse
import glob
import json
import os
import sys
import zipfile

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from compare import compare_forms, compile_and_run, max_diff, summarize  # noqa: E402

FIXTURES = os.path.join(HERE, "..", "fixtures", "torch2")
TARGET = "host"
MORE = os.path.join(HERE, "..", "fixtures", "torch2-more")



def archive_weight(path, fqn):
    """A weight read from the archive's raw blob with PyTorch."""
    with zipfile.ZipFile(path) as z:
        root = [n for n in z.namelist() if n.endswith("models/model.json")][0]
        root = root[:-len("models/model.json")]
        config = json.loads(z.read(root + "data/weights/"
                                   "model_weights_config.json"))["config"]
        entry = config[fqn]
        sizes = [s["as_int"] for s in entry["tensor_meta"]["sizes"]]
        blob = z.read(root + "data/weights/" + entry["path_name"])
    return torch.frombuffer(bytearray(blob), dtype=torch.float32).reshape(
        sizes)


def check_other_branch(bin_dir, out, path):
    """cond with sum(x) <= 0 takes the false branch: tanh(b(x))."""
    x = -np.load(os.path.join(FIXTURES, "cond.input0.npy"))
    assert x.sum() <= 0
    flipped = os.path.join(out, "cond.negated.npy")
    np.save(flipped, x)
    got, error = compile_and_run(bin_dir, path, [flipped],
                                 os.path.join(out, "cond.neg"), TARGET)
    want = torch.tanh(torch.nn.functional.linear(
        torch.from_numpy(x), archive_weight(path, "b.weight"),
        archive_weight(path, "b.bias"))).numpy()
    if got is None:
        return False, error
    diff, bound = max_diff(got, want)
    return diff <= bound, "false branch max |diff| %.3g" % diff


def check(name, bin_dir, out):
    folder = FIXTURES if os.path.exists(
        os.path.join(FIXTURES, name + ".pt2")) else MORE
    path = os.path.join(folder, name + ".pt2")
    base = name[:-len("_core")] if name.endswith("_core") else name
    inputs = sorted(glob.glob(os.path.join(folder, base + ".input*.npy")))
    want = np.load(os.path.join(folder, base + ".output0.npy"))
    got, error = compile_and_run(bin_dir, path, inputs,
                                 os.path.join(out, name), TARGET)
    if got is None:
        print("%s: did not compile: %s: FAIL" % (name, error))
        return False
    diff, bound = max_diff(got, want)
    ok = diff <= bound
    note = "max |diff| %.3g (bound %.3g)" % (diff, bound)
    if name == "cond":
        branch_ok, branch_note = check_other_branch(bin_dir, out, path)
        ok &= branch_ok
        note += "; " + branch_note
    onnx_path = os.path.join(folder, name + ".onnx")
    if os.path.exists(onnx_path):
        onnx, error = compile_and_run(bin_dir, onnx_path, inputs,
                                      os.path.join(out, name + ".onnx"),
                                      TARGET)
        pair_ok, pair_note = compare_forms(got, onnx, error, bound)
        ok &= pair_ok
        note += "; " + pair_note
    print("%s: %s: %s" % (name, note, "ok" if ok else "FAIL"))
    return ok


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--bin", required=True)
    parser.add_argument("--out", default=os.path.expanduser(
        "~/.cache/anvil/torch2"))
    parser.add_argument("--target", default="host",
                        help="compile for this target (host, mtia-v1, ...)")
    parser.add_argument("models", nargs="*", default=sorted(
        os.path.basename(p)[:-4]
        for folder in (FIXTURES, MORE)
        for p in glob.glob(os.path.join(folder, "*.pt2"))))
    args = parser.parse_args()
    global TARGET
    TARGET = args.target
    os.makedirs(args.out, exist_ok=True)
    results = [check(m, args.bin, args.out) for m in args.models]
    return summarize(results)


if __name__ == "__main__":
    sys.exit(main())
