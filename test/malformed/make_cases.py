#!/usr/bin/python3
"""Writes the malformed-input corpus: inputs/ and cases.json.

Each case is a file an unlucky user or an attacker could hand to Anvil, the
command that reads it, and what Anvil must answer: the exit code and a
pattern of the message. run_cases.py checks them; this script only makes
the files (with Debian's onnx and numpy) and is rerun when a case is added.

usage: make_cases.py   (writes next to itself)
"""

import json
import os
import struct

import numpy as np
import onnx
from onnx import TensorProto as T
from onnx import helper as h

import more_cases

HERE = os.path.dirname(os.path.abspath(__file__))
INPUTS = os.path.join(HERE, "inputs")
CASES = []

COMPILE = ["anvil-compile", "{input}", "-o", "{out}/model.so"]


def case(name, command, exit_code, message, files=(), env=None,
         place="inputs", fifo=None, artifact=None):
    """`files`: the inputs the command reads, by name in inputs/, copied
    into the case's inputs directory (or, with place="out", into its output
    directory); `env`: variables to set; `fifo`: a FIFO made in the output
    directory under that name, drained while the command runs;
    `artifact`: how to damage a copy of the relu model's artifact, made at
    test time as inputs/model.so ("truncate": bytes kept, "patch": [offset,
    hex bytes], "replace": [text, same-length text])."""
    CASES.append({"name": name, "command": command, "exit": exit_code,
                  "message": message, "files": list(files), "env": env or {},
                  "place": place, "fifo": fifo, "artifact": artifact})


def model(graph, opset=17, ir=8):
    m = h.make_model(graph, opset_imports=[h.make_opsetid("", opset)])
    m.ir_version = ir
    return m


def save_onnx(name, m):
    data = m.SerializeToString() if hasattr(m, "SerializeToString") else m
    with open(os.path.join(INPUTS, name + ".onnx"), "wb") as f:
        f.write(data)


def onnx_case(name, m, exit_code, message, extra=()):
    save_onnx(name, m)
    case(name, COMPILE, exit_code, message, [name + ".onnx"] + list(extra))


def relu_graph(shape, dtype=T.FLOAT):
    return h.make_graph(
        [h.make_node("Relu", ["x"], ["y"], name="relu_0")], "g",
        [h.make_tensor_value_info("x", dtype, shape)],
        [h.make_tensor_value_info("y", dtype, shape)])


def shapes():
    for name, shape, code, message in [
        ("shape_2_62_by_4", [2**62, 4], 2, "'x' \\(graph input\\): the shape "
         "\\[4611686018427387904, 4\\] has more elements than 64 bits"),
        ("shape_2_32_squared", [2**32, 2**32], 2, "more elements than 64 bits"),
        ("shape_2_63_minus_1", [2**63 - 1, 2], 2, "more elements than 64 bits"),
        ("shape_over_limit", [2**20, 2**10], 3, "exceeds the limit of 268435456"),
        ("shape_negative", [-3, 4], 2, "'x' \\(graph input\\): dimension #0 is "
         "negative \\(-3\\)"),
        ("shape_int64_min", [-2**63, 4], 2, "dimension #0 is negative "
         "\\(-9223372036854775808\\)"),
        ("shape_dynamic", ["batch", 4], 3, "dynamic dimension\\(s\\) 'batch'"),
    ]:
        onnx_case(name, model(relu_graph(shape)), code, message)
    g = h.make_graph(
        [h.make_node("Gather", ["x", "i"], ["y"], name="gather_0")], "g",
        [h.make_tensor_value_info("x", T.FLOAT, [2**62, 4])],
        [h.make_tensor_value_info("y", T.FLOAT, [2, 4])],
        initializer=[h.make_tensor("i", T.INT64, [2], [0, 1])])
    onnx_case("gather_of_huge_input", model(g), 2, "more elements than 64 bits")
    g = h.make_graph(
        [h.make_node("Reshape", ["x", "s"], ["y"], name="reshape_0")], "g",
        [h.make_tensor_value_info("x", T.FLOAT, [4])],
        [h.make_tensor_value_info("y", T.FLOAT, None)],
        initializer=[h.make_tensor("s", T.INT64, [2], [2**62, 4])])
    onnx_case("reshape_to_huge", model(g), 2, "'reshape_0' \\(Reshape, opset "
              "17\\): the shape has more elements than 64 bits can count")
    w = T()
    w.name, w.data_type = "w", T.FLOAT
    w.dims.extend([2**31, 2**31])
    g = h.make_graph(
        [h.make_node("Add", ["x", "w"], ["y"], name="add_0")], "g",
        [h.make_tensor_value_info("x", T.FLOAT, [2])],
        [h.make_tensor_value_info("y", T.FLOAT, [2])], initializer=[w])
    onnx_case("initializer_huge_empty", model(g), 2, "'w'")


