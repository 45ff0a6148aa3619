#!/usr/bin/python3
"""Compile FX graphs from this machine's PyTorch (no torch.export) with Anvil.

Each model (random weights, eval mode, fixed seed) is traced with make_fx
by python/anvil_fx_export.py into a .pt2 archive, compiled with
anvil-compile, run with anvil-run and compared with PyTorch's own output:
the largest absolute difference must be at most 1e-3 of the largest
reference magnitude (and classifiers' top-1 must agree). The same model
exported to ONNX (opset 17) is compiled too, and the two artifacts' outputs
are compared with each other; a model whose ONNX form uses ops the ONNX
importer lacks is reported as such. Models are generated into a cache at
test time, never committed.
"""

import argparse
import os
import sys

import numpy as np
import torch
import torchvision

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "python"))
sys.path.insert(0, HERE)
import anvil_fx_export  # noqa: E402
from compare import compare_forms, compile_and_run, max_diff, summarize  # noqa: E402
from torchvision_models import calibrate_batchnorm  # noqa: E402


class Dlrm(torch.nn.Module):
    """EmbeddingBag tables, bottom and top MLPs, pairwise dot interaction."""

    def __init__(self, tables=4, rows=1000, dim=16, dense=13):
        super().__init__()
        self.emb = torch.nn.ModuleList(
            torch.nn.EmbeddingBag(rows, dim, mode="sum")
            for _ in range(tables))
        self.bot = torch.nn.Sequential(
            torch.nn.Linear(dense, 32), torch.nn.ReLU(),
            torch.nn.Linear(32, dim), torch.nn.ReLU())
        pairs = (tables + 1) * tables // 2
        self.top = torch.nn.Sequential(
            torch.nn.Linear(dim + pairs, 32), torch.nn.ReLU(),
            torch.nn.Linear(32, 1))
        # PyTorch 1.13's ONNX exporter lacks tril_indices: the pairs are
        # buffers here (the torch.export fixture computes them in forward).
        li, lj = torch.tril_indices(tables + 1, tables + 1, offset=-1)
        self.register_buffer("li", li)
        self.register_buffer("lj", lj)

    def forward(self, dense, idx, off):
        x = self.bot(dense)
        feats = [x] + [e(idx[i], off[i]) for i, e in enumerate(self.emb)]
        z = torch.stack(feats, dim=1)
        inter = torch.bmm(z, z.transpose(1, 2))
        pairs = inter[:, self.li, self.lj]
        return torch.sigmoid(self.top(torch.cat([x, pairs], 1)))


def dlrm_inputs(batch=8, tables=4, per_bag=4, rows=1000):
    lengths = torch.randint(0, 2 * per_bag, (tables, batch))
    total = int(lengths.sum(1).max())
    idx = torch.randint(0, rows, (tables, total))
    # Bags of varied sizes (some empty); the tail of short tables is unused.
    off = torch.cat([torch.zeros(tables, 1, dtype=torch.long),
                     lengths.cumsum(1)[:, :-1]], 1)
    return torch.randn(batch, 13), idx, off


class OpMix(torch.nn.Module):
    """Ops the other models miss: roll, constant padding, new_zeros, and
    nn.MultiheadAttention's fused inference path (batch first, no mask)."""

    def __init__(self):
        super().__init__()
        self.conv = torch.nn.Conv2d(4, 8, 3)
        self.attention = torch.nn.MultiheadAttention(8, 2, batch_first=True)

    def forward(self, x):
        y = torch.roll(x, shifts=(2, -1), dims=(2, 3))
        y = torch.nn.functional.pad(y, (1, 2, 0, 3), value=0.5)
        y = self.conv(y).flatten(2).transpose(1, 2)
        out, _ = self.attention(y, y, y, need_weights=False)
        return out + y.new_zeros(y.shape[-1]) + 1


def transformer():
    layer = torch.nn.TransformerEncoderLayer(d_model=64, nhead=4,
                                             dim_feedforward=128)
    return torch.nn.TransformerEncoder(layer, num_layers=2)


def vit():
    """ViT-B/16 with a random head: torchvision zero-initializes it, which
    would make every output 0 and the comparison empty."""
    model = torchvision.models.vit_b_16()
    torch.nn.init.normal_(model.heads.head.weight, std=0.02)
    return model


