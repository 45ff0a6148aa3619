//===- ONNX.h - Import ONNX models into the nn dialect ----------*- C++ -*-===//
#ifndef ANVIL_IMPORT_ONNX_H
#define ANVIL_IMPORT_ONNX_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/ADT/StringMap.h"

#include <string>
#include <vector>

namespace anvil::onnx_import {

struct ImportOptions {
  /// Shapes pinned by the user for inputs with dynamic dimensions.
  llvm::StringMap<llvm::SmallVector<int64_t>> inputShapes;
};

/// Why an import failed; the driver maps each to its own exit code.
enum class ImportStatus {
  Success,
  /// The file is unreadable, not an ONNX model, or the model is malformed.
  InvalidInput,
  /// The model is well formed but uses something Anvil does not support.
  Unsupported,
};

/// One problem found in a model, keyed by the node it belongs to.
struct Problem {
  std::string nodeName, opType, domain;
  int64_t opset = 0;
  std::string reason;
  bool unsupported = true;
};

struct ImportResult {
  mlir::OwningOpRef<mlir::ModuleOp> module;
  ImportStatus status = ImportStatus::Success;
  /// Every problem found, not just the first.
  std::vector<Problem> problems;
};

/// Parses `path` and imports its main graph as `func.func @main_graph`
/// of nn ops. Diagnostics without a node go to the context's handler.
ImportResult importModelFile(mlir::MLIRContext &context, llvm::StringRef path,
                             const ImportOptions &options);

/// Parses "NAME:1x3x224x224" into `options`; false when malformed.
bool parseInputShape(llvm::StringRef spec, ImportOptions &options);

/// Op types the importer handles in the default domain.
std::vector<std::string> supportedOpTypes();

} // namespace anvil::onnx_import

#endif // ANVIL_IMPORT_ONNX_H
