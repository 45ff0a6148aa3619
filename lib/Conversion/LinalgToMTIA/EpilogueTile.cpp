//===- EpilogueTile.cpp - A folded elementwise op on a DPE kernel's tile --===//
//
// An elementwise op after a product (a residual add, the ReLU after it)
// done by the product's kernel: each C tile, still in local memory, takes
// the op with its other operands' tiles loaded beside it, and goes to the
// op's output instead of C. The operands are buffers of C's shape, so the
// views that cut C into the kernel's 2-D matrices cut them the same way.
//
//===----------------------------------------------------------------------===//

#include "DPEKernel.h"
#include "KernelBuilding.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/IRMapping.h"

#include <numeric>

using namespace mlir;
using namespace anvil::mtia;

/// `view`, a chain of subviews and reshapes of `root`, made the same way
/// of `other`, a buffer of `root`'s shape (its memory space may differ).
static Value rebase(OpBuilder &b, Location loc, Value view, Value root,
                    Value other) {
  if (view == root)
    return other;
  Operation *def = view.getDefiningOp();
  if (auto sub = dyn_cast_if_present<memref::SubViewOp>(def)) {
    Value source = rebase(b, loc, sub.getSource(), root, other);
    auto type = memref::SubViewOp::inferRankReducedResultType(
        sub.getType().getShape(), cast<MemRefType>(source.getType()),
        sub.getMixedOffsets(), sub.getMixedSizes(), sub.getMixedStrides());
    return memref::SubViewOp::create(b, loc, cast<MemRefType>(type), source,
                                     sub.getMixedOffsets(), sub.getMixedSizes(),
                                     sub.getMixedStrides());
  }
  if (auto collapse = dyn_cast_if_present<memref::CollapseShapeOp>(def))
    return memref::CollapseShapeOp::create(
        b, loc, rebase(b, loc, collapse.getSrc(), root, other),
        collapse.getReassociationIndices());
  if (auto expand = dyn_cast_if_present<memref::ExpandShapeOp>(def))
    return memref::ExpandShapeOp::create(
        b, loc, expand.getResultType().getShape(),
        rebase(b, loc, expand.getSrc(), root, other),
        expand.getReassociationIndices());
  llvm_unreachable("C's matrices are subviews and reshapes of C");
}

/// The contiguous buffer `v` as `like`'s shape (as many elements).
static Value reshapedLike(OpBuilder &b, Value v, Value like) {
  auto type = cast<MemRefType>(v.getType());
  auto shape = cast<MemRefType>(like.getType()).getShape();
  if (type.getShape() == shape)
    return v;
  ReassociationIndices all(type.getRank());
  std::iota(all.begin(), all.end(), 0);
  Value flat = memref::CollapseShapeOp::create(
      b, v.getLoc(), v, SmallVector<ReassociationIndices>{all});
  ReassociationIndices expanded(shape.size());
  std::iota(expanded.begin(), expanded.end(), 0);
  return memref::ExpandShapeOp::create(
      b, v.getLoc(), shape, flat, SmallVector<ReassociationIndices>{expanded});
}

ElementwiseEpilogue anvil::mtia::prepareEpilogue(linalg::LinalgOp product,
                                                 linalg::GenericOp op) {
  for (Operation *def : anvil::epilogueOperandDefs(product, op))
    def->moveBefore(product);
  Value c = product.getDpsInits()[0];
  ElementwiseEpilogue epilogue{
      op, c, *anvil::epilogueReads(product, op), {}, c};
  OpBuilder b(product);
  for (auto [read, input] : llvm::zip_equal(epilogue.reads, op.getDpsInputs()))
    epilogue.values.push_back(read == anvil::EpilogueRead::Product ? Value()
                              : read == anvil::EpilogueRead::Tile
                                  ? reshapedLike(b, input, c)
                                  : input);
  Value written = op.getDpsInits()[0];
  if (anvil::reshapedBuffer(written) != c)
    epilogue.output = reshapedLike(b, written, c);
  return epilogue;
}

Value anvil::mtia::epilogueTile(OpBuilder &b, Location loc,
                                const ElementwiseEpilogue &epilogue, Value c,
                                TileAt at, Value tile, ArrayRef<Value> slots) {
  IndexMath x{b, loc};
  MLIRContext *ctx = b.getContext();
  AffineMap identity = AffineMap::getMultiDimIdentityMap(2, ctx);
  auto tileOf = [&](Value buffer) {
    return subview2D(b, loc, rebase(b, loc, c, epilogue.product, buffer), at.i0,
                     at.j0, at.rows, at.cols);
  };
  SmallVector<Value> ins, loads;
  SmallVector<AffineMap> maps;
  for (auto [read, value] : llvm::zip_equal(epilogue.reads, epilogue.values)) {
    if (read == anvil::EpilogueRead::Product) {
      ins.push_back(tile);
      maps.push_back(identity);
      continue;
    }
    Value slot = slots[loads.size()], from;
    if (read == anvil::EpilogueRead::Tile) {
      slot = subview2D(b, loc, slot, x.c(0), x.c(0), at.rows, at.cols);
      from = tileOf(value);
      maps.push_back(identity);
    } else {
      slot = subview1D(b, loc, slot, x.c(0), at.cols);
      from = subview1D(b, loc, value, at.j0, at.cols);
      maps.push_back(AffineMap::get(2, 0, getAffineDimExpr(1, ctx), ctx));
    }
    loads.push_back(DMAOp::create(b, loc, token(b), from, slot));
    ins.push_back(slot);
  }
  WaitOp::create(b, loc, loads);
  maps.push_back(identity);
  linalg::GenericOp op = epilogue.op;
  Block &body = op.getRegion().front();
  linalg::GenericOp::create(
      b, loc, TypeRange{}, ins, ValueRange{tile}, maps,
      SmallVector<utils::IteratorType>(2, utils::IteratorType::parallel),
      [&](OpBuilder &nb, Location nl, ValueRange args) {
        IRMapping mapping;
        mapping.map(body.getArguments(), args);
        for (Operation &inner : body.without_terminator())
          nb.clone(inner, mapping);
        linalg::YieldOp::create(
            nb, nl,
            mapping.lookupOrDefault(body.getTerminator()->getOperand(0)));
      });
  // Each element: the body's ops, every tile read and the result written
  // once in local memory.
  Value elements = x.mul(at.rows, at.cols);
  int64_t ops = std::distance(body.without_terminator().begin(),
                              body.without_terminator().end());
  int64_t f32Bytes = elementBytes(b.getF32Type());
  CoreCostOp::create(b, loc, x.mul(elements, x.c(ops)),
                     x.mul(elements, x.c((ins.size() + 1) * f32Bytes)),
                     TypeAttr::get(b.getF32Type()),
                     MemorySpaceAttr::get(ctx, MemorySpace::Local));
  return tileOf(epilogue.output);
}
