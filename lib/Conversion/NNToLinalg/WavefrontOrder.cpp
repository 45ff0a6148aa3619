//===- WavefrontOrder.cpp - A graph's ops by wavefront level --------------===//
//
// anvil-wavefront-order: where the scheduler asks for it, the ops free of
// memory effects between two that have them are stably sorted by their
// wavefront level, the longest chain of producers among them that ends at
// each. Each op's producers come at lower levels, so the order stays one
// in which every value is defined before its uses.
//
//===----------------------------------------------------------------------===//

#include "anvil/Conversion/Passes.h"
#include "anvil/Conversion/Schedulers.h"
#include "anvil/Policy/Schedule.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include <algorithm>

namespace anvil {
#define GEN_PASS_DEF_WAVEFRONTORDER
#include "anvil/Conversion/Passes.h.inc"
} // namespace anvil

using namespace mlir;

namespace {

/// Whether `op` may move among its neighbours: it has no memory effects
/// and is not its block's terminator.
bool movable(Operation *op) {
  return !op->hasTrait<OpTrait::IsTerminator>() && isMemoryEffectFree(op);
}

/// The one op of `run`'s block (an ancestor of each user) that uses all of
/// `op`'s results, or null: a product's only reader (its clamp, an
/// elementwise epilogue), a fill's product.
Operation *onlyUser(Operation *op) {
  Operation *only = nullptr;
  for (Operation *user : op->getUsers()) {
    Operation *inBlock = op->getBlock()->findAncestorOpInBlock(*user);
    if (!inBlock || (only && only != inBlock))
      return nullptr;
    only = inBlock;
  }
  return only;
}

/// Sorts `run` (consecutive movable ops of one block) by wavefront level,
/// stably, and puts them back in that order before `next`. An op whose
/// results only one op of the run uses stays with it (the later passes
/// match a product with the ops just around it): the ops move as
/// clusters, each ending at an op used more than once or not at all, and a
/// cluster's level is one more than the highest of the clusters that
/// produce its operands.
void sortRun(ArrayRef<Operation *> run, Operation *next) {
  DenseMap<Operation *, Operation *> tail;
  for (Operation *op : llvm::reverse(run)) {
    Operation *user = onlyUser(op);
    tail[op] = user && tail.count(user) ? tail[user] : op;
  }
  DenseMap<Operation *, int64_t> level;
  DenseMap<Operation *, SmallVector<Operation *>> members;
  SmallVector<Operation *> tails;
  for (Operation *op : run) {
    Operation *own = tail[op];
    members[own].push_back(op);
    int64_t &mine = level[own];
    op->walk([&](Operation *inner) {
      for (Value operand : inner->getOperands())
        if (Operation *producer = operand.getDefiningOp())
          if (auto it = tail.find(producer);
              it != tail.end() && it->second != own)
            mine = std::max(mine, level[it->second] + 1);
    });
    if (own == op)
      tails.push_back(op);
  }
  std::stable_sort(tails.begin(), tails.end(), [&](Operation *a, Operation *b) {
    return level[a] < level[b];
  });
  for (Operation *own : tails)
    for (Operation *op : members[own])
      op->moveBefore(next);
}

void orderBlock(Block &block) {
  SmallVector<Operation *> run;
  for (Operation &op : llvm::make_early_inc_range(block)) {
    if (movable(&op)) {
      run.push_back(&op);
      continue;
    }
    sortRun(run, &op);
    run.clear();
  }
}

struct WavefrontOrderPass
    : anvil::impl::WavefrontOrderBase<WavefrontOrderPass> {
  using Base::Base;

  void runOnOperation() override {
    std::unique_ptr<anvil::policy::Scheduler> policy =
        anvil::schedulerNamed(getOperation(), scheduler);
    if (!policy)
      return signalPassFailure();
    if (!policy->ordersByWavefront())
      return;
    getOperation().walk([](Block *block) {
      if (!block->empty())
        orderBlock(*block);
    });
  }
};

} // namespace