def names():
    g = h.make_graph(
        [h.make_node("Relu", ["x"], ["y"], name="relu_0")], "g",
        [h.make_tensor_value_info("x", T.FLOAT, [2])],
        [h.make_tensor_value_info("y", T.FLOAT, [2]),
         h.make_tensor_value_info("y", T.FLOAT, [2])])
    # Valid ONNX (the checker accepts it): both outputs get the value.
    onnx_case("output_listed_twice", model(g), 0, "")
    g = h.make_graph(
        [h.make_node("Relu", ["x"], ["y"], name="relu_0"),
         h.make_node("Neg", ["x"], ["y"], name="neg_1")], "g",
        [h.make_tensor_value_info("x", T.FLOAT, [2])],
        [h.make_tensor_value_info("y", T.FLOAT, [2])])
    onnx_case("two_nodes_one_output", model(g), 2,
              "'neg_1' \\(Neg, opset 17\\): output 'y' is already produced "
              "by node 'relu_0'")
    g = h.make_graph(
        [h.make_node("Neg", ["x"], ["x"], name="neg_0")], "g",
        [h.make_tensor_value_info("x", T.FLOAT, [2])],
        [h.make_tensor_value_info("x", T.FLOAT, [2])])
    onnx_case("node_overwrites_input", model(g), 2,
              "output 'x' is already produced by graph input 'x'")
    g = h.make_graph(
        [h.make_node("Add", ["x", "x"], ["y"], name="add_0")], "g",
        [h.make_tensor_value_info("x", T.FLOAT, [2]),
         h.make_tensor_value_info("x", T.FLOAT, [2])],
        [h.make_tensor_value_info("y", T.FLOAT, [2])])
    onnx_case("input_declared_twice", model(g), 2,
              "'x' \\(graph input\\): is declared twice")
    g = h.make_graph(
        [h.make_node("Relu", ["z"], ["y"], name="relu_0")], "g",
        [h.make_tensor_value_info("x", T.FLOAT, [2])],
        [h.make_tensor_value_info("y", T.FLOAT, [2])])
    onnx_case("input_of_nobody", model(g), 2,
              "input 'z' is not produced by any node")
    g = h.make_graph(
        [h.make_node("Relu", ["x"], ["y"], name="relu_0")], "g",
        [h.make_tensor_value_info("x", T.FLOAT, [2])],
        [h.make_tensor_value_info("q", T.FLOAT, [2])])
    onnx_case("output_of_nobody", model(g), 2,
              "'q' \\(graph output\\): no node produces this output")


def external(name, entries, message, code=2):
    t = h.make_tensor("w", T.FLOAT, [2], [1.0, 2.0])
    t.ClearField("float_data")
    t.data_location = T.EXTERNAL
    for k, v in entries:
        e = t.external_data.add()
        e.key, e.value = k, v
    g = h.make_graph(
        [h.make_node("Add", ["x", "w"], ["y"], name="add_0")], "g",
        [h.make_tensor_value_info("x", T.FLOAT, [2])],
        [h.make_tensor_value_info("y", T.FLOAT, [2])], initializer=[t])
    onnx_case(name, model(g), code, message, ["weights.bin"])


