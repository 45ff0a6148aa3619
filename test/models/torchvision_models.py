#!/usr/bin/python3
"""Compile torchvision models with Anvil and compare them with PyTorch.

Each model (random weights, eval mode, fixed seed) is exported by this
machine's PyTorch to ONNX at opset 17, compiled with anvil-compile, run with
anvil-run, and compared with PyTorch's own output on the same input: the
largest absolute difference must be at most 1e-3 of the largest reference
magnitude, and the top-1 class must agree. Models are generated into a
cache directory at test time, never committed.

With --target=mtia-v1 (or another machine) the models are compiled for that
machine and run on its simulator, where products run on the DPE with f16
inputs. The bound then comes from PyTorch itself: the same model with the
inputs and weights of every dense convolution and linear layer rounded to
f16 (f32 arithmetic otherwise) deviates from the f32 reference by some
relative L2 error E; the simulated output must stay within 2 E of the f32
reference, and its top-1 class must agree (docs/Targets.md). The
simulator's report is printed.
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
    "googlenet": lambda: tv.googlenet(aux_logits=False, init_weights=True),
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


def rounded_to_f16(t):
    return t.half().float()


def f16_product_reference(name, cache):
    """The model's output with the inputs and weights of its dense
    convolutions and linear layers rounded to f16, as the DPE takes them."""
    path = os.path.join(cache, name + ".reference-f16.npy")
    if os.path.exists(path):
        return np.load(path)
    torch.manual_seed(0)
    model = MODELS[name]()
    calibrate_batchnorm(model, INPUT_SIZE.get(name, 224))
    model.eval()
    for module in model.modules():
        dense = isinstance(module, torch.nn.Linear) or (
            isinstance(module, torch.nn.Conv2d) and module.groups == 1)
        if dense:
            module.weight.data = rounded_to_f16(module.weight.data)
            module.register_forward_pre_hook(
                lambda m, inputs: tuple(rounded_to_f16(t) for t in inputs))
    x = torch.from_numpy(np.load(os.path.join(cache, name + ".input.npy")))
    with torch.no_grad():
        out = model(x).numpy()
    np.save(path, out)
    return out


def relative_l2(got, want):
    return float(np.linalg.norm(got - want) / np.linalg.norm(want))


def check(name, bin_dir, cache, threads, target="host"):
    paths = export(name, cache)
    suffix = "" if target == "host" else "." + target
    artifact = os.path.join(cache, name + suffix + ".so")
    start = time.time()
    subprocess.run([os.path.join(bin_dir, "anvil-compile"), paths["onnx"],
                    "-o", artifact, "--target=" + target], check=True)
    compile_s = time.time() - start
    out_dir = os.path.join(cache, name + suffix + ".out")
    ran = subprocess.run(
        [os.path.join(bin_dir, "anvil-run"), artifact,
         "--input=" + paths["input.npy"], "--output-dir=" + out_dir,
         "--benchmark=5", "--threads=%d" % threads],
        check=True, capture_output=True, text=True)
    got = np.load(os.path.join(out_dir, "output0.npy"))
    want = np.load(paths["reference.npy"])
    top1 = int(got.argmax()) == int(want.argmax())
    timing = [l for l in ran.stdout.splitlines() if l.startswith("benchmark")]
    if target == "host":
        diff, bound = max_diff(got, want)
        measure = "max |diff| %.3g (bound %.3g)" % (diff, bound)
    else:
        diff = relative_l2(got, want)
        bound = 2 * relative_l2(f16_product_reference(name, cache), want)
        measure = ("relative L2 error %.3g (bound: twice PyTorch's with f16 "
                   "product inputs, %.3g)" % (diff, bound))
    ok = diff <= bound and top1
    print("%s: compile %.1f s; %s; top-1 %s; %s; %s"
          % (name, compile_s, measure, "agrees" if top1 else "DIFFERS",
             timing[0] if timing else "", "ok" if ok else "FAIL"))
    if target != "host":
        report = [l for l in ran.stdout.splitlines()
                  if not l.startswith(("ran in", "benchmark"))]
        print("  " + "\n  ".join(report[:4]))
    return ok


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--bin", required=True)
    parser.add_argument("--cache", default=os.path.expanduser(
        "~/.cache/anvil/models"))
    parser.add_argument("--threads", type=int, default=0)
    parser.add_argument("--target", default="host",
                        help="host, or a machine to simulate (mtia-v1, ...)")
    parser.add_argument("models", nargs="*",
                        help="any of: " + ", ".join(MODELS) +
                        " (default: resnet18 mobilenet_v2)")
    args = parser.parse_args()
    args.models = args.models or ["resnet18", "mobilenet_v2"]
    unknown = [m for m in args.models if m not in MODELS]
    if unknown:
        parser.error("unknown model(s): " + ", ".join(unknown))
    os.makedirs(args.cache, exist_ok=True)
    results = [check(m, args.bin, args.cache, args.threads, args.target)
               for m in args.models]
    return summarize(results)


if __name__ == "__main__":
    sys.exit(main())
