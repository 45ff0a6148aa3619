//===- DataMovement.cpp - nn data movement ops to tensor and linalg -------===//
#include "Common.h"

#include "anvil/Conversion/Constants.h"
#include "anvil/Dialect/NN/IR/NNOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/IndexingUtils.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Matchers.h"

#include <cstring>

using namespace mlir;
using namespace anvil::nn;

namespace {

/// `attr` with its dimensions permuted, or null when its bytes are not at
/// hand. A splat stays a splat; a resource stays a resource.
ElementsAttr transposeElements(ElementsAttr attr, ArrayRef<int64_t> perm) {
  auto type = cast<RankedTensorType>(attr.getShapedType());
  SmallVector<int64_t> shape;
  for (int64_t p : perm)
    shape.push_back(type.getDimSize(p));
  auto result = RankedTensorType::get(shape, type.getElementType());
  if (auto dense = dyn_cast<DenseElementsAttr>(attr); dense && dense.isSplat())
    return dense.resizeSplat(result);
  std::optional<ArrayRef<char>> bytes = anvil::rawElements(attr);
  int64_t rank = type.getRank(),
          width = type.getElementTypeBitWidth() / 8;
  if (!bytes || int64_t(bytes->size()) != type.getNumElements() * width)
    return nullptr;
  SmallVector<int64_t> inStrides = computeStrides(type.getShape());
  // Walks the result in order; `from` is the source element, advanced by
  // the source stride of each result dimension.
  SmallVector<char> out(bytes->size());
  SmallVector<int64_t> index(rank, 0);
  int64_t from = 0;
  for (int64_t to = 0, n = type.getNumElements(); to < n; ++to) {
    std::memcpy(out.data() + to * width, bytes->data() + from * width, width);
    for (int64_t d = rank - 1; d >= 0; --d) {
      from += inStrides[perm[d]];
      if (++index[d] < shape[d])
        break;
      from -= index[d] * inStrides[perm[d]];
      index[d] = 0;
    }
  }
  if (auto resource = dyn_cast<DenseResourceElementsAttr>(attr)) {
    auto blob = HeapAsmResourceBlob::allocateAndCopyWithAlign(
        ArrayRef<char>(out), alignof(double));
    return DenseResourceElementsAttr::get(
        result, (resource.getRawHandle().getKey() + "_transposed").str(),
        std::move(blob));
  }
  return DenseElementsAttr::getFromRawBuffer(result, out);
}

RankedTensorType tensorType(Value v) {
  return cast<RankedTensorType>(v.getType());
}

} // namespace

Value anvil::nn::buildTranspose(OpBuilder &b, Location loc, Value input,
                     ArrayRef<int64_t> perm) {
  ElementsAttr constant;
  if (matchPattern(input, m_Constant(&constant)))
    if (ElementsAttr transposed = transposeElements(constant, perm))
      return arith::ConstantOp::create(b, loc, cast<TypedAttr>(transposed));
  auto type = tensorType(input);
  SmallVector<int64_t> shape;
  for (int64_t p : perm)
    shape.push_back(type.getDimSize(p));
  Value init = tensor::EmptyOp::create(b, loc, shape, type.getElementType());
  return linalg::TransposeOp::create(b, loc, input, init, perm).getResult()[0];
}

namespace {

/// A linalg.generic over `type` whose body computes each element from the
/// loop indices (typically by tensor.extract from a captured tensor).
Value buildFromIndices(
    OpBuilder &b, Location loc, RankedTensorType type, ValueRange inputs,
    ArrayRef<AffineMap> inputMaps,
    function_ref<Value(OpBuilder &, Location, ValueRange indices,
                       ValueRange args)>
        body) {
  return buildParallelGeneric(
      b, loc, type, inputs, inputMaps,
      [&](OpBuilder &nb, Location l, ValueRange args) {
        SmallVector<Value> indices;
        for (int64_t d = 0; d < type.getRank(); ++d)
          indices.push_back(linalg::IndexOp::create(nb, l, d));
        return body(nb, l, indices, args);
      });
}

Value indexConstant(OpBuilder &b, Location loc, int64_t v) {
  return arith::ConstantIndexOp::create(b, loc, v);
}

struct ConstantLowering : OpConversionPattern<ConstantOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ConstantOp op, OpAdaptor,
                  ConversionPatternRewriter &rewriter) const override {
    rewriter.replaceOpWithNewOp<arith::ConstantOp>(
        op, cast<TypedAttr>(op.getValue()));
    return success();
  }
};

