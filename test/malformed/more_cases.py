"""The corpus's cases beyond the first defects' (make_cases.py calls these):
ONNX graphs that break an op's contract, damaged .pt2 archives, .pb and
.npy tensors, damaged artifact metadata, and machine and host descriptions
out of range."""

import io
import json
import os
import struct
import zipfile

import numpy as np
from onnx import TensorProto as T
from onnx import helper as h

HERE = os.path.dirname(os.path.abspath(__file__))
INPUTS = os.path.join(HERE, "inputs")
FIXTURES = os.path.join(HERE, "..", "fixtures", "torch2")


def node_cases(case, model, save_onnx, compile_cmd):
    """One-node graphs whose attributes or operands break the op."""
    def one(name, op, inputs, in_shapes, out_shape, attrs=None, inits=(),
            code=2, message=None, dtype=T.FLOAT, opset=17):
        graph = h.make_graph(
            [h.make_node(op, [i for i, _ in inputs] if inputs else [],
                         ["y"], name=name, **(attrs or {}))], "g",
            [h.make_tensor_value_info(i, dtype, s) for i, s in
             zip([i for i, _ in inputs if _], in_shapes)],
            [h.make_tensor_value_info("y", dtype, out_shape)],
            initializer=list(inits))
        save_onnx(name, model(graph, opset=opset))
        case(name, compile_cmd, code, message, [name + ".onnx"])

    i64 = lambda n, v: h.make_tensor(n, T.INT64, [len(v)], v)
    x = [("x", True)]
    one("add_one_operand", "Add", x, [[2]], [2])
    one("matmul_inner_mismatch", "MatMul", [("x", True), ("w", True)],
        [[2, 3], [4, 5]], [2, 5])
    one("conv_weight_rank", "Conv", [("x", True), ("w", True)],
        [[1, 3, 8, 8], [4, 3, 3]], [1, 4, 6, 6])
    one("conv_channels_mismatch", "Conv", [("x", True), ("w", True)],
        [[1, 3, 8, 8], [4, 5, 3, 3]], [1, 4, 6, 6])
    one("conv_kernel_as_string", "Conv", [("x", True), ("w", True)],
        [[1, 3, 8, 8], [4, 3, 3, 3]], [1, 4, 6, 6],
        attrs={"kernel_shape": "3x3"})
    one("conv_zero_stride", "Conv", [("x", True), ("w", True)],
        [[1, 3, 8, 8], [4, 3, 3, 3]], [1, 4, 6, 6], attrs={"strides": [0, 0]})
    one("conv_negative_pads", "Conv", [("x", True), ("w", True)],
        [[1, 3, 8, 8], [4, 3, 3, 3]], [1, 4, 6, 6],
        attrs={"pads": [-9, -9, -9, -9]})
    one("maxpool_kernel_larger_than_input", "MaxPool", x, [[1, 1, 2, 2]],
        [1, 1, 1, 1], attrs={"kernel_shape": [5, 5]})
    one("reshape_two_minus_ones", "Reshape", [("x", True), ("s", False)],
        [[4, 6]], [4, 6], inits=[i64("s", [-1, -1])])
    one("reshape_wrong_count", "Reshape", [("x", True), ("s", False)],
        [[4, 6]], [5, 5], inits=[i64("s", [5, 5])])
    one("concat_axis_out_of_range", "Concat", [("x", True)], [[2, 3]],
        [2, 3], attrs={"axis": 7})
    one("transpose_perm_repeats", "Transpose", x, [[2, 3]], [3, 2],
        attrs={"perm": [0, 0]})
    one("transpose_perm_out_of_range", "Transpose", x, [[2, 3]], [3, 2],
        attrs={"perm": [1, 5]})
    one("softmax_axis_out_of_range", "Softmax", x, [[2, 3]], [2, 3],
        attrs={"axis": 4})
    one("flatten_axis_out_of_range", "Flatten", x, [[2, 3]], [2, 3],
        attrs={"axis": -9})
    one("squeeze_dimension_not_one", "Squeeze", [("x", True), ("a", False)],
        [[2, 3]], [3], inits=[i64("a", [0])])
    one("unsqueeze_axis_repeated", "Unsqueeze", [("x", True), ("a", False)],
        [[2, 3]], [1, 1, 2, 3], inits=[i64("a", [0, 0])])
    one("reduce_axis_out_of_range", "ReduceSum", [("x", True), ("a", False)],
        [[2, 3]], [2], inits=[i64("a", [3])])
    one("gather_axis_out_of_range", "Gather", [("x", True), ("i", False)],
        [[2, 3]], [2], attrs={"axis": 2}, inits=[i64("i", [0])])
    one("gather_index_out_of_range", "Gather", [("x", True), ("i", False)],
        [[2, 3]], [1, 3], inits=[h.make_tensor("i", T.INT64, [1], [9])])
    one("slice_zero_step", "Slice",
        [("x", True), ("s", False), ("e", False), ("a", False), ("t", False)],
        [[6]], [3], inits=[i64("s", [0]), i64("e", [6]), i64("a", [0]),
                           i64("t", [0])])
    one("split_sizes_do_not_sum", "Split", [("x", True), ("p", False)],
        [[6]], [2], inits=[i64("p", [2, 2])])
    one("expand_incompatible", "Expand", [("x", True), ("s", False)],
        [[3]], [4], inits=[i64("s", [4])])
    one("tile_negative_repeats", "Tile", [("x", True), ("r", False)],
        [[3]], [3], inits=[i64("r", [-2])])
    one("tile_repeats_overflow", "Tile", [("x", True), ("r", False)],
        [[4]], [4], inits=[i64("r", [2**62])])
    one("gru_bias_rank_one", "GRU",
        [("x", True), ("w", True), ("r", True), ("b", True)],
        [[2, 3, 3], [1, 15, 3], [1, 15, 5], [30]], [2, 1, 3, 5],
        attrs={"hidden_size": 5})
    one("lstm_recurrence_rank_two", "LSTM",
        [("x", True), ("w", True), ("r", True)],
        [[2, 3, 3], [1, 20, 3], [20, 5]], [2, 1, 3, 5],
        attrs={"hidden_size": 5})
    one("convtranspose_zero_stride", "ConvTranspose",
        [("x", True), ("w", True)], [[1, 2, 4, 4], [2, 3, 3, 3]],
        [1, 3, 6, 6], attrs={"strides": [0, 1]})
    one("convtranspose_output_shape_short", "ConvTranspose",
        [("x", True), ("w", True)], [[1, 2, 4, 4], [2, 3, 3, 3]],
        [1, 3, 6, 6], attrs={"output_shape": [6]})
    one("einsum_diagonal_not_square", "Einsum", [("x", True)], [[3, 5]],
        [3], attrs={"equation": "ii->i"})
    one("einsum_missing_operand", "Einsum", [("x", True), ("", False)],
        [[2, 3]], [2, 4], attrs={"equation": "ij,jk->ik"})
    one("gathernd_scalar_indices", "GatherND", [("x", True), ("i", False)],
        [[2, 3]], [2], inits=[h.make_tensor("i", T.INT64, [], [0])])
    one("lrn_bias_beyond_int", "LRN", x, [[1, 2, 3, 3]], [1, 2, 3, 3],
        attrs={"size": 3, "bias": -1e30}, dtype=T.INT32)
    one("shrink_bias_beyond_int", "Shrink", x, [[4]], [4],
        attrs={"bias": -1.1e20}, dtype=T.INT32)
    one("pad_value_beyond_int", "Pad", x, [[4]], [6],
        attrs={"pads": [1, 1], "value": 1e30}, dtype=T.INT32, opset=10)
    one("split_to_sequence_too_long", "SplitToSequence", x,
        [[1, 220000]], None, attrs={"axis": -1})
    # Empty tensors are valid: these compile (each once divided by an
    # element count that was zero).
    one("hardmax_coerced_empty", "Hardmax", x, [[0, 3]], [0, 3],
        attrs={"axis": 1}, opset=11, code=0, message="")
    one("groupnorm_empty_batch", "GroupNormalization",
        [("x", True), ("s", False), ("b", False)], [[0, 4, 3, 3]],
        [0, 4, 3, 3], attrs={"num_groups": 2}, opset=18, code=0, message="",
        inits=[h.make_tensor("s", T.FLOAT, [2], [1, 1]),
               h.make_tensor("b", T.FLOAT, [2], [0, 0])])
    one("conv_dilation_overflows", "Conv", [("x", True), ("w", True)],
        [[1, 3, 8, 8], [4, 3, 3, 3]], [1, 4, 6, 6],
        attrs={"dilations": [2**62, 2**62]})
    one("topk_larger_than_axis", "TopK", [("x", True), ("k", False)],
        [[3]], [5], inits=[i64("k", [5])])
    one("constant_without_value", "Constant", [], [], [2])
    one("constant_of_shape_negative", "ConstantOfShape", [("s", False)], [],
        [2], inits=[i64("s", [-4])])
    one("range_zero_delta", "Range",
        [("a", False), ("b", False), ("d", False)], [], [4],
        inits=[h.make_tensor(n, T.FLOAT, [], [v])
               for n, v in (("a", 0.0), ("b", 4.0), ("d", 0.0))])
    one("cast_to_unknown_type", "Cast", x, [[2]], [2], attrs={"to": 99})
    one("einsum_malformed_equation", "Einsum", [("x", True)], [[2, 3]],
        [3], attrs={"equation": "ij->k"})
    one("resize_unknown_mode", "Resize", [("x", True), ("r", False),
                                          ("sc", False)],
        [[1, 1, 2, 2]], [1, 1, 4, 4], attrs={"mode": "bicubic-ish"},
        inits=[h.make_tensor("r", T.FLOAT, [0], []),
               h.make_tensor("sc", T.FLOAT, [4], [1, 1, 2, 2])])
    one("batchnorm_scale_shape", "BatchNormalization",
        [("x", True), ("s", False), ("b", False), ("m", False), ("v", False)],
        [[1, 3, 2, 2]], [1, 3, 2, 2],
        inits=[h.make_tensor(n, T.FLOAT, [5], [1] * 5)
               for n in ("s", "b", "m", "v")])
    one("unknown_op", "FrobnicateTensor", x, [[2]], [2], code=3)
    one("string_input", "Identity", x, [[2]], [2], dtype=T.STRING, code=3)


