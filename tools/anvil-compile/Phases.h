//===- Phases.h - What a compile is doing, and for how long -----*- C++ -*-===//
//
// anvil-compile's phases (import, the pass pipeline, LLVM IR translation,
// code generation, linking) each become a progress line (-v, or on a
// terminal), a scope of --mlir-timing's report and an event of
// --time-trace's profile; the pass pipeline's passes nest in the last two.
//
//===----------------------------------------------------------------------===//

#ifndef ANVIL_TOOLS_ANVIL_COMPILE_PHASES_H
#define ANVIL_TOOLS_ANVIL_COMPILE_PHASES_H

#include "mlir/Pass/PassManager.h"
#include "mlir/Support/Timing.h"
#include "llvm/ADT/StringRef.h"

#include <chrono>
#include <optional>
#include <string>

namespace anvil {

class Phases {
public:
  /// `progress`: print a line as each phase begins. `timeTrace`: the file
  /// --time-trace writes when the compile ends ("" for none).
  Phases(bool progress, std::string timeTrace);
  ~Phases();

  /// Ends the current phase, if any, and begins `name`.
  void begin(llvm::StringRef name, llvm::StringRef detail = "");
  /// Ends the current phase.
  void end();
  /// Times `pm`'s passes inside the current phase (--mlir-timing), and
  /// records them in the time trace.
  void track(mlir::PassManager &pm);
  /// Writes the time trace and prints the timing report; false, with the
  /// reason printed, if the trace cannot be written.
  bool finish();

private:
  bool progress;
  std::string timeTrace;
  std::chrono::steady_clock::time_point start;
  mlir::DefaultTimingManager timing;
  mlir::TimingScope root;
  /// The current phase's scope; none between phases.
  std::optional<mlir::TimingScope> scope;
};

} // namespace anvil

#endif // ANVIL_TOOLS_ANVIL_COMPILE_PHASES_H