struct ReshapeLowering : OpConversionPattern<ReshapeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ReshapeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    rewriter.replaceOp(op, reshapeTo(rewriter, op.getLoc(), adaptor.getInput(),
                                     op.getType().getShape()));
    return success();
  }
};

struct TransposeLowering : OpConversionPattern<TransposeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(TransposeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    rewriter.replaceOp(op, buildTranspose(rewriter, op.getLoc(),
                                          adaptor.getInput(), op.getPerm()));
    return success();
  }
};

struct ConcatLowering : OpConversionPattern<ConcatOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ConcatOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto type = op.getType();
    int64_t axis = op.getAxis(), rank = type.getRank(), offset = 0;
    Value result = tensor::EmptyOp::create(rewriter, loc, type.getShape(),
                                           type.getElementType());
    for (Value input : adaptor.getInputs()) {
      auto inType = tensorType(input);
      SmallVector<int64_t> offsets(rank, 0), strides(rank, 1);
      offsets[axis] = offset;
      offset += inType.getDimSize(axis);
      if (inType.getNumElements() == 0)
        continue;
      result = tensor::InsertSliceOp::create(rewriter, loc, input, result,
                                             ValueRange{}, ValueRange{},
                                             ValueRange{}, offsets,
                                             inType.getShape(), strides);
    }
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct SliceLowering : OpConversionPattern<SliceOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(SliceOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto type = op.getType();
    ArrayRef<int64_t> starts = op.getStarts(), steps = op.getSteps();
    // An empty slice may start at the end of its dimension, which
    // tensor.extract_slice rejects; it reads nothing, so it is a constant
    // (an uninitialized tensor.empty would crash buffer-results-to-out-
    // params when it is a graph output).
    if (type.getNumElements() == 0) {
      rewriter.replaceOpWithNewOp<arith::ConstantOp>(
          op, DenseElementsAttr::get(type, ArrayRef<Attribute>{}));
      return success();
    }
    if (llvm::all_of(steps, [](int64_t s) { return s > 0; })) {
      rewriter.replaceOpWithNewOp<tensor::ExtractSliceOp>(
          op, type, adaptor.getInput(), ValueRange{}, ValueRange{},
          ValueRange{}, starts, type.getShape(), steps);
      return success();
    }
    // Negative steps: read input[start + i * step] through an affine map.
    MLIRContext *ctx = rewriter.getContext();
    SmallVector<AffineExpr> exprs;
    for (auto [d, start] : llvm::enumerate(starts))
      exprs.push_back(getAffineDimExpr(d, ctx) * steps[d] + start);
    AffineMap map = AffineMap::get(type.getRank(), 0, exprs, ctx);
    Value result = buildFromIndices(
        rewriter, loc, type, adaptor.getInput(), map,
        [](OpBuilder &, Location, ValueRange, ValueRange a) { return a[0]; });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// An index into a dimension of `size`, negative values counting from the
/// end and out-of-range values clamped (the model is wrong, not Anvil: a
/// clamped read never leaves the buffer).
Value normalizeIndex(OpBuilder &b, Location loc, Value index, int64_t size) {
  Value i = arith::IndexCastOp::create(b, loc, b.getIndexType(), index);
  Value zero = indexConstant(b, loc, 0);
  Value isNegative =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, i, zero);
  Value wrapped = arith::AddIOp::create(b, loc, i, indexConstant(b, loc, size));
  i = arith::SelectOp::create(b, loc, isNegative, wrapped, i);
  i = arith::MaxSIOp::create(b, loc, i, zero);
  return arith::MinSIOp::create(b, loc, i, indexConstant(b, loc, size - 1));
}

