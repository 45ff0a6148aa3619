//===- Schedule.h - The scheduling and control-flow seams -------*- C++ -*-===//
//
// When and where kernels run, and where the control flow around them
// runs. A Scheduler gives each kernel of a graph, in program order, a wave
// (kernels of one wave may run side by side) and a range of PEs; a
// ControlFlowPlacement puts each loop or branch that launches kernels on
// the host (which launches a job per kernel per iteration) or on the
// device. The MTIA lowering records the decisions on the IR:
//
//   anvil.schedule.wave = W, anvil.schedule.pes = [first, count]
//                                  on each mtia.launch
//   anvil.control.place = "host"   on each scf op that contains launches
//
// and anvil-mtia-to-calls carries them out. The first implementations,
// which Rammer and Grinder replace, are InOrder (every kernel a wave of
// its own, in program order, from PE 0) and HostDriven (all control flow
// on the host); today's mechanism carries out exactly those, and names
// the kernel or loop of any other decision as one it cannot carry out yet.
//
// Depends on LLVMSupport only.
//
//===----------------------------------------------------------------------===//

#ifndef ANVIL_POLICY_SCHEDULE_H
#define ANVIL_POLICY_SCHEDULE_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"

#include <cstdint>
#include <memory>

namespace anvil::policy {

inline constexpr llvm::StringLiteral kScheduleWaveAttr = "anvil.schedule.wave";
inline constexpr llvm::StringLiteral kSchedulePEsAttr = "anvil.schedule.pes";
inline constexpr llvm::StringLiteral kControlPlaceAttr = "anvil.control.place";

/// A kernel as the scheduler sees it: the PEs its tiling gives it work
/// for, and the cost model's prediction of its cycles.
struct KernelDemand {
  int64_t pes = 1;
  int64_t predictedCycles = 0;
};

/// Where and when a kernel runs.
struct KernelSlot {
  int64_t wave = 0;
  int64_t firstPE = 0;
  int64_t pes = 1;
};

class Scheduler {
public:
  virtual ~Scheduler();
  virtual llvm::StringRef name() const = 0;
  /// Slots for `kernels`, given in program order, on `numPEs` PEs.
  virtual llvm::SmallVector<KernelSlot>
  schedule(llvm::ArrayRef<KernelDemand> kernels, int64_t numPEs) const = 0;
};

/// The scheduler named `name` ("in-order"), or null.
std::unique_ptr<Scheduler> createScheduler(llvm::StringRef name);

/// Where a loop or branch that launches kernels runs.
enum class ControlPlace { Host, Device };
llvm::StringRef controlPlaceName(ControlPlace place);

/// A loop or branch as the placement sees it.
struct ControlRegion {
  /// The kernels its body launches (directly or in nested regions).
  int64_t kernels = 0;
  /// Its trip count where static (loops), else -1.
  int64_t tripCount = -1;
};

class ControlFlowPlacement {
public:
  virtual ~ControlFlowPlacement();
  virtual llvm::StringRef name() const = 0;
  virtual ControlPlace place(const ControlRegion &region) const = 0;
};

/// The placement named `name` ("host-driven"), or null.
std::unique_ptr<ControlFlowPlacement>
createControlFlowPlacement(llvm::StringRef name);

} // namespace anvil::policy

#endif // ANVIL_POLICY_SCHEDULE_H
