//===- PoolingAndReduction.cpp - pools, softmax and reductions to linalg --===//
#include "Common.h"

#include "anvil/Dialect/NN/IR/NNOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace anvil::nn;

namespace {

RankedTensorType tensorType(Value v) {
  return cast<RankedTensorType>(v.getType());
}

/// Pads needed so that every window of a (possibly ceil-mode) pooling reads
/// inside the padded input: the given end pad, or more.
SmallVector<int64_t> windowPads(ArrayRef<int64_t> in, ArrayRef<int64_t> out,
                                ArrayRef<int64_t> kernel,
                                ArrayRef<int64_t> strides,
                                ArrayRef<int64_t> dilations,
                                ArrayRef<int64_t> pads) {
  size_t spatial = kernel.size();
  SmallVector<int64_t> result(pads);
  for (size_t i = 0; i < spatial; ++i) {
    int64_t span = (kernel[i] - 1) * dilations[i] + 1;
    int64_t needed = (out[i] - 1) * strides[i] + span - in[i] - pads[i];
    result[i + spatial] = std::max(pads[i + spatial], needed);
  }
  return result;
}

/// Runs a 2-D pooling named op (`PoolOp`) over a padded NCHW input.
template <typename PoolOp>
Value pool2D(OpBuilder &b, Location loc, Value padded, RankedTensorType type,
             ArrayRef<int64_t> kernel, ArrayRef<int64_t> strides,
             ArrayRef<int64_t> dilations, TypedAttr initValue) {
  Value window = tensor::EmptyOp::create(b, loc, kernel, type.getElementType());
  Value init = filledTensor(b, loc, type, initValue);
  return PoolOp::create(b, loc, type, ValueRange{padded, window}, init,
                        b.getI64TensorAttr(strides),
                        b.getI64TensorAttr(dilations))
      .getResult(0);
}

/// Pooling over any number of spatial dimensions as a linalg.generic:
/// output (n, c, o...) combines input (n, c, o * stride + k * dilation)
/// over the window dimensions k. 1-D and 2-D pools use named ops instead.
Value poolGeneric(OpBuilder &b, Location loc, Value padded,
                  RankedTensorType type, ArrayRef<int64_t> kernel,
                  ArrayRef<int64_t> strides, ArrayRef<int64_t> dilations,
                  TypedAttr initValue, bool isMax, bool isUnsigned = false) {
  MLIRContext *ctx = b.getContext();
  int64_t spatial = kernel.size(), outRank = type.getRank();
  int64_t loops = outRank + spatial;
  SmallVector<AffineExpr> inputExprs = {getAffineDimExpr(0, ctx),
                                        getAffineDimExpr(1, ctx)};
  SmallVector<AffineExpr> windowExprs, outputExprs;
  for (int64_t d = 0; d < outRank; ++d)
    outputExprs.push_back(getAffineDimExpr(d, ctx));
  for (int64_t i = 0; i < spatial; ++i) {
    AffineExpr k = getAffineDimExpr(outRank + i, ctx);
    windowExprs.push_back(k);
    inputExprs.push_back(getAffineDimExpr(2 + i, ctx) * strides[i] +
                         k * dilations[i]);
  }
  SmallVector<AffineMap> maps = {AffineMap::get(loops, 0, inputExprs, ctx),
                                 AffineMap::get(loops, 0, windowExprs, ctx),
                                 AffineMap::get(loops, 0, outputExprs, ctx)};
  SmallVector<utils::IteratorType> iterators(outRank,
                                             utils::IteratorType::parallel);
  iterators.append(spatial, utils::IteratorType::reduction);
  Value window = tensor::EmptyOp::create(b, loc, kernel, type.getElementType());
  Value init = filledTensor(b, loc, type, initValue);
  bool isFloat = isa<FloatType>(type.getElementType());
  return linalg::GenericOp::create(
             b, loc, type, ValueRange{padded, window}, init, maps, iterators,
             [&](OpBuilder &nb, Location l, ValueRange a) {
               Value v;
               if (!isMax)
                 v = isFloat ? arith::AddFOp::create(nb, l, a[2], a[0])
                                   .getResult()
                             : arith::AddIOp::create(nb, l, a[2], a[0])
                                   .getResult();
               else
                 v = isFloat      ? arith::MaximumFOp::create(nb, l, a[2], a[0])
                                        .getResult()
                     : isUnsigned ? arith::MaxUIOp::create(nb, l, a[2], a[0])
                                        .getResult()
                                  : arith::MaxSIOp::create(nb, l, a[2], a[0])
                                        .getResult();
               linalg::YieldOp::create(nb, l, v);
             })
      .getResult(0);
}

/// The window attributes of a pooling op, with 1-D pools lifted to 2-D.
struct Window {
  SmallVector<int64_t> kernel, strides, dilations, pads, inShape, outShape;

