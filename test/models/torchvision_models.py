#!/usr/bin/python3
"""Compile torchvision models with Anvil and compare them with PyTorch.

Each model (random weights, eval mode, fixed seed) is exported by this
machine's PyTorch to ONNX at opset 17, compiled with anvil-compile, run with
anvil-run, and compared with PyTorch's own output on the same input: the
largest absolute difference must be at most 1e-3 of the largest reference
magnitude, and the top-1 class must agree. Models are generated into a
cache directory at test time, never committed.
"""

import argparse
import os
import subprocess
import sys
import time

import numpy as np
import torch
import torchvision

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from compare import max_diff, summarize  # noqa: E402

tv = torchvision.models
MODELS = {
    "resnet18": lambda: tv.resnet18(),
    "resnet50": lambda: tv.resnet50(),
    "mobilenet_v2": lambda: tv.mobilenet_v2(),
    "resnext50_32x4d": lambda: tv.resnext50_32x4d(),
    "wide_resnet50_2": lambda: tv.wide_resnet50_2(),
    "mobilenet_v3_large": lambda: tv.mobilenet_v3_large(),
    "mobilenet_v3_small": lambda: tv.mobilenet_v3_small(),
    "inception_v3": lambda: tv.inception_v3(aux_logits=False,
                                            init_weights=True),
    "vgg16": lambda: tv.vgg16(),
    "alexnet": lambda: tv.alexnet(),
    "squeezenet1_0": lambda: tv.squeezenet1_0(),
}
# Inception v3 is defined on 299 x 299 images.
INPUT_SIZE = {"inception_v3": 299}


def calibrate_batchnorm(model, size=224, batches=2):
    for module in model.modules():
        if isinstance(module, torch.nn.BatchNorm2d):
            module.momentum = None  # cumulative average over the batches
    model.train()
    with torch.no_grad():
        for _ in range(batches):
            model(torch.randn(4, 3, size, size))


def export(name, cache):
    """Writes NAME.onnx, NAME.input.npy and NAME.reference.npy to cache."""
    paths = {k: os.path.join(cache, "%s.%s" % (name, k))
             for k in ("onnx", "input.npy", "reference.npy")}
    if all(os.path.exists(p) for p in paths.values()):
        return paths
    torch.manual_seed(0)
    model = MODELS[name]()
    # Untouched BatchNorm statistics (mean 0, variance 1) let activations of
    # a randomly initialized network vanish (MobileNetV2's logits are about
    # 1e-12), which makes a comparison meaningless. Running statistics from
    # a few random batches give outputs of ordinary magnitude.
    size = INPUT_SIZE.get(name, 224)
    calibrate_batchnorm(model, size)
    model.eval()
    x = torch.randn(1, 3, size, size)
    with torch.no_grad():
        reference = model(x).numpy()
        torch.onnx.export(model, x, paths["onnx"], opset_version=17,
                          input_names=["input"], output_names=["logits"])
    np.save(paths["input.npy"], x.numpy())
    np.save(paths["reference.npy"], reference)
    return paths


def check(name, bin_dir, cache, threads):
    paths = export(name, cache)
    artifact = os.path.join(cache, name + ".so")
    start = time.time()
    subprocess.run([os.path.join(bin_dir, "anvil-compile"), paths["onnx"],
                    "-o", artifact], check=True)
    compile_s = time.time() - start
    out_dir = os.path.join(cache, name + ".out")
    ran = subprocess.run(
        [os.path.join(bin_dir, "anvil-run"), artifact,
         "--input=" + paths["input.npy"], "--output-dir=" + out_dir,
         "--benchmark=5", "--threads=%d" % threads],
        check=True, capture_output=True, text=True)
    got = np.load(os.path.join(out_dir, "output0.npy"))
    want = np.load(paths["reference.npy"])
    diff, bound = max_diff(got, want)
    top1 = int(got.argmax()) == int(want.argmax())
    timing = [l for l in ran.stdout.splitlines() if l.startswith("benchmark")]
    ok = diff <= bound and top1
    print("%s: compile %.1f s; max |diff| %.3g (bound %.3g); top-1 %s; %s; %s"
          % (name, compile_s, diff, bound,
             "agrees" if top1 else "DIFFERS", timing[0] if timing else "",
             "ok" if ok else "FAIL"))
    return ok


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--bin", required=True)
    parser.add_argument("--cache", default=os.path.expanduser(
        "~/.cache/anvil/models"))
    parser.add_argument("--threads", type=int, default=0)
    parser.add_argument("models", nargs="*",
                        help="any of: " + ", ".join(MODELS) +
                        " (default: resnet18 mobilenet_v2)")
    args = parser.parse_args()
    args.models = args.models or ["resnet18", "mobilenet_v2"]
    unknown = [m for m in args.models if m not in MODELS]
    if unknown:
        parser.error("unknown model(s): " + ", ".join(unknown))
    os.makedirs(args.cache, exist_ok=True)
    results = [check(m, args.bin, args.cache, args.threads)
               for m in args.models]
    return summarize(results)


if __name__ == "__main__":
    sys.exit(main())
