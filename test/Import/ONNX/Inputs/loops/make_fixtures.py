#!/usr/bin/python3
"""Writes the loop fixtures: ONNX Loop and Scan models that stay loops
(nn.loop), each with two input sets and ONNX Runtime's outputs for them.

- loop_while: no trip count; the body scales a vector until its largest
  element passes a limit given as an input, so the two input sets leave
  the loop after different numbers of iterations (read at run time).
- loop_count: the trip count is a graph input; the body adds row i of a
  matrix (a Gather on the iteration number) to what it carries.
- loop_rnn: a constant trip count, a recurrent cell h = tanh(W h + x[i])
  (a product inside the loop) and every step's h as a scan output.
- scan_axes: Scan-11 over two inputs along axis 1, one of them backwards,
  one scan output placed along axis 1 and reversed.
- loop_nested: a Loop in a Loop's body whose trip count is the outer
  iteration number (0 + 1 + ... + n-1 inner iterations).

Needs node and bench/'s onnxruntime-node (bench/setup.sh); rerun only to
change the fixtures.

usage: make_fixtures.py [NAME ...]   (writes next to itself; all by default)
"""
import json
import os
import subprocess
import sys
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
const kinds = {'<f4': ['float32', Float32Array], '<i8': ['int64', BigInt64Array],
               '|b1': ['bool', Uint8Array]};