  template <typename Op> Window(Op op, ArrayRef<int64_t> in) {
    kernel.assign(op.getKernelShape().begin(), op.getKernelShape().end());
    strides.assign(op.getStrides().begin(), op.getStrides().end());
    dilations.assign(op.getDilations().begin(), op.getDilations().end());
    pads.assign(op.getPads().begin(), op.getPads().end());
    inShape.assign(in.begin(), in.end());
    outShape.assign(op.getType().getShape().begin(),
                    op.getType().getShape().end());
    if (kernel.size() == 1) {
      kernel.insert(kernel.begin(), 1);
      strides.insert(strides.begin(), 1);
      dilations.insert(dilations.begin(), 1);
      pads.insert(pads.begin() + 1, 0);
      pads.insert(pads.begin(), 0);
      inShape.insert(inShape.begin() + 2, 1);
      outShape.insert(outShape.begin() + 2, 1);
    }
  }
  ArrayRef<int64_t> inSpatial() const { return ArrayRef(inShape).drop_front(2); }
  ArrayRef<int64_t> outSpatial() const {
    return ArrayRef(outShape).drop_front(2);
  }
};

/// The input of a pool, lifted to 2-D and padded with `padValue` so that
/// every window reads inside it.
template <typename PoolOp>
Value paddedPoolInput(OpBuilder &b, PoolOp op, Value input, const Window &w,
                      TypedAttr padValue) {
  Value lifted = reshapeTo(b, op.getLoc(), input, w.inShape);
  return padSpatial(b, op.getLoc(), lifted,
                    windowPads(w.inSpatial(), w.outSpatial(), w.kernel,
                               w.strides, w.dilations, w.pads),
                    padValue);
}

struct MaxPoolLowering : OpConversionPattern<MaxPoolOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(MaxPoolOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Window w(op, tensorType(adaptor.getInput()).getShape());
    Type element = op.getType().getElementType();
    bool isUnsigned = hasUnsignedOperand(op, 0);
    TypedAttr lowest = extremeAttr(element, /*lowest=*/true, isUnsigned);
    Value padded =
        paddedPoolInput(rewriter, op, adaptor.getInput(), w, lowest);
    auto type = RankedTensorType::get(w.outShape, element);
    // linalg's NCHW max pool compares signed.
    Value result =
        w.kernel.size() == 2 && !isUnsigned
            ? pool2D<linalg::PoolingNchwMaxOp>(rewriter, loc, padded, type,
                                               w.kernel, w.strides,
                                               w.dilations, lowest)
            : poolGeneric(rewriter, loc, padded, type, w.kernel, w.strides,
                          w.dilations, lowest, /*isMax=*/true, isUnsigned);
    rewriter.replaceOp(op, reshapeTo(rewriter, loc, result,
                                     op.getType().getShape()));
    return success();
  }
};