def tensor_cases(case, model, save_onnx, relu_graph):
    """Initializers whose payload contradicts their shape or type."""
    def add_with(name, tensor, code=2, message=None):
        graph = h.make_graph(
            [h.make_node("Add", ["x", "w"], ["y"], name="add_0")], "g",
            [h.make_tensor_value_info("x", T.FLOAT, [2])],
            [h.make_tensor_value_info("y", T.FLOAT, [2])],
            initializer=[tensor])
        save_onnx(name, model(graph))
        case(name, ["anvil-compile", "{input}", "-o", "{out}/model.so"],
             code, message, [name + ".onnx"])

    t = T(name="w", data_type=T.FLOAT, dims=[2], raw_data=b"\0" * 5)
    add_with("initializer_raw_data_short", t)
    t = T(name="w", data_type=T.FLOAT, dims=[2], float_data=[1.0, 2.0, 3.0])
    add_with("initializer_float_data_count", t)
    t = T(name="w", data_type=999, dims=[2], raw_data=b"\0" * 8)
    add_with("initializer_unknown_type", t)
    t = T(name="w", data_type=T.FLOAT, dims=[-2], raw_data=b"")
    add_with("initializer_negative_dim", t)
    t = T(name="w", data_type=T.FLOAT, dims=[2], int64_data=[1, 2])
    add_with("initializer_data_in_wrong_field", t)
    graph = relu_graph([2])
    m = model(graph)
    del m.opset_import[:]
    m.opset_import.extend([h.make_opsetid("com.example", 1)])
    save_onnx("no_default_domain", m)
    case("no_default_domain", ["anvil-compile", "{input}", "-o",
                               "{out}/model.so"], None, None,
         ["no_default_domain.onnx"])
    g = h.make_graph(
        [h.make_node("Relu", ["b"], ["a"], name="relu_a"),
         h.make_node("Relu", ["a"], ["b"], name="relu_b")], "g",
        [h.make_tensor_value_info("x", T.FLOAT, [2])],
        [h.make_tensor_value_info("a", T.FLOAT, [2])])
    save_onnx("cycle", model(g))
    case("cycle", ["anvil-compile", "{input}", "-o", "{out}/model.so"],
         None, None, ["cycle.onnx"])
    g = h.make_graph(
        [h.make_node("Split", ["x"], [], name="split_no_outputs"),
         h.make_node("Relu", ["x"], ["y"], name="relu_0")], "g",
        [h.make_tensor_value_info("x", T.FLOAT, [4])],
        [h.make_tensor_value_info("y", T.FLOAT, [4])])
    save_onnx("split_no_outputs", model(g))
    case("split_no_outputs", ["anvil-compile", "{input}", "-o",
                              "{out}/model.so"],
         None, None, ["split_no_outputs.onnx"])
    g = h.make_graph(
        [h.make_node("Relu", ["x"], ["y"], name="relu_0", domain="com.acme")],
        "g", [h.make_tensor_value_info("x", T.FLOAT, [2])],
        [h.make_tensor_value_info("y", T.FLOAT, [2])])
    m = model(g)
    m.opset_import.extend([h.make_opsetid("com.acme", 1)])
    save_onnx("node_in_unknown_domain", m)
    case("node_in_unknown_domain", ["anvil-compile", "{input}", "-o",
                                    "{out}/model.so"], None, None,
         ["node_in_unknown_domain.onnx"])
    g = h.make_graph([], "g", [h.make_tensor_value_info("x", T.FLOAT, [2])],
                     [h.make_tensor_value_info("x", T.FLOAT, [2])])
    save_onnx("no_nodes", model(g))
    case("no_nodes", ["anvil-compile", "{input}", "-o", "{out}/model.so"],
         None, None, ["no_nodes.onnx"])
    g = relu_graph([2])
    g.output[0].ClearField("type")
    save_onnx("output_without_type", model(g))
    case("output_without_type", ["anvil-compile", "{input}", "-o",
                                 "{out}/model.so"], None, None,
         ["output_without_type.onnx"])


