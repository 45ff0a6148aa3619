#!/usr/bin/python3
"""Writes the batch-first recurrent fixtures: LSTM, GRU and RNN with
layout = 1 and initial states, one and two directions, with their inputs and
ONNX Runtime's outputs.

ONNX Runtime does not run layout = 1, so each model is also written in the
sequence-first layout (same weights, inputs transposed), run there, and its
outputs transposed back: the reference is ONNX Runtime's arithmetic, the
layout change is a transpose. Needs node and bench/'s onnxruntime-node
(bench/setup.sh); rerun only to change the fixtures.

usage: make_fixtures.py   (writes next to itself)
"""
import json
import os
import subprocess
import tempfile

import numpy as np
import onnx
from onnx import TensorProto as T
from onnx import helper as h
from onnx import numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, *[".."] * 5)
ORT_SCRIPT = """
const fs = require('fs');
const ort = require(process.argv[2]);
function readNpy(p) {
  const buf = fs.readFileSync(p), hl = buf.readUInt16LE(8);
  const hd = buf.toString('latin1', 10, 10 + hl);
  const shape = hd.match(/'shape': \\(([^)]*)\\)/)[1].split(',')
      .map((s) => s.trim()).filter((s) => s).map(Number);
  const data = Uint8Array.prototype.slice.call(buf, 10 + hl);
  return new ort.Tensor('float32', new Float32Array(data.buffer), shape);
}
(async () => {
  const [model, ...inputs] = process.argv.slice(3);
  const s = await ort.InferenceSession.create(model);
  const feeds = {};
  s.inputNames.forEach((n, i) => { feeds[n] = readNpy(inputs[i]); });
  const r = await s.run(feeds);
  const out = s.outputNames.map(
      (n) => ({dims: r[n].dims, data: Array.from(r[n].data)}));
  console.log(JSON.stringify(out));
})();
"""


def write_model(path, op, dirs, hidden, layout, inputs, weights):
    names = ["x", "w", "r", "b", "", "h0"] + (["c0"] if op == "LSTM" else [])
    outs = ["y", "y_h"] + (["y_c"] if op == "LSTM" else [])
    node = h.make_node(op, names, outs, hidden_size=hidden, layout=layout,
                       direction="bidirectional" if dirs == 2 else "forward")
    graph = h.make_graph(
        [node], op.lower(),
        [h.make_tensor_value_info(n, T.FLOAT, v.shape)
         for n, v in inputs.items()],
        [h.make_tensor_value_info(o, T.FLOAT, None) for o in outs],
        initializer=[numpy_helper.from_array(v, n)
                     for n, v in weights.items()])
    model = h.make_model(graph, opset_imports=[h.make_opsetid("", 14)])
    model.ir_version = 7
    onnx.save(model, path)


def run_ort(model, inputs, tmp):
    paths = []
    for n, v in inputs.items():
        paths.append(os.path.join(tmp, n + ".npy"))
        np.save(paths[-1], v)
    script = os.path.join(tmp, "ort.js")
    with open(script, "w") as f:
        f.write(ORT_SCRIPT)
    ort = os.path.join(ROOT, "bench", "node_modules", "onnxruntime-node")
    out = json.loads(subprocess.check_output(
        ["node", script, ort, model] + paths))
    return [np.array(o["data"], np.float32).reshape(o["dims"]) for o in out]


def fixture(rng, op, gates, dirs, tmp):
    steps, batch, features, hidden = 3, 2, 4, 5
    name = f"{op.lower()}_{dirs}dir"
    weights = {
        "w": rng.standard_normal((dirs, gates * hidden, features)),
        "r": rng.standard_normal((dirs, gates * hidden, hidden)),
        "b": rng.standard_normal((dirs, 2 * gates * hidden))}
    weights = {n: (0.5 * v).astype(np.float32) for n, v in weights.items()}
    inputs = {"x": rng.standard_normal((batch, steps, features)),
              "h0": rng.standard_normal((batch, dirs, hidden))}
    if op == "LSTM":
        inputs["c0"] = rng.standard_normal((batch, dirs, hidden))
    inputs = {n: v.astype(np.float32) for n, v in inputs.items()}
    write_model(os.path.join(HERE, name + ".onnx"), op, dirs, hidden, 1,
                inputs, weights)
    seq_first = {n: np.ascontiguousarray(v.transpose(1, 0, 2))
                 for n, v in inputs.items()}
    reference = os.path.join(tmp, name + ".onnx")
    write_model(reference, op, dirs, hidden, 0, seq_first, weights)
    outputs = run_ort(reference, seq_first, tmp)
    # Y [T, dirs, B, H] -> [B, T, dirs, H]; states [dirs, B, H] -> [B, dirs, H].
    outputs = [outputs[0].transpose(2, 0, 1, 3)] + [
        o.transpose(1, 0, 2) for o in outputs[1:]]
    for i, v in enumerate(inputs.values()):
        np.save(os.path.join(HERE, f"{name}.input{i}.npy"), v)
    for i, v in enumerate(outputs):
        np.save(os.path.join(HERE, f"{name}.output{i}.npy"),
                np.ascontiguousarray(v))


def main():
    rng = np.random.default_rng(0)
    with tempfile.TemporaryDirectory() as tmp:
        for op, gates in [("LSTM", 4), ("GRU", 3), ("RNN", 1)]:
            for dirs in (1, 2):
                fixture(rng, op, gates, dirs, tmp)


if __name__ == "__main__":
    main()
