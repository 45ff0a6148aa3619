//===- Schedule.h - The scheduling and control-flow seams -------*- C++ -*-===//
//
// When and where kernels run, and where the control flow around them
// runs. A Scheduler takes the kernels of a segment (launches one after
// another in one block, with nothing between them the host must run) and
// gives each a program (kernels of one program run as one job, launched
// once), a wave within it (the kernels of a wave run side by side, and a
// barrier across the program's PEs follows each wave) and a range of PEs;
// a ControlFlowPlacement puts each loop or branch that launches kernels on
// the host (which launches the jobs of its body on every iteration) or on
// the device. The MTIA lowering records the decisions on the IR:
//
//   anvil.schedule.program = P, anvil.schedule.wave = W,
//   anvil.schedule.pes = [first, count]
//                                  on each mtia.launch (and, where a
//   anvil.schedule.program_cycles  program has several kernels, its
//                                  predicted cycles)
//   anvil.control.place = "host"   on each scf op that contains launches
//                  or "device"     (Grinder: docs/Grinder.md)
//   anvil.schedule.joins = [P, Q]  on a loop on the device whose job the
//                                  programs P before and Q after it share
//   anvil.schedule.pe_cap = N      on a linalg op whose vector kernel
//                                  takes at most N PEs (before kernels
//                                  are formed)
//
// and anvil-mtia-to-calls carries them out. The first implementations,
// which Rammer and Grinder replace, are InOrder (every kernel a program
// and a wave of its own, from PE 0) and HostDriven (all control flow on
// the host). Rammer's schedulers (docs/Rammer.md) are rammer-serial (a
// segment one program, its kernels one wave each, in order) and rammer
// (waves of independent kernels on disjoint PEs).
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

inline constexpr llvm::StringLiteral kScheduleProgramAttr =
    "anvil.schedule.program";
inline constexpr llvm::StringLiteral kScheduleWaveAttr = "anvil.schedule.wave";
inline constexpr llvm::StringLiteral kSchedulePEsAttr = "anvil.schedule.pes";
/// On each launch of a program of several kernels: the cycles the cost
/// model predicts for the program's job (predictProgramCycles).
inline constexpr llvm::StringLiteral kScheduleProgramCyclesAttr =
    "anvil.schedule.program_cycles";
inline constexpr llvm::StringLiteral kControlPlaceAttr = "anvil.control.place";
/// On a loop or branch the lowering cannot run on the device: why.
inline constexpr llvm::StringLiteral kControlBlockerAttr =
    "anvil.control.blocker";
/// On a loop the device runs: the programs before and after it (-1 for
/// none) that share its job.
inline constexpr llvm::StringLiteral kScheduleJoinsAttr =
    "anvil.schedule.joins";
inline constexpr llvm::StringLiteral kSchedulePECapAttr =
    "anvil.schedule.pe_cap";

/// A kernel as the scheduler sees it: the PEs its tiling gives it work
/// for, the cost model's prediction of its cycles as a job of its own
/// (launch and closing barrier included), the SRAM its staging takes while
/// it runs, and the kernels before it in its segment (their indices) that
/// it must follow: it reads what they write or writes what they use.
struct KernelDemand {
  int64_t pes = 1;
  int64_t predictedCycles = 0;
  int64_t sramBytes = 0;
  llvm::SmallVector<int64_t, 4> dependsOn;
};

/// Where and when a kernel runs: its program within the segment (numbered
/// from 0, in the order the programs run), its wave within the program
/// (from 0), and its PEs.
struct KernelSlot {
  int64_t program = 0;
  int64_t wave = 0;
  int64_t firstPE = 0;
  int64_t pes = 1;
};

/// What a scheduler needs of the machine: its PEs, the SRAM the kernels'
/// staging may take (the scratchpad less the intermediates' plan), and
/// what a job's launch and a barrier cost.
struct ScheduleMachine {
  int64_t numPEs = 1;
  int64_t sramBytes = 0;
  int64_t launchCycles = 0;
  int64_t barrierCycles = 0;
};