def pt2_cases(case):
    """Damaged copies of the MLP fixture's archive."""
    with zipfile.ZipFile(os.path.join(FIXTURES, "mlp.pt2")) as z:
        entries = {n: z.read(n) for n in z.namelist()}
    model_json = json.loads(entries["mlp/models/model.json"])
    config_json = json.loads(
        entries["mlp/data/weights/model_weights_config.json"])

    def write(name, changed=None, dropped=(), raw=None):
        path = os.path.join(INPUTS, name + ".pt2")
        if raw is not None:
            with open(path, "wb") as f:
                f.write(raw)
        else:
            with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
                for n, data in entries.items():
                    if n in dropped:
                        continue
                    # A fixed date keeps the archives byte-identical
                    # between runs of make_cases.py.
                    info = zipfile.ZipInfo(n, date_time=(1980, 1, 1, 0, 0, 0))
                    info.compress_type = zipfile.ZIP_DEFLATED
                    z.writestr(info, (changed or {}).get(n, data))
        case(name, ["anvil-compile", "{input}", "-o", "{out}/model.so"],
             None, None, [name + ".pt2"])

    def with_model(name, edit):
        m = json.loads(json.dumps(model_json))
        edit(m)
        write(name, {"mlp/models/model.json": json.dumps(m)})

    def with_config(name, edit):
        c = json.loads(json.dumps(config_json))
        edit(c)
        write(name, {"mlp/data/weights/model_weights_config.json":
                     json.dumps(c)})

    graph = lambda m: m["graph_module"]["graph"]
    meta = lambda c: c["config"]["l1.weight"]["tensor_meta"]
    write("pt2_without_model_json", dropped=["mlp/models/model.json"])
    write("pt2_model_json_not_json", {"mlp/models/model.json": b"{\"graph"})
    write("pt2_model_json_array", {"mlp/models/model.json": b"[1, 2]"})
    write("pt2_model_json_nested_deep",
          {"mlp/models/model.json": b"[" * 100000 + b"]" * 100000})
    write("pt2_without_weights_config",
          dropped=["mlp/data/weights/model_weights_config.json"])
    write("pt2_without_a_weight", dropped=["mlp/data/weights/weight_0"])
    write("pt2_weight_short",
          {"mlp/data/weights/weight_0": entries["mlp/data/weights/weight_0"][:100]})
    write("pt2_big_endian", {"mlp/byteorder": b"big"})
    write("pt2_not_a_zip", raw=b"PK\x03\x04" + b"\0" * 60)
    write("pt2_truncated", raw=open(os.path.join(FIXTURES, "mlp.pt2"),
                                    "rb").read()[:20000])
    write("pt2_empty", raw=b"")
    with_model("pt2_unknown_aten_op", lambda m: graph(m)["nodes"][0].update(
        target="torch.ops.aten.frobnicate.default"))
    with_model("pt2_input_of_nobody", lambda m: graph(m)["nodes"][0][
        "inputs"][0]["arg"]["as_tensor"].update(name="nowhere"))
    def output_of_nobody(m):
        graph(m)["outputs"][0]["as_tensor"].update(name="nowhere")
        m["graph_module"]["signature"]["output_specs"][0]["user_output"][
            "arg"]["as_tensor"].update(name="nowhere")
    with_model("pt2_output_of_nobody", output_of_nobody)
    with_model("pt2_no_graph", lambda m: m.pop("graph_module"))
    with_model("pt2_nodes_not_a_list",
               lambda m: graph(m).update(nodes={"a": 1}))
    with_model("pt2_huge_input", lambda m: graph(m)["tensor_values"]["x"]
               .update(sizes=[{"as_int": 2**62}, {"as_int": 4}]))
    with_model("pt2_negative_input_dim", lambda m: graph(m)["tensor_values"][
        "x"].update(sizes=[{"as_int": -3}, {"as_int": 64}]))
    with_model("pt2_unknown_dtype", lambda m: graph(m)["tensor_values"]["x"]
               .update(dtype=99))
    with_config("pt2_weight_strides_past_end", lambda c: meta(c).update(
        strides=[{"as_int": 4096}, {"as_int": 1}]))
    with_config("pt2_weight_negative_stride", lambda c: meta(c).update(
        strides=[{"as_int": -64}, {"as_int": 1}]))
    with_config("pt2_weight_strides_overflow", lambda c: meta(c).update(
        strides=[{"as_int": 2**62}, {"as_int": 2**62}]))
    with_config("pt2_weight_negative_offset", lambda c: meta(c).update(
        storage_offset={"as_int": -8}))
    with_config("pt2_weight_huge_offset", lambda c: meta(c).update(
        storage_offset={"as_int": 2**63 - 1}))
    with_config("pt2_weight_file_outside", lambda c: c["config"]["l1.weight"]
                .update(path_name="../../../../etc/passwd"))
    with_config("pt2_weight_pickled", lambda c: c["config"]["l1.weight"]
                .update(use_pickle=True))


def pb(name, tensor_bytes, case, message=None, code=2):
    path = os.path.join(INPUTS, name + ".pb")
    with open(path, "wb") as f:
        f.write(tensor_bytes)
    case(name, ["anvil-run", "{artifact}", "--input={inputs}/" + name + ".pb"],
         code, message, [name + ".pb"])


