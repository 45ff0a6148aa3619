//===- Schedule.cpp - The scheduling and control-flow seams on MTIA -------===//
//
// anvil-mtia-schedule and anvil-mtia-place-control ask the policies of
// anvil/Policy/Schedule.h and record their decisions on the launches and
// the loops around them; checkSchedule is what anvil-mtia-to-calls can
// carry out of them.
//
//===----------------------------------------------------------------------===//

#include "Schedule.h"
#include "VectorKernel.h"

#include "anvil/Conversion/Passes.h"
#include "anvil/Conversion/Schedulers.h"
#include "anvil/Dialect/MTIA/IR/MTIAOps.h"
#include "anvil/Dialect/MTIA/IR/Machine.h"
#include "anvil/Policy/Schedule.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/Builders.h"
#include "mlir/Interfaces/ControlFlowInterfaces.h"

#include <map>

namespace anvil {
#define GEN_PASS_DEF_MTIACAPPES
#define GEN_PASS_DEF_MTIASCHEDULE
#define GEN_PASS_DEF_MTIAPLACECONTROL
#include "anvil/Conversion/Passes.h.inc"
} // namespace anvil

using namespace mlir;
using namespace anvil::mtia;
using namespace anvil::policy;

namespace {

/// What the scheduler needs of each kernel of a segment.
SmallVector<KernelDemand> demandsOf(ArrayRef<LaunchOp> segment) {
  SmallVector<SmallVector<int64_t, 4>> dependences = dependencesOf(segment);
  SmallVector<KernelDemand> demands;
  for (auto [i, after] : llvm::enumerate(dependences)) {
    LaunchOp launch = segment[i];
    auto predicted =
        launch->getAttrOfType<IntegerAttr>(anvil::kMTIAPredictedCyclesAttr);
    demands.push_back({static_cast<int64_t>(launch.getNumPes()),
                       predicted ? predicted.getInt() : 0,
                       launch.bufferBytes(MemorySpace::SRAM), after});
  }
  return demands;
}

/// What a scheduler needs of `desc`.
ScheduleMachine resourcesOf(const anvil::target::TargetDesc &desc) {
  return {desc.numPEs(),
          desc.level(anvil::target::MemoryLevel::SRAM).capacityBytes,
          desc.costs.launchCycles, desc.costs.barrierCycles};
}

struct MTIACapPEsPass : anvil::impl::MTIACapPEsBase<MTIACapPEsPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    std::unique_ptr<Scheduler> policy =
        anvil::schedulerNamed(module, scheduler);
    if (!policy)
      return signalPassFailure();
    std::unique_ptr<TilingPolicy> grids = createTilingPolicy(tiling);
    if (!grids) {
      module.emitError("unknown tiling policy '")
          << tiling << "' (tiling: fixed-tiles, roller)";
      return signalPassFailure();
    }
    const auto &machine = getAnalysis<MachineDescription>();
    TargetAttr target = TargetAttr::lookup(module);
    if (!machine.get() || !target) {
      module.emitError("anvil-mtia-cap-pes needs the machine description: ")
          << machine.error();
      return signalPassFailure();
    }
    ScheduleMachine resources = resourcesOf(*machine.get());
    Builder b(module.getContext());
    for (auto graph : module.getOps<func::FuncOp>())
      for (const SmallVector<Operation *> &run : runsOf(graph, formsKernel)) {
        SmallVector<OpenKernel> kernels;
        for (auto [op, after] : llvm::zip(run, dependencesOf(run))) {
          OpenKernel kernel{{}, 0, after};
          auto linalgOp = dyn_cast<linalg::LinalgOp>(op);
          if (linalgOp && !onDPE(linalgOp, target))
            kernel.capCycles =
                vectorCapCycles(linalgOp, *machine.get(), *grids, kernel.pes);
          kernels.push_back(std::move(kernel));
        }
        for (auto [op, cap] :
             llvm::zip(run, policy->capPEs(kernels, resources)))
          if (cap > 0 && cap < resources.numPEs)
            op->setAttr(kSchedulePECapAttr, b.getI64IntegerAttr(cap));
      }
  }
};

