//===- Artifact.h - Compiled model artifacts for the host -------*- C++ -*-===//
//
// An artifact is a shared library holding the compiled code, the weights (as
// constant globals) and a JSON metadata string describing the model's
// inputs and outputs. The runtime (lib/Runtime) is its only reader.
//
//===----------------------------------------------------------------------===//

#ifndef ANVIL_TARGET_HOST_ARTIFACT_H
#define ANVIL_TARGET_HOST_ARTIFACT_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/IR/Module.h"

#include <memory>
#include <string>
#include <vector>

namespace anvil::host {

/// Bumped whenever the entry-point ABI or the metadata schema changes; the
/// runtime refuses artifacts of another version.
constexpr int kArtifactFormatVersion = 4;

/// Symbols every artifact exports.
constexpr const char *kEntrySymbol = "anvil_model_run";
constexpr const char *kMetadataSymbol = "anvil_model_metadata";
/// The compiled graph function inside the module.
constexpr const char *kGraphFunction = "main_graph";

struct TensorSignature {
  std::string name;
  std::string dtype; ///< NumPy-style name: float32, int64, bool, ...
  llvm::SmallVector<int64_t> shape;
};

struct ModelSignature {
  std::vector<TensorSignature> inputs, outputs;
};

/// The NumPy-style dtype name of an MLIR element type, or "" if none.
std::string dtypeName(mlir::Type elementType);

/// Reads names (arg/result attribute `anvil.name`), shapes and dtypes off
/// the graph function of an nn-level module.
mlir::FailureOr<ModelSignature> readSignature(mlir::ModuleOp module);

/// The metadata JSON stored in an artifact: the signature, and the bytes of
/// its constants (the weights, which a run must read at least once). An
/// artifact for an accelerator target also carries its machine
/// description, which the runtime's simulator runs.
std::string metadataJSON(const ModelSignature &signature,
                         llvm::StringRef target, int64_t weightBytes,
                         llvm::StringRef machineDescription = "");

/// Translates an LLVM-dialect module to LLVM IR and adds the artifact's
/// entry point and metadata.
std::unique_ptr<llvm::Module>
translateToArtifactIR(mlir::ModuleOp module, llvm::LLVMContext &context,
                      const ModelSignature &signature, llvm::StringRef target,
                      llvm::StringRef machineDescription = "");

/// Optimizes for the host CPU and writes an object file to `path`.
llvm::Error writeHostObject(llvm::Module &module, llvm::StringRef path);

/// Links an object file into a shared library at `path` with the system
/// C compiler driver ($ANVIL_CC, else cc).
llvm::Error linkSharedLibrary(llvm::StringRef objectPath, llvm::StringRef path);

/// Writes `module` as the artifact at `path`: a host object in a temporary
/// file (removed after, and on a signal), linked by linkSharedLibrary.
llvm::Error writeSharedLibrary(llvm::Module &module, llvm::StringRef path);

} // namespace anvil::host

#endif // ANVIL_TARGET_HOST_ARTIFACT_H