def pb_cases(case):
    ok = h.make_tensor("x", T.FLOAT, [2], [1.0, -2.0])
    pb("pb_valid", ok.SerializeToString(), case, code=0, message="")
    pb("pb_truncated", ok.SerializeToString()[:7], case)
    pb("pb_not_protobuf", b"\xff" * 32, case)
    pb("pb_raw_short", T(name="x", data_type=T.FLOAT, dims=[2],
                         raw_data=b"\0" * 5).SerializeToString(), case)
    pb("pb_float_data_count", T(name="x", data_type=T.FLOAT, dims=[2],
                                float_data=[1.0]).SerializeToString(), case)
    pb("pb_unknown_type", T(name="x", data_type=77, dims=[2],
                            raw_data=b"\0" * 8).SerializeToString(), case)
    pb("pb_negative_dim", T(name="x", data_type=T.FLOAT, dims=[-2],
                            raw_data=b"").SerializeToString(), case)
    pb("pb_huge_dims", T(name="x", data_type=T.FLOAT, dims=[2**62, 4],
                         raw_data=b"\0" * 8).SerializeToString(), case)
    pb("pb_string_tensor", h.make_tensor("x", T.STRING, [2], [b"a", b"b"])
       .SerializeToString(), case)
    ext = T(name="x", data_type=T.FLOAT, dims=[2])
    ext.data_location = T.EXTERNAL
    e = ext.external_data.add()
    e.key, e.value = "location", "/etc/passwd"
    pb("pb_external_data", ext.SerializeToString(), case)
    pb("pb_wrong_dtype", h.make_tensor("x", T.INT32, [2], [1, 2])
       .SerializeToString(), case)
    pb("pb_wrong_shape", h.make_tensor("x", T.FLOAT, [3], [1, 2, 3])
       .SerializeToString(), case)


def npy_more(npy, case):
    two = np.array([1, -2], dtype=np.float32).tobytes()
    npy("npy_big_endian", "{'descr': '>f4', 'fortran_order': False, "
        "'shape': (2,), }", two, None)
    npy("npy_shape_not_a_tuple", "{'descr': '<f4', 'fortran_order': False, "
        "'shape': 2, }", two, None)
    npy("npy_missing_descr", "{'fortran_order': False, 'shape': (2,), }",
        two, None)
    npy("npy_header_not_a_dict", "[1, 2, 3]", two, None)
    npy("npy_wrong_dtype", "{'descr': '<i4', 'fortran_order': False, "
        "'shape': (2,), }", two, None)
    npy("npy_long_payload", "{'descr': '<f4', 'fortran_order': False, "
        "'shape': (2,), }", two * 2, None)
    npy("npy_nan_and_inf", "{'descr': '<f4', 'fortran_order': False, "
        "'shape': (2,), }", np.array([np.nan, np.inf], np.float32).tobytes(),
        "")
    for name, data in [
        ("npy_version_9", b"\x93NUMPY\x09\x00\x10\x00" + b" " * 16),
        ("npy_header_past_end", b"\x93NUMPY\x01\x00\xff\xff{'descr'"),
        ("npy_version_2", b"\x93NUMPY\x02\x00" + struct.pack("<I", 0x7fffffff)),
    ]:
        with open(os.path.join(INPUTS, name + ".npy"), "wb") as f:
            f.write(data)
        case(name, ["anvil-run", "{artifact}", "--input={inputs}/" + name +
                    ".npy"], 2, None, [name + ".npy"])


def artifact_more(case):
    run = ["anvil-run", "{inputs}/model.so", "--input={inputs}/x.npy"]
    for name, damage in [
        ("artifact_metadata_negative_dim",
         {"metadata": [["inputs", 0, "shape"], [-2]]}),
        ("artifact_metadata_unknown_dtype",
         {"metadata": [["inputs", 0, "dtype"], "floaty32"]}),
        ("artifact_metadata_no_version",
         {"metadata": [["format_version"], None]}),
        ("artifact_metadata_shape_overflows",
         {"metadata": [["outputs", 0, "shape"], [2**62, 2**62]]}),
        ("artifact_metadata_bytes_overflow",
         {"metadata": [["outputs", 0, "shape"], [2**61]]}),
        ("artifact_metadata_negative_weights",
         {"metadata": [["weight_bytes"], -1]}),
        ("artifact_metadata_bad_machine",
         {"metadata": [["machine_description"], "{\"name\": 3}"]}),
        ("artifact_metadata_tensors_not_a_list",
         {"metadata": [["inputs"], {"x": 1}]}),
        ("artifact_no_entry_point", {"replace": ["anvil_model_run",
                                                 "anvil_model_ran"]}),
        ("artifact_no_metadata_symbol", {"replace": ["anvil_model_metadata",
                                                     "anvil_model_metadatb"]}),
    ]:
        case(name, run, 2, None, ["x.npy"], artifact=damage)
    case("artifact_is_a_directory", ["anvil-run", "{inputs}"], 2, None)
    with open(os.path.join(INPUTS, "text.so"), "w") as f:
        f.write("not a library\n")
    case("artifact_is_text", ["anvil-run", "{inputs}/text.so"], 2, None,
         ["text.so"])


def machine_more(case):
    with open(os.path.join(HERE, "..", "..", "targets", "mtia-v1.json")) as f:
        v1 = json.load(f)
    with open(os.path.join(HERE, "..", "Target", "Host", "Inputs",
                           "pinned-sse.json")) as f:
        host = json.load(f)

    def machine(name, edit, host_file=False):
        d = json.loads(json.dumps(host if host_file else v1))
        edit(d)
        with open(os.path.join(INPUTS, name + ".json"), "w") as f:
            json.dump(d, f)
        target = ("host:" if host_file else "") + "{inputs}/" + name + ".json"
        case(name, ["anvil-compile", "{inputs}/relu.onnx", "--target=" + target,
                    "-o", "{out}/model.so"], 1, None, ["relu.onnx", name + ".json"])

    grid = lambda **kw: (lambda d: d["pe_grid"].update(kw))
    machine("machine_grid_2_31_squared", grid(rows=2**31, cols=2**31))
    machine("machine_grid_zero", grid(rows=0))
    machine("machine_grid_negative", grid(cols=-8))
    machine("machine_sram_huge", lambda d: d["memory"]["sram"].update(
        capacity_bytes=2**62))
    machine("machine_local_times_pes_overflow", lambda d: d["memory"][
        "local"].update(capacity_bytes=2**60))
    machine("machine_clock_infinite", lambda d: d.update(clock_mhz=1e400))
    machine("machine_clock_negative", lambda d: d.update(clock_mhz=-800))
    machine("machine_unknown_field", lambda d: d.update(pe_gird={}))
    machine("machine_missing_name", lambda d: d.pop("name"))
    machine("machine_dpe_tile_huge", lambda d: d["dpe"].update(
        tile_rows=2**40, tile_row_bytes=2**40))
    machine("machine_dpe_unknown_type", lambda d: d["dpe"]["types"].append(
        {"input": "f8", "accumulator": "f32"}))
    machine("machine_lanes_without_f32", lambda d: d["vector_core"][
        "ops_per_cycle"].pop("f32"))
    machine("machine_field_wrong_type", lambda d: d.update(clock_mhz="fast"))
    machine("host_cores_zero", lambda d: d.update(cores=0), host_file=True)
    machine("host_cores_huge", lambda d: d.update(cores=2**40), host_file=True)
    machine("host_line_not_power_of_two", lambda d: d["caches"][0].update(
        line_bytes=48), host_file=True)
    machine("host_vector_lanes_five", lambda d: d["vector"].update(
        f32_lanes=5), host_file=True)
    machine("host_unknown_field", lambda d: d.update(corez=2),
            host_file=True)
    machine("host_cache_levels_out_of_order", lambda d: d["caches"].reverse(),
            host_file=True)
