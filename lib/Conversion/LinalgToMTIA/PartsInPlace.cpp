//===- PartsInPlace.cpp - Buffers copied into a part written there --------===//
//
// Bufferization gives each part of a concatenation a buffer of its own and
// copies it into the whole: a kernel per part that moves every byte of
// the part once more. Where nothing else touches that part of the whole
// while the part's buffer is in use, the ops that write the buffer write
// the part instead, and the copy goes.
//
//===----------------------------------------------------------------------===//

#include "Schedule.h"

#include "anvil/Conversion/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Interfaces/ViewLikeInterface.h"

namespace anvil {
#define GEN_PASS_DEF_PARTSINPLACE
#include "anvil/Conversion/Passes.h.inc"
} // namespace anvil

using namespace mlir;
using anvil::mtia::elementsOf;

namespace {

/// A memref.subview of `whole` with a static layout: `part`'s elements in
/// it.
struct Part {
  memref::SubViewOp view;
  std::pair<int64_t, int64_t> elements;
};

std::optional<Part> partOf(Value target) {
  auto view = target.getDefiningOp<memref::SubViewOp>();
  if (!view || !view.getSource().getDefiningOp<memref::AllocOp>() ||
      !view.getOffsets().empty() || !view.getSizes().empty() ||
      !view.getStrides().empty())
    return std::nullopt;
  auto elements = elementsOf(view.getType());
  if (!elements || !elementsOf(view.getSource().getType()))
    return std::nullopt;
  return Part{view, *elements};
}

using Uses = SmallVector<
    std::pair<Operation *, std::optional<std::pair<int64_t, int64_t>>>>;

/// The top-level ops of `block` that use `buffer` through views, each with
/// the elements of it that use covers; none where unknown, through a view
/// whose layout does not count from the buffer's start (`based` false).
void usesOf(Value buffer, Block &block, Uses &uses, bool based = true) {
  for (Operation *user : buffer.getUsers()) {
    bool keepsBase =
        isa<memref::SubViewOp, memref::ExpandShapeOp, memref::CollapseShapeOp,
            memref::CastOp, memref::ReinterpretCastOp>(user);
    if (keepsBase || isa<ViewLikeOpInterface>(user)) {
      for (Value result : user->getResults())
        usesOf(result, block, uses, based && keepsBase);
      continue;
    }
    if (Operation *top = block.findAncestorOpInBlock(*user))
      uses.push_back(
          {top, based ? elementsOf(buffer.getType()) : std::nullopt});
  }
}

/// Whether `buffer` (an allocation of identity layout) can be replaced by
/// `part` of another buffer, into which `mover` moves it: only linalg ops
/// and copies up to `mover` use it (and deallocations), and nothing else
/// from its first use to `mover` touches elements of `part`.
bool replaceable(memref::AllocOp buffer, Operation *mover, Part part) {
  Block *block = mover->getBlock();
  if (buffer->getBlock() != block || !buffer.getType().hasStaticShape() ||
      !buffer.getType().getLayout().isIdentity() ||
      buffer.getType().getMemorySpace() != part.view.getType().getMemorySpace())
    return false;
  Operation *first = mover;
  for (Operation *user : buffer->getUsers()) {
    if (isa<memref::DeallocOp>(user) || user == mover)
      continue;
    if (!isa<linalg::LinalgOp, memref::CopyOp>(user))
      return false;
    Operation *top = block->findAncestorOpInBlock(*user);
    if (!top || !top->isBeforeInBlock(mover))
      return false;
    if (top->isBeforeInBlock(first))
      first = top;
  }
  Uses wholeUses;
  usesOf(part.view.getSource(), *block, wholeUses);
  for (auto &[top, elements] : wholeUses) {
    if (top == mover || top->isBeforeInBlock(first) ||
        mover->isBeforeInBlock(top))
      continue;
    if (!elements || (elements->first < part.elements.second &&
                      part.elements.first < elements->second))
      return false;
  }
  return true;
}

/// The allocation an elementwise op (a generic of identity maps and
/// parallel loops, one input) reads to write its output, where `op` is one
/// and its output is not read.
memref::AllocOp elementwiseSource(Operation *op) {
  auto generic = dyn_cast_or_null<linalg::GenericOp>(op);
  if (!generic || generic.getNumDpsInputs() != 1 ||
      generic.getNumDpsInits() != 1 ||
      generic.getNumParallelLoops() != generic.getNumLoops() ||
      !llvm::all_of(generic.getIndexingMapsArray(),
                    [](AffineMap map) { return map.isIdentity(); }) ||
      generic.payloadUsesValueFromOperand(generic.getDpsInitOperand(0)))
    return nullptr;
  return generic.getDpsInputs()[0].getDefiningOp<memref::AllocOp>();
}

/// Replaces `buffer` by a view of `part`, made where the buffer was (the
/// whole's allocation moves up where it came later).
Value replaceBy(memref::AllocOp buffer, Part part) {
  auto whole = part.view.getSource().getDefiningOp<memref::AllocOp>();
  if (buffer->isBeforeInBlock(whole))
    whole->moveBefore(buffer);
  OpBuilder b(buffer);
  Value view = b.clone(*part.view)->getResult(0);
  for (Operation *user : llvm::make_early_inc_range(buffer->getUsers()))
    if (isa<memref::DeallocOp>(user))
      user->erase();
  buffer.getResult().replaceAllUsesWith(view);
  buffer.erase();
  return view;
}

/// Where the op that now writes `part` (the only one) is elementwise on
/// a buffer that nothing reads after it, that buffer becomes the part too
/// and the op runs in place on one view of it; and so on up the chain.
void placeSources(Value part) {
  for (;;) {
    SmallVector<Operation *> writers;
    for (Operation *user : part.getUsers())
      writers.push_back(user);
    if (writers.size() != 1)
      return;
    memref::AllocOp source = elementwiseSource(writers.front());
    std::optional<Part> whole = partOf(part);
    if (!source || !whole ||
        source.getType().getShape() !=
            cast<MemRefType>(part.getType()).getShape() ||
        !replaceable(source, writers.front(), *whole))
      return;
    // One view of the part for all its users, so that the folds that
    // match an op's output by value (a clamp in place) still do.
    Value earlier = replaceBy(source, *whole);
    part.replaceAllUsesWith(earlier);
    part.getDefiningOp()->erase();
    part = earlier;
  }
}

struct PartsInPlacePass : anvil::impl::PartsInPlaceBase<PartsInPlacePass> {
  void runOnOperation() override {
    SmallVector<memref::CopyOp> copies;
    getOperation().walk([&](memref::CopyOp copy) { copies.push_back(copy); });
    for (memref::CopyOp copy : copies) {
      auto buffer = copy.getSource().getDefiningOp<memref::AllocOp>();
      std::optional<Part> part = partOf(copy.getTarget());
      if (!buffer || !part || !replaceable(buffer, copy, *part) ||
          part->view.getSource().getDefiningOp()->getBlock() !=
              buffer->getBlock())
        continue;
      copy.erase();
      placeSources(replaceBy(buffer, *part));
      if (part->view->use_empty())
        part->view.erase();
    }
  }
};

} // namespace