struct MTIASchedulePass : anvil::impl::MTIAScheduleBase<MTIASchedulePass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    std::unique_ptr<Scheduler> policy =
        anvil::schedulerNamed(module, scheduler);
    if (!policy)
      return signalPassFailure();
    const auto &machine = getAnalysis<MachineDescription>();
    if (!machine.get()) {
      module.emitError("anvil-mtia-schedule needs the machine description: ")
          << machine.error();
      return signalPassFailure();
    }
    ScheduleMachine resources = resourcesOf(*machine.get());
    int64_t programs = 0;
    for (auto graph : module.getOps<func::FuncOp>())
      for (const SmallVector<LaunchOp> &segment : segmentsOf(graph)) {
        SmallVector<KernelDemand> demands = demandsOf(segment);
        SmallVector<KernelSlot> slots = policy->schedule(demands, resources);
        record(segment, demands, slots, resources, programs);
      }
    if (policy->joinsDeviceLoops())
      for (auto graph : module.getOps<func::FuncOp>())
        graph.walk([&](LoopLikeOpInterface loop) {
          if (isOnDevice(loop))
            loop->setAttr(kScheduleJoinsAttr,
                          Builder(loop).getDenseI64ArrayAttr(
                              {programBeside(loop, /*before=*/true),
                               programBeside(loop, /*before=*/false)}));
        });
  }

  /// The program of the launch just before or after `op` with nothing
  /// between them that the host must run, or -1.
  static int64_t programBeside(Operation *op, bool before) {
    LaunchOp launch = launchBeside(op, before);
    auto program =
        launch ? launch->getAttrOfType<IntegerAttr>(kScheduleProgramAttr)
               : IntegerAttr();
    return program ? program.getInt() : -1;
  }

  /// Writes the slots on the launches, numbering the segment's programs on
  /// from `programs` (which it advances), with each program's predicted
  /// cycles.
  static void record(ArrayRef<LaunchOp> segment, ArrayRef<KernelDemand> demands,
                     ArrayRef<KernelSlot> slots,
                     const ScheduleMachine &resources, int64_t &programs) {
    Builder b(segment.front()->getContext());
    // The segment's kernels by program: their indices in the segment.
    std::map<int64_t, SmallVector<size_t>> byProgram;
    for (auto [i, slot] : llvm::enumerate(slots))
      byProgram[slot.program].push_back(i);
    for (auto &[program, members] : byProgram) {
      auto kernels =
          llvm::map_to_vector(members, [&](size_t i) { return demands[i]; });
      auto placed =
          llvm::map_to_vector(members, [&](size_t i) { return slots[i]; });
      int64_t cycles = predictProgramCycles(kernels, placed, resources);
      for (size_t i : members) {
        LaunchOp launch = segment[i];
        launch->setAttr(kScheduleProgramAttr,
                        b.getI64IntegerAttr(programs + program));
        launch->setAttr(kScheduleWaveAttr, b.getI64IntegerAttr(slots[i].wave));
        launch->setAttr(
            kSchedulePEsAttr,
            b.getDenseI64ArrayAttr({slots[i].firstPE, slots[i].pes}));
        if (members.size() > 1)
          launch->setAttr(kScheduleProgramCyclesAttr,
                          b.getI64IntegerAttr(cycles));
      }
    }
    if (!byProgram.empty())
      programs += byProgram.rbegin()->first + 1;
  }
};

struct MTIAPlaceControlPass
    : anvil::impl::MTIAPlaceControlBase<MTIAPlaceControlPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    std::unique_ptr<ControlFlowPlacement> policy =
        createControlFlowPlacement(placement);
    if (!policy) {
      module.emitError("unknown control-flow placement '")
          << placement << "' (placement: host-driven, grinder)";
      return signalPassFailure();
    }
    const auto &machine = getAnalysis<MachineDescription>();
    if (!machine.get()) {
      module.emitError("anvil-mtia-place-control needs the machine "
                       "description: ")
          << machine.error();
      return signalPassFailure();
    }
    ScheduleMachine resources = resourcesOf(*machine.get());
    Builder b(module.getContext());
    for (auto graph : module.getOps<func::FuncOp>()) {
      // Inner ones first: an outer loop can only run on the device if
      // what it holds does.
      SmallVector<Operation *> control = controlWithLaunches(graph);
      for (Operation *op : llvm::reverse(control)) {
        ControlRegion region;
        region.isLoop = isa<LoopLikeOpInterface>(op);
        op->walk([&](LaunchOp) { ++region.kernels; });
        if (auto loop = dyn_cast<LoopLikeOpInterface>(op))
          if (std::optional<APInt> trips = loop.getStaticTripCount())
            region.tripCount = trips->getSExtValue();
        std::optional<std::string> blocker = deviceBlocker(op);
        region.movable = !blocker;
        ControlPlace place = policy->place(region, resources);
        op->setAttr(kControlPlaceAttr,
                    b.getStringAttr(controlPlaceName(place)));
        // Why the device cannot run it, for whoever asks why it did not.
        if (blocker)
          op->setAttr(kControlBlockerAttr, b.getStringAttr(*blocker));
      }
    }
  }
};

} // namespace
