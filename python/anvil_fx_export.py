"""Write a torch.export-style .pt2 archive from an FX graph traced by make_fx.

PyTorch versions without torch.export (Debian's 1.13, for one) can still
produce an ATen-level FX graph with ``make_fx``. This module traces a model
that way and writes the archive layout ``torch.export.save`` produces
(``models/model.json`` with the ExportedProgram graph and signature, raw
weight blobs with their config), so that ``anvil-compile model.pt2`` reads
it like any other export.

    import anvil_fx_export
    anvil_fx_export.save(model.eval(), (x,), "model.pt2")

Only what Anvil reads is written: schema version, graph (nodes with named
arguments, user-input tensor metadata), signature and weights. Python
source lines are kept where the traced graph records them.
"""

import json
import operator
import os
import zipfile

import torch
import torch.fx
import torch.utils._pytree as pytree
from torch.fx.experimental.proxy_tensor import make_fx

SCHEMA_VERSION = {"major": 8, "minor": 17}

# torch/_export/serde/schema.py, ScalarType.
_SCALAR_TYPES = {
    torch.uint8: 1, torch.int8: 2, torch.int16: 3, torch.int32: 4,
    torch.int64: 5, torch.float16: 6, torch.float32: 7, torch.float64: 8,
    torch.bool: 12, torch.bfloat16: 13,
}


def _ints(values):
    return [{"as_int": int(v)} for v in values]


def _tensor_meta(t):
    return {
        "dtype": _SCALAR_TYPES[t.dtype],
        "sizes": _ints(t.shape),
        "strides": _ints(t.stride()),
        "storage_offset": {"as_int": 0},
        "requires_grad": False,
        "device": {"type": "cpu", "index": None},
        "layout": 7,
    }


def _float(v):
    if v != v:
        return "nan"
    if v in (float("inf"), float("-inf")):
        return "inf" if v > 0 else "-inf"
    return float(v)


class _Writer:
    """Turns one traced GraphModule into the ExportedProgram JSON."""

    def __init__(self, gm, names, state, user_count):
        self.gm = gm
        self.names = names          # placeholder index -> weight FQN
        self.state = state          # FQN -> tensor
        self.user_count = user_count
        self.outputs_of = {}        # node -> [name of each tuple element]
        self.constants = {}         # FQN -> tensor (get_attr constants)

    def _ref(self, node):
        return {"name": node.name}

    def argument(self, value):
        if isinstance(value, torch.fx.Node):
            return {"as_tensor": self._ref(value)}
        if value is None:
            return {"as_none": True}
        if isinstance(value, bool):
            return {"as_bool": value}
        if isinstance(value, int):
            return {"as_int": value}
        if isinstance(value, float):
            return {"as_float": _float(value)}
        if isinstance(value, str):
            return {"as_string": value}
        if isinstance(value, torch.dtype):
            return {"as_scalar_type": _SCALAR_TYPES[value]}
        if isinstance(value, torch.device):
            return {"as_device": {"type": value.type, "index": value.index}}
        if isinstance(value, torch.layout):
            return {"as_layout": 7}
        if isinstance(value, torch.memory_format):
            return {"as_memory_format": 1}
        if isinstance(value, (list, tuple)):
            if all(isinstance(v, torch.fx.Node) for v in value) and value:
                return {"as_tensors": [self._ref(v) for v in value]}
            if any(isinstance(v, torch.fx.Node) for v in value):
                return {"as_optional_tensors": [
                    {"as_none": True} if v is None
                    else {"as_tensor": self._ref(v)} for v in value]}
            if all(isinstance(v, bool) for v in value):
                return {"as_bools": list(value)}
            if all(isinstance(v, int) for v in value):
                return {"as_ints": list(value)}
            return {"as_floats": [_float(v) for v in value]}
        raise TypeError("cannot serialize argument %r" % (value,))

    def named_inputs(self, node):
        schema = node.target._schema
        inputs = []
        for i, arg in enumerate(schema.arguments):
            if i < len(node.args):
                value = node.args[i]
            elif arg.name in node.kwargs:
                value = node.kwargs[arg.name]
            else:
                continue
            inputs.append({"name": arg.name, "arg": self.argument(value),
                           "kind": 2 if arg.kwarg_only else 1})
        return inputs

    def node_outputs(self, node):
        returns = node.target._schema.returns
        is_list = isinstance(returns[0].type, torch.ListType) if returns \
            else False
        if len(returns) == 1 and not is_list:
            return [{"as_tensor": self._ref(node)}]
        # Tuple and list results are read through getitem nodes; each
        # element is named after the getitem that reads it.
        elements = self.outputs_of.get(node, {})
        count = max(elements) + 1 if elements else len(returns)
        names = [elements.get(i, "%s_unused_%d" % (node.name, i))
                 for i in range(count)]
        if len(returns) == 1:
            return [{"as_tensors": [{"name": n} for n in names]}]
        return [{"as_tensor": {"name": n}} for n in names]

    def node_json(self, node):
        meta = {}
        if node.meta.get("stack_trace"):
            meta["stack_trace"] = node.meta["stack_trace"]
        target = "torch.ops.%s.%s" % (
            node.target._schema.name.replace("::", "."),
            node.target._overloadname)
        return {"target": target, "inputs": self.named_inputs(node),
                "outputs": self.node_outputs(node), "metadata": meta,
                "name": node.name}

    def graph_json(self):
        placeholders, nodes, outputs = [], [], []
        tensor_values = {}
        for node in self.gm.graph.nodes:
            if node.op == "call_function" and node.target is operator.getitem:
                source, index = node.args
                self.outputs_of.setdefault(source, {})[index] = node.name
        for node in self.gm.graph.nodes:
            if node.op == "placeholder":
                placeholders.append(node)
                value = node.meta.get("val", node.meta.get("tensor_meta"))
                if isinstance(value, torch.Tensor):
                    tensor_values[node.name] = _tensor_meta(value)
            elif node.op == "get_attr":
                self.constants[node.target] = getattr(self.gm, node.target)
                placeholders.append(node)
            elif node.op == "call_function" and node.target is operator.getitem:
                continue
            elif node.op == "call_function":
                if not hasattr(node.target, "_schema"):
                    raise TypeError("node %s calls %r, not an ATen op"
                                    % (node.name, node.target))
                nodes.append(self.node_json(node))
            elif node.op == "output":
                # Tuples, lists and dicts (e.g. Hugging Face model outputs)
                # flatten to their tensors, in PyTorch's pytree order.
                results, _ = pytree.tree_flatten(node.args[0])
                outputs = [{"as_tensor": self._ref(r)} for r in results
                           if isinstance(r, torch.fx.Node)]
        return placeholders, {
            "inputs": [{"as_tensor": self._ref(p)} for p in placeholders],
            "outputs": outputs, "nodes": nodes,
            "tensor_values": tensor_values, "sym_int_values": {},
            "sym_bool_values": {}, "is_single_tensor_return": False,
        }

    def signature(self, placeholders, outputs):
        specs, index = [], 0
        for node in placeholders:
            if node.op == "get_attr":
                specs.append({"tensor_constant": {
                    "arg": {"name": node.name},
                    "tensor_constant_name": node.target}})
                continue
            if index < len(self.names):
                fqn, is_param = self.names[index]
                kind = "parameter" if is_param else "buffer"
                body = {"arg": {"name": node.name}, kind + "_name": fqn}
                if not is_param:
                    body["persistent"] = True
                specs.append({kind: body})
            else:
                specs.append({"user_input": {
                    "arg": {"as_tensor": {"name": node.name}}}})
            index += 1
        return {"input_specs": specs, "output_specs": [
            {"user_output": {"arg": o}} for o in outputs]}


