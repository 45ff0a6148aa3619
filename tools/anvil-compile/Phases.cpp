//===- Phases.cpp - What a compile is doing, and for how long -------------===//

#include "Phases.h"

#include "mlir/IR/Operation.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Pass/PassInstrumentation.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/TimeProfiler.h"
#include "llvm/Support/WithColor.h"

using namespace anvil;

namespace {

/// Each pass as a time-trace event, named after the pass and the op it
/// ran on.
class TracePasses : public mlir::PassInstrumentation {
  void runBeforePass(mlir::Pass *pass, mlir::Operation *op) override {
    // Named as on the command line (--convert-nn-to-linalg) where the
    // pass has an argument.
    llvm::StringRef name = pass->getArgument();
    llvm::timeTraceProfilerBegin(name.empty() ? pass->getName() : name, [&] {
      return op->getName().getStringRef().str();
    });
  }
  void runAfterPass(mlir::Pass *, mlir::Operation *) override {
    llvm::timeTraceProfilerEnd();
  }
  void runAfterPassFailed(mlir::Pass *, mlir::Operation *) override {
    llvm::timeTraceProfilerEnd();
  }
};

} // namespace

Phases::Phases(bool progress, std::string timeTrace)
    : progress(progress), timeTrace(std::move(timeTrace)),
      start(std::chrono::steady_clock::now()) {
  mlir::applyDefaultTimingManagerCLOptions(timing);
  root = timing.getRootScope();
  if (!this->timeTrace.empty())
    llvm::timeTraceProfilerInitialize(/*TimeTraceGranularity=*/0,
                                      "anvil-compile");
}

Phases::~Phases() {
  end();
  if (llvm::timeTraceProfilerEnabled())
    llvm::timeTraceProfilerCleanup();
}

void Phases::begin(llvm::StringRef name, llvm::StringRef detail) {
  end();
  if (progress) {
    double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
            .count();
    llvm::WithColor::note(llvm::errs(), "anvil-compile")
        << llvm::formatv("[{0:f1} s] ", seconds) << name
        << (detail.empty() ? "" : " ") << detail << "\n";
  }
  scope.emplace(root.nest(name.str()));
  llvm::timeTraceProfilerBegin(name, detail);
}

void Phases::end() {
  if (!scope)
    return;
  llvm::timeTraceProfilerEnd();
  scope.reset();
}

void Phases::track(mlir::PassManager &pm) {
  if (scope && timing.isEnabled())
    pm.enableTiming(*scope);
  if (llvm::timeTraceProfilerEnabled())
    pm.addInstrumentation(std::make_unique<TracePasses>());
}

bool Phases::finish() {
  end();
  root.stop();
  timing.print();
  if (timeTrace.empty())
    return true;
  if (llvm::Error err = llvm::timeTraceProfilerWrite(timeTrace, "")) {
    llvm::WithColor::error(llvm::errs(), "anvil-compile")
        << "cannot write the time trace: " << llvm::toString(std::move(err))
        << "\n";
    return false;
  }
  return true;
}
