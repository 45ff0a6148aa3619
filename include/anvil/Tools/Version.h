//===- Version.h - What --version prints ------------------------*- C++ -*-===//

#ifndef ANVIL_TOOLS_VERSION_H
#define ANVIL_TOOLS_VERSION_H

#include "anvil-c/Runtime.h"
#include "anvil/Config.h"

#include "llvm/Config/llvm-config.h"
#include "llvm/Support/raw_ostream.h"

namespace anvil {

/// Anvil's version, the LLVM and MLIR it was built with (one release), and
/// the artifact format its tools write and read.
inline void printVersion(llvm::raw_ostream &os) {
  os << "Anvil " << ANVIL_VERSION << "\n  LLVM and MLIR " << LLVM_VERSION_STRING
     << "\n  artifact format " << ANVIL_ARTIFACT_FORMAT_VERSION << "\n";
}

} // namespace anvil

#endif // ANVIL_TOOLS_VERSION_H
