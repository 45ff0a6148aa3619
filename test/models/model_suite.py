#!/usr/bin/python3
"""The ONNX model suite: every model ONNX users bring, checked against PyTorch.

Exports each model with this machine's PyTorch 1.13 and torchvision 0.14
(random weights, fixed seed, eval mode, opset 17) into a cache, compiles
it with anvil-compile, runs it with anvil-run and compares with PyTorch's
output on the same inputs: the largest absolute difference must be at most
1e-3 of the largest reference magnitude, and classifiers' top-1 classes
must agree. The opset-20 torch.export fixtures (shared/fixtures/torch2)
are checked too, by torch_fixtures.py. Nothing generated is committed.

Run all of it (about 15 minutes on 2 cores; `ctest -L suite` does the same):
    test/models/model_suite.py --bin build/bin
or some of it by name:
    test/models/model_suite.py --bin build/bin bert_base lstm2
"""

import argparse
import os
import subprocess
import sys
import time

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import torchvision_models  # noqa: E402
from compare import compile_and_run, max_diff, summarize  # noqa: E402
from fx_models import Dlrm, dlrm_inputs  # noqa: E402
import branchy_models  # noqa: E402
import control_models  # noqa: E402


def bert_base():
    """A BERT-base-sized encoder: 12 layers, d=768, 12 heads, FFN 3072,
    sequence 128 (sequence-first, as nn.TransformerEncoder defaults)."""
    layer = torch.nn.TransformerEncoderLayer(d_model=768, nhead=12,
                                             dim_feedforward=3072)
    return (torch.nn.TransformerEncoder(layer, num_layers=12),
            (torch.randn(128, 1, 768),))


class Lstm2(torch.nn.Module):
    """A 2-layer LSTM over 32 steps, its last output projected."""

    def __init__(self):
        super().__init__()
        self.lstm = torch.nn.LSTM(64, 128, num_layers=2)
        self.head = torch.nn.Linear(128, 10)

    def forward(self, x):
        y, _ = self.lstm(x)
        return self.head(y[-1])


# Models other than torchvision classifiers: name -> (model, inputs).
OTHERS = {
    "bert_base": bert_base,
    "lstm2": lambda: (Lstm2(), (torch.randn(32, 4, 64),)),
    # Its ONNX export holds a Loop per EmbeddingBag.
    "dlrm": lambda: (Dlrm(), dlrm_inputs()),
    # Branches and wavefronts for the spatial scheduler.
    **branchy_models.MODELS,
    # Loops and branches that depend on the input (scripted).
    **control_models.MODELS,
}
CLASSIFIERS = ["resnet50", "resnext50_32x4d", "wide_resnet50_2",
               "mobilenet_v3_large", "mobilenet_v3_small", "inception_v3",
               "googlenet",
               "vgg16", "alexnet", "squeezenet1_0"]


def export_other(name, cache):
    """Writes NAME.onnx, its inputs and PyTorch's output to the cache."""
    base = os.path.join(cache, name)
    torch.manual_seed(0)
    model, inputs = OTHERS[name]()
    model.eval()
    input_paths = [base + ".input%d.npy" % i for i in range(len(inputs))]
    paths = {"onnx": base + ".onnx", "reference": base + ".reference.npy"}
    if all(os.path.exists(p) for p in list(paths.values()) + input_paths):
        return paths, input_paths
    with torch.no_grad():
        outputs = model(*inputs)
        # Output 0 is what the suite compares (a decoder's tokens).
        if isinstance(outputs, tuple):
            outputs = outputs[0]
        reference = outputs.numpy()
        torch.onnx.export(model, inputs, paths["onnx"], opset_version=17)
    for p, x in zip(input_paths, inputs):
        np.save(p, x.numpy())
    np.save(paths["reference"], reference)
    return paths, input_paths


def check_other(name, bin_dir, cache):
    paths, inputs = export_other(name, cache)
    start = time.time()
    got, error = compile_and_run(bin_dir, paths["onnx"], inputs,
                                 os.path.join(cache, name + ".out"),
                                 flags=branchy_models.COMPILE_FLAGS.get(
                                     name, ()))
    seconds = time.time() - start
    if got is None:
        print("%s: did not compile: %s: FAIL" % (name, error))
        return False
    diff, bound = max_diff(got, np.load(paths["reference"]))
    ok = diff <= bound
    print("%s: compile and run %.1f s; max |diff| %.3g (bound %.3g): %s"
          % (name, seconds, diff, bound, "ok" if ok else "FAIL"))
    return ok


def check_fixtures(bin_dir, cache):
    """The opset-20 torch.export fixtures, each against its .pt2 form."""
    ran = subprocess.run([sys.executable, os.path.join(HERE, "torch_fixtures.py"),
                          "--bin", bin_dir, "--out",
                          os.path.join(cache, "torch2-out")])
    return ran.returncode == 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--bin", required=True)
    parser.add_argument("--cache", default=os.path.expanduser(
        "~/.cache/anvil/models"))
    everything = CLASSIFIERS + list(OTHERS) + ["torch2_fixtures"]
    parser.add_argument("models", nargs="*", default=everything,
                        help="any of: " + ", ".join(everything))
    args = parser.parse_args()
    unknown = [m for m in args.models if m not in everything]
    if unknown:
        parser.error("unknown model(s): " + ", ".join(unknown))
    os.makedirs(args.cache, exist_ok=True)
    results = []
    for name in args.models:
        if name in OTHERS:
            results.append(check_other(name, args.bin, args.cache))
        elif name == "torch2_fixtures":
            results.append(check_fixtures(args.bin, args.cache))
        else:
            results.append(torchvision_models.check(name, args.bin, args.cache,
                                                    threads=0))
    return summarize(results)


if __name__ == "__main__":
    sys.exit(main())
