//===- Pipeline.cpp - The MTIA-like target's compilation pipeline ---------===//

#include "anvil/Target/MTIA/Pipeline.h"

#include "anvil/Conversion/Passes.h"
#include "anvil/Dialect/MTIA/IR/MTIADialect.h"
#include "anvil/Target/Host/Pipeline.h"

#include "mlir/IR/Builders.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

/// The MLIR type of a machine-description type.
static Type mlirType(MLIRContext *ctx, anvil::target::DType type) {
  switch (type) {
  case anvil::target::DType::I8:
    return IntegerType::get(ctx, 8);
  case anvil::target::DType::I32:
    return IntegerType::get(ctx, 32);
  case anvil::target::DType::F16:
    return Float16Type::get(ctx);
  case anvil::target::DType::BF16:
    return BFloat16Type::get(ctx);
  case anvil::target::DType::F32:
    return Float32Type::get(ctx);
  }
  llvm_unreachable("unknown dtype");
}

void anvil::mtia::attachTarget(ModuleOp module,
                               const target::TargetDesc &desc) {
  MLIRContext *ctx = module.getContext();
  ctx->getOrLoadDialect<MTIADialect>();
  SmallVector<Type> inputs;
  for (const target::DPETypeDesc &t : desc.dpe.types)
    inputs.push_back(mlirType(ctx, t.input));
  module->setAttr(
      TargetAttr::kAttrName,
      TargetAttr::get(ctx, desc.name, desc.numPEs(),
                      desc.level(target::MemoryLevel::Local).capacityBytes,
                      desc.level(target::MemoryLevel::SRAM).capacityBytes,
                      desc.dpe.tileRows, desc.dpe.tileRowBytes, inputs,
                      desc.dma.broadcast, desc.dma.gather,
                      desc.dma.dramPrefetch));
}

void anvil::mtia::buildLinalgToLLVMPipeline(
    OpPassManager &pm, const MTIAPipelineOptions &options) {
  host::addBufferization(pm);
  // The seams' first implementations: one op per kernel, fixed tiles from
  // the machine description, kernels one after another over all PEs.
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