def classifier(build):
    def make():
        model = build()
        calibrate_batchnorm(model)
        return model, (torch.randn(1, 3, 224, 224),)
    return make


MODELS = {
    "resnet18": classifier(torchvision.models.resnet18),
    "mobilenet_v2": classifier(torchvision.models.mobilenet_v2),
    "transformer": lambda: (transformer(), (torch.randn(16, 2, 64),)),
    "dlrm": lambda: (Dlrm(), dlrm_inputs()),
    "op_mix": lambda: (OpMix(), (torch.randn(2, 4, 10, 12),)),
    # Larger, run by name: ViT's encoder takes PyTorch's fused multi-head
    # attention path in eval mode, ConvNeXt restates a layout with
    # as_strided_.
    "vit_b_16": lambda: (vit(), (torch.randn(1, 3, 224, 224),)),
    "convnext_tiny": classifier(torchvision.models.convnext_tiny),
}
DEFAULT = ["resnet18", "mobilenet_v2", "transformer", "dlrm", "op_mix"]
CLASSIFIERS = {"resnet18", "mobilenet_v2", "vit_b_16", "convnext_tiny"}


def export(name, cache):
    """Writes NAME.fx.pt2, NAME.fx.onnx, inputs and the reference."""
    base = os.path.join(cache, name + ".fx")
    paths = {"pt2": base + ".pt2", "onnx": base + ".onnx",
             "reference": base + ".reference.npy"}
    torch.manual_seed(0)
    model, inputs = MODELS[name]()
    model.eval()
    inputs_paths = [base + ".input%d.npy" % i for i in range(len(inputs))]
    if all(os.path.exists(p) for p in list(paths.values()) + inputs_paths):
        return paths, inputs_paths
    with torch.no_grad():
        reference = model(*inputs).numpy()
        anvil_fx_export.save(model, inputs, paths["pt2"])
        try:
            torch.onnx.export(model, inputs, paths["onnx"], opset_version=17)
        except torch.onnx.errors.OnnxExporterError as e:
            # Recorded so that later runs report it without exporting again.
            with open(paths["onnx"], "w") as f:
                f.write("export failed: %s\n" % str(e).split(".")[0])

    for p, x in zip(inputs_paths, inputs):
        np.save(p, x.numpy())
    np.save(paths["reference"], reference)
    return paths, inputs_paths




def check(name, bin_dir, cache):
    paths, inputs = export(name, cache)
    want = np.load(paths["reference"])
    got, error = compile_and_run(bin_dir, paths["pt2"], inputs,
                                 os.path.join(cache, name + ".fx.out"))
    if got is None:
        print("%s: .pt2 did not compile: %s: FAIL" % (name, error))
        return False
    diff, bound = max_diff(got, want)
    ok = diff <= bound
    note = "max |diff| %.3g (bound %.3g)" % (diff, bound)
    if name in CLASSIFIERS:
        top1 = int(got.argmax()) == int(want.argmax())
        ok &= top1
        note += "; top-1 %s" % ("agrees" if top1 else "DIFFERS")
    with open(paths["onnx"], "rb") as f:
        failed_export = f.read(14) == b"export failed:"
    # PyTorch 1.13 cannot export some models; that is not Anvil's failure.
    if failed_export:
        note += "; no ONNX form (%s)" % open(paths["onnx"]).read().strip()
    else:
        onnx, error = compile_and_run(bin_dir, paths["onnx"], inputs,
                                      os.path.join(cache, name + ".onnx.out"))
        pair_ok, pair_note = compare_forms(got, onnx, error, bound)
        ok &= pair_ok
        note += "; " + pair_note
    print("%s: %s: %s" % (name, note, "ok" if ok else "FAIL"))
    return ok


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--bin", required=True)
    parser.add_argument("--cache", default=os.path.expanduser(
        "~/.cache/anvil/models"))
    parser.add_argument("models", nargs="*", default=DEFAULT,
                        help="any of: " + ", ".join(MODELS))
    args = parser.parse_args()
    unknown = [m for m in args.models if m not in MODELS]
    if unknown:
        parser.error("unknown model(s): " + ", ".join(unknown))
    os.makedirs(args.cache, exist_ok=True)
    results = [check(m, args.bin, args.cache) for m in args.models]
    return summarize(results)


if __name__ == "__main__":
    sys.exit(main())
