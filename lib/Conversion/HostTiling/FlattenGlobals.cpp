//===- FlattenGlobals.cpp - 1-D constant globals for LLVM -----------------===//
#include "anvil/Conversion/Passes.h"

#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinDialect.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/BuiltinOps.h"

namespace anvil {
#define GEN_PASS_DEF_HOSTFLATTENGLOBALS
#include "anvil/Conversion/Passes.h.inc"
} // namespace anvil

using namespace mlir;

namespace {

/// The initializer of `global` as a 1-D attribute of `flatType`, sharing
/// the original's data; null when there is none to keep or it cannot be.
FailureOr<Attribute> flatInitializer(memref::GlobalOp global,
                                     RankedTensorType flatType) {
  Attribute init = global.getInitialValueAttr();
  if (!init || isa<UnitAttr>(init))
    return init;
  if (auto dense = dyn_cast<DenseElementsAttr>(init))
    return Attribute(dense.reshape(flatType));
  if (auto resource = dyn_cast<DenseResourceElementsAttr>(init))
    return Attribute(
        DenseResourceElementsAttr::get(flatType, resource.getRawHandle()));
  return failure();
}

struct HostFlattenGlobalsPass
    : anvil::impl::HostFlattenGlobalsBase<HostFlattenGlobalsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    llvm::DenseMap<StringAttr, MemRefType> originalTypes;
    for (auto global : module.getOps<memref::GlobalOp>()) {
      MemRefType type = global.getType();
      if (type.getRank() <= 1 || !type.hasStaticShape() ||
          !type.getLayout().isIdentity())
        continue;
      auto flatType = MemRefType::get({type.getNumElements()},
                                      type.getElementType(), nullptr,
                                      type.getMemorySpace());
      auto init = flatInitializer(
          global, RankedTensorType::get(flatType.getShape(),
                                        type.getElementType()));
      if (failed(init))
        continue;
      global.setType(flatType);
      if (*init)
        global.setInitialValueAttr(*init);
      originalTypes[global.getSymNameAttr()] = type;
    }
    module.walk([&](memref::GetGlobalOp get) {
      auto it = originalTypes.find(get.getNameAttr().getAttr());
      if (it == originalTypes.end())
        return;
      MemRefType type = it->second;
      OpBuilder b(get);
      auto flatType = MemRefType::get({type.getNumElements()},
                                      type.getElementType(), nullptr,
                                      type.getMemorySpace());
      Value flat = memref::GetGlobalOp::create(b, get.getLoc(), flatType,
                                               get.getNameAttr());
      SmallVector<ReassociationIndices> all(1);
      for (int64_t d = 0; d < type.getRank(); ++d)
        all[0].push_back(d);
      Value shaped =
          memref::ExpandShapeOp::create(b, get.getLoc(), type, flat, all);
      get.replaceAllUsesWith(shaped);
      get.erase();
    });
  }
};

} // namespace
