"""Anvil from Python: compile models and run them on NumPy arrays.

    import anvil, numpy as np
    model = anvil.compile("resnet18.onnx", target="mtia-v1")
    (y,) = model(np.zeros((1, 3, 224, 224), np.float32))
    model.report()["cycles"]            # the simulator's report

    model = anvil.load("model.so")      # an artifact anvil-compile wrote
    model.inputs                        # [TensorInfo(name, dtype, shape)]

A model compiled for the host runs natively; one compiled for an
accelerator target runs on the simulator of its machine. docs/Python.md
describes the package.
"""

import ctypes as C
import json
import weakref
from collections import namedtuple

import numpy as np

from . import _runtime as rt
from ._compile import CompileError, compile, compiler_path  # noqa: F401

__all__ = ["load", "compile", "Model", "TensorInfo", "AnvilError",
           "CompileError", "set_num_threads", "compiler_path"]

TensorInfo = namedtuple("TensorInfo", ["name", "dtype", "shape"])


class AnvilError(RuntimeError):
    """The runtime refused an artifact or a run; the message says why."""


def set_num_threads(threads):
    """Worker threads of host runs, process-wide (0: one per core)."""
    rt.library().anvilSetNumThreads(int(threads))


def load(path):
    """Loads an artifact written by anvil-compile."""
    return Model(path)


def _info(tensor):
    shape = tuple(tensor.shape[i] for i in range(tensor.rank))
    return TensorInfo(tensor.name.decode(), rt.numpy_dtype(tensor.dtype),
                      shape)


class Model:
    """A loaded artifact. Calling it runs it: inputs by position (or by name
    as keywords), outputs returned as a list of new arrays. Runs may come
    from several threads at once."""

    def __init__(self, path, _keep=None):
        lib = rt.library()
        error = C.c_void_p()
        handle = lib.anvilModelLoad(str(path).encode(), C.byref(error))
        if not handle:
            raise AnvilError(rt.take_string(error.value))
        self._handle = handle
        self.path = str(path)
        # The runtime's model is freed with this object; `_keep` (the
        # temporary directory of anvil.compile) lives as long.
        self._free = weakref.finalize(self, lib.anvilModelFree, handle)
        self._keep = _keep
        self.inputs = [_info(lib.anvilModelInput(handle, i))
                       for i in range(lib.anvilModelNumInputs(handle))]
        self.outputs = [_info(lib.anvilModelOutput(handle, i))
                        for i in range(lib.anvilModelNumOutputs(handle))]
        self.metadata = json.loads(lib.anvilModelMetadata(handle).decode())
        self.device = lib.anvilModelDevice(handle).decode()
        self.target = self.metadata.get("target")

    def close(self):
        """Unloads the artifact now (no run may be in progress)."""
        self._free()

    def _arrays(self, args, kwargs):
        if len(args) + len(kwargs) != len(self.inputs):
            raise AnvilError("the model takes %d inputs (%s), %d given" % (
                len(self.inputs), ", ".join(t.name for t in self.inputs),
                len(args) + len(kwargs)))
        arrays = list(args)
        for info in self.inputs[len(args):]:
            if info.name not in kwargs:
                raise AnvilError("input '%s' is not given" % info.name)
            arrays.append(kwargs.pop(info.name))
        if kwargs:
            raise AnvilError("the model has no input named '%s'"
                             % next(iter(kwargs)))
        # Arrays keep their dtype, which the runtime checks; anything else
        # (lists, scalars) takes the input's.
        return [np.ascontiguousarray(a) if isinstance(a, np.ndarray)
                else np.asarray(a, dtype=info.dtype)
                for a, info in zip(arrays, self.inputs)]

    def __call__(self, *args, **kwargs):
        if not self._free.alive:
            raise AnvilError("the model was closed")
        arrays = self._arrays(args, kwargs)
        results = [np.empty(info.shape, info.dtype) for info in self.outputs]
        keep = []

        def tensors(values, infos):
            out = (rt.Tensor * max(len(values), 1))()
            for i, (a, info) in enumerate(zip(values, infos)):
                shape = (C.c_int64 * max(a.ndim, 1))(*a.shape)
                keep.append(shape)
                out[i] = rt.Tensor(info.name.encode(), rt.dtype_code(a.dtype),
                                   a.ndim, shape, a.ctypes.data)
            return out

        ins = tensors(arrays, self.inputs)
        outs = tensors(results, self.outputs)
        error = C.c_void_p()
        status = rt.library().anvilModelRun(
            self._handle, ins, len(arrays), outs, len(results),
            C.byref(error))
        if status != 0:
            raise AnvilError(rt.take_string(error.value))
        return results

    run = __call__

    def trace(self, enabled=True):
        """Records every simulated operation of later runs (report("trace"))."""
        rt.library().anvilModelSetSimTrace(self._handle, int(enabled))

    def report(self, format="dict"):
        """The simulator's report of the last run: a dict (the JSON of
        docs/schemas/sim-report.schema.json), "text", or "trace" (a Chrome
        trace, as a string). None for host models and before a run."""
        code = {"dict": rt.REPORT_JSON, "json": rt.REPORT_JSON,
                "text": rt.REPORT_TEXT, "trace": rt.REPORT_TRACE}[format]
        text = rt.take_string(
            rt.library().anvilModelSimReport(self._handle, code))
        if text is None or format != "dict":
            return text
        return json.loads(text)

    def __repr__(self):
        return "<anvil.Model %s on %s: %s -> %s>" % (
            self.path, self.target,
            ", ".join("%s%s" % (t.name, list(t.shape)) for t in self.inputs),
            ", ".join("%s%s" % (t.name, list(t.shape)) for t in self.outputs))
