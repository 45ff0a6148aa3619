//===- FillPerUse.cpp - A constant fill for each of its readers -----------===//

#include "anvil/Conversion/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Matchers.h"

namespace anvil {
#define GEN_PASS_DEF_FILLPERUSE
#include "anvil/Conversion/Passes.h.inc"
} // namespace anvil

using namespace mlir;

namespace {

/// A fill on tensors of a constant into an empty tensor of static shape,
/// whose clones are free to make.
bool isClonableFill(linalg::FillOp fill) {
  auto empty = fill.getDpsInits()[0].getDefiningOp<tensor::EmptyOp>();
  return fill.hasPureTensorSemantics() && empty &&
         empty.getType().hasStaticShape() &&
         matchPattern(fill.getDpsInputs()[0], m_Constant());
}

struct FillPerUsePass : anvil::impl::FillPerUseBase<FillPerUsePass> {
  void runOnOperation() override {
    SmallVector<linalg::FillOp> fills;
    getOperation().walk([&](linalg::FillOp fill) {
      if (isClonableFill(fill) && !fill.getResult(0).hasOneUse())
        fills.push_back(fill);
    });
    for (linalg::FillOp fill : fills) {
      auto uses = llvm::map_to_vector(fill.getResult(0).getUses(),
                                      [](OpOperand &use) { return &use; });
      // Every reader, the first too: the shared fill may be far from
      // all of them.
      for (OpOperand *use : uses) {
        OpBuilder b(use->getOwner());
        Operation *empty = b.clone(*fill.getDpsInits()[0].getDefiningOp());
        IRMapping mapping;
        mapping.map(fill.getDpsInits()[0], empty->getResult(0));
        use->set(b.clone(*fill, mapping)->getResult(0));
      }
      Operation *shared = fill.getDpsInits()[0].getDefiningOp();
      fill.erase();
      if (shared->use_empty())
        shared->erase();
    }
  }
};

} // namespace
