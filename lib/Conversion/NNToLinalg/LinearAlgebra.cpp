//===- LinearAlgebra.cpp - nn matmul, gemm and conv to linalg -------------===//
//
// Contractions and convolutions become linalg named ops so that the tiling
// and vectorization passes see them by name. Operands are reshaped or
// transposed into the layouts those named ops expect.
//
//===----------------------------------------------------------------------===//

#include "Common.h"

#include "anvil/Dialect/NN/IR/NNOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Traits.h"

using namespace mlir;
using namespace anvil::nn;

namespace {

RankedTensorType tensorType(Value v) {
  return cast<RankedTensorType>(v.getType());
}

Value zeros(OpBuilder &b, Location loc, ArrayRef<int64_t> shape, Type element) {
  return filledTensor(b, loc, RankedTensorType::get(shape, element),
                      cast<TypedAttr>(b.getZeroAttr(element)));
}

/// Copies `v` broadcast to `shape` (NumPy rules).
Value broadcastTo(OpBuilder &b, Location loc, Value v, ArrayRef<int64_t> shape) {
  auto type = tensorType(v);
  if (type.getShape() == shape)
    return v;
  return buildElementwise(b, loc,
                          RankedTensorType::get(shape, type.getElementType()),
                          v, [](OpBuilder &, Location, ValueRange a) {
                            return a[0];
                          });
}

Value transpose2D(OpBuilder &b, Location loc, Value v) {
  return buildTranspose(b, loc, v, {1, 0});
}

/// [M, K] x [K, N] with linalg.matmul.
Value matmul2D(OpBuilder &b, Location loc, Value lhs, Value rhs) {
  auto l = tensorType(lhs), r = tensorType(rhs);
  Value init = zeros(b, loc, {l.getDimSize(0), r.getDimSize(1)},
                     l.getElementType());
  return linalg::MatmulOp::create(b, loc, ValueRange{lhs, rhs}, init)
      .getResult(0);
}

/// NumPy matmul: promote 1-D operands, fold batch dimensions into the row
/// dimension when the rhs is a plain matrix, and use batch_matmul on the
/// broadcast batch otherwise.
struct MatMulLowering : OpConversionPattern<MatMulOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(MatMulOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value lhs = adaptor.getLhs(), rhs = adaptor.getRhs();
    SmallVector<int64_t> l(tensorType(lhs).getShape());
    SmallVector<int64_t> r(tensorType(rhs).getShape());
    if (l.size() == 1)
      l.insert(l.begin(), 1);
    if (r.size() == 1)
      r.push_back(1);
    int64_t m = l[l.size() - 2], k = l.back(), n = r.back();
    lhs = reshapeTo(rewriter, loc, lhs, l);
    rhs = reshapeTo(rewriter, loc, rhs, r);
    Value product;
    if (r.size() == 2) {
      int64_t rows = ShapedType::getNumElements(l) / k;
      product = matmul2D(rewriter, loc, reshapeTo(rewriter, loc, lhs, {rows, k}),
                         rhs);
    } else {
      SmallVector<int64_t> batch;
      (void)OpTrait::util::getBroadcastedShape(ArrayRef(l).drop_back(2),
                                               ArrayRef(r).drop_back(2), batch);
      int64_t batchSize = ShapedType::getNumElements(batch);
      auto full = [&](Value v, int64_t rows, int64_t cols) {
        SmallVector<int64_t> shape(batch);
        shape.append({rows, cols});
        return reshapeTo(rewriter, loc, broadcastTo(rewriter, loc, v, shape),
                         {batchSize, rows, cols});
      };
      Value init = zeros(rewriter, loc, {batchSize, m, n},
                         tensorType(lhs).getElementType());
      product = linalg::BatchMatmulOp::create(
                    rewriter, loc, ValueRange{full(lhs, m, k), full(rhs, k, n)},
                    init)
                    .getResult(0);
    }
    rewriter.replaceOp(op, reshapeTo(rewriter, loc, product,
                                     op.getType().getShape()));
    return success();
  }
};

