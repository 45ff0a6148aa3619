//===- Torch.h - Import torch.export archives into nn -----------*- C++ -*-===//
//
// Reads the .pt2 archive that torch.export.save writes (a zip holding the
// ExportedProgram as JSON and its weights as raw blobs) without Python, and
// builds `func.func @main_graph` of nn ops: parameters, buffers and
// constants become constants, user inputs become arguments.
//
//===----------------------------------------------------------------------===//
#ifndef ANVIL_IMPORT_TORCH_H
#define ANVIL_IMPORT_TORCH_H

#include "anvil/Import/Import.h"

#include <string>
#include <vector>

namespace anvil::torch_import {

/// The ExportedProgram schema major version Anvil reads.
constexpr int64_t kSchemaMajorVersion = 8;

/// Imports the archive at `path`; every problem found is reported, keyed by
/// node name, op and the Python source line the node came from.
ImportResult importArchive(mlir::MLIRContext &context, llvm::StringRef path,
                           const ImportPolicies &policies = {});

/// True when `path` starts like a zip archive.
bool looksLikeArchive(llvm::StringRef path);

/// The ATen ops (without the "torch.ops." prefix) the importer handles.
std::vector<std::string> supportedTargets();

} // namespace anvil::torch_import

#endif // ANVIL_IMPORT_TORCH_H
