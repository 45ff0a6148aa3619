//===- Machine.cpp - The whole machine description, for passes ------------===//

#include "anvil/Dialect/MTIA/IR/Machine.h"
#include "anvil/Dialect/MTIA/IR/MTIADialect.h"

#include "llvm/Support/FormatVariadic.h"

using namespace mlir;
using namespace anvil::mtia;
using anvil::target::TargetDesc;

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

anvil::target::DType anvil::mtia::dtypeOf(Type type) {
  if (type.isInteger(8))
    return target::DType::I8;
  if (type.isInteger(32))
    return target::DType::I32;
  if (type.isF16())
    return target::DType::F16;
  if (type.isBF16())
    return target::DType::BF16;
  return target::DType::F32;
}

/// The #mtia.target of `desc`.
static TargetAttr targetAttr(MLIRContext *ctx, const TargetDesc &desc) {
  SmallVector<Type> inputs;
  for (const anvil::target::DPETypeDesc &t : desc.dpe.types)
    inputs.push_back(mlirType(ctx, t.input));
  return TargetAttr::get(
      ctx, desc.name, desc.numPEs(),
      desc.level(anvil::target::MemoryLevel::Local).capacityBytes,
      desc.level(anvil::target::MemoryLevel::SRAM).capacityBytes,
      desc.dpe.tileRows, desc.dpe.tileRowBytes, inputs, desc.dma.broadcast,
      desc.dma.gather, desc.dma.dramPrefetch);
}

void anvil::mtia::attachMachine(ModuleOp module, const TargetDesc &desc) {
  MLIRContext *ctx = module.getContext();
  ctx->getOrLoadDialect<MTIADialect>();
  module->setAttr(TargetAttr::kAttrName, targetAttr(ctx, desc));
  module->setAttr(kMachineDescriptionAttrName, StringAttr::get(ctx, desc.json));
}

llvm::Expected<TargetDesc> anvil::mtia::machineDescriptionOf(Operation *op) {
  auto module = dyn_cast<ModuleOp>(op);
  if (!module)
    module = op->getParentOfType<ModuleOp>();
  if (!module)
    return llvm::createStringError("no module around the operation");
  if (auto json =
          module->getAttrOfType<StringAttr>(kMachineDescriptionAttrName))
    return target::parseTargetDesc(json.getValue(),
                                   kMachineDescriptionAttrName);
  TargetAttr attr = TargetAttr::lookup(module);
  if (!attr)
    return llvm::createStringError(
        llvm::formatv("the module carries neither '{0}' nor '{1}'",
                      kMachineDescriptionAttrName, TargetAttr::kAttrName));
  llvm::Expected<TargetDesc> named = target::resolveTarget(attr.getName());
  if (!named)
    return named.takeError();
  if (targetAttr(module.getContext(), *named) != attr)
    return llvm::createStringError(llvm::formatv(
        "the module's {0} differs from the machine description '{1}' it "
        "names; attach the description itself as '{2}'",
        TargetAttr::kAttrName, attr.getName(), kMachineDescriptionAttrName));
  return named;
}

MachineDescription::MachineDescription(Operation *op) {
  llvm::Expected<TargetDesc> found = machineDescriptionOf(op);
  if (!found) {
    problem = llvm::toString(found.takeError());
    return;
  }
  desc = std::move(*found);
  // The SRAM an intermediates' plan holds (anvil-mtia-plan-sram) is not
  // the kernels' to stage in.
  auto module = dyn_cast<ModuleOp>(op);
  if (!module)
    module = op->getParentOfType<ModuleOp>();
  if (auto planned = module->getAttrOfType<IntegerAttr>(kSRAMPlanBytesAttr)) {
    int64_t &capacity =
        desc->memory[static_cast<int>(target::MemoryLevel::SRAM)].capacityBytes;
    capacity = std::max<int64_t>(0, capacity - planned.getInt());
  }
}