# What each case above must answer: the exit code and a pattern of the
# message (docs/Testing.md: 1 usage or environment, 2 invalid input,
# 3 unsupported, 0 accepted).
EXPECTED = {
    'gru_bias_rank_one': (2, "'gru_bias_rank_one' \\(GRU, opset 17\\): B must be \\[1, 6H\\] with H = 5"),
    'lstm_recurrence_rank_two': (2, "'lstm_recurrence_rank_two' \\(LSTM, opset 17\\): R must be \\[1, 4H, H\\]"),
    'convtranspose_zero_stride': (2, "'convtranspose_zero_stride' \\(ConvTranspose, opset 17\\): kernel_shape, strides and dilations must be positive"),
    'convtranspose_output_shape_short': (2, "'convtranspose_output_shape_short' \\(ConvTranspose, opset 17\\): output_shape must give 2 positive sizes"),
    'einsum_diagonal_not_square': (2, "'einsum_diagonal_not_square' \\(Einsum, opset 17\\): label 'i' repeats in one term over sizes 3 and 5"),
    'split_no_outputs': (2, "'split_no_outputs' \\(Split, opset 17\\): Split has no outputs"),
    'einsum_missing_operand': (2, "'einsum_missing_operand' \\(Einsum, opset 17\\): input 1 is missing: every operand of the equation is required"),
    'gathernd_scalar_indices': (2, "'gathernd_scalar_indices' \\(GatherND, opset 17\\): indices \\[\\.\\.\\., k\\] and batch_dims do not fit the data"),
    'split_to_sequence_too_long': (2, "'split_to_sequence_too_long' \\(SplitToSequence, opset 17\\): would make 220000 tensors; a sequence is unrolled into one value each, at most 65536"),
    'pad_value_beyond_int': (2, "'pad_value_beyond_int' \\(Pad, opset 10\\): the padding value 1\\.0+e\\+30 does not fit 'i32'"),
    'shrink_bias_beyond_int': (2, "'shrink_bias_beyond_int' \\(Shrink, opset 17\\): the constant -?[0-9.]+ does not fit the operand's type i32"),
    'lrn_bias_beyond_int': (2, "'lrn_bias_beyond_int' \\(LRN, opset 17\\): the constant -?[0-9.]+ does not fit the operand's type i32"),
    'tile_repeats_overflow': (2, "'tile_repeats_overflow' \\(Tile, opset 17\\): repeating 4 elements 4611686018427387904 times overflows 64 bits"),
    'conv_dilation_overflows': (2, "'conv_dilation_overflows' \\(Conv, opset 17\\): kernel does not fit spatial dimension 0"),
    'add_one_operand': (2, "'add_one_operand'\\ \\(Add,\\ opset\\ 17\\):\\ expects\\ at\\ least\\ 2\\ input\\(s\\)"),
    'matmul_inner_mismatch': (2, "'matmul_inner_mismatch'\\ \\(MatMul,\\ opset\\ 17\\):\\ contraction\\ sizes\\ differ:\\ 'tensor<2x3"),
    'conv_weight_rank': (2, "'conv_weight_rank'\\ \\(Conv,\\ opset\\ 17\\):\\ kernel\\ has\\ 1\\ dimensions,\\ the\\ input\\ 2"),
    'conv_channels_mismatch': (2, "'conv_channels_mismatch'\\ \\(Conv,\\ opset\\ 17\\):\\ channels\\ 3\\ and\\ filters\\ 4\\ do\\ not\\ fi"),
    'conv_kernel_as_string': (2, "'conv_kernel_as_string'\\ \\(Conv,\\ opset\\ 17\\):\\ kernel_shape\\ disagrees\\ with\\ the\\ weight"),
    'conv_zero_stride': (2, "'conv_zero_stride'\\ \\(Conv,\\ opset\\ 17\\):\\ strides\\ and\\ dilations\\ must\\ be\\ positive"),
    'conv_negative_pads': (2, "'conv_negative_pads'\\ \\(Conv,\\ opset\\ 17\\):\\ pads\\ must\\ be\\ non\\-negative"),
    'maxpool_kernel_larger_than_input': (2, "'maxpool_kernel_larger_than_input'\\ \\(MaxPool,\\ opset\\ 17\\):\\ window\\ does\\ not\\ fit\\ spat"),
    'reshape_two_minus_ones': (2, "'reshape_two_minus_ones'\\ \\(Reshape,\\ opset\\ 17\\):\\ the\\ shape\\ has\\ more\\ than\\ one\\ \\-1"),
    'reshape_wrong_count': (2, "'reshape_wrong_count'\\ \\(Reshape,\\ opset\\ 17\\):\\ cannot\\ reshape\\ 'tensor<4x6xf32>'\\ to\\ 2"),
    'concat_axis_out_of_range': (2, "'concat_axis_out_of_range'\\ \\(Concat,\\ opset\\ 17\\):\\ axis\\ 7\\ out\\ of\\ range"),
    'transpose_perm_repeats': (2, "'transpose_perm_repeats'\\ \\(Transpose,\\ opset\\ 17\\):\\ perm\\ is\\ not\\ a\\ permutation\\ of\\ 2"),
    'transpose_perm_out_of_range': (2, "'transpose_perm_out_of_range'\\ \\(Transpose,\\ opset\\ 17\\):\\ perm\\ is\\ not\\ a\\ permutation\\ "),
    'softmax_axis_out_of_range': (2, "'softmax_axis_out_of_range'\\ \\(Softmax,\\ opset\\ 17\\):\\ axis\\ 4\\ out\\ of\\ range"),
    'flatten_axis_out_of_range': (2, "'flatten_axis_out_of_range'\\ \\(Flatten,\\ opset\\ 17\\):\\ axis\\ out\\ of\\ range"),
    'squeeze_dimension_not_one': (2, "'squeeze_dimension_not_one'\\ \\(Squeeze,\\ opset\\ 17\\):\\ cannot\\ squeeze\\ dimension\\ 0\\ of\\ "),
    'unsqueeze_axis_repeated': (2, "'unsqueeze_axis_repeated'\\ \\(Unsqueeze,\\ opset\\ 17\\):\\ axis\\ 0\\ is\\ out\\ of\\ range\\ or\\ re"),
    'reduce_axis_out_of_range': (2, "'reduce_axis_out_of_range'\\ \\(ReduceSum,\\ opset\\ 17\\):\\ axis\\ 3\\ out\\ of\\ range\\ for\\ rank"),
    'gather_axis_out_of_range': (2, "'gather_axis_out_of_range'\\ \\(Gather,\\ opset\\ 17\\):\\ axis\\ 2\\ out\\ of\\ range"),
    'gather_index_out_of_range': (2, "'gather_index_out_of_range'\\ \\(Gather,\\ opset\\ 17\\):\\ index\\ 9\\ is\\ out\\ of\\ range\\ for\\ a"),
    'slice_zero_step': (2, "'slice_zero_step'\\ \\(Slice,\\ opset\\ 17\\):\\ a\\ slice\\ step\\ is\\ 0"),
    'split_sizes_do_not_sum': (2, "'split_sizes_do_not_sum'\\ \\(Split,\\ opset\\ 17\\):\\ split\\ has\\ 2\\ sizes\\ for\\ 1\\ outputs"),
    'expand_incompatible': (2, "'expand_incompatible'\\ \\(Expand,\\ opset\\ 17\\):\\ 'tensor<3xf32>'\\ does\\ not\\ broadcast\\ to"),
    'tile_negative_repeats': (2, "'tile_negative_repeats'\\ \\(Tile,\\ opset\\ 17\\):\\ expects\\ 1\\ non\\-negative\\ repeats"),
    'topk_larger_than_axis': (2, "'topk_larger_than_axis'\\ \\(TopK,\\ opset\\ 17\\):\\ k\\ and\\ axis\\ must\\ fit\\ the\\ input"),
    'constant_without_value': (2, "'constant_without_value'\\ \\(Constant,\\ opset\\ 17\\):\\ Constant\\ needs\\ exactly\\ one\\ value"),
    'constant_of_shape_negative': (2, "'constant_of_shape_negative'\\ \\(ConstantOfShape,\\ opset\\ 17\\):\\ negative\\ dimension\\ in\\ t"),
    'range_zero_delta': (2, "'range_zero_delta'\\ \\(Range,\\ opset\\ 17\\):\\ delta\\ is\\ 0"),
    'cast_to_unknown_type': (3, "'cast_to_unknown_type'\\ \\(Cast,\\ opset\\ 17\\):\\ unsupported:\\ cast\\ to\\ data\\ type\\ 99\\ is"),
    'einsum_malformed_equation': (2, "'einsum_malformed_equation'\\ \\(Einsum,\\ opset\\ 17\\):\\ the\\ output\\ term\\ names\\ labels\\ no"),
    'resize_unknown_mode': (2, "'resize_unknown_mode'\\ \\(Resize,\\ opset\\ 17\\):\\ unknown\\ mode\\ 'bicubic\\-ish'"),
    'batchnorm_scale_shape': (2, "'batchnorm_scale_shape'\\ \\(BatchNormalization,\\ opset\\ 17\\):\\ statistics\\ must\\ have\\ shap"),
    'unknown_op': (3, "'unknown_op'\\ \\(FrobnicateTensor,\\ opset\\ 17\\):\\ unsupported:\\ operator\\ is\\ not\\ supporte"),
    'string_input': (3, "'x'\\ \\(graph\\ input\\):\\ unsupported:\\ element\\ type\\ STRING\\ is\\ not\\ supported"),
    'initializer_raw_data_short': (2, "'w'\\ \\(initializer\\):\\ tensor\\ 'w'\\ holds\\ 5\\ bytes,\\ its\\ shape\\ needs\\ 8"),
    'initializer_float_data_count': (2, "'w'\\ \\(initializer\\):\\ tensor\\ 'w'\\ holds\\ 12\\ bytes,\\ its\\ shape\\ needs\\ 8"),
    'initializer_unknown_type': (3, "'w'\\ \\(initializer\\):\\ unsupported:\\ tensor\\ 'w'\\ has\\ unsupported\\ element\\ type\\ data\\ t"),
    'initializer_negative_dim': (2, "'w'\\ \\(initializer\\):\\ tensor\\ 'w'\\ has\\ a\\ negative\\ dimension"),
    'initializer_data_in_wrong_field': (2, "'w'\\ \\(initializer\\):\\ tensor\\ 'w'\\ holds\\ 0\\ bytes,\\ its\\ shape\\ needs\\ 8"),
    'no_default_domain': (3, "'relu_0'\\ \\(Relu\\):\\ unsupported:\\ supported\\ from\\ opset\\ 1"),
    'cycle': (2, "'relu_a'\\ \\(Relu,\\ opset\\ 17\\):\\ input\\ 'b'\\ is\\ not\\ produced\\ by\\ any\\ node"),
    'node_in_unknown_domain': (3, "'relu_0'\\ \\(Relu,\\ domain\\ com\\.acme,\\ opset\\ 17\\):\\ unsupported:\\ operator\\ domain\\ 'com"),
    'no_nodes': (2, "no_nodes\\.onnx'\\ holds\\ no\\ graph"),
    'output_without_type': (0, ''),
    'pt2_without_model_json': (2, "pt2_without_model_json\\.pt2'\\ is\\ a\\ zip\\ archive\\ without\\ models/model\\.json;\\ not\\ a\\ "),
    'pt2_model_json_not_json': (2, 'models/model\\.json\\ is\\ not\\ valid\\ JSON:\\ \\[1:7,\\ byte=7\\]:\\ Unterminated\\ string'),
    'pt2_model_json_array': (2, 'models/model\\.json\\ is\\ not\\ a\\ JSON\\ object'),
    'pt2_model_json_nested_deep': (2, 'models/model\\.json\\ is\\ not\\ valid\\ JSON:\\ JSON\\ nested\\ deeper\\ than\\ 512\\ levels'),
    'pt2_without_weights_config': (2, "weight\\ 'l1\\.weight'\\ is\\ in\\ the\\ signature\\ but\\ not\\ in\\ the\\ archive"),
    'pt2_without_a_weight': (2, "weight\\ 'l1\\.weight':\\ the\\ archive\\ has\\ no\\ entry\\ 'mlp/data/weights/weight_0'"),
    'pt2_weight_short': (2, "weight\\ 'l1\\.weight':\\ its\\ sizes,\\ strides\\ and\\ offset\\ reach\\ past\\ the\\ 100\\ bytes\\ of"),
    'pt2_big_endian': (3, 'unsupported:\\ weights\\ are\\ stored\\ big\\-endian;\\ Anvil\\ reads\\ little\\-endian\\ archives'),
    'pt2_not_a_zip': (2, "pt2_not_a_zip\\.pt2'\\ is\\ not\\ a\\ readable\\ \\.pt2\\ archive\\ \\(Not\\ a\\ zip\\ archive\\)"),
    'pt2_truncated': (2, "pt2_truncated\\.pt2'\\ is\\ not\\ a\\ readable\\ \\.pt2\\ archive\\ \\(Not\\ a\\ zip\\ archive\\)"),
    'pt2_empty': (2, "pt2_empty\\.pt2'\\ is\\ not\\ a\\ readable\\ \\.pt2\\ archive\\ \\(Not\\ a\\ zip\\ archive\\)"),
    'pt2_unknown_aten_op': (3, "'linear'\\ \\(aten\\.frobnicate\\.default\\):\\ unsupported:\\ no\\ importer\\ for\\ this\\ op"),
    'pt2_input_of_nobody': (2, "'linear'\\ \\(aten\\.linear\\.default\\):\\ 'nowhere'\\ is\\ used\\ before\\ it\\ is\\ defined"),
    'pt2_output_of_nobody': (2, "output\\ 'nowhere'\\ is\\ never\\ defined"),
    'pt2_no_graph': (2, 'models/model\\.json\\ has\\ no\\ graph_module\\.graph\\ or\\ signature'),
    'pt2_nodes_not_a_list': (2, 'models/model\\.json:\\ graph_module\\.graph\\.nodes\\ is\\ not\\ a\\ list'),
    'pt2_huge_input': (2, "input\\ 'x'\\ is\\ larger\\ than\\ the\\ limit\\ of\\ 268435456\\ elements"),
    'pt2_negative_input_dim': (2, "input\\ 'x'\\ has\\ a\\ negative\\ size"),
    'pt2_unknown_dtype': (3, "unsupported:\\ input\\ 'x'\\ has\\ element\\ type\\ code\\ 99,\\ which\\ Anvil\\ does\\ not\\ support"),
    'pt2_weight_strides_past_end': (2, "weight\\ 'l1\\.weight':\\ its\\ sizes,\\ strides\\ and\\ offset\\ reach\\ past\\ the\\ 32768\\ bytes\\ "),
    'pt2_weight_negative_stride': (2, "weight\\ 'l1\\.weight':\\ its\\ sizes,\\ strides\\ and\\ offset\\ reach\\ past\\ the\\ 32768\\ bytes\\ "),
    'pt2_weight_strides_overflow': (2, "weight\\ 'l1\\.weight':\\ its\\ sizes,\\ strides\\ and\\ offset\\ reach\\ past\\ the\\ 32768\\ bytes\\ "),
    'pt2_weight_negative_offset': (2, "weight\\ 'l1\\.weight':\\ its\\ sizes,\\ strides\\ and\\ offset\\ reach\\ past\\ the\\ 32768\\ bytes\\ "),
    'pt2_weight_huge_offset': (2, "weight\\ 'l1\\.weight':\\ its\\ sizes,\\ strides\\ and\\ offset\\ reach\\ past\\ the\\ 32768\\ bytes\\ "),
    'pt2_weight_file_outside': (2, "weight\\ 'l1\\.weight':\\ the\\ archive\\ has\\ no\\ entry\\ 'mlp/data/weights/\\.\\./\\.\\./\\.\\./\\.\\."),
    'pt2_weight_pickled': (3, "unsupported:\\ weight\\ 'l1\\.weight'\\ is\\ pickled;\\ Anvil\\ reads\\ raw\\ weight\\ blobs\\ \\(torc"),
    'pb_truncated': (2, 'pb_truncated\\.pb:\\ not\\ a\\ serialized\\ onnx\\.TensorProto'),
    'pb_not_protobuf': (2, 'pb_not_protobuf\\.pb:\\ not\\ a\\ serialized\\ onnx\\.TensorProto'),
    'pb_raw_short': (2, 'pb_raw_short\\.pb:\\ holds\\ 5\\ data\\ bytes\\ for\\ 8\\ expected'),
    'pb_float_data_count': (2, 'pb_float_data_count\\.pb:\\ holds\\ 4\\ data\\ bytes\\ for\\ 8\\ expected'),
    'pb_unknown_type': (2, 'pb_unknown_type\\.pb:\\ unsupported\\ TensorProto\\ data\\ type\\ 77'),
    'pb_negative_dim': (2, "pb_negative_dim\\.pb:\\ the\\ tensor's\\ shape\\ is\\ negative\\ or\\ too\\ large"),
    'pb_huge_dims': (2, "pb_huge_dims\\.pb:\\ the\\ tensor's\\ shape\\ is\\ negative\\ or\\ too\\ large"),
    'pb_string_tensor': (2, 'pb_string_tensor\\.pb:\\ unsupported\\ TensorProto\\ data\\ type\\ 8'),
    'pb_external_data': (2, 'pb_external_data\\.pb:\\ holds\\ 0\\ data\\ bytes\\ for\\ 8\\ expected'),
    'pb_wrong_dtype': (2, "input\\ 0\\ \\('x'\\)\\ expects\\ float32,\\ got\\ int32"),
    'pb_wrong_shape': (2, "input\\ 0\\ \\('x'\\)\\ expects\\ shape\\ \\[2\\],\\ got\\ \\[3\\]"),
    'npy_big_endian': (2, "npy_big_endian\\.npy:\\ unsupported\\ \\.npy\\ dtype\\ '>f4'"),
    'npy_shape_not_a_tuple': (2, 'npy_shape_not_a_tuple\\.npy:\\ malformed\\ \\.npy\\ shape'),
    'npy_missing_descr': (2, "npy_missing_descr\\.npy:\\ malformed\\ \\.npy\\ header\\ \\(a\\ dictionary\\ with\\ 'descr',\\ 'fortr"),
    'npy_header_not_a_dict': (2, "npy_header_not_a_dict\\.npy:\\ malformed\\ \\.npy\\ header\\ \\(a\\ dictionary\\ with\\ 'descr',\\ 'f"),
    'npy_wrong_dtype': (2, "input\\ 0\\ \\('x'\\)\\ expects\\ float32,\\ got\\ int32"),
    'npy_long_payload': (0, ''),
    'npy_version_9': (2, 'npy_version_9\\.npy:\\ \\.npy\\ format\\ version\\ 9\\ is\\ not\\ one\\ Anvil\\ reads\\ \\(1\\ to\\ 3\\)'),
    'npy_header_past_end': (2, 'npy_header_past_end\\.npy:\\ truncated\\ \\.npy\\ header'),
    'npy_version_2': (2, 'npy_version_2\\.npy:\\ truncated\\ \\.npy\\ header'),
    'artifact_metadata_negative_dim': (2, 'model\\.so:\\ artifact\\ metadata\\ has\\ malformed\\ inputs\\ or\\ outputs'),
    'artifact_metadata_unknown_dtype': (2, 'model\\.so:\\ artifact\\ metadata\\ has\\ malformed\\ inputs\\ or\\ outputs'),
    'artifact_metadata_no_version': (2, 'model\\.so:\\ artifact\\ metadata\\ has\\ no\\ format_version'),
    'artifact_metadata_shape_overflows': (2, 'model\\.so:\\ artifact\\ metadata\\ has\\ malformed\\ inputs\\ or\\ outputs'),
    'artifact_metadata_bytes_overflow': (2, 'model\\.so:\\ artifact\\ metadata\\ has\\ malformed\\ inputs\\ or\\ outputs'),
    'artifact_metadata_negative_weights': (2, 'model\\.so:\\ artifact\\ metadata\\ has\\ a\\ negative\\ weight_bytes'),
    'artifact_metadata_bad_machine': (2, "model\\.so:\\ the\\ artifact's\\ machine:\\ invalid\\ machine\\ description:\\ expected\\ string\\ a"),
    'artifact_metadata_tensors_not_a_list': (2, 'model\\.so:\\ artifact\\ metadata\\ has\\ malformed\\ inputs\\ or\\ outputs'),
    'artifact_no_entry_point': (2, 'model\\.so:\\ not\\ an\\ Anvil\\ artifact\\ \\(no\\ metadata\\ or\\ entry\\ point\\)'),
    'artifact_no_metadata_symbol': (2, 'model\\.so:\\ not\\ an\\ Anvil\\ artifact\\ \\(no\\ metadata\\ or\\ entry\\ point\\)'),
    'artifact_is_a_directory': (2, "cannot load artifact '.*inputs': Is a directory"),
    'artifact_is_text': (2, "cannot load artifact '.*text\\.so': not a shared library \\(an Anvil artifact is one\\)"),
    'machine_grid_2_31_squared': (1, 'pe_grid\\.rows:\\ is\\ larger\\ than\\ Anvil\\ models\\ \\(at\\ most\\ 1024,\\ got\\ 2147483648\\)'),
    'machine_grid_zero': (1, 'pe_grid\\.rows:\\ must\\ be\\ positive\\ \\(got\\ 0\\)'),
    'machine_grid_negative': (1, 'pe_grid\\.cols:\\ must\\ be\\ positive\\ \\(got\\ \\-8\\)'),
    'machine_sram_huge': (1, 'memory\\.sram\\.capacity_bytes:\\ is\\ larger\\ than\\ Anvil\\ models\\ \\(at\\ most\\ 4294967296,\\ g'),
    'machine_local_times_pes_overflow': (1, 'memory\\.local\\.capacity_bytes:\\ is\\ larger\\ than\\ Anvil\\ models\\ \\(at\\ most\\ 4294967296,\\ '),
    'machine_clock_infinite': (1, 'machine_clock_infinite\\.json:\\ not\\ valid\\ JSON:\\ \\[1:154,\\ byte=154\\]:\\ Invalid\\ JSON\\ va'),
    'machine_clock_negative': (1, 'clock_mhz:\\ must\\ be\\ positive\\ \\(got\\ \\-800\\.00\\)'),
    'machine_unknown_field': (1, 'pe_gird:\\ unknown\\ field\\ \\(see\\ docs/Targets\\.md\\)'),
    'machine_missing_name': (1, 'invalid machine description: missing value at .*machine_missing_name\\.json\\.name'),
    'machine_dpe_tile_huge': (1, 'dpe\\.tile_rows:\\ is\\ larger\\ than\\ Anvil\\ models\\ \\(at\\ most\\ 65536,\\ got\\ 1099511627776\\)'),
    'machine_dpe_unknown_type': (1, "dpe\\.types\\[2\\]\\.input:\\ unknown\\ type\\ 'f8'"),
    'machine_lanes_without_f32': (1, 'vector_core\\.ops_per_cycle:\\ must\\ list\\ f32\\ \\(types\\ it\\ does\\ not\\ list\\ run\\ at\\ that'),
    'machine_field_wrong_type': (1, 'invalid machine description: expected number at .*machine_field_wrong_type\\.json\\.clock_mhz'),
    'host_cores_zero': (1, 'cores:\\ must\\ be\\ between\\ 1\\ and\\ 65536'),
    'host_cores_huge': (1, 'cores:\\ must\\ be\\ between\\ 1\\ and\\ 65536'),
    'host_line_not_power_of_two': (1, 'caches\\[0\\]\\.line_bytes:\\ must\\ be\\ a\\ power\\ of\\ two,\\ at\\ most\\ 4096'),
    'host_vector_lanes_five': (1, 'vector\\.f32_lanes:\\ must\\ be\\ 4\\ \\(SSE\\),\\ 8\\ \\(AVX2\\)\\ or\\ 16\\ \\(AVX\\-512\\)'),
    'host_unknown_field': (1, 'corez:\\ unknown\\ field\\ \\(see\\ docs/Targets\\.md\\)'),
    'host_cache_levels_out_of_order': (1, 'caches\\[1\\]\\.level:\\ levels\\ must\\ rise\\ from\\ the\\ innermost\\ \\(1,\\ 2,\\ 3\\)'),
}
