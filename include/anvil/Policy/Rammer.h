//===- Rammer.h - Kernels placed in space and time --------------*- C++ -*-===//
//
// The scheduling policy of the Rammer pass (docs/Rammer.md). Each segment
// of kernels becomes one program, launched once. RammerSerial keeps the
// kernels one wave each, in program order, over the PEs their tilings give
// work to: it removes the launches and nothing else, so that co-scheduling
// is measured apart. Rammer groups them in waves: in program order, each
// kernel goes to the first wave after the waves of the kernels it depends
// on that has a contiguous range of free PEs for it and SRAM for its
// staging, the lowest free range first; a kernel that fits no such wave
// opens a new one. Waves then run side by side kernels that the in-order
// schedule ran one after another, each on PEs the other leaves idle.
//
// Depends on LLVMSupport only.
//
//===----------------------------------------------------------------------===//

#ifndef ANVIL_POLICY_RAMMER_H
#define ANVIL_POLICY_RAMMER_H

#include "anvil/Policy/Schedule.h"

namespace anvil::policy {

enum class RammerMode {
  /// One program per segment, one wave per kernel.
  Serial,
  /// One program per segment, independent kernels side by side.
  Waves,
};

std::unique_ptr<Scheduler> createRammer(RammerMode mode);

} // namespace anvil::policy

#endif // ANVIL_POLICY_RAMMER_H
