//===- Pipeline.cpp - The MTIA-like target's compilation pipeline ---------===//

#include "anvil/Target/MTIA/Pipeline.h"

#include "anvil/Conversion/Passes.h"
#include "anvil/Dialect/MTIA/IR/MTIADialect.h"
#include "anvil/Target/Host/Pipeline.h"

#include "mlir/IR/Builders.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

void anvil::mtia::buildLinalgToLLVMPipeline(
    OpPassManager &pm, const MTIAPipelineOptions &options) {
  host::addBufferization(pm);
  // The seams' first implementations: one op per kernel, fixed tiles from
  // the machine description, kernels one after another over all PEs.
  pm.addPass(createMTIAFusion());
  MTIAFormKernelsOptions kernels;
  kernels.dpeType = options.dpeType;
  kernels.sramStaging = options.sramStaging;
  pm.addPass(createMTIAFormKernels(kernels));
  pm.addPass(createCanonicalizerPass());
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