/// A kernel before it is formed, as a scheduler sees it: for a
/// vector-core kernel, the cycles the cost model predicts for its body
/// under each PE cap (the machine's PEs, then halves down to one: pairs of
/// cap and cycles) and the PEs it takes uncapped; and the earlier kernels
/// of its segment it depends on. Kernels whose PEs their tiles decide
/// (products) have no caps; they count for the dependences.
struct OpenKernel {
  llvm::SmallVector<std::pair<int64_t, int64_t>, 8> capCycles;
  int64_t pes = 0;
  llvm::SmallVector<int64_t, 4> dependsOn;
};

class Scheduler {
public:
  virtual ~Scheduler();
  virtual llvm::StringRef name() const = 0;
  /// Slots for the kernels of one segment, given in program order.
  virtual llvm::SmallVector<KernelSlot>
  schedule(llvm::ArrayRef<KernelDemand> kernels,
           const ScheduleMachine &machine) const = 0;
  /// Whether a product whose rows several producers make is split into one
  /// product per producer (anvil-split-products), so that each part can
  /// run beside the producers of the others.
  virtual bool splitsProductsByProducer() const { return false; }
  /// Whether the graph's ops come in wavefront order (anvil-wavefront-
  /// order), so that what can run together is near in program order.
  virtual bool ordersByWavefront() const { return false; }
  /// Whether a loop the device runs shares a job with the programs just
  /// before and after it (so that its launch goes), rather than being a
  /// job of its own.
  virtual bool joinsDeviceLoops() const { return false; }
  /// The most PEs each kernel of a segment (given in program order, before
  /// kernels are formed) may take, 0 for no cap: a vector kernel that
  /// takes fewer PEs than it could leaves the others to kernels beside it.
  virtual llvm::SmallVector<int64_t>
  capPEs(llvm::ArrayRef<OpenKernel> kernels,
         const ScheduleMachine &machine) const {
    return llvm::SmallVector<int64_t>(kernels.size(), 0);
  }
};

/// The cost model's cycles for one program: `kernels` and their `slots`,
/// all of that program. One launch, then each wave as long as its longest
/// kernel's time without its own launch and barrier, then a barrier.
int64_t predictProgramCycles(llvm::ArrayRef<KernelDemand> kernels,
                             llvm::ArrayRef<KernelSlot> slots,
                             const ScheduleMachine &machine);

/// The scheduler named `name` ("in-order", "rammer-serial", "rammer"), or
/// null.
std::unique_ptr<Scheduler> createScheduler(llvm::StringRef name);

/// Where a loop or branch that launches kernels runs.
enum class ControlPlace { Host, Device };
llvm::StringRef controlPlaceName(ControlPlace place);

/// A loop or branch as the placement sees it.
struct ControlRegion {
  /// A loop (whose body may run many times) or a branch.
  bool isLoop = false;
  /// The kernels its body launches (directly or in nested regions).
  int64_t kernels = 0;
  /// Its trip count where static (loops), else -1.
  int64_t tripCount = -1;
  /// Whether the lowering can carry it out on the device: what keeps it
  /// on the host otherwise (a host-side computation in its body, a value
  /// only the host can carry) is the mechanism's to say.
  bool movable = false;
};

/// A loop whose trip count the importer knows (a recurrent layer's steps,
/// a model's counted loop), as the placement sees it.
struct ImportedLoop {
  int64_t trips = 0;
  /// The user's compile budget: the most iterations worth a copy of the
  /// body each (anvil-compile --unroll-steps).
  int64_t mostUnrolledTrips = 0;
};

class ControlFlowPlacement {
public:
  virtual ~ControlFlowPlacement();
  virtual llvm::StringRef name() const = 0;
  virtual ControlPlace place(const ControlRegion &region,
                             const ScheduleMachine &machine) const = 0;
  /// Whether a loop stays one loop (its compile cost flat in its trip
  /// count) rather than a copy of its body per iteration (which every
  /// scheduler can see across).
  virtual bool keepsLoopRolled(const ImportedLoop &loop) const = 0;
};

/// The placement named `name` ("host-driven", "grinder"), or null.
std::unique_ptr<ControlFlowPlacement>
createControlFlowPlacement(llvm::StringRef name);

} // namespace anvil::policy

#endif // ANVIL_POLICY_SCHEDULE_H
