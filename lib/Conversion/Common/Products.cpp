//===- Products.cpp - What both targets' product kernels take -------------===//

#include "anvil/Conversion/Products.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"

using namespace mlir;

bool anvil::hasStaticF32Operands(linalg::LinalgOp op) {
  Type element = sharedStaticElementType(op);
  return element && element.isF32();
}

Type anvil::sharedStaticElementType(linalg::LinalgOp op) {
  Type element;
  for (Type t : op->getOperandTypes()) {
    auto shaped = dyn_cast<ShapedType>(t);
    if (!shaped || !shaped.hasStaticShape() ||
        (element && shaped.getElementType() != element))
      return Type();
    element = shaped.getElementType();
  }
  return element;
}

Type anvil::staticProductElementType(linalg::LinalgOp op) {
  if (!isa<linalg::MatmulOp, linalg::BatchMatmulOp, linalg::Conv2DNchwFchwOp>(
          op))
    return Type();
  // Matmuls with transposing or broadcasting indexing maps stay linalg.
  if (auto matmul = dyn_cast<linalg::MatmulOp>(op.getOperation());
      matmul && matmul.hasUserDefinedMaps())
    return Type();
  if (auto batch = dyn_cast<linalg::BatchMatmulOp>(op.getOperation());
      batch && batch.hasUserDefinedMaps())
    return Type();
  return sharedStaticElementType(op);
}

bool anvil::isStaticF32Product(linalg::LinalgOp op) {
  Type element = staticProductElementType(op);
  return element && element.isF32();
}

/// patches[c, kh, kw, oh, ow] = input[image, c, oh*sh + kh*dh, ow*sw + kw*dw]
/// as a copy linalg.generic (lowered to loops with the other linalg ops).
linalg::GenericOp anvil::fillPatches(OpBuilder &b, Location loc, Value input,
                                     Value image, Value patches,
                                     ArrayRef<int64_t> w, ArrayRef<int64_t> out,
                                     ArrayRef<int64_t> strides,
                                     ArrayRef<int64_t> dilations) {
  auto inType = cast<MemRefType>(input.getType());
  auto in = inType.getShape();
  SmallVector<OpFoldResult> offsets = {image, b.getIndexAttr(0),
                                       b.getIndexAttr(0), b.getIndexAttr(0)};
  SmallVector<OpFoldResult> sizes = {b.getIndexAttr(1), b.getIndexAttr(in[1]),
                                     b.getIndexAttr(in[2]),
                                     b.getIndexAttr(in[3])};
  SmallVector<OpFoldResult> unit(4, b.getIndexAttr(1));
  auto imageType = memref::SubViewOp::inferRankReducedResultType(
      {in[1], in[2], in[3]}, inType, offsets, sizes, unit);
  Value one = memref::SubViewOp::create(b, loc, cast<MemRefType>(imageType),
                                        input, offsets, sizes, unit);
  Value grid = memref::ExpandShapeOp::create(
      b, loc, SmallVector<int64_t>{w[1], w[2], w[3], out[2], out[3]}, patches,
      SmallVector<ReassociationIndices>{{0, 1, 2}, {3, 4}});
  MLIRContext *ctx = b.getContext();
  AffineExpr c = getAffineDimExpr(0, ctx), kh = getAffineDimExpr(1, ctx),
             kw = getAffineDimExpr(2, ctx), oh = getAffineDimExpr(3, ctx),
             ow = getAffineDimExpr(4, ctx);
  AffineMap read = AffineMap::get(5, 0,
                                  {c, oh * strides[0] + kh * dilations[0],
                                   ow * strides[1] + kw * dilations[1]},
                                  ctx);
  SmallVector<utils::IteratorType> parallel(5, utils::IteratorType::parallel);
  return linalg::GenericOp::create(
      b, loc, ValueRange{one}, ValueRange{grid},
      SmallVector<AffineMap>{read, b.getMultiDimIdentityMap(5)}, parallel,
      [](OpBuilder &nb, Location l, ValueRange args) {
        // Patches of a narrower type than the input (the accelerator's
        // DPE type) are rounded as they are gathered.
        Value value = args[0];
        if (value.getType() != args[1].getType())
          value = arith::TruncFOp::create(nb, l, args[1].getType(), value);
        linalg::YieldOp::create(nb, l, value);
      });
}

bool anvil::isStaticF32Depthwise(linalg::LinalgOp op) {
  return isa<linalg::DepthwiseConv2DNchwChwOp>(op) && hasStaticF32Operands(op);
}
