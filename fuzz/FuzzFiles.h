//===- FuzzFiles.h - Fuzz inputs as files the readers open ------*- C++ -*-===//
//
// Anvil's readers take paths (models name their external data relative to
// their own directory), so each fuzz input is written to a file in a
// directory of this process's own, removed when it exits.
//
//===----------------------------------------------------------------------===//
#ifndef ANVIL_FUZZ_FUZZFILES_H
#define ANVIL_FUZZ_FUZZFILES_H

#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdint>
#include <cstdlib>
#include <string>

namespace anvil::fuzz {

/// The process's scratch directory (made on first use).
inline llvm::StringRef scratchDirectory() {
  // Never destroyed: the exit handler that removes it runs after static
  // destructors of objects made later.
  static const std::string *dir = [] {
    llvm::SmallString<128> path;
    if (llvm::sys::fs::createUniqueDirectory("anvil-fuzz", path))
      std::abort();
    std::atexit([] { llvm::sys::fs::remove_directories(scratchDirectory()); });
    return new std::string(path);
  }();
  return *dir;
}

/// Writes `data` to `name` in the scratch directory; returns its path.
inline std::string writeScratch(llvm::StringRef name, const uint8_t *data,
                                size_t size) {
  llvm::SmallString<128> path(scratchDirectory());
  llvm::sys::path::append(path, name);
  std::error_code ec;
  llvm::raw_fd_ostream out(path, ec, llvm::sys::fs::OF_None);
  if (ec)
    std::abort();
  out.write(reinterpret_cast<const char *>(data), size);
  return std::string(path);
}

} // namespace anvil::fuzz

#endif // ANVIL_FUZZ_FUZZFILES_H
