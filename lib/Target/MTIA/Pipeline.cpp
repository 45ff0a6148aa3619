//===- Pipeline.cpp - The MTIA-like target's compilation pipeline ---------===//

#include "anvil/Target/MTIA/Pipeline.h"

#include "anvil/Conversion/Passes.h"
#include "anvil/Dialect/MTIA/IR/MTIADialect.h"
#include "anvil/Target/Host/Pipeline.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

void anvil::mtia::buildLinalgToLLVMPipeline(
    OpPassManager &pm, const MTIAPipelineOptions &options) {
  host::addConnections(pm, options.fusion);
  host::addBufferization(pm);
  pm.addNestedPass<func::FuncOp>(createPartsInPlace());
  // The seams' policies (anvil/Policy/Rooms.h): by default, and with
  // their passes disabled, one op per kernel, fixed tiles from the machine
  // description, kernels one after another, control flow on the host.
  MTIAFusionOptions fusion;
  fusion.policy = options.fusion;
  fusion.dpeType = options.dpeType;
  fusion.sramStaging = options.sramStaging;
  fusion.implicitPatches = options.implicitPatches;
  pm.addPass(createMTIAFusion(fusion));
  pm.addPass(createMTIAPlanSRAM(
      MTIAPlanSRAMOptions{options.fusion, options.scheduler}));
  pm.addPass(
      createMTIACapPEs(MTIACapPEsOptions{options.scheduler, options.tiling}));
  MTIAFormKernelsOptions kernels;
  kernels.dpeType = options.dpeType;
  kernels.sramStaging = options.sramStaging;
  kernels.implicitPatches = options.implicitPatches;
  kernels.tiling = options.tiling;
  kernels.tilingCandidates = options.tilingCandidates;
  pm.addPass(createMTIAFormKernels(kernels));
  // Folds the one-iteration loops kernel forming leaves (a convolution's
  // loop over a batch of one), whose launches then join their neighbours'
  // segments.
  pm.addPass(createCanonicalizerPass());
  // Where control flow runs first: branches on the device give their
  // kernels to the segments around them.
  pm.addPass(
      createMTIAPlaceControl(MTIAPlaceControlOptions{options.placement}));
  pm.addPass(createMTIAPredicateBranches());
  pm.addPass(createMTIASchedule(MTIAScheduleOptions{options.scheduler}));
  pm.addPass(createMTIAToCalls());
  // Each PE program runs on one PE: its loops stay sequential.
  host::addLowerToLLVM(pm, /*parallel=*/false);
  pm.addPass(createMTIAJobEntries());
}

void anvil::mtia::registerMTIAPipelines() {
  PassPipelineRegistration<MTIAPipelineOptions>(
      "anvil-mtia-pipeline",
      "linalg on tensors to the LLVM dialect for the module's #mtia.target",
      buildLinalgToLLVMPipeline);
}