/// How many input elements each output position of one spatial dimension
/// averages over.
SmallVector<double> windowCounts(int64_t in, int64_t out, int64_t kernel,
                                 int64_t stride, int64_t dilation,
                                 int64_t padBegin, int64_t padEnd,
                                 bool countPad) {
  int64_t lo = countPad ? -padBegin : 0;
  int64_t hi = countPad ? in + padEnd : in;
  SmallVector<double> counts;
  for (int64_t o = 0; o < out; ++o) {
    int64_t n = 0;
    for (int64_t k = 0; k < kernel; ++k) {
      int64_t i = o * stride - padBegin + k * dilation;
      n += i >= lo && i < hi;
    }
    counts.push_back(static_cast<double>(std::max<int64_t>(n, 1)));
  }
  return counts;
}

struct AveragePoolLowering : OpConversionPattern<AveragePoolOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(AveragePoolOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Window w(op, tensorType(adaptor.getInput()).getShape());
    auto element = cast<FloatType>(op.getType().getElementType());
    auto zero = cast<TypedAttr>(rewriter.getZeroAttr(element));
    Value padded = paddedPoolInput(rewriter, op, adaptor.getInput(), w, zero);
    auto type = RankedTensorType::get(w.outShape, element);
    int64_t spatial = w.kernel.size();
    Value sums =
        spatial == 2
            ? pool2D<linalg::PoolingNchwSumOp>(rewriter, loc, padded, type,
                                               w.kernel, w.strides,
                                               w.dilations, zero)
            : poolGeneric(rewriter, loc, padded, type, w.kernel, w.strides,
                          w.dilations, zero, /*isMax=*/false);
    // Divisors per output position, separable over the spatial dimensions.
    SmallVector<double> divisorValues = {1.0};
    for (int64_t d = 0; d < spatial; ++d) {
      SmallVector<double> counts = windowCounts(
          w.inSpatial()[d], w.outSpatial()[d], w.kernel[d], w.strides[d],
          w.dilations[d], w.pads[d], w.pads[d + spatial],
          op.getCountIncludePad());
      SmallVector<double> next;
      for (double outer : divisorValues)
        for (double c : counts)
          next.push_back(outer * c);
      divisorValues = std::move(next);
    }
    SmallVector<APFloat> divisors;
    for (double value : divisorValues) {
      APFloat v(value);
      bool lost;
      v.convert(element.getFloatSemantics(), APFloat::rmNearestTiesToEven,
                &lost);
      divisors.push_back(v);
    }
    SmallVector<int64_t> divisorShape = {1, 1};
    llvm::append_range(divisorShape, w.outSpatial());
    auto divisorType = RankedTensorType::get(divisorShape, element);
    Value divisor = arith::ConstantOp::create(
        rewriter, loc, DenseElementsAttr::get(divisorType, divisors));
    Value result = buildElementwise(
        rewriter, loc, type, ValueRange{sums, divisor},
        [](OpBuilder &b, Location l, ValueRange a) -> Value {
          return arith::DivFOp::create(b, l, a[0], a[1]);
        });
    rewriter.replaceOp(op, reshapeTo(rewriter, loc, result,
                                     op.getType().getShape()));
    return success();
  }
};

/// linalg.reduce of `input` over `axes` with `combine`, starting at `init`.
Value reduce(OpBuilder &b, Location loc, Value input, ArrayRef<int64_t> axes,
             TypedAttr init,
             function_ref<Value(OpBuilder &, Location, Value, Value)> combine) {
  auto type = tensorType(input);
  SmallVector<int64_t> shape;
  for (int64_t d = 0; d < type.getRank(); ++d)
    if (!llvm::is_contained(axes, d))
      shape.push_back(type.getDimSize(d));
  Value acc = filledTensor(b, loc, RankedTensorType::get(shape, init.getType()),
                           init);
  return linalg::ReduceOp::create(
             b, loc, input, acc, axes,
             [&](OpBuilder &nb, Location l, ValueRange args) {
               linalg::YieldOp::create(nb, l, combine(nb, l, args[0], args[1]));
             })
      .getResult(0);
}