struct GemmLowering : OpConversionPattern<GemmOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(GemmOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value a = adaptor.getA(), b = adaptor.getB();
    if (op.getTransA())
      a = transpose2D(rewriter, loc, a);
    if (op.getTransB())
      b = transpose2D(rewriter, loc, b);
    Value product = matmul2D(rewriter, loc, a, b);
    double alpha = op.getAlpha().convertToDouble();
    double beta = op.getBeta().convertToDouble();
    Value c = adaptor.getC();
    if (alpha == 1.0 && (!c || beta == 0.0)) {
      rewriter.replaceOp(op, product);
      return success();
    }
    SmallVector<Value> inputs = {product};
    if (c && beta != 0.0)
      inputs.push_back(c);
    Value result = buildElementwise(
        rewriter, loc, op.getType(), inputs,
        [&](OpBuilder &nb, Location l, ValueRange args) -> Value {
          Type t = args[0].getType();
          Value v = arith::MulFOp::create(nb, l, args[0],
                                          scalarConstant(nb, l, t, alpha));
          if (args.size() == 1)
            return v;
          Value cv = arith::MulFOp::create(nb, l, args[1],
                                           scalarConstant(nb, l, t, beta));
          return arith::AddFOp::create(nb, l, v, cv);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// The initial accumulator of a convolution: the bias broadcast along the
/// channel dimension, or zeros.
Value convInit(OpBuilder &b, Location loc, RankedTensorType type, Value bias) {
  if (!bias)
    return zeros(b, loc, type.getShape(), type.getElementType());
  AffineMap channel = AffineMap::get(type.getRank(), 0,
                                     getAffineDimExpr(1, b.getContext()));
  return buildParallelGeneric(b, loc, type, bias, channel,
                              [](OpBuilder &, Location, ValueRange a) {
                                return a[0];
                              });
}

struct ConvLowering : OpConversionPattern<ConvOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ConvOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto resultType = op.getType();
    int64_t spatial = resultType.getRank() - 2;
    Type element = resultType.getElementType();
    Value input = padSpatial(rewriter, loc, adaptor.getInput(), op.getPads(),
                             cast<TypedAttr>(rewriter.getZeroAttr(element)));
    Value weight = adaptor.getWeight();
    SmallVector<int64_t> strides(op.getStrides()), dilations(op.getDilations());
    // 1-D convolutions run as 2-D ones with a unit height.
    if (spatial == 1) {
      auto unsqueeze = [&](Value v) {
        SmallVector<int64_t> shape(tensorType(v).getShape());
        shape.insert(shape.begin() + 2, 1);
        return reshapeTo(rewriter, loc, v, shape);
      };
      input = unsqueeze(input);
      weight = unsqueeze(weight);
      strides.insert(strides.begin(), 1);
      dilations.insert(dilations.begin(), 1);
    }
    if (spatial == 3) {
      rewriter.replaceOp(op, convolve3D(rewriter, loc, op, input, weight,
                                        adaptor.getBias(), resultType));
      return success();
    }
    if (spatial > 3)
      return rewriter.notifyMatchFailure(op, "only 1-D to 3-D convolutions");
    SmallVector<int64_t> shape2D(resultType.getShape());
    if (spatial == 1)
      shape2D.insert(shape2D.begin() + 2, 1);
    auto type2D = RankedTensorType::get(shape2D, element);
    Value result = convolve2D(rewriter, loc, op, input, weight,
                              adaptor.getBias(), type2D, strides, dilations);
    rewriter.replaceOp(op, reshapeTo(rewriter, loc, result,
                                     resultType.getShape()));
    return success();
  }

  /// 3-D convolutions; a grouped one runs each group on its channel slice.
  static Value convolve3D(OpBuilder &b, Location loc, ConvOp op, Value input,
                          Value weight, Value bias, RankedTensorType type) {
    auto stridesAttr = b.getI64TensorAttr(op.getStrides());
    auto dilationsAttr = b.getI64TensorAttr(op.getDilations());
    Value init = convInit(b, loc, type, bias);
    int64_t group = op.getGroup();
    auto in = tensorType(input).getShape();
    auto out = type.getShape();
    auto sliceChannels = [&](Value v, int64_t dim0, int64_t offset,
                             int64_t size) {
      auto shape = tensorType(v).getShape();
      SmallVector<OpFoldResult> offsets(shape.size(), b.getIndexAttr(0)),
          sizes, strides(shape.size(), b.getIndexAttr(1));
      for (int64_t d : shape)
        sizes.push_back(b.getIndexAttr(d));
      offsets[dim0] = b.getIndexAttr(offset);
      sizes[dim0] = b.getIndexAttr(size);
      return tensor::ExtractSliceOp::create(b, loc, v, offsets, sizes, strides)
          .getResult();
    };
    SmallVector<Value> parts;
    int64_t inPer = in[1] / group, outPer = out[1] / group;
    for (int64_t g = 0; g < group; ++g) {
      Value x = group == 1 ? input : sliceChannels(input, 1, g * inPer, inPer);
      Value f = group == 1 ? weight : sliceChannels(weight, 0, g * outPer, outPer);
      Value acc = group == 1 ? init : sliceChannels(init, 1, g * outPer, outPer);
      parts.push_back(linalg::Conv3DNcdhwFcdhwOp::create(
                          b, loc, acc.getType(), ValueRange{x, f}, acc,
                          stridesAttr, dilationsAttr)
                          .getResult(0));
    }
    if (parts.size() == 1)
      return parts.front();
    return tensor::ConcatOp::create(b, loc, type, 1, parts).getResult();
  }

  static Value convolve2D(OpBuilder &b, Location loc, ConvOp op, Value input,
                          Value weight, Value bias, RankedTensorType type,
                          ArrayRef<int64_t> strides,
                          ArrayRef<int64_t> dilations) {
    auto stridesAttr = b.getI64TensorAttr(strides);
    auto dilationsAttr = b.getI64TensorAttr(dilations);
    int64_t group = op.getGroup();
    auto w = tensorType(weight).getShape();
    int64_t channels = tensorType(input).getDimSize(1);
    Value init = convInit(b, loc, type, bias);
    if (group == 1)
      return linalg::Conv2DNchwFchwOp::create(
                 b, loc, type, ValueRange{input, weight}, init, stridesAttr,
                 dilationsAttr)
          .getResult(0);
    if (group == channels && w[0] == channels) {
      Value flat = reshapeTo(b, loc, weight, {w[0], w[2], w[3]});
      return linalg::DepthwiseConv2DNchwChwOp::create(
                 b, loc, type, ValueRange{input, flat}, init, stridesAttr,
                 dilationsAttr)
          .getResult(0);
    }
    // Grouped: split channels into [G, C/G] and filters into [G, F/G].
    auto in = tensorType(input).getShape();
    auto out = type.getShape();
    Value groupedIn = reshapeTo(
        b, loc, input, {in[0], group, in[1] / group, in[2], in[3]});
    Value groupedW = reshapeTo(
        b, loc, weight, {group, w[0] / group, w[1], w[2], w[3]});
    auto groupedType = RankedTensorType::get(
        {out[0], group, out[1] / group, out[2], out[3]}, type.getElementType());
    Value groupedInit = reshapeTo(b, loc, init, groupedType.getShape());
    Value conv = linalg::Conv2DNgchwGfchwOp::create(
                     b, loc, groupedType, ValueRange{groupedIn, groupedW},
                     groupedInit, stridesAttr, dilationsAttr)
                     .getResult(0);
    return reshapeTo(b, loc, conv, out);
  }
};

} // namespace

void anvil::nn::populateLinearAlgebraPatterns(RewritePatternSet &patterns) {
  patterns.add<MatMulLowering, GemmLowering, ConvLowering>(
      patterns.getContext());
}
