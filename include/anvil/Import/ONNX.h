//===- ONNX.h - Import ONNX models into the nn dialect ----------*- C++ -*-===//
#ifndef ANVIL_IMPORT_ONNX_H
#define ANVIL_IMPORT_ONNX_H

#include "anvil/Import/Import.h"

#include "llvm/ADT/StringMap.h"

#include <string>
#include <vector>

namespace anvil::onnx_import {

struct ImportOptions {
  /// Shapes pinned by the user for inputs with dynamic dimensions.
  llvm::StringMap<llvm::SmallVector<int64_t>> inputShapes;
  /// Graph inputs fixed to a value at compile time (name -> ONNX
  /// TensorProto file): they become constants and leave the signature.
  llvm::StringMap<std::string> boundInputs;
};

using anvil::ImportResult;
using anvil::ImportStatus;
using anvil::Problem;

/// Parses `path` and imports its main graph as `func.func @main_graph`
/// of nn ops. Diagnostics without a node go to the context's handler.
ImportResult importModelFile(mlir::MLIRContext &context, llvm::StringRef path,
                             const ImportOptions &options);

/// Parses "NAME:1x3x224x224" into `options`; false when malformed.
bool parseInputShape(llvm::StringRef spec, ImportOptions &options);

/// Parses "NAME=FILE.pb" into `options`; false when malformed.
bool parseBoundInput(llvm::StringRef spec, ImportOptions &options);

/// Op types the importer handles in the default domain.
std::vector<std::string> supportedOpTypes();

} // namespace anvil::onnx_import

#endif // ANVIL_IMPORT_ONNX_H
