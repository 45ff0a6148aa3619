//===- Schedulers.cpp - The scheduler a pass option names -----------------===//

#include "anvil/Conversion/Schedulers.h"

std::unique_ptr<anvil::policy::Scheduler>
anvil::schedulerNamed(mlir::Operation *anchor, llvm::StringRef name) {
  std::unique_ptr<policy::Scheduler> scheduler = policy::createScheduler(name);
  if (!scheduler)
    anchor->emitError("unknown scheduler '")
        << name << "' (scheduler: in-order, rammer-serial, rammer)";
  return scheduler;
}
