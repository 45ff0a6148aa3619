//===- HostDescription.cpp - The host's description, for passes -----------===//

#include "anvil/Conversion/HostDescription.h"

#include "mlir/IR/BuiltinOps.h"

using namespace mlir;

llvm::Expected<anvil::target::HostDesc>
anvil::hostDescriptionOf(Operation *op) {
  auto module = dyn_cast<ModuleOp>(op);
  if (!module)
    module = op->getParentOfType<ModuleOp>();
  auto json = module ? module->getAttrOfType<StringAttr>(
                           target::kMachineDescriptionAttrName)
                     : StringAttr();
  if (!json) {
    // The machine does not change while the compiler runs: read it once.
    static const target::HostDesc thisMachine = target::detectHostDesc();
    return thisMachine;
  }
  return target::parseHostDesc(json.getValue(),
                               "the module's anvil.machine_description");
}

FailureOr<anvil::HostTiling> anvil::hostTilingOf(Operation *op,
                                                 StringRef policyName) {
  HostTiling tiling;
  tiling.policy = policy::createTilingPolicy(policyName);
  if (!tiling.policy)
    return op->emitError("unknown tiling policy '")
           << policyName << "' (tiling: fixed-tiles, roller)";
  llvm::Expected<target::HostDesc> host = hostDescriptionOf(op);
  if (!host)
    return op->emitError(llvm::toString(host.takeError()));
  tiling.host = std::move(*host);
  return tiling;
}