def _remove_dead_nodes(gm):
    """Drops unused results of pure ops (e.g. the scratch tensor batch norm
    allocates); in-place ops stay, their effect is the point."""
    for node in reversed(list(gm.graph.nodes)):
        if node.op != "call_function" or node.users:
            continue
        schema = getattr(node.target, "_schema", None)
        if node.target is operator.getitem or (
                schema is not None and not schema.is_mutable):
            gm.graph.erase_node(node)


def _weights_config(tensors, folder, archive, prefix, params):
    config = {}
    for i, (fqn, t) in enumerate(tensors.items()):
        path = "%s_%d" % ("weight" if folder == "weights" else "tensor", i)
        t = t.detach().contiguous().cpu()
        archive.writestr("%s/data/%s/%s" % (prefix, folder, path),
                         t.numpy().tobytes())
        config[fqn] = {"path_name": path, "is_param": fqn in params,
                       "use_pickle": False, "tensor_meta": _tensor_meta(t)}
    return config


def save(model, example_inputs, path, name=None):
    """Traces `model` on `example_inputs` with make_fx and writes `path`."""
    model = model.eval()
    params = dict(model.named_parameters())
    buffers = dict(model.named_buffers())
    names = [(k, True) for k in params] + [(k, False) for k in buffers]
    state = {**params, **buffers}
    weights = [state[k] for k, _ in names]

    def forward(*args):
        bound = dict(zip([k for k, _ in names], args[:len(names)]))
        return torch.nn.utils.stateless.functional_call(
            model, bound, tuple(args[len(names):]))

    with torch.no_grad():
        gm = make_fx(forward)(*weights, *example_inputs)
    _remove_dead_nodes(gm)
    writer = _Writer(gm, names, state, len(example_inputs))
    placeholders, graph = writer.graph_json()
    for node, value in zip(placeholders[len(names):], example_inputs):
        graph["tensor_values"][node.name] = _tensor_meta(value)
    document = {
        "graph_module": {
            "graph": graph,
            "signature": writer.signature(placeholders, graph["outputs"]),
            "module_call_graph": [],
        },
        "opset_version": {"aten": 10},
        "schema_version": SCHEMA_VERSION,
        "torch_version": torch.__version__ + " (anvil_fx_export)",
        "verifiers": [],
    }
    prefix = name or os.path.splitext(os.path.basename(path))[0]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr(prefix + "/models/model.json", json.dumps(document))
        archive.writestr(prefix + "/archive_format", "pt2")
        archive.writestr(prefix + "/archive_version", "0")
        archive.writestr(prefix + "/byteorder", "little")
        weights_config = _weights_config(state, "weights", archive, prefix,
                                         params)
        archive.writestr(prefix + "/data/weights/model_weights_config.json",
                         json.dumps({"config": weights_config}))
        constants_config = _weights_config(writer.constants, "constants",
                                           archive, prefix, {})
        archive.writestr(
            prefix + "/data/constants/model_constants_config.json",
            json.dumps({"config": constants_config}))
    return path
