#!/usr/bin/python3
"""Roller's operator benchmark: products one at a time on the simulator.

The operators are the distinct products (convolutions, linear layers,
batched matmuls) of ResNet-50 and MobileNetV2 (batch 1 and 8), BERT-base
(sequence 128), the suite's 2-layer LSTM and DLRM, listed in
bench/operators.json. Each is
compiled alone, as a one-node ONNX model, under Roller (the default) and
under the first tiling policy (--disable=roller), and run on the simulator
of each machine; the op's simulated cycles (all its jobs: a
convolution's im2col beside its products), its share of the DPE's peak
and the tiling pass's time are printed side by side. --dtype f16 makes
the models f16; --gemm N benchmarks an N x N x N MatMul instead. With
--exhaustive, every candidate Roller constructs and prices (each shape with
the staging and buffer count it prices fastest) is also compiled as a
replayed decision and simulated: the best of them is the search's answer,
and the ranks of the predicted and simulated times give the cost model's
rank correlation.

With --target host the same operators are compiled for this machine
instead and timed natively (anvil-run --benchmark), Roller's host tiles
against the fixed blocking, in alternating rounds so that both see the
same machine; the ratio of their median times is printed per operator and
as a geomean. Host times are this machine's, noisy, and only comparable
within one run.

    bench/operators.py list                     rewrite operators.json
    bench/operators.py run --bin build/bin      the table and summary
    bench/operators.py run --bin build/bin --exhaustive --filter resnet50
    bench/operators.py run --bin build/bin --dtype f16 --gemm 2048
    bench/operators.py run --bin build/bin --target host --rounds 7

`list` needs PyTorch and torchvision (/usr/bin/python3); `run` needs onnx
and numpy. Simulated times are cycles, deterministic on any host.
"""

import argparse
import json
import math
import os
import re
import subprocess
import sys
import tempfile
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
LIST = os.path.join(HERE, "operators.json")
PRODUCT_JOB = re.compile(r"^(matmul|batch_matmul|conv|grouped_conv)_\d+$")
PRODUCT_OP = re.compile(
    r"linalg\.(matmul|batch_matmul|conv_2d_nchw_fchw|conv_2d_ngchw_gfchw)\b")


# ---------------------------------------------------------------- listing


def conv_spec(model, module, x):
    return {"model": model, "op": "conv", "input": list(x.shape),
            "weight": list(module.weight.shape),
            "stride": list(module.stride), "pad": list(module.padding),
            "dilation": list(module.dilation), "groups": module.groups}


def matmul_spec(model, m, k, n, batch=None):
    spec = {"model": model, "op": "matmul", "a": [m, k], "b": [k, n]}
    if batch:
        spec["a"] = [batch, m, k]
        spec["b"] = [batch, k, n]
    return spec


def hooked_specs(model_name, model, inputs):
    """Every Conv2d and Linear the model runs, as specs."""
    import torch
    specs = []

    def hook(module, args, _):
        x = args[0]
        if isinstance(module, torch.nn.Conv2d):
            specs.append(conv_spec(model_name, module, x))
        elif isinstance(module, torch.nn.Linear):
            rows = int(np.prod(x.shape[:-1]))
            specs.append(matmul_spec(model_name, rows, module.in_features,
                                     module.out_features))

    for module in model.modules():
        if isinstance(module, (torch.nn.Conv2d, torch.nn.Linear)):
            module.register_forward_hook(hook)
    model.eval()
    with torch.no_grad():
        model(*inputs)
    return specs


