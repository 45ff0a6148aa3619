//===- NNToLinalg.cpp - The nn to linalg conversion pass ------------------===//
#include "Common.h"

#include "anvil/Conversion/Passes.h"
#include "anvil/Dialect/NN/IR/NNOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/ReshapeOpsUtils.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"

namespace anvil {
#define GEN_PASS_DEF_CONVERTNNTOLINALG
#include "anvil/Conversion/Passes.h.inc"
} // namespace anvil

using namespace mlir;
using namespace anvil::nn;

AffineMap anvil::nn::broadcastMap(MLIRContext *ctx,
                                  ArrayRef<int64_t> operandShape,
                                  ArrayRef<int64_t> resultShape) {
  size_t offset = resultShape.size() - operandShape.size();
  SmallVector<AffineExpr> exprs;
  for (auto [i, size] : llvm::enumerate(operandShape)) {
    bool broadcast = size == 1 && resultShape[i + offset] != 1;
    exprs.push_back(broadcast ? getAffineConstantExpr(0, ctx)
                              : getAffineDimExpr(i + offset, ctx));
  }
  return AffineMap::get(resultShape.size(), 0, exprs, ctx);
}

Value anvil::nn::buildParallelGeneric(OpBuilder &b, Location loc,
                                      RankedTensorType resultType,
                                      ValueRange inputs,
                                      ArrayRef<AffineMap> inputMaps,
                                      ScalarBuilder body) {
  SmallVector<AffineMap> maps(inputMaps);
  maps.push_back(b.getMultiDimIdentityMap(resultType.getRank()));
  Value init = tensor::EmptyOp::create(b, loc, resultType.getShape(),
                                       resultType.getElementType());
  SmallVector<utils::IteratorType> iterators(resultType.getRank(),
                                             utils::IteratorType::parallel);
  auto generic = linalg::GenericOp::create(
      b, loc, resultType, inputs, init, maps, iterators,
      [&](OpBuilder &nested, Location nestedLoc, ValueRange args) {
        Value result = body(nested, nestedLoc, args.drop_back());
        linalg::YieldOp::create(nested, nestedLoc, result);
      });
  return generic.getResult(0);
}

Value anvil::nn::buildElementwise(OpBuilder &b, Location loc,
                                  RankedTensorType resultType,
                                  ValueRange inputs, ScalarBuilder body) {
  SmallVector<AffineMap> maps;
  for (Value input : inputs)
    maps.push_back(broadcastMap(
        b.getContext(), cast<RankedTensorType>(input.getType()).getShape(),
        resultType.getShape()));
  return buildParallelGeneric(b, loc, resultType, inputs, maps, body);
}

Value anvil::nn::reshapeTo(OpBuilder &b, Location loc, Value v,
                           ArrayRef<int64_t> shape) {
  auto type = cast<RankedTensorType>(v.getType());
  if (type.getShape() == shape)
    return v;
  Type element = type.getElementType();
  auto flatType = RankedTensorType::get({type.getNumElements()}, element);
  auto allDims = [](int64_t rank) {
    SmallVector<ReassociationIndices> r(1);
    for (int64_t i = 0; i < rank; ++i)
      r[0].push_back(i);
    return r;
  };
  Value flat = v;
  if (type.getRank() == 0)
    flat = tensor::ExpandShapeOp::create(b, loc, flatType, v,
                                         ArrayRef<ReassociationIndices>{});
  else if (type.getRank() > 1)
    flat = tensor::CollapseShapeOp::create(b, loc, flatType, v,
                                           allDims(type.getRank()));
  auto targetType = RankedTensorType::get(shape, element);
  if (shape.empty())
    return tensor::CollapseShapeOp::create(b, loc, targetType, flat,
                                           ArrayRef<ReassociationIndices>{});
  if (shape.size() == 1)
    return flat;
  return tensor::ExpandShapeOp::create(b, loc, targetType, flat,
                                       allDims(shape.size()));
}

Value anvil::nn::scalarConstant(OpBuilder &b, Location loc, Type type,
                                double value) {
  if (auto floatType = dyn_cast<FloatType>(type))
    return arith::ConstantOp::create(b, loc, b.getFloatAttr(floatType, value));
  return arith::ConstantOp::create(
      b, loc, b.getIntegerAttr(type, static_cast<int64_t>(value)));
}

TypedAttr anvil::nn::extremeAttr(Type type, bool lowest, bool isUnsigned) {
  if (auto floatType = dyn_cast<FloatType>(type))
    return FloatAttr::get(
        type, APFloat::getInf(floatType.getFloatSemantics(), lowest));
  unsigned width = type.getIntOrFloatBitWidth();
  APInt value = isUnsigned ? (lowest ? APInt::getMinValue(width)
                                     : APInt::getMaxValue(width))
                : lowest   ? APInt::getSignedMinValue(width)
                           : APInt::getSignedMaxValue(width);
  if (width == 1)
    value = APInt(1, lowest ? 0 : 1);
  return IntegerAttr::get(type, value);
}

Value anvil::nn::filledTensor(OpBuilder &b, Location loc,
                              RankedTensorType type, TypedAttr value) {
  Value init = tensor::EmptyOp::create(b, loc, type.getShape(),
                                       type.getElementType());
  Value scalar = arith::ConstantOp::create(b, loc, value);
  return linalg::FillOp::create(b, loc, scalar, init).getResult(0);
}

Value anvil::nn::padSpatial(OpBuilder &b, Location loc, Value input,
                            ArrayRef<int64_t> pads, TypedAttr value) {
  if (llvm::all_of(pads, [](int64_t p) { return p == 0; }))
    return input;
  auto type = cast<RankedTensorType>(input.getType());
  size_t spatial = pads.size() / 2;
  SmallVector<int64_t> low(2, 0), high(2, 0);
  SmallVector<int64_t> shape(type.getShape());
  for (size_t i = 0; i < spatial; ++i) {
    low.push_back(pads[i]);
    high.push_back(pads[i + spatial]);
    shape[i + 2] += pads[i] + pads[i + spatial];
  }
  auto padded = RankedTensorType::get(shape, type.getElementType());
  Value scalar = arith::ConstantOp::create(b, loc, value);
  return padWith(b, loc, padded, input, low, high, scalar);
}

Value anvil::nn::padWith(OpBuilder &b, Location loc, RankedTensorType type,
                         Value input, ArrayRef<int64_t> low,
                         ArrayRef<int64_t> high, Value value) {
  MLIRContext *ctx = b.getContext();
  return tensor::PadOp::create(b, loc, type, input,
                               getAsIndexOpFoldResult(ctx, low),
                               getAsIndexOpFoldResult(ctx, high), value);
}

namespace {
struct ConvertNNToLinalgPass
    : anvil::impl::ConvertNNToLinalgBase<ConvertNNToLinalgPass> {
  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    RewritePatternSet patterns(ctx);
    populateElementwisePatterns(patterns);
    populateLinearAlgebraPatterns(patterns);
    populatePoolingAndReductionPatterns(patterns);
    populateDataMovementPatterns(patterns);
    populateControlFlowPatterns(patterns);
    ConversionTarget target(*ctx);
    target.addIllegalDialect<NNDialect>();
    target.addLegalDialect<linalg::LinalgDialect, tensor::TensorDialect,
                           arith::ArithDialect, math::MathDialect,
                           scf::SCFDialect>();
    if (failed(applyPartialConversion(getOperation(), target,
                                      std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
