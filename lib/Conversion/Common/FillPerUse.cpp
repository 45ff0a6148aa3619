//===- FillPerUse.cpp - A constant fill or broadcast for each reader ------===//

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

/// A linalg op on tensors that makes a value of constants alone (a fill of
/// a constant, the broadcast of a constant bias) into empty tensors of
/// static shape, whose clones are free to make.
bool isClonableConstant(linalg::LinalgOp op) {
  if (!op.hasPureTensorSemantics() || op->getNumResults() != 1)
    return false;
  for (Value init : op.getDpsInits()) {
    auto empty = init.getDefiningOp<tensor::EmptyOp>();
    if (!empty || !empty.getType().hasStaticShape())
      return false;
  }
  return llvm::all_of(op.getDpsInputs(), [](Value input) {
    return matchPattern(input, m_Constant());
  });
}

/// Whether the reader through `use` gets a clone of `op`: every reader of
/// a fill; of another op (a broadcast), a linalg op that writes its result
/// into it, whose kernel can fold it as its init. A reader that only reads
/// it keeps the shared one, which would otherwise be a kernel per reader.
bool clonesFor(linalg::LinalgOp op, OpOperand &use) {
  if (isa<linalg::FillOp>(op))
    return true;
  auto reader = dyn_cast<linalg::LinalgOp>(use.getOwner());
  return reader && reader.isDpsInit(&use);
}

struct FillPerUsePass : anvil::impl::FillPerUseBase<FillPerUsePass> {
  void runOnOperation() override {
    SmallVector<linalg::LinalgOp> shared;
    getOperation().walk([&](linalg::LinalgOp op) {
      if (isClonableConstant(op) && !op->getResult(0).hasOneUse())
        shared.push_back(op);
    });
    for (linalg::LinalgOp op : shared) {
      SmallVector<OpOperand *> uses;
      for (OpOperand &use : op->getResult(0).getUses())
        if (clonesFor(op, use))
          uses.push_back(&use);
      // Every reader, the first too: the shared op may be far from all of
      // them.
      for (OpOperand *use : uses) {
        // Each clone is part of its reader's model node.
        Operation *reader = use->getOwner();
        OpBuilder b(reader);
        IRMapping mapping;
        for (Value init : op.getDpsInits()) {
          Operation *empty = b.clone(*init.getDefiningOp());
          empty->setLoc(reader->getLoc());
          mapping.map(init, empty->getResult(0));
        }
        Operation *clone = b.clone(*op, mapping);
        clone->setLoc(reader->getLoc());
        use->set(clone->getResult(0));
      }
      if (!op->use_empty())
        continue;
      SmallVector<Operation *> empties = llvm::map_to_vector(
          op.getDpsInits(), [](Value init) { return init.getDefiningOp(); });
      op->erase();
      for (Operation *empty : empties)
        if (empty->use_empty())
          empty->erase();
    }
  }
};

} // namespace
