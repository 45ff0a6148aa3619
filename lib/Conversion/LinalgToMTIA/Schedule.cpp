//===- Schedule.cpp - The scheduling and control-flow seams on MTIA -------===//
//
// anvil-mtia-schedule and anvil-mtia-place-control ask the policies of
// anvil/Policy/Schedule.h and record their decisions on the launches and
// the loops around them; checkSchedule is what anvil-mtia-to-calls can
// carry out of them.
//
//===----------------------------------------------------------------------===//

#include "Schedule.h"

#include "anvil/Conversion/Passes.h"
#include "anvil/Dialect/MTIA/IR/MTIAOps.h"
#include "anvil/Dialect/MTIA/IR/Machine.h"
#include "anvil/Policy/Schedule.h"

#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/Builders.h"
#include "mlir/Interfaces/ControlFlowInterfaces.h"

namespace anvil {
#define GEN_PASS_DEF_MTIASCHEDULE
#define GEN_PASS_DEF_MTIAPLACECONTROL
#include "anvil/Conversion/Passes.h.inc"
} // namespace anvil

using namespace mlir;
using namespace anvil::mtia;
using namespace anvil::policy;

namespace {

/// The launches of `graph` in program order.
SmallVector<LaunchOp> launchesOf(func::FuncOp graph) {
  SmallVector<LaunchOp> launches;
  graph.walk<WalkOrder::PreOrder>(
      [&](LaunchOp launch) { launches.push_back(launch); });
  return launches;
}

/// The ops of `graph` with regions, other than launches, that contain a
/// launch: the loops and branches the host or the device drives.
SmallVector<Operation *> controlOf(func::FuncOp graph) {
  SmallVector<Operation *> control;
  graph.walk<WalkOrder::PreOrder>([&](Operation *op) {
    if (isa<LaunchOp>(op))
      return WalkResult::skip();
    if (op != graph && op->getNumRegions() > 0 &&
        op->walk([](LaunchOp) { return WalkResult::interrupt(); })
            .wasInterrupted())
      control.push_back(op);
    return WalkResult::advance();
  });
  return control;
}

struct MTIASchedulePass : anvil::impl::MTIAScheduleBase<MTIASchedulePass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    std::unique_ptr<Scheduler> policy = createScheduler(scheduler);
    if (!policy) {
      module.emitError("unknown scheduler '")
          << scheduler << "' (scheduler: in-order)";
      return signalPassFailure();
    }
    const auto &machine = getAnalysis<MachineDescription>();
    if (!machine.get()) {
      module.emitError("anvil-mtia-schedule needs the machine description: ")
          << machine.error();
      return signalPassFailure();
    }
    Builder b(module.getContext());
    for (auto graph : module.getOps<func::FuncOp>()) {
      SmallVector<LaunchOp> launches = launchesOf(graph);
      SmallVector<KernelDemand> demands;
      for (LaunchOp launch : launches) {
        auto predicted =
            launch->getAttrOfType<IntegerAttr>(anvil::kMTIAPredictedCyclesAttr);
        demands.push_back(
            {static_cast<int64_t>(launch.getNumPes()),
             predicted ? predicted.getInt() : 0});
      }
      SmallVector<KernelSlot> slots =
          policy->schedule(demands, machine.get()->numPEs());
      for (auto [launch, slot] : llvm::zip(launches, slots)) {
        launch->setAttr(kScheduleWaveAttr, b.getI64IntegerAttr(slot.wave));
        launch->setAttr(kSchedulePEsAttr,
                        b.getDenseI64ArrayAttr({slot.firstPE, slot.pes}));
      }
    }
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
          << placement << "' (placement: host-driven)";
      return signalPassFailure();
    }
    Builder b(module.getContext());
    for (auto graph : module.getOps<func::FuncOp>())
      for (Operation *op : controlOf(graph)) {
        ControlRegion region;
        op->walk([&](LaunchOp) { ++region.kernels; });
        if (auto loop = dyn_cast<LoopLikeOpInterface>(op))
          if (std::optional<APInt> trips = loop.getStaticTripCount())
            region.tripCount = trips->getSExtValue();
        op->setAttr(kControlPlaceAttr,
                    b.getStringAttr(controlPlaceName(policy->place(region))));
      }
  }
};

} // namespace

LogicalResult anvil::mtia::checkSchedule(func::FuncOp graph) {
  int64_t lastWave = -1;
  for (LaunchOp launch : launchesOf(graph)) {
    if (auto wave = launch->getAttrOfType<IntegerAttr>(kScheduleWaveAttr)) {
      if (wave.getInt() <= lastWave)
        return launch.emitOpError("is scheduled in wave ")
               << wave.getInt() << ", beside or before the kernel before it: "
               << "kernels side by side are not carried out yet (scheduler: "
                  "in-order)";
      lastWave = wave.getInt();
    }
    auto pes = launch->getAttrOfType<DenseI64ArrayAttr>(kSchedulePEsAttr);
    auto count = static_cast<int64_t>(launch.getNumPes());
    if (pes && (pes.size() != 2 || pes[0] != 0 || pes[1] != count))
      return launch.emitOpError("is scheduled on PEs other than 0 .. ")
             << launch.getNumPes() - 1
             << ", which its tiling gives work to: not carried out yet "
                "(scheduler: in-order)";
  }
  for (Operation *op : controlOf(graph)) {
    auto place = op->getAttrOfType<StringAttr>(kControlPlaceAttr);
    if (place && place.getValue() != controlPlaceName(ControlPlace::Host))
      return op->emitOpError("is placed on the ")
             << place.getValue()
             << ": control flow that launches kernels runs on the host only "
                "yet (placement: host-driven)";
  }
  return success();
}
