//===- Schedule.h - Carrying out schedules and control placement -*- C++ -*-=//
//
// What anvil-mtia-to-calls can carry out of the scheduling and control-flow
// decisions (anvil/Policy/Schedule.h): kernels one after another in
// program order over PEs from 0, driven by the host's control flow.
//
//===----------------------------------------------------------------------===//

#ifndef ANVIL_LIB_CONVERSION_LINALGTOMTIA_SCHEDULE_H
#define ANVIL_LIB_CONVERSION_LINALGTOMTIA_SCHEDULE_H

#include "mlir/Dialect/Func/IR/FuncOps.h"

namespace anvil::mtia {

/// Succeeds when every decision recorded in `graph` is one the lowering
/// carries out; otherwise an error on the kernel or loop whose decision it
/// cannot.
mlir::LogicalResult checkSchedule(mlir::func::FuncOp graph);

} // namespace anvil::mtia

#endif // ANVIL_LIB_CONVERSION_LINALGTOMTIA_SCHEDULE_H