def external_data():
    with open(os.path.join(INPUTS, "weights.bin"), "wb") as f:
        f.write(np.array([1, 2], dtype=np.float32).tobytes())
    loc = ("location", "weights.bin")
    external("external_offset_not_a_number", [loc, ("offset", "abc")],
             "external data offset 'abc' is not a byte count")
    external("external_offset_huge", [loc, ("offset", "9" * 23)],
             "external data offset '9{23}' is not a byte count")
    external("external_offset_negative", [loc, ("offset", "-5")],
             "external data offset '-5' is not a byte count")
    external("external_length_not_a_number", [loc, ("length", "8x")],
             "external data length '8x' is not a byte count")
    external("external_range_overflows", [loc, ("offset", str(2**63 - 2)),
                                          ("length", "8")],
             "external data range is outside 'weights.bin'")
    external("external_past_end", [loc, ("offset", "4"), ("length", "8")],
             "external data range is outside 'weights.bin'")
    external("external_outside_directory", [("location", "../../etc/passwd")],
             "is not a file inside the model's directory")
    external("external_absolute", [("location", "/etc/passwd")],
             "is not a file inside the model's directory")
    external("external_missing", [("location", "nowhere.bin")],
             "is not a file inside the model's directory")


def nested_if(depth):
    inner = h.make_graph(
        [h.make_node("Identity", ["x"], ["r%d" % depth], name="id_%d" % depth)],
        "b%d" % depth, [], [h.make_tensor_value_info("r%d" % depth, T.FLOAT, [2])])
    for d in range(depth - 1, -1, -1):
        leaf = h.make_graph(
            [h.make_node("Identity", ["x"], ["e%d" % d], name="e_%d" % d)],
            "e%d" % d, [], [h.make_tensor_value_info("e%d" % d, T.FLOAT, [2])])
        node = h.make_node("If", ["c"], ["r%d" % d], name="if_%d" % d,
                           then_branch=inner, else_branch=leaf)
        inner = h.make_graph([node], "b%d" % d, [],
                             [h.make_tensor_value_info("r%d" % d, T.FLOAT, [2])])
    return h.make_graph(
        list(inner.node), "g",
        [h.make_tensor_value_info("x", T.FLOAT, [2]),
         h.make_tensor_value_info("c", T.BOOL, [])],
        [h.make_tensor_value_info("r0", T.FLOAT, [2])])