/// Elementwise over `type` where `reduced` (the input with `axis` removed)
/// is broadcast back along `axis`.
Value withReduced(OpBuilder &b, Location loc, RankedTensorType type,
                  ValueRange inputs, Value reduced, int64_t axis,
                  ScalarBuilder body) {
  MLIRContext *ctx = b.getContext();
  int64_t rank = type.getRank();
  SmallVector<AffineExpr> kept;
  for (int64_t d = 0; d < rank; ++d)
    if (d != axis)
      kept.push_back(getAffineDimExpr(d, ctx));
  SmallVector<AffineMap> maps(inputs.size(), b.getMultiDimIdentityMap(rank));
  maps.push_back(AffineMap::get(rank, 0, kept, ctx));
  SmallVector<Value> operands(inputs);
  operands.push_back(reduced);
  return buildParallelGeneric(b, loc, type, operands, maps, body);
}

template <typename SoftmaxLikeOp, bool isLog>
struct SoftmaxLowering : OpConversionPattern<SoftmaxLikeOp> {
  using OpConversionPattern<SoftmaxLikeOp>::OpConversionPattern;
  using OpAdaptor = typename SoftmaxLikeOp::Adaptor;
  LogicalResult
  matchAndRewrite(SoftmaxLikeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto type = op.getType();
    Value x = adaptor.getInput();
    int64_t axis = op.getAxis();
    Type element = type.getElementType();
    Value max = reduce(rewriter, loc, x, {axis}, extremeAttr(element, true),
                       [](OpBuilder &b, Location l, Value a, Value c) -> Value {
                         return arith::MaximumFOp::create(b, l, a, c);
                       });
    Value shifted = withReduced(
        rewriter, loc, type, x, max, axis,
        [](OpBuilder &b, Location l, ValueRange a) -> Value {
          return arith::SubFOp::create(b, l, a[0], a[1]);
        });
    Value exp = buildElementwise(
        rewriter, loc, type, shifted,
        [](OpBuilder &b, Location l, ValueRange a) -> Value {
          return math::ExpOp::create(b, l, a[0]);
        });
    auto zero = cast<TypedAttr>(rewriter.getZeroAttr(element));
    Value sum = reduce(rewriter, loc, exp, {axis}, zero,
                       [](OpBuilder &b, Location l, Value a, Value c) -> Value {
                         return arith::AddFOp::create(b, l, a, c);
                       });
    // log_softmax = (x - max) - log(sum) keeps precision for tiny sums.
    Value result = withReduced(
        rewriter, loc, type, isLog ? shifted : exp, sum, axis,
        [](OpBuilder &b, Location l, ValueRange a) -> Value {
          if (isLog)
            return arith::SubFOp::create(b, l, a[0],
                                         math::LogOp::create(b, l, a[1]));
          return arith::DivFOp::create(b, l, a[0], a[1]);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct ReduceLowering : OpConversionPattern<ReduceOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ReduceOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input = adaptor.getInput();
    auto inType = tensorType(input);
    Type element = inType.getElementType();
    bool isFloat = isa<FloatType>(element);
    bool isUnsigned = hasUnsignedOperand(op, 0);
    ReduceKind kind = op.getKind();
    ArrayRef<int64_t> axes = op.getAxes();
    if (!isFloat && kind != ReduceKind::Sum && kind != ReduceKind::Max &&
        kind != ReduceKind::Min && kind != ReduceKind::Prod &&
        kind != ReduceKind::Mean && kind != ReduceKind::SumSquare &&
        kind != ReduceKind::L1)
      return rewriter.notifyMatchFailure(op, "needs a float element type");
    // Map, combine, then finish: e.g. L2 is sqrt(sum(x * x)).
    Value mapped = preMap(rewriter, loc, input, kind, isUnsigned);
    auto combine = [&](OpBuilder &b, Location l, Value a, Value c) -> Value {
      switch (kind) {
      case ReduceKind::Max:
        return isFloat      ? Value(arith::MaximumFOp::create(b, l, a, c))
               : isUnsigned ? Value(arith::MaxUIOp::create(b, l, a, c))
                            : Value(arith::MaxSIOp::create(b, l, a, c));
      case ReduceKind::Min:
        return isFloat      ? Value(arith::MinimumFOp::create(b, l, a, c))
               : isUnsigned ? Value(arith::MinUIOp::create(b, l, a, c))
                            : Value(arith::MinSIOp::create(b, l, a, c));
      case ReduceKind::Prod:
        return isFloat ? Value(arith::MulFOp::create(b, l, a, c))
                       : Value(arith::MulIOp::create(b, l, a, c));
      default:
        return isFloat ? Value(arith::AddFOp::create(b, l, a, c))
                       : Value(arith::AddIOp::create(b, l, a, c));
      }
    };
    TypedAttr init = cast<TypedAttr>(rewriter.getZeroAttr(element));
    if (kind == ReduceKind::Max || kind == ReduceKind::Min)
      init = extremeAttr(element, kind == ReduceKind::Max, isUnsigned);
    else if (kind == ReduceKind::Prod)
      init = isFloat ? cast<TypedAttr>(rewriter.getFloatAttr(element, 1.0))
                     : cast<TypedAttr>(rewriter.getIntegerAttr(element, 1));
    Value reduced = reduce(rewriter, loc, mapped, axes, init, combine);
    int64_t count = 1;
    for (int64_t axis : axes)
      count *= inType.getDimSize(axis);
    Value finished = postMap(rewriter, loc, reduced, kind, count, isUnsigned);
    rewriter.replaceOp(op, reshapeTo(rewriter, loc, finished,
                                     op.getType().getShape()));
    return success();
  }

  static Value map(OpBuilder &b, Location loc, Value v, ScalarBuilder body) {
    return buildElementwise(b, loc, tensorType(v), v, body);
  }

  static Value preMap(OpBuilder &b, Location loc, Value v, ReduceKind kind,
                      bool isUnsigned) {
    bool isFloat = isa<FloatType>(tensorType(v).getElementType());
    switch (kind) {
    case ReduceKind::L1:
      if (isUnsigned)
        return v;
      return map(b, loc, v, [&](OpBuilder &nb, Location l, ValueRange a) {
        return isFloat ? Value(math::AbsFOp::create(nb, l, a[0]))
                       : Value(math::AbsIOp::create(nb, l, a[0]));
      });
    case ReduceKind::L2:
    case ReduceKind::SumSquare:
      return map(b, loc, v, [&](OpBuilder &nb, Location l, ValueRange a) {
        return isFloat ? Value(arith::MulFOp::create(nb, l, a[0], a[0]))
                       : Value(arith::MulIOp::create(nb, l, a[0], a[0]));
      });
    case ReduceKind::LogSumExp:
      return map(b, loc, v, [](OpBuilder &nb, Location l, ValueRange a) {
        return Value(math::ExpOp::create(nb, l, a[0]));
      });
    default:
      return v;
    }
  }

  static Value postMap(OpBuilder &b, Location loc, Value v, ReduceKind kind,
                       int64_t count, bool isUnsigned) {
    switch (kind) {
    case ReduceKind::Mean:
      return map(b, loc, v, [&](OpBuilder &nb, Location l, ValueRange a) {
        Value n = scalarConstant(nb, l, a[0].getType(), count);
        return isa<FloatType>(a[0].getType())
                   ? Value(arith::DivFOp::create(nb, l, a[0], n))
               : isUnsigned ? Value(arith::DivUIOp::create(nb, l, a[0], n))
                            : Value(arith::DivSIOp::create(nb, l, a[0], n));
      });
    case ReduceKind::L2:
      return map(b, loc, v, [](OpBuilder &nb, Location l, ValueRange a) {
        return Value(math::SqrtOp::create(nb, l, a[0]));
      });
    case ReduceKind::LogSum:
    case ReduceKind::LogSumExp:
      return map(b, loc, v, [](OpBuilder &nb, Location l, ValueRange a) {
        return Value(math::LogOp::create(nb, l, a[0]));
      });
    default:
      return v;
    }
  }
};

struct ArgMaxLowering : OpConversionPattern<ArgMaxOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ArgMaxOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    Value input = adaptor.getInput();
    auto inType = tensorType(input);
    Type element = inType.getElementType();
    int64_t rank = inType.getRank(), axis = op.getAxis();
    bool isMin = op.getMin(), last = op.getSelectLastIndex();
    bool isUnsigned = hasUnsignedOperand(op, 0);
    SmallVector<int64_t> shape;
    SmallVector<AffineExpr> kept;
    SmallVector<utils::IteratorType> iterators;
    for (int64_t d = 0; d < rank; ++d) {
      iterators.push_back(d == axis ? utils::IteratorType::reduction
                                    : utils::IteratorType::parallel);
      if (d != axis) {
        shape.push_back(inType.getDimSize(d));
        kept.push_back(getAffineDimExpr(d, ctx));
      }
    }
    Type i64 = rewriter.getI64Type();
    Value best = filledTensor(rewriter, loc,
                              RankedTensorType::get(shape, element),
                              extremeAttr(element, !isMin, isUnsigned));
    Value index = filledTensor(rewriter, loc, RankedTensorType::get(shape, i64),
                               rewriter.getI64IntegerAttr(0));
    AffineMap out = AffineMap::get(rank, 0, kept, ctx);
    SmallVector<AffineMap> maps = {rewriter.getMultiDimIdentityMap(rank), out,
                                   out};
    auto generic = linalg::GenericOp::create(
        rewriter, loc, TypeRange{best.getType(), index.getType()}, input,
        ValueRange{best, index}, maps, iterators,
        [&](OpBuilder &b, Location l, ValueRange a) {
          Value i = arith::IndexCastOp::create(
              b, l, i64, linalg::IndexOp::create(b, l, axis));
          Value take = better(b, l, a[0], a[1], isMin, last, isUnsigned);
          linalg::YieldOp::create(
              b, l,
              ValueRange{arith::SelectOp::create(b, l, take, a[0], a[1]),
                         arith::SelectOp::create(b, l, take, i, a[2])});
        });
    rewriter.replaceOp(op, reshapeTo(rewriter, loc, generic.getResult(1),
                                     op.getType().getShape()));
    return success();
  }

  /// Whether `x` replaces the current best `cur`; ties replace only when the
  /// last index is wanted.
  static Value better(OpBuilder &b, Location l, Value x, Value cur, bool isMin,
                      bool last, bool isUnsigned) {
    if (isa<FloatType>(x.getType())) {
      using P = arith::CmpFPredicate;
      P p = isMin ? (last ? P::OLE : P::OLT) : (last ? P::OGE : P::OGT);
      return arith::CmpFOp::create(b, l, p, x, cur);
    }
    using P = arith::CmpIPredicate;
    P p = isMin ? (last ? P::sle : P::slt) : (last ? P::sge : P::sgt);
    if (isUnsigned)
      p = isMin ? (last ? P::ule : P::ult) : (last ? P::uge : P::ugt);
    return arith::CmpIOp::create(b, l, p, x, cur);
  }
};

} // namespace

void anvil::nn::populatePoolingAndReductionPatterns(
    RewritePatternSet &patterns) {
  patterns.add<MaxPoolLowering, AveragePoolLowering,
               SoftmaxLowering<SoftmaxOp, false>,
               SoftmaxLowering<LogSoftmaxOp, true>, ReduceLowering,
               ArgMaxLowering>(patterns.getContext());
}