def list_operators():
    import torch
    import torchvision
    sys.path.insert(0, os.path.join(HERE, "..", "test", "models"))
    from fx_models import Dlrm, dlrm_inputs
    torch.manual_seed(0)
    # The classifiers at batch 1 and at a serving batch of 8.
    specs = []
    for batch in (1, 8):
        image = (torch.randn(batch, 3, 224, 224),)
        suffix = "" if batch == 1 else "-b%d" % batch
        specs += hooked_specs("resnet50" + suffix,
                              torchvision.models.resnet50(), image)
        specs += hooked_specs("mobilenet_v2" + suffix,
                              torchvision.models.mobilenet_v2(), image)
    # BERT-base at sequence 128: attention's projections and products run
    # inside nn.MultiheadAttention, outside any hooked module.
    seq, d, heads, ffn = 128, 768, 12, 3072
    specs += [matmul_spec("bert_base", seq, d, 3 * d),
              matmul_spec("bert_base", seq, d // heads, seq, batch=heads),
              matmul_spec("bert_base", seq, seq, d // heads, batch=heads),
              matmul_spec("bert_base", seq, d, d),
              matmul_spec("bert_base", seq, d, ffn),
              matmul_spec("bert_base", seq, ffn, d)]
    # The suite's LSTM (64 -> 128, 2 layers, 32 steps of batch 4): the
    # input projections of all steps at once, the recurrent one per step,
    # and the head.
    specs += [matmul_spec("lstm2", 32 * 4, 64, 4 * 128),
              matmul_spec("lstm2", 32 * 4, 128, 4 * 128),
              matmul_spec("lstm2", 4, 128, 4 * 128),
              matmul_spec("lstm2", 4, 128, 10)]
    dlrm = hooked_specs("dlrm", Dlrm(), dlrm_inputs())
    specs += dlrm + [matmul_spec("dlrm", 5, 16, 5, batch=8)]
    distinct, seen = [], set()
    for spec in specs:
        key = json.dumps({k: v for k, v in spec.items() if k != "model"},
                         sort_keys=True)
        if key not in seen:
            seen.add(key)
            distinct.append(spec)
    for i, spec in enumerate(distinct):
        spec["name"] = "%s/%d %s" % (spec["model"], i, describe(spec))
    with open(LIST, "w") as f:
        json.dump(distinct, f, indent=1)
        f.write("\n")
    print("%d distinct operators written to %s" % (len(distinct), LIST))


def describe(spec):
    if spec["op"] == "matmul":
        a, b = spec["a"], spec["b"]
        batch = "%dx " % a[0] if len(a) == 3 else ""
        return "%s%dx%dx%d" % (batch, a[-2], b[-1], a[-1])
    n, c, h, w = spec["input"]
    f, _, kh, kw = spec["weight"]
    g = " g%d" % spec["groups"] if spec["groups"] > 1 else ""
    return "conv %dx%d %d->%d @%dx%d s%d%s" % (kh, kw, c, f, h, w,
                                              spec["stride"][0], g)


# ---------------------------------------------------------------- running


def macs(spec):
    if spec["op"] == "matmul":
        a, b = spec["a"], spec["b"]
        return int(np.prod(a)) * b[-1]
    n, c, h, w = spec["input"]
    f, cg, kh, kw = spec["weight"]
    oh = (h + 2 * spec["pad"][0] - spec["dilation"][0] * (kh - 1) - 1) \
        // spec["stride"][0] + 1
    ow = (w + 2 * spec["pad"][1] - spec["dilation"][1] * (kw - 1) - 1) \
        // spec["stride"][1] + 1
    return n * f * oh * ow * cg * kh * kw


def write_model(spec, directory, dtype="f32"):
    """The one-node ONNX model of `spec` in `dtype` (f32 or f16) and its
    inputs' .npy files."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper
    rng = np.random.default_rng(0)
    inits, inputs, files = [], [], []
    element = {"f32": TensorProto.FLOAT, "f16": TensorProto.FLOAT16}[dtype]
    numpy_type = {"f32": np.float32, "f16": np.float16}[dtype]

    def tensor_input(name, shape):
        inputs.append(helper.make_tensor_value_info(name, element, shape))
        path = os.path.join(directory, name + ".npy")
        np.save(path, rng.standard_normal(shape).astype(numpy_type))
        files.append(path)

    if spec["op"] == "matmul":
        tensor_input("a", spec["a"])
        if len(spec["b"]) == 3:
            tensor_input("b", spec["b"])
        else:
            inits.append(numpy_helper.from_array(
                rng.standard_normal(spec["b"]).astype(numpy_type), "b"))
        node = helper.make_node("MatMul", ["a", "b"], ["y"])
    else:
        tensor_input("x", spec["input"])
        inits.append(numpy_helper.from_array(
            (rng.standard_normal(spec["weight"]) * 0.1).astype(numpy_type),
            "w"))
        pads = spec["pad"] + spec["pad"]
        node = helper.make_node("Conv", ["x", "w"], ["y"],
                                strides=spec["stride"], pads=pads,
                                dilations=spec["dilation"],
                                group=spec["groups"])
    output = helper.make_tensor_value_info("y", element, None)
    graph = helper.make_graph([node], "op", inputs, [output], inits)
    model = helper.make_model(graph,
                              opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    path = os.path.join(directory, "op.onnx")
    onnx.save(model, path)
    return path, files


def machine_figures(target):
    """The DPE's peak f16 MACs per cycle over all PEs, and a job's launch
    cycles, from the machine description."""
    with open(os.path.join(HERE, "..", "targets", target + ".json")) as f:
        desc = json.load(f)
    dpe = desc["dpe"]
    pes = desc["pe_grid"]["rows"] * desc["pe_grid"]["cols"]
    peak = dpe["tile_rows"] * dpe["tile_row_bytes"] // 2 * dpe["arrays"] * pes
    return peak, desc["costs"]["launch_cycles"]


def run(cmd):
    return subprocess.run(cmd, capture_output=True, text=True)


def simulate(binary, source, inputs, target, flags, directory, tag):
    """Compiles and simulates; the product kernels' cycles, predicted
    cycles, the DPE-bound cycles and the tiling pass's seconds."""
    artifact = os.path.join(directory, tag + ".so")
    compiled = run([os.path.join(binary, "anvil-compile"), source,
                    "--target=" + target, "-o", artifact, "--mlir-timing",
                    "--mlir-timing-display=list"] + flags)
    if compiled.returncode != 0:
        raise RuntimeError("%s: %s" % (tag, compiled.stderr.strip()[-400:]))
    # --mlir-timing's "user (share) wall (share) name" lines.
    timed = re.search(r"^\s*[\d.]+ \(\s*[\d.]+%\)\s+([\d.]+) "
                      r"\(\s*[\d.]+%\)\s+MTIAFormKernels$",
                      compiled.stderr, re.M)
    seconds = float(timed.group(1)) if timed else 0.0
    ran = run([os.path.join(binary, "anvil-run"), artifact, "--report=json"]
              + ["--input=" + f for f in inputs])
    if ran.returncode != 0:
        raise RuntimeError("%s: %s" % (tag, ran.stderr.strip()[-400:]))
    report = json.loads(ran.stdout)["simulation"]
    # The whole op: its product kernels and what it runs beside them (a
    # convolution's im2col, a quantization), or, for an op that is not a
    # DPE product (a depthwise convolution), its vector-core kernels.
    jobs = report["job_list"]
    on_dpe = any(PRODUCT_JOB.match(j["name"]) for j in jobs)
    cycles = sum(j["end_cycle"] - j["start_cycle"] for j in jobs)
    predicted = sum(j.get("predicted_cycles", 0) for j in jobs)
    return {"cycles": cycles, "predicted": predicted, "jobs": len(jobs),
            "on_dpe": on_dpe, "seconds": seconds}


def candidates(binary, linalg):
    """Roller's ranked candidates of the op's product kernel, all of them."""
    printed = run([os.path.join(binary, "anvil-opt"), linalg,
                   "--anvil-mtia-pipeline=tiling=roller "
                   "tiling-candidates=100000",
                   "--mlir-print-ir-after=anvil-mtia-form-kernels",
                   "-o", os.devnull])
    found = re.search(r"anvil\.product_candidates = \[(.*?)\]\s*[,}]",
                      printed.stderr)
    if not found:
        return []
    return [[int(v) for v in c.split(",")]
            for c in re.findall(r"array<i64: ([^>]*)>", found.group(1))]


def replayed(linalg_text, candidate):
    """The linalg module with `candidate` decided on its product op."""
    tm, tn, tk, buffers, stage_a, stage_b = candidate[:6]
    attrs = ("anvil.product_tiles = array<i64: %d, %d, %d>, "
             "anvil.product_staging = array<i1: %s, %s>, "
             "anvil.product_buffers = %d" %
             (tm, tn, tk, "true" if stage_a else "false",
              "true" if stage_b else "false", buffers))
    match = PRODUCT_OP.search(linalg_text)
    end = match.end()
    if linalg_text[end:end + 2] == " {":
        return linalg_text[:end + 2] + attrs + ", " + linalg_text[end + 2:]
    return linalg_text[:end] + " {" + attrs + "}" + linalg_text[end:]


def exhaustive(binary, model, inputs, target, directory):
    """Every candidate simulated: (predicted, simulated) pairs."""
    linalg = os.path.join(directory, "op.linalg.mlir")
    emitted = run([os.path.join(binary, "anvil-compile"), model,
                   "--target=" + target, "--emit=linalg", "-o", linalg])
    if emitted.returncode != 0:
        raise RuntimeError(emitted.stderr)
    text = open(linalg).read()
    pairs = []
    for i, candidate in enumerate(candidates(binary, linalg)):
        decided = os.path.join(directory, "decided.mlir")
        with open(decided, "w") as f:
            f.write(replayed(text, candidate))
        result = simulate(binary, decided, inputs, target, [], directory,
                          "candidate%d" % i)
        pairs.append((result["predicted"], result["cycles"]))
    return pairs


def spearman(xs, ys):
    def ranks(v):
        order = np.argsort(v, kind="stable")
        r = np.empty(len(v))
        r[order] = np.arange(len(v))
        for value in set(v):  # ties share their mean rank
            idx = [i for i, x in enumerate(v) if x == value]
            r[idx] = np.mean(r[idx])
        return r
    if len(xs) < 3:
        return None
    a, b = ranks(list(xs)), ranks(list(ys))
    if a.std() == 0 or b.std() == 0:
        return None
    return float(np.corrcoef(a, b)[0, 1])


def geomean(values):
    return math.exp(sum(math.log(v) for v in values) / len(values))


def run_benchmark(args):
    specs = json.load(open(LIST))
    if args.gemm:
        specs = [{"name": "gemm/%dx%dx%d" % (n, n, n), "op": "matmul",
                  "a": [n, n], "b": [n, n]} for n in args.gemm]
    if args.filter:
        specs = [s for s in specs if args.filter in s["name"]]
    if args.every > 1:
        specs = specs[::args.every]
    results = []
    if "host" in args.target:
        results += run_host(args, specs)
    for target in [t for t in args.target if t != "host"]:
        peak, launch = machine_figures(target)
        print("== %s: %d operators in %s" % (target, len(specs), args.dtype))
        print("%-44s %9s %9s %6s %6s %7s %8s%s" % (
            "operator", "fixed", "roller", "fixed%", "rol%", "speedup",
            "pass ms", "  best  first/best  rho" if args.exhaustive else ""))
        for spec in specs:
            with tempfile.TemporaryDirectory(prefix="anvil-op-") as d:
                model, inputs = write_model(spec, d, args.dtype)
                fixed = simulate(args.bin, model, inputs, target,
                                 ["--disable=roller"], d, "fixed")
                roller = simulate(args.bin, model, inputs, target, [], d,
                                  "roller")
                row = {"target": target, "name": spec["name"],
                       "macs": macs(spec), "fixed": fixed, "roller": roller}
                # The DPE-bound cycles, and each kernel's body: its
                # launches, which no tiling changes, left out.
                bound = row["macs"] / peak
                for r in (fixed, roller):
                    r["body"] = max(r["cycles"] - launch * r["jobs"], 1)
                    r["peak_share"] = bound / r["body"]
                extra = ""
                if args.exhaustive:
                    pairs = exhaustive(args.bin, model, inputs, target, d)
                    best = min(c for _, c in pairs) if pairs else None
                    row["candidates"] = pairs
                    row["best"] = best
                    rho = spearman([p for p, _ in pairs],
                                   [c for _, c in pairs])
                    row["spearman"] = rho
                    if best:
                        extra = "  %6d  %10.2f  %s" % (
                            best, roller["cycles"] / best,
                            "%.2f" % rho if rho is not None else "-")
            print("%-44s %9d %9d %5.1f%% %5.1f%% %6.2fx %4.1f/%4.1f%s%s" % (
                spec["name"][:44], fixed["cycles"], roller["cycles"],
                100 * fixed["peak_share"], 100 * roller["peak_share"],
                fixed["cycles"] / roller["cycles"], 1e3 * fixed["seconds"],
                1e3 * roller["seconds"], extra,
                "" if roller["on_dpe"] else "  (vector cores)"))
            sys.stdout.flush()
            results.append(row)
        summarize([r for r in results if r["target"] == target], target)
    if args.out:
        with open(args.out, "w") as f:
            json.dump(results, f, indent=1)


BENCHMARK_MEDIAN = re.compile(r"median ([\d.]+) ms")


def host_time(binary, artifact, inputs, args):
    """The median milliseconds of `args.runs` runs of `artifact`."""
    ran = run([os.path.join(binary, "anvil-run"), artifact,
               "--benchmark=%d" % args.runs, "--warmup=2",
               "--threads=%d" % args.threads]
              + ["--input=" + f for f in inputs])
    found = BENCHMARK_MEDIAN.search(ran.stdout + ran.stderr)
    if ran.returncode != 0 or not found:
        raise RuntimeError("%s: %s" % (artifact, ran.stderr.strip()[-400:]))
    return float(found.group(1))


def median(values):
    values = sorted(values)
    return values[len(values) // 2]


def run_host(args, specs):
    """Roller's host tiles against the fixed blocking, natively."""
    print("== host: %d operators in %s, %d rounds of %d runs, %s threads" % (
        len(specs), args.dtype, args.rounds, args.runs,
        args.threads or "all"))
    print("%-44s %9s %9s %7s" % ("operator", "fixed ms", "roller ms",
                                "speedup"))
    rows = []
    for spec in specs:
        with tempfile.TemporaryDirectory(prefix="anvil-op-") as d:
            model, inputs = write_model(spec, d, args.dtype)
            artifacts = {}
            for policy, flags in (("fixed", ["--disable=roller"]),
                                  ("roller", [])):
                artifacts[policy] = os.path.join(d, policy + ".so")
                compiled = run([os.path.join(args.bin, "anvil-compile"),
                                model, "-o", artifacts[policy]] + flags)
                if compiled.returncode != 0:
                    raise RuntimeError("%s: %s" % (
                        spec["name"], compiled.stderr.strip()[-400:]))
            times = {"fixed": [], "roller": []}
            for r in range(args.rounds):
                # Alternate which goes first, so neither always runs on a
                # machine the other has just warmed.
                order = ("fixed", "roller") if r % 2 == 0 else \
                    ("roller", "fixed")
                for policy in order:
                    times[policy].append(
                        host_time(args.bin, artifacts[policy], inputs, args))
        row = {"target": "host", "name": spec["name"],
               "fixed_ms": median(times["fixed"]),
               "roller_ms": median(times["roller"])}
        rows.append(row)
        print("%-44s %9.3f %9.3f %6.3fx" % (
            spec["name"][:44], row["fixed_ms"], row["roller_ms"],
            row["fixed_ms"] / row["roller_ms"]))
        sys.stdout.flush()
    ratios = [r["roller_ms"] / r["fixed_ms"] for r in rows]
    print("host: geomean time ratio Roller/fixed %.3f over %d operators "
          "(min %.3f, max %.3f; below 1: Roller faster)" % (
              geomean(ratios), len(rows), min(ratios), max(ratios)))
    for model in sorted({r["name"].split("/")[0] for r in rows}):
        mine = [r["roller_ms"] / r["fixed_ms"] for r in rows
                if r["name"].startswith(model + "/")]
        print("  %-15s %3d operators, geomean ratio %.3f" % (
            model, len(mine), geomean(mine)))
    return rows


def summarize(rows, target):
    speedups = [r["fixed"]["cycles"] / r["roller"]["cycles"] for r in rows]
    passes = sorted(r["roller"]["seconds"] for r in rows)
    print("%s: geomean speedup of Roller over fixed tiles %.2fx over %d "
          "operators (min %.2fx, max %.2fx); median tiling pass %.1f ms "
          "(fixed %.1f ms)" % (
              target, geomean(speedups), len(rows), min(speedups),
              max(speedups), 1e3 * passes[len(passes) // 2],
              1e3 * sorted(r["fixed"]["seconds"] for r in rows)[len(rows) // 2]))
    bodies = [r["fixed"]["body"] / r["roller"]["body"] for r in rows]
    print("  launches left out: geomean speedup of the kernels' bodies "
          "%.2fx" % geomean(bodies))
    for model in sorted({r["name"].split("/")[0] for r in rows}):
        mine = [r for r in rows if r["name"].startswith(model + "/")]
        dpe = [r for r in mine if r["roller"]["on_dpe"]] or mine

        def weighted(policy):
            # Share of the DPE's peak over the model's products, weighted
            # by their MACs: the bound of all over the bodies of all.
            return sum(r["macs"] / r[policy]["peak_share"] for r in dpe)

        macs_all = sum(r["macs"] for r in dpe)
        print("  %-15s %3d operators (%d on the vector cores), geomean "
              "%.2fx; DPE bodies at %.1f%% of the DPE's peak with Roller, "
              "%.1f%% fixed (MAC-weighted)" % (
                  model, len(mine),
                  sum(not r["roller"]["on_dpe"] for r in mine),
                  geomean([r["fixed"]["cycles"] / r["roller"]["cycles"]
                           for r in mine]),
                  100 * macs_all / weighted("roller"),
                  100 * macs_all / weighted("fixed")))
    searched = [r for r in rows if r.get("best")]
    if searched:
        within = sum(r["roller"]["cycles"] <= 1.1 * r["best"]
                     for r in searched)
        rhos = sorted(r["spearman"] for r in searched
                      if r["spearman"] is not None)
        pred = [p for r in searched for p, _ in r["candidates"]]
        sim = [c for r in searched for _, c in r["candidates"]]
        print("  exhaustive: first choice within 10%% of the best on %d of %d "
              "operators (%.0f%%); Spearman of predicted and simulated time: "
              "median per operator %s, all %d candidates pooled %.2f" % (
                  within, len(searched), 100 * within / len(searched),
                  "%.2f" % rhos[len(rhos) // 2] if rhos else "-", len(pred),
                  spearman(pred, sim) or 0))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("list", help="rewrite bench/operators.json")
    go = sub.add_parser("run", help="the benchmark")
    go.add_argument("--bin", required=True)
    go.add_argument("--target", action="append",
                    help="machines (default: mtia-v1 and mtia-2i; host: "
                    "this machine, natively)")
    go.add_argument("--filter", help="only operators whose name holds this")
    go.add_argument("--every", type=int, default=1,
                    help="only every N-th operator of the list")
    go.add_argument("--exhaustive", action="store_true",
                    help="also simulate every candidate Roller prices")
    go.add_argument("--dtype", choices=["f32", "f16"], default="f32",
                    help="the models' element type (default f32)")
    go.add_argument("--gemm", type=int, action="append",
                    help="instead of the list: a square N x N x N MatMul "
                    "(B a weight), for each N given")
    go.add_argument("--out", help="write the rows as JSON here")
    go.add_argument("--rounds", type=int, default=5,
                    help="host: alternating rounds per operator (default 5)")
    go.add_argument("--runs", type=int, default=20,
                    help="host: timed runs per round (default 20)")
    go.add_argument("--threads", type=int, default=0,
                    help="host: worker threads (default 0: one per core)")
    args = parser.parse_args()
    if args.command == "list":
        list_operators()
        return 0
    args.target = args.target or ["mtia-v1", "mtia-2i"]
    run_benchmark(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
