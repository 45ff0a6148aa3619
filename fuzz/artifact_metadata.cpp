//===- artifact_metadata.cpp - Fuzz the artifact metadata reader ----------===//
//
// The JSON an artifact carries, read as anvilModelLoad reads it before any
// of the artifact's code runs: refused with a message, or tensors whose
// byte sizes fit in int64_t.
//
//===----------------------------------------------------------------------===//

#include "../lib/Runtime/Metadata.h"

#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  // The artifact's metadata is a NUL-terminated string.
  std::string text(reinterpret_cast<const char *>(data), size);
  llvm::Expected<anvil::runtime::ArtifactMetadata> metadata =
      anvil::runtime::parseArtifactMetadata(text.c_str());
  if (!metadata)
    llvm::consumeError(metadata.takeError());
  return 0;
}
