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
  ImportPolicies policies;
};

using anvil::ImportResult;
using anvil::ImportStatus;
using anvil::NodeStatus;
using anvil::Problem;
using anvil::statusOf;

/// Parses `path` and imports its main graph as `func.func @main_graph`
/// of nn ops. Diagnostics without a node go to the context's handler.
ImportResult importModelFile(mlir::MLIRContext &context, llvm::StringRef path,
                             const ImportOptions &options);

/// Parses "NAME:1x3x224x224" into `options`; false when malformed.
bool parseInputShape(llvm::StringRef spec, ImportOptions &options);

/// Parses "NAME=FILE.pb" into `options`; false when malformed.
bool parseBoundInput(llvm::StringRef spec, ImportOptions &options);

/// The newest default-domain opset and IR version Anvil imports; newer
/// models are refused rather than read with older semantics.
constexpr int64_t kNewestOpset = 22;
constexpr int64_t kNewestIrVersion = 10;

/// An op type the importer handles in the default domain, for every opset
/// from `sinceOpset` to kNewestOpset.
struct SupportedOp {
  std::string name;
  int64_t sinceOpset;
};
std::vector<SupportedOp> supportedOps();

} // namespace anvil::onnx_import

#endif // ANVIL_IMPORT_ONNX_H
