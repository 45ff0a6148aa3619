//===- ExitCodes.h - Exit codes of the Anvil tools --------------*- C++ -*-===//
//
// Documented in docs/UserGuide.md; CI scripts depend on them, so they never
// change meaning.
//
//===----------------------------------------------------------------------===//

#ifndef ANVIL_TOOLS_EXITCODES_H
#define ANVIL_TOOLS_EXITCODES_H

namespace anvil {
enum ExitCode : int {
  kExitSuccess = 0,
  /// Bad command line (unknown flag, missing argument). Also LLVM's own
  /// code for command-line errors.
  kExitUsage = 1,
  /// The input is unreadable, not a model, or a malformed model; for
  /// anvil-run also a mismatched input tensor.
  kExitInvalidInput = 2,
  /// The model is well formed but uses an operator, attribute, data type or
  /// dynamic shape Anvil does not support.
  kExitUnsupported = 3,
  /// Anvil failed on a model it accepted: a compiler bug.
  kExitInternalError = 4,
  /// anvil-run: outputs differ from --expected beyond tolerance.
  kExitMismatch = 5,
  /// Anvil's installation or the system lacks something a compile needs (a
  /// kernel archive, the compiler runtime, OpenMP, the C library), or
  /// linking against them failed; the message names the file or gives the
  /// linker's errors.
  kExitInstallation = 6,
};
} // namespace anvil

#endif // ANVIL_TOOLS_EXITCODES_H
