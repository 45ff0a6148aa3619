//===- Metadata.h - What an artifact says about itself ----------*- C++ -*-===//
//
// The JSON an artifact carries as `anvil_model_metadata`: its format
// version, tensors, weight bytes and, for accelerator targets, the machine
// description it was compiled for. Read before any of its code runs.
//
//===----------------------------------------------------------------------===//
#ifndef ANVIL_LIB_RUNTIME_METADATA_H
#define ANVIL_LIB_RUNTIME_METADATA_H

#include "anvil-c/Runtime.h"
#include "anvil/Target/TargetDesc.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <optional>
#include <string>
#include <vector>

namespace anvil::runtime {

struct TensorInfo {
  std::string name;
  AnvilDType dtype = ANVIL_DTYPE_INVALID;
  std::vector<int64_t> shape;
  /// Its size in bytes; fits in int64_t (the metadata is refused otherwise).
  int64_t byteSize = 0;

  AnvilTensor view() const {
    return {name.c_str(), dtype, static_cast<int32_t>(shape.size()),
            shape.data(), nullptr};
  }
};

struct ArtifactMetadata {
  std::vector<TensorInfo> inputs, outputs;
  /// The artifact's constants: every run reads them from DRAM at least once.
  int64_t weightBytes = 0;
  /// The machine an accelerator artifact was compiled for.
  std::optional<anvil::target::TargetDesc> machine;
  /// The CPU the artifact's code was compiled for and the features it may
  /// use (none recorded by older compilers).
  std::string cpuName;
  std::vector<std::string> cpuFeatures;
};

/// Reads `json`; the error says what is wrong with it (the caller adds the
/// artifact's path).
llvm::Expected<ArtifactMetadata> parseArtifactMetadata(llvm::StringRef json);

} // namespace anvil::runtime

#endif // ANVIL_LIB_RUNTIME_METADATA_H
