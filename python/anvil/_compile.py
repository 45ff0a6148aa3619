"""anvil.compile: drives anvil-compile on a model file or a PyTorch module."""

import os
import subprocess
import tempfile

from . import _runtime as rt


class CompileError(Exception):
    """anvil-compile refused the model; `exit_code` follows the exit codes
    of docs/UserGuide.md (2 malformed, 3 unsupported, ...) and the message
    is its diagnostics, one problem per line."""

    def __init__(self, exit_code, message):
        super().__init__(message)
        self.exit_code = exit_code


CompileError.__module__ = "anvil"


def compiler_path():
    """ROOT/bin/anvil-compile of the installation this package is in."""
    return os.path.join(rt.install_root(), "bin", "anvil-compile")


def _export_module(module, example_inputs, directory):
    """A .pt2 archive of `module`: torch.export where the installed PyTorch
    has it, else Anvil's make_fx exporter (python/anvil_fx_export.py)."""
    import torch

    path = os.path.join(directory, "model.pt2")
    inputs = tuple(example_inputs)
    module = module.eval()
    if hasattr(torch, "export") and hasattr(torch.export, "export"):
        torch.export.save(torch.export.export(module, inputs), path)
    else:
        import anvil_fx_export
        anvil_fx_export.save(module, inputs, path)
    return path


def compile(model, output=None, target="host", example_inputs=None,
            input_shapes=None, options=(), load=True):
    """Compiles `model` (an .onnx or .pt2 path, or a torch.nn.Module with
    `example_inputs`) for `target` ("host", "mtia-v1", "mtia-2i" or a
    machine description's path).

    `output` is where the artifact goes; without it, a temporary file that
    lives as long as the returned model. `input_shapes` pins an ONNX
    model's dynamic dimensions ({"x": (1, 3, 224, 224)}); `options` are more
    anvil-compile flags. Returns the loaded Model, or the artifact's path
    with load=False. Raises CompileError with anvil-compile's diagnostics.
    """
    from . import Model

    if output is None and not load:
        raise TypeError("compiling with load=False needs an output path")
    keep = None
    if output is None:
        keep = tempfile.TemporaryDirectory(prefix="anvil-")
        output = os.path.join(keep.name, "model.so")
    with tempfile.TemporaryDirectory(prefix="anvil-export-") as exports:
        if isinstance(model, (str, os.PathLike)):
            path = os.fspath(model)
        elif example_inputs is None:
            raise TypeError("compiling a PyTorch module needs example_inputs")
        else:
            path = _export_module(model, example_inputs, exports)
        command = [compiler_path(), path, "--target=%s" % target, "-o",
                   os.fspath(output)]
        for name, shape in (input_shapes or {}).items():
            command.append("--input-shape=%s:%s" % (
                name, "x".join(str(d) for d in shape)))
        command += list(options)
        done = subprocess.run(command, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
    if done.returncode != 0:
        raise CompileError(done.returncode, done.stderr.strip())
    if not load:
        return os.fspath(output)
    return Model(output, _keep=keep)
