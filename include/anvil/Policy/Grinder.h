//===- Grinder.h - Control flow moved onto the device -----------*- C++ -*-===//
//
// The control-flow placement of the Grinder pass (docs/Grinder.md). A loop
// or branch that the lowering can carry out on the device runs there when
// the cost model predicts it shorter: a device-resident loop replaces each
// iteration's launch by a barrier, a branch on the device replaces the
// host's wait for the predicate and the two launches around the branch by
// every PE reading the predicate and skipping the kernels of the branch
// not taken. Loops the importer knows the trip count of are unrolled
// within the user's compile budget, as under host-driven placement: copies
// of the body let the scheduler run iterations side by side.
//
// Depends on LLVMSupport only.
//
//===----------------------------------------------------------------------===//

#ifndef ANVIL_POLICY_GRINDER_H
#define ANVIL_POLICY_GRINDER_H

#include "anvil/Policy/Schedule.h"

namespace anvil::policy {

std::unique_ptr<ControlFlowPlacement> createGrinder();

} // namespace anvil::policy

#endif // ANVIL_POLICY_GRINDER_H