def structure():
    onnx_case("if_nested_200_deep", model(nested_if(200)), 2,
              "nests its subgraphs deeper than 100 protobuf messages")
    good = model(relu_graph([2])).SerializeToString()
    save_onnx("truncated", good[:len(good) // 2])
    case("truncated", COMPILE, 2, "is not an ONNX model", ["truncated.onnx"])
    save_onnx("empty", b"")
    case("empty", COMPILE, 2, "holds no graph|is not an ONNX model",
         ["empty.onnx"])
    save_onnx("not_protobuf", b"\xff" * 64)
    case("not_protobuf", COMPILE, 2, "is not an ONNX model",
         ["not_protobuf.onnx"])
    onnx_case("opset_from_the_future", model(relu_graph([2]), opset=99), 3,
              "opset 99 is newer than the newest Anvil imports")
    onnx_case("ir_from_the_future", model(relu_graph([2]), ir=99), 3,
              "IR version 99 is newer")


def machine_files():
    deep = "[" * 100000 + "]" * 100000
    for name, text, message in [
        ("machine_nested_deep", deep, "JSON nested deeper than 512 levels"),
        ("machine_not_json", "{\"name\": ", "not valid JSON"),
    ]:
        with open(os.path.join(INPUTS, name + ".json"), "w") as f:
            f.write(text)
        case(name, ["anvil-compile", "{inputs}/relu.onnx",
                    "--target={inputs}/" + name + ".json", "-o",
                    "{out}/model.so"], 1, message, ["relu.onnx", name + ".json"])
        case("host_" + name, ["anvil-compile", "{inputs}/relu.onnx",
                              "--target=host:{inputs}/" + name + ".json",
                              "-o", "{out}/model.so"],
             1, message, ["relu.onnx", name + ".json"])


def npy(name, header, payload, message):
    """A .npy of `header` (the dict's text) and `payload` given to a run of
    the relu artifact (x: f32[2])."""
    header = header + " " * ((16 - (10 + len(header) + 1) % 16) % 16) + "\n"
    data = b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + \
        header.encode() + payload
    with open(os.path.join(INPUTS, name + ".npy"), "wb") as f:
        f.write(data)
    code = 0 if message == "" else None if message is None else 2
    case(name, ["anvil-run", "{artifact}", "--input={inputs}/" + name + ".npy"],
         code, message, [name + ".npy"])


def npy_files():
    two = np.array([1, -2], dtype=np.float32).tobytes()
    npy("npy_keys_in_another_order",
        "{'shape': (2,), 'fortran_order': False, 'descr': '<f4', }", two, "")
    npy("npy_fortran_last", "{'descr': '<f4', 'shape': (2,), "
        "'fortran_order': False}", two, "")
    npy("npy_fortran_true", "{'descr': '<f4', 'fortran_order': True, "
        "'shape': (2,), }", two, "Fortran-ordered .npy files are not supported")
    npy("npy_short_payload", "{'descr': '<f4', 'fortran_order': False, "
        "'shape': (2,), }", two[:4], "holds 4 data bytes, the header promises 8")
    npy("npy_huge_shape", "{'descr': '<f4', 'fortran_order': False, "
        "'shape': (4611686018427387904, 4), }", two, "the .npy shape is too large")
    npy("npy_negative_shape", "{'descr': '<f4', 'fortran_order': False, "
        "'shape': (-2,), }", two, "malformed .npy shape")
    npy("npy_bad_dtype", "{'descr': '<c8', 'fortran_order': False, "
        "'shape': (2,), }", two, "unsupported .npy dtype '<c8'")
    npy("npy_wrong_shape", "{'descr': '<f4', 'fortran_order': False, "
        "'shape': (1, 2), }", two, "'x'")
    with open(os.path.join(INPUTS, "npy_not_npy.npy"), "wb") as f:
        f.write(b"hello")
    case("npy_not_npy", ["anvil-run", "{artifact}",
                         "--input={inputs}/npy_not_npy.npy"],
         2, "not a NumPy .npy file", ["npy_not_npy.npy"])


def outputs():
    """Where anvil-compile writes: never over its input, never a partial
    file, never replacing what is not a regular file."""
    relu = "{inputs}/relu.onnx"
    with open(os.path.join(INPUTS, "model.so.partial"), "wb") as f:
        f.write(model(relu_graph([2])).SerializeToString())
    case("output_beside_an_input_named_partial",
         ["anvil-compile", "{out}/model.so.partial", "-o", "{out}/model.so"],
         0, "", ["model.so.partial"], place="out")
    case("output_is_a_directory", ["anvil-compile", relu, "-o", "{out}"],
         1, "cannot write '.*out': it is a directory", ["relu.onnx"])
    case("output_in_a_missing_directory",
         ["anvil-compile", relu, "-o", "{out}/missing/model.so"],
         1, "cannot write '.*missing/model.so': No such file or directory",
         ["relu.onnx"])
    # What is not a regular file (/dev/null, a FIFO) is written into, not
    # replaced; a FIFO stands for /dev/null, which a regression would
    # replace on the machine running the test.
    case("output_is_a_fifo", ["anvil-compile", relu, "-o", "{out}/pipe"],
         0, "", ["relu.onnx"], fifo="pipe")
    case("output_object_is_a_fifo",
         ["anvil-compile", relu, "--emit=obj", "-o", "{out}/pipe"],
         0, "", ["relu.onnx"], fifo="pipe")
    case("output_over_the_input",
         ["anvil-compile", relu, "--emit=obj", "-o", relu],
         1, "would overwrite the input model", ["relu.onnx"])
    # The linker's own errors are given in full; a missing piece of the
    # installation is named. Both are the installation's exit code, 6.
    case("linker_fails", ["anvil-compile", relu, "-o", "{out}/model.so"],
         6, "linking the artifact failed:\n"
         "ld.lld: error: .*relu\\.onnx", ["relu.onnx"],
         env={"ANVIL_HOST_KERNELS": "{inputs}/relu.onnx"})
    case("linker_missing", ["anvil-compile", relu, "-o", "{out}/model.so"],
         6, "Anvil's linker '.*no-such-linker' does not exist", ["relu.onnx"],
         env={"ANVIL_LINKER": "{inputs}/no-such-linker"})
    case("kernels_missing", ["anvil-compile", relu, "-o", "{out}/model.so"],
         6, "Anvil's host kernel archive '.*missing.a' does not exist",
         ["relu.onnx"], env={"ANVIL_HOST_KERNELS": "{inputs}/missing.a"})

def artifacts():
    """Damaged artifacts given to anvil-run."""
    run = ["anvil-run", "{inputs}/model.so", "--input={inputs}/x.npy"]
    with open(os.path.join(INPUTS, "x.npy"), "wb") as f:
        np.save(f, np.array([1, -2], dtype=np.float32))
    for name, damage, message in [
        ("artifact_for_another_machine", {"patch": [18, "f300"]},
         "a shared library for another machine \\(ELF machine 243"),
        ("artifact_32_bit", {"patch": [4, "01"]}, "a 32-bit shared library"),
        ("artifact_not_elf", {"patch": [0, "00000000"]},
         "not a shared library"),
        ("artifact_truncated", {"truncate": 4096}, "cannot load artifact"),
        ("artifact_empty", {"truncate": 0}, "not a shared library"),
        ("artifact_newer_format", {"replace": ['"format_version":4',
                                               '"format_version":9']},
         "artifact format version 9 is not supported by this runtime"),
        ("artifact_metadata_not_json", {"replace": ['{"compiler"',
                                                    '#"compiler"']},
         "artifact metadata is not valid JSON"),
        ("artifact_metadata_bad_inputs", {"replace": ['"inputs"', '"inpots"']},
         "artifact metadata has malformed inputs or outputs"),
    ]:
        case(name, run, 2, message, ["x.npy"], artifact=damage)
    case("artifact_missing", ["anvil-run", "{inputs}/none.so"], 2,
         "cannot load artifact 'n?.*none.so': No such file or directory")
    case("artifact_index_of_tensors",
         ["anvil-run", "{artifact}", "--input={inputs}/x.npy",
          "--input={inputs}/x.npy"], 2,
         "the model takes 1 input\\(s\\) and 1 output\\(s\\), got 2",
         ["x.npy"])


def main():
    os.makedirs(INPUTS, exist_ok=True)
    save_onnx("relu", model(relu_graph([2])))
    shapes()
    names()
    external_data()
    structure()
    machine_files()
    npy_files()
    outputs()
    artifacts()
    more_cases.node_cases(case, model, save_onnx, COMPILE)
    more_cases.tensor_cases(case, model, save_onnx, relu_graph)
    more_cases.pt2_cases(case)
    more_cases.pb_cases(case)
    more_cases.npy_more(npy, case)
    more_cases.artifact_more(case)
    more_cases.machine_more(case)
    for c in CASES:
        if c["name"] in more_cases.EXPECTED:
            c["exit"], c["message"] = more_cases.EXPECTED[c["name"]]
    with open(os.path.join(HERE, "cases.json"), "w") as f:
        json.dump(CASES, f, indent=1)
        f.write("\n")
    print("%d cases" % len(CASES))


if __name__ == "__main__":
    main()