function readNpy(p) {
  const buf = fs.readFileSync(p), hl = buf.readUInt16LE(8);
  const hd = buf.toString('latin1', 10, 10 + hl);
  const shape = hd.match(/'shape': \\(([^)]*)\\)/)[1].split(',')
      .map((s) => s.trim()).filter((s) => s).map(Number);
  const [type, Array_] = kinds[hd.match(/'descr': '([^']*)'/)[1]];
  const data = Uint8Array.prototype.slice.call(buf, 10 + hl);
  return new ort.Tensor(type, new Array_(data.buffer), shape);
}
(async () => {
  const [model, ...inputs] = process.argv.slice(3);
  const s = await ort.InferenceSession.create(model);
  const feeds = {};
  s.inputNames.forEach((n, i) => { feeds[n] = readNpy(inputs[i]); });
  const r = await s.run(feeds);
  const out = s.outputNames.map(
      (n) => ({dims: r[n].dims, data: Array.from(r[n].data, Number)}));
  console.log(JSON.stringify(out));
})();
"""


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


def save_model(name, nodes, inputs, outputs, opset=13, initializers=()):
    graph = h.make_graph(nodes, name, inputs, outputs,
                         initializer=list(initializers))
    model = h.make_model(graph, opset_imports=[h.make_opsetid("", opset)])
    model.ir_version = 7
    onnx.checker.check_model(model)
    path = os.path.join(HERE, name + ".onnx")
    onnx.save(model, path)
    return path


def scalar(name, kind):
    return h.make_tensor_value_info(name, kind, [])


def loop_while():
    body = h.make_graph(
        [h.make_node("Mul", ["x_in", "scale"], ["x_out"]),
         h.make_node("ReduceMax", ["x_out"], ["top"], keepdims=0),
         h.make_node("Less", ["top", "limit"], ["cond_out"])],
        "body", [scalar("i", T.INT64), scalar("cond_in", T.BOOL),
                 h.make_tensor_value_info("x_in", T.FLOAT, [4])],
        [scalar("cond_out", T.BOOL),
         h.make_tensor_value_info("x_out", T.FLOAT, [4])],
        initializer=[numpy_helper.from_array(
            np.array([1.5, 1.25, 2.0, 1.1], np.float32), "scale")])
    nodes = [h.make_node("Constant", [], ["go"],
                         value=h.make_tensor("go", T.BOOL, [], [True])),
             h.make_node("Loop", ["", "go", "x"], ["y"], body=body)]
    path = save_model("loop_while", nodes,
                      [h.make_tensor_value_info("x", T.FLOAT, [4]),
                       scalar("limit", T.FLOAT)],
                      [h.make_tensor_value_info("y", T.FLOAT, [4])])
    x = np.array([0.5, 1.0, 0.25, 2.0], np.float32)
    return path, [{"x": x, "limit": np.array(10, np.float32)},
                  {"x": x, "limit": np.array(1000, np.float32)}]


def loop_count():
    body = h.make_graph(
        [h.make_node("Gather", ["rows", "i"], ["row"], axis=0),
         h.make_node("Add", ["acc_in", "row"], ["acc_out"]),
         h.make_node("Identity", ["cond_in"], ["cond_out"])],
        "body", [scalar("i", T.INT64), scalar("cond_in", T.BOOL),
                 h.make_tensor_value_info("acc_in", T.FLOAT, [3])],
        [scalar("cond_out", T.BOOL),
         h.make_tensor_value_info("acc_out", T.FLOAT, [3])])
    nodes = [h.make_node("Loop", ["n", "", "acc"], ["sum"], body=body)]
    path = save_model("loop_count", nodes,
                      [scalar("n", T.INT64),
                       h.make_tensor_value_info("acc", T.FLOAT, [3]),
                       h.make_tensor_value_info("rows", T.FLOAT, [6, 3])],
                      [h.make_tensor_value_info("sum", T.FLOAT, [3])])
    rng = np.random.default_rng(1)
    acc = rng.standard_normal(3).astype(np.float32)
    rows = rng.standard_normal((6, 3)).astype(np.float32)
    return path, [{"n": np.array(2, np.int64), "acc": acc, "rows": rows},
                  {"n": np.array(5, np.int64), "acc": acc, "rows": rows}]


def loop_rnn():
    steps, width = 6, 16
    rng = np.random.default_rng(2)
    w = (rng.standard_normal((width, width)) / 4).astype(np.float32)
    body = h.make_graph(
        [h.make_node("Gather", ["xs", "i"], ["x_i"], axis=0),
         h.make_node("MatMul", ["h_in", "w"], ["wh"]),
         h.make_node("Add", ["wh", "x_i"], ["pre"]),
         h.make_node("Tanh", ["pre"], ["h_out"]),
         h.make_node("Identity", ["h_out"], ["h_row"]),
         h.make_node("Identity", ["cond_in"], ["cond_out"])],
        "body", [scalar("i", T.INT64), scalar("cond_in", T.BOOL),
                 h.make_tensor_value_info("h_in", T.FLOAT, [1, width])],
        [scalar("cond_out", T.BOOL),
         h.make_tensor_value_info("h_out", T.FLOAT, [1, width]),
         h.make_tensor_value_info("h_row", T.FLOAT, [1, width])])
    nodes = [h.make_node("Constant", [], ["n"],
                         value=h.make_tensor("n", T.INT64, [], [steps])),
             h.make_node("Loop", ["n", "", "h0"], ["h", "hs"], body=body)]
    path = save_model(
        "loop_rnn", nodes,
        [h.make_tensor_value_info("h0", T.FLOAT, [1, width]),
         h.make_tensor_value_info("xs", T.FLOAT, [steps, 1, width])],
        [h.make_tensor_value_info("h", T.FLOAT, [1, width]),
         h.make_tensor_value_info("hs", T.FLOAT, [steps, 1, width])],
        initializers=[numpy_helper.from_array(w, "w")])
    sets = []
    for seed in (3, 4):
        r = np.random.default_rng(seed)
        sets.append({"h0": r.standard_normal((1, width)).astype(np.float32),
                     "xs": r.standard_normal((steps, 1, width))
                     .astype(np.float32)})
    return path, sets


def scan_axes():
    body = h.make_graph(
        [h.make_node("Mul", ["a", "b"], ["ab"]),
         h.make_node("Add", ["s_in", "ab"], ["s_out"]),
         h.make_node("Sub", ["s_out", "a"], ["row"])],
        "body", [h.make_tensor_value_info("s_in", T.FLOAT, [2]),
                 h.make_tensor_value_info("a", T.FLOAT, [2]),
                 h.make_tensor_value_info("b", T.FLOAT, [2])],
        [h.make_tensor_value_info("s_out", T.FLOAT, [2]),
         h.make_tensor_value_info("row", T.FLOAT, [2])])
    nodes = [h.make_node("Scan", ["s", "xa", "xb"], ["s_final", "rows"],
                         body=body, num_scan_inputs=2,
                         scan_input_axes=[1, -1],
                         scan_input_directions=[0, 1],
                         scan_output_axes=[1],
                         scan_output_directions=[1])]
    path = save_model("scan_axes", nodes,
                      [h.make_tensor_value_info("s", T.FLOAT, [2]),
                       h.make_tensor_value_info("xa", T.FLOAT, [2, 5]),
                       h.make_tensor_value_info("xb", T.FLOAT, [2, 5])],
                      [h.make_tensor_value_info("s_final", T.FLOAT, [2]),
                       h.make_tensor_value_info("rows", T.FLOAT, [2, 5])],
                      opset=11)
    sets = []
    for seed in (5, 6):
        r = np.random.default_rng(seed)
        sets.append({k: r.standard_normal(shape).astype(np.float32)
                     for k, shape in (("s", (2,)), ("xa", (2, 5)),
                                      ("xb", (2, 5)))})
    return path, sets


def loop_nested():
    f32 = lambda n, s: h.make_tensor_value_info(n, T.FLOAT, s)
    inner = h.make_graph(
        [h.make_node("Mul", ["b", "scale"], ["b_scaled"]),
         h.make_node("Add", ["b_scaled", "step"], ["b_out"]),
         h.make_node("Identity", ["c"], ["c_out"])],
        "inner", [scalar("j", T.INT64), scalar("c", T.BOOL), f32("b", [2])],
        [scalar("c_out", T.BOOL), f32("b_out", [2])],
        initializer=[numpy_helper.from_array(
            np.array([0.5, 1.0], np.float32), "step")])
    outer = h.make_graph(
        [h.make_node("Loop", ["i", "", "a"], ["a_out"], body=inner),
         h.make_node("Identity", ["c"], ["c_out"])],
        "outer", [scalar("i", T.INT64), scalar("c", T.BOOL), f32("a", [2])],
        [scalar("c_out", T.BOOL), f32("a_out", [2])])
    nodes = [h.make_node("Loop", ["n", "", "x"], ["y"], body=outer)]
    path = save_model("loop_nested", nodes,
                      [scalar("n", T.INT64), f32("x", [2]), f32("scale", [2])],
                      [f32("y", [2])])
    x = np.array([1.0, -1.0], np.float32)
    scale = np.array([0.9, 1.1], np.float32)
    return path, [{"n": np.array(3, np.int64), "x": x, "scale": scale},
                  {"n": np.array(6, np.int64), "x": x, "scale": scale}]


def main():
    with tempfile.TemporaryDirectory() as tmp:
        makers = (loop_while, loop_count, loop_rnn, scan_axes, loop_nested)
        only = sys.argv[1:]
        for make in makers:
            if only and make.__name__ not in only:
                continue
            path, sets = make()
            stem = path[:-len(".onnx")]
            for k, inputs in enumerate(sets):
                for j, v in enumerate(inputs.values()):
                    np.save("%s.set%d.input%d.npy" % (stem, k, j), v)
                for j, v in enumerate(run_ort(path, inputs, tmp)):
                    np.save("%s.set%d.output%d.npy" % (stem, k, j), v)
                    print(os.path.basename(stem), k, j, v.shape)


if __name__ == "__main__":
    main()