struct GatherLowering : OpConversionPattern<GatherOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(GatherOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    Value data = adaptor.getInput();
    auto dataType = tensorType(data);
    int64_t axis = op.getAxis();
    int64_t indicesRank = tensorType(adaptor.getIndices()).getRank();
    SmallVector<AffineExpr> indexExprs;
    for (int64_t d = 0; d < indicesRank; ++d)
      indexExprs.push_back(getAffineDimExpr(axis + d, ctx));
    AffineMap indicesMap =
        AffineMap::get(op.getType().getRank(), 0, indexExprs, ctx);
    Value result = buildFromIndices(
        rewriter, loc, op.getType(), adaptor.getIndices(), indicesMap,
        [&](OpBuilder &b, Location l, ValueRange ivs, ValueRange a) -> Value {
          SmallVector<Value> at(ivs.take_front(axis));
          at.push_back(normalizeIndex(b, l, a[0], dataType.getDimSize(axis)));
          llvm::append_range(at, ivs.drop_front(axis + indicesRank));
          return tensor::ExtractOp::create(b, l, data, at);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct GatherElementsLowering : OpConversionPattern<GatherElementsOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(GatherElementsOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Value data = adaptor.getInput();
    int64_t axis = op.getAxis();
    int64_t size = tensorType(data).getDimSize(axis);
    AffineMap identity =
        rewriter.getMultiDimIdentityMap(op.getType().getRank());
    Value result = buildFromIndices(
        rewriter, op.getLoc(), op.getType(), adaptor.getIndices(), identity,
        [&](OpBuilder &b, Location l, ValueRange ivs, ValueRange a) -> Value {
          SmallVector<Value> at(ivs);
          at[axis] = normalizeIndex(b, l, a[0], size);
          return tensor::ExtractOp::create(b, l, data, at);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// Combines the element an update lands on with the update.
Value combineScatter(OpBuilder &b, Location loc, ScatterReduction reduction,
                     Value current, Value update) {
  bool isFloat = isa<FloatType>(update.getType());
  switch (reduction) {
  case ScatterReduction::None:
    return update;
  case ScatterReduction::Add:
    return isFloat ? arith::AddFOp::create(b, loc, current, update).getResult()
                   : arith::AddIOp::create(b, loc, current, update).getResult();
  case ScatterReduction::Mul:
    return isFloat ? arith::MulFOp::create(b, loc, current, update).getResult()
                   : arith::MulIOp::create(b, loc, current, update).getResult();
  case ScatterReduction::Max:
    return isFloat
               ? arith::MaximumFOp::create(b, loc, current, update).getResult()
               : arith::MaxSIOp::create(b, loc, current, update).getResult();
  case ScatterReduction::Min:
    return isFloat
               ? arith::MinimumFOp::create(b, loc, current, update).getResult()
               : arith::MinSIOp::create(b, loc, current, update).getResult();
  }
  return update;
}

/// Visits every position of `updates` in row-major order, threading the
/// result tensor: `destination` maps the position to where it lands.
Value scatterLoop(
    OpBuilder &b, Location loc, Value data, Value updates,
    ScatterReduction reduction,
    function_ref<SmallVector<Value>(OpBuilder &, Location, ValueRange)>
        destination) {
  auto type = tensorType(updates);
  SmallVector<Value> lbs, ubs, steps;
  for (int64_t d = 0; d < type.getRank(); ++d) {
    lbs.push_back(indexConstant(b, loc, 0));
    ubs.push_back(indexConstant(b, loc, type.getDimSize(d)));
    steps.push_back(indexConstant(b, loc, 1));
  }
  scf::LoopNest nest = scf::buildLoopNest(
      b, loc, lbs, ubs, steps, data,
      [&](OpBuilder &nb, Location l, ValueRange ivs, ValueRange acc) {
        SmallVector<Value> at = destination(nb, l, ivs);
        Value update = tensor::ExtractOp::create(nb, l, updates, ivs);
        Value current =
            reduction == ScatterReduction::None
                ? update
                : tensor::ExtractOp::create(nb, l, acc[0], at).getResult();
        Value value = combineScatter(nb, l, reduction, current, update);
        return scf::ValueVector{
            tensor::InsertOp::create(nb, l, value, acc[0], at).getResult()};
      });
  return nest.results.empty() ? data : nest.results.front();
}

/// An index read from `indices` at `at`, as an index in [0, size).
Value readIndex(OpBuilder &b, Location loc, Value indices, ValueRange at,
                int64_t size) {
  Value raw = tensor::ExtractOp::create(b, loc, indices, at);
  return normalizeIndex(b, loc, raw, size);
}

struct ScatterElementsLowering : OpConversionPattern<ScatterElementsOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ScatterElementsOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    int64_t axis = op.getAxis();
    int64_t size = op.getData().getType().getDimSize(axis);
    Value indices = adaptor.getIndices();
    Value result = scatterLoop(
        rewriter, op.getLoc(), adaptor.getData(), adaptor.getUpdates(),
        op.getReduction(), [&](OpBuilder &b, Location l, ValueRange ivs) {
          SmallVector<Value> at(ivs);
          at[axis] = readIndex(b, l, indices, ivs, size);
          return at;
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct ScatterNDLowering : OpConversionPattern<ScatterNDOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ScatterNDOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto dataType = op.getData().getType();
    Value indices = adaptor.getIndices();
    int64_t rows = tensorType(indices).getRank() - 1;
    int64_t k = tensorType(indices).getShape().back();
    Value result = scatterLoop(
        rewriter, op.getLoc(), adaptor.getData(), adaptor.getUpdates(),
        op.getReduction(), [&](OpBuilder &b, Location l, ValueRange ivs) {
          SmallVector<Value> row(ivs.take_front(rows)), at;
          for (int64_t j = 0; j < k; ++j) {
            row.push_back(indexConstant(b, l, j));
            at.push_back(readIndex(b, l, indices, row, dataType.getDimSize(j)));
            row.pop_back();
          }
          llvm::append_range(at, ivs.drop_front(rows));
          return at;
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// Maps an output index of a reflect/edge pad back into [0, size).
Value padSource(OpBuilder &b, Location loc, Value iv, int64_t before,
                int64_t size, PadMode mode) {
  Value i = arith::SubIOp::create(b, loc, iv, indexConstant(b, loc, before));
  Value zero = indexConstant(b, loc, 0);
  Value last = indexConstant(b, loc, size - 1);
  if (mode == PadMode::Edge)
    return arith::MinSIOp::create(b, loc,
                                  arith::MaxSIOp::create(b, loc, i, zero), last);
  // Reflect: -i below zero, 2 * last - i above the end.
  Value neg = arith::SubIOp::create(b, loc, zero, i);
  Value below = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, i, zero);
  i = arith::SelectOp::create(b, loc, below, neg, i);
  Value mirrored = arith::SubIOp::create(
      b, loc, indexConstant(b, loc, 2 * (size - 1)), i);
  Value above = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sgt, i, last);
  return arith::SelectOp::create(b, loc, above, mirrored, i);
}

struct PadLowering : OpConversionPattern<PadOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(PadOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto type = op.getType();
    int64_t rank = type.getRank();
    ArrayRef<int64_t> pads = op.getPads();
    Value input = adaptor.getInput();
    auto inType = tensorType(input);
    if (op.getMode() == PadMode::Constant) {
      Value value = scalarConstant(rewriter, loc, type.getElementType(),
                                   op.getValue().convertToDouble());
      rewriter.replaceOp(op, padWith(rewriter, loc, type, input,
                                     pads.take_front(rank),
                                     pads.drop_front(rank), value));
      return success();
    }
    if (llvm::any_of(inType.getShape(), [](int64_t d) { return d == 0; }))
      return rewriter.notifyMatchFailure(op, "cannot reflect an empty tensor");
    Value result = buildFromIndices(
        rewriter, loc, type, {}, {},
        [&](OpBuilder &b, Location l, ValueRange ivs, ValueRange) -> Value {
          SmallVector<Value> at;
          for (int64_t d = 0; d < rank; ++d)
            at.push_back(padSource(b, l, ivs[d], pads[d], inType.getDimSize(d),
                                   op.getMode()));
          return tensor::ExtractOp::create(b, l, input, at);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct ExpandLowering : OpConversionPattern<ExpandOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ExpandOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    rewriter.replaceOp(op, buildElementwise(
                               rewriter, op.getLoc(), op.getType(),
                               adaptor.getInput(),
                               [](OpBuilder &, Location, ValueRange a) {
                                 return a[0];
                               }));
    return success();
  }
};

struct TileLowering : OpConversionPattern<TileOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(TileOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Value input = adaptor.getInput();
    auto inType = tensorType(input);
    Value result = buildFromIndices(
        rewriter, op.getLoc(), op.getType(), {}, {},
        [&](OpBuilder &b, Location l, ValueRange ivs, ValueRange) -> Value {
          SmallVector<Value> at;
          for (auto [d, iv] : llvm::enumerate(ivs))
            at.push_back(arith::RemUIOp::create(
                b, l, iv, indexConstant(b, l, inType.getDimSize(d))));
          return tensor::ExtractOp::create(b, l, input, at);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

} // namespace

void anvil::nn::populateDataMovementPatterns(RewritePatternSet &patterns) {
  patterns.add<ConstantLowering, ReshapeLowering, TransposeLowering,
               ConcatLowering, SliceLowering, GatherLowering,
               GatherElementsLowering, ScatterElementsLowering,
               ScatterNDLowering, PadLowering,
               ExpandLowering, TileLowering>(patterns.getContext());
}
