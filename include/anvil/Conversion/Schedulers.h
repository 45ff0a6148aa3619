//===- Schedulers.h - The scheduler a pass option names ---------*- C++ -*-===//
//
// Passes that ask the scheduler room (anvil/Policy/Schedule.h) for a
// decision take its name as an option; an unknown name is the user's
// error, reported on the IR.
//
//===----------------------------------------------------------------------===//

#ifndef ANVIL_CONVERSION_SCHEDULERS_H
#define ANVIL_CONVERSION_SCHEDULERS_H

#include "anvil/Policy/Schedule.h"

#include "mlir/IR/Operation.h"

#include <memory>

namespace anvil {

/// The scheduler named `name`, or null after an error on `anchor` that
/// lists the names.
std::unique_ptr<policy::Scheduler> schedulerNamed(mlir::Operation *anchor,
                                                  llvm::StringRef name);

} // namespace anvil

#endif // ANVIL_CONVERSION_SCHEDULERS_H
