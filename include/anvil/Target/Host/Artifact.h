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
#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/Error.h"

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
constexpr const char *kReleaseSymbol = "anvil_model_release";
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

/// Whether `prefix` makes C identifiers of the entry points.
bool isEntryPrefix(llvm::StringRef prefix);

/// Renames the entry points to PREFIX_run, PREFIX_metadata and
/// PREFIX_release, so that several models link into one program.
void prefixEntryPoints(llvm::Module &module, llvm::StringRef prefix);

/// A C header declaring the prefixed entry points of `model`, with its
/// inputs and outputs.
void writeEntryHeader(llvm::raw_ostream &os, llvm::StringRef prefix,
                      llvm::StringRef model, const ModelSignature &signature);

/// Optimizes for the host CPU and writes an object file to `path`.
llvm::Error writeHostObject(llvm::Module &module, llvm::StringRef path);

/// A link that failed for want of something outside the model: a file of
/// Anvil's installation or of the system, or the linker's own errors (in
/// full). The tools exit with kExitInstallation for it.
class LinkError : public llvm::ErrorInfo<LinkError> {
public:
  static char ID;
  explicit LinkError(std::string text) : text(std::move(text)) {}
  void log(llvm::raw_ostream &os) const override { os << text; }
  std::error_code convertToErrorCode() const override {
    return llvm::inconvertibleErrorCode();
  }

private:
  std::string text;
};

/// Links an object file into a shared library at `path` with Anvil's LLD
/// (tools/anvil-ld, a child process), against Anvil's host kernels, the
/// compiler runtime, OpenMP and the C library (anvil/Support/Paths.h says
/// where they are found).
llvm::Error linkSharedLibrary(llvm::StringRef objectPath, llvm::StringRef path);

/// Writes `module` as the artifact at `path`: a host object in a temporary
/// file (removed after, and on a signal), linked by linkSharedLibrary;
/// `beforeLink` runs between the two.
llvm::Error writeSharedLibrary(llvm::Module &module, llvm::StringRef path,
                               llvm::function_ref<void()> beforeLink = {});

} // namespace anvil::host

#endif // ANVIL_TARGET_HOST_ARTIFACT_H
