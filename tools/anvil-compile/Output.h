//===- Output.h - Writing a binary output safely ----------------*- C++ -*-===//
//
// An artifact or object file is written to a temporary first and put in
// place only when complete, so that a failed link, a signal or a full disk
// never leaves a partial file where the user's output was, and nothing but
// the named output is ever replaced.
//
//===----------------------------------------------------------------------===//

#ifndef ANVIL_TOOLS_ANVILCOMPILE_OUTPUT_H
#define ANVIL_TOOLS_ANVILCOMPILE_OUTPUT_H

#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <string>

namespace anvil {

/// A binary output on its way to `path`. A regular file (new or replaced)
/// is written as a uniquely named temporary beside it and renamed over it;
/// anything else that exists and is not a directory (/dev/null, a FIFO) is
/// written into, from a temporary in the system's temporary directory.
/// Temporaries are removed on failure, on destruction and on a signal.
class BinaryOutput {
public:
  /// Checks that `path` can be written and makes the temporary; the error
  /// names the path and the reason.
  static llvm::Expected<BinaryOutput> open(llvm::StringRef path);

  BinaryOutput(BinaryOutput &&other);
  BinaryOutput(const BinaryOutput &) = delete;
  ~BinaryOutput();

  /// Where the output is to be written before commit().
  llvm::StringRef temporary() const { return tempPath; }
  /// Puts the written temporary in place at the path.
  llvm::Error commit();

private:
  BinaryOutput() = default;
  void discard();

  std::string path;
  llvm::SmallString<128> tempPath;
  bool intoDevice = false;
};

} // namespace anvil

#endif // ANVIL_TOOLS_ANVILCOMPILE_OUTPUT_H
