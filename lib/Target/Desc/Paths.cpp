//===- Paths.cpp - Where an installed Anvil keeps its files ---------------===//

#include "anvil/Support/Paths.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/Twine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#include <cstdlib>

namespace path = llvm::sys::path;

std::string anvil::paths::installRoot() {
  // On Linux the executable is found through /proc/self/exe; the address
  // is only a fallback for systems without it.
  static int anchor;
  std::string exe = llvm::sys::fs::getMainExecutable(nullptr, &anchor);
  return path::parent_path(path::parent_path(exe)).str();
}

static std::string underRoot(const char *variable, const llvm::Twine &a,
                             const llvm::Twine &b, const llvm::Twine &c) {
  if (const char *fromEnv = std::getenv(variable); fromEnv && *fromEnv)
    return fromEnv;
  llvm::SmallString<128> result(anvil::paths::installRoot());
  path::append(result, a, b, c);
  return result.str().str();
}

std::string anvil::paths::targetsDirectory() {
  return underRoot("ANVIL_TARGETS_DIR", "share", "anvil", "targets");
}

std::string anvil::paths::hostKernelsArchive() {
  return underRoot("ANVIL_HOST_KERNELS", "lib", "anvil",
                   "libanvil_host_kernels.a");
}

std::string anvil::paths::compilerRuntimeArchive() {
  return underRoot("ANVIL_COMPILER_RUNTIME", "lib", "anvil",
                   "libanvil_builtins.a");
}

std::string anvil::paths::linker() {
  return underRoot("ANVIL_LINKER", "lib", "anvil", "anvil-ld");
}
