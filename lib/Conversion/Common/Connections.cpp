//===- Connections.cpp - Elementwise edges connected inside one kernel ----===//
//
// The tensor-level half of the fusion seam: which edges between
// elementwise ops connect inside one kernel (the policy's decision,
// recorded on the producers), and the merging of exactly those edges with
// upstream's elementwise fusion. Both targets run it before bufferization,
// so every later pass sees one generic where there were several.
//
//===----------------------------------------------------------------------===//

#include "anvil/Conversion/Folds.h"
#include "anvil/Conversion/Passes.h"
#include "anvil/Policy/Fusion.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/IR/PatternMatch.h"
#include "llvm/ADT/DenseSet.h"

namespace anvil {
#define GEN_PASS_DEF_DECIDECONNECTIONS
#define GEN_PASS_DEF_CONNECTELEMENTWISE
#include "anvil/Conversion/Passes.h.inc"
} // namespace anvil

using namespace mlir;
using anvil::policy::ConnectCandidate;
using anvil::policy::kFusionConnectAttr;

namespace {

/// A generic on tensors whose loops are all parallel.
bool isElementwise(Operation *op) {
  auto generic = dyn_cast_or_null<linalg::GenericOp>(op);
  return generic && generic.hasPureTensorSemantics() &&
         generic.getNumLoops() == generic.getNumParallelLoops();
}

/// The operand through which `producer`'s only result is read by its only
/// reader, where both are elementwise and upstream can merge them.
OpOperand *mergeableUse(Operation *producer) {
  if (!isElementwise(producer) || producer->getNumResults() != 1 ||
      !producer->getResult(0).hasOneUse())
    return nullptr;
  OpOperand &use = *producer->getResult(0).getUses().begin();
  if (!isElementwise(use.getOwner()) || !linalg::areElementwiseOpsFusable(&use))
    return nullptr;
  return &use;
}

/// mergeableUse, where `producer` is a candidate: a clamp of a product's
/// result is not, since the product's kernel takes it as its epilogue
/// (anvil/Conversion/Folds.h).
OpOperand *connectable(Operation *producer) {
  return anvil::isClampOfProduct(producer) ? nullptr : mergeableUse(producer);
}

struct DecideConnectionsPass
    : anvil::impl::DecideConnectionsBase<DecideConnectionsPass> {
  using Base::Base;

  void runOnOperation() override {
    std::unique_ptr<anvil::policy::FusionPolicy> decider =
        anvil::policy::createFusionPolicy(policy);
    if (!decider) {
      getOperation().emitError("unknown fusion policy '")
          << policy
          << "' (policy: one-op-per-kernel, welder, welder-sram, welder-dram)";
      return signalPassFailure();
    }
    SmallVector<ConnectCandidate> edges;
    getOperation().walk([&](linalg::GenericOp op) {
      if (OpOperand *use = connectable(op))
        edges.push_back({op, use->getOwner()});
    });
    decider->connect(edges);
  }
};

struct ConnectElementwisePass
    : anvil::impl::ConnectElementwiseBase<ConnectElementwisePass> {
  void runOnOperation() override {
    IRRewriter rewriter(&getContext());
    // A merged op takes its reader's place and mark, and may then be merged
    // with its own reader: each merge takes one mark away. A merge copies
    // both bodies, so merging along a chain one edge at a time would copy
    // the growing body at every step (quadratic in the chain's length);
    // each round merges edges no two of which share an op instead, which
    // halves a chain, and reads the marks once.
    for (SmallVector<Operation *> round = disjointMarked(); !round.empty();
         round = disjointMarked())
      for (Operation *producer : round)
        if (failed(merge(rewriter, producer)))
          return signalPassFailure();
  }

  /// Marked producers, in order, none sharing an op with an earlier one
  /// (as producer or reader).
  SmallVector<Operation *> disjointMarked() {
    SmallVector<Operation *> round;
    DenseSet<Operation *> taken;
    getOperation().walk([&](linalg::GenericOp op) {
      if (!op->hasAttr(kFusionConnectAttr) || taken.contains(op))
        return;
      OpOperand *use = mergeableUse(op);
      Operation *reader = use ? use->getOwner() : nullptr;
      if (reader && taken.contains(reader))
        return;
      taken.insert(op);
      if (reader)
        taken.insert(reader);
      round.push_back(op);
    });
    return round;
  }

  /// Merges `producer` into its only reader.
  LogicalResult merge(IRRewriter &rewriter, Operation *producer) {
    OpOperand *use = mergeableUse(producer);
    if (!use)
      return producer->emitOpError(
          "is marked to connect to its reader, but is not an elementwise op "
          "read by one elementwise op alone that it can merge into");
    Operation *consumer = use->getOwner();
    rewriter.setInsertionPoint(consumer);
    FailureOr<linalg::ElementwiseOpFusionResult> fused =
        linalg::fuseElementwiseOps(rewriter, use);
    if (failed(fused))
      return producer->emitOpError("could not be merged into its reader");
    for (auto [original, replacement] : fused->replacements)
      rewriter.replaceUsesWithIf(original, replacement, [&](OpOperand &u) {
        return u.getOwner() != producer;
      });
    Operation *merged = fused->fusedOp;
    merged->setLoc(
        FusedLoc::get(&getContext(), {producer->getLoc(), consumer->getLoc()}));
    merged->removeAttr(kFusionConnectAttr);
    if (Attribute mark = consumer->getAttr(kFusionConnectAttr))
      merged->setAttr(kFusionConnectAttr, mark);
    rewriter.eraseOp(consumer);
    if (!producer->use_empty())
      return producer->emitOpError("is still read after its merge");
    rewriter.eraseOp(producer);
    return success();
  }
};

} // namespace
