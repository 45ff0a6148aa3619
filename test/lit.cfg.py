# -*- Python -*-
import os

import lit.formats
from lit.llvm import llvm_config

config.name = "Anvil"
# An external shell: several tests check exit codes with `$?`.
config.test_format = lit.formats.ShTest(execute_external=True)
config.suffixes = [".mlir", ".test"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.anvil_obj_root, "test")
config.excludes = ["Inputs", "conformance", "models", "fixtures", "CMakeLists.txt",
                   "lit.cfg.py", "lit.site.cfg.py"]

llvm_config.use_default_substitutions()
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)
llvm_config.add_tool_substitutions(
    ["anvil-opt", "anvil-compile", "anvil-run"], [config.anvil_tools_dir])
# Debian's PyTorch and onnx live only under the system interpreter.
config.substitutions.append(("%python", "/usr/bin/python3"))
# AddressSanitizer reserves terabytes of address space: tests that limit
# a process's memory with `ulimit -v` cannot run under it.
if "address" in config.anvil_sanitize:
    config.available_features.add("asan")
