//===- QuantizationOps.cpp - ONNX linear quantization ---------------------===//
//
// Quantized ops become float and integer nn arithmetic with ONNX's exact
// formulas: quantization divides by the scale, rounds half to even, adds
// the zero point and saturates; integer products accumulate in i32 on
// operands with their zero points subtracted. Scales and zero points may be
// run-time values.
//
//===----------------------------------------------------------------------===//

#include "NodeContext.h"

#include "anvil/Dialect/NN/IR/NNOps.h"
#include "anvil/Import/Decompositions.h"

using namespace mlir;
using namespace anvil;
using namespace anvil::onnx_import;

namespace {

bool isQuantizedType(Type t) {
  return t.isInteger(8) || t.isInteger(16);
}

/// A per-axis parameter [C] reshaped to broadcast along `axis` of a
/// rank-`rank` tensor; scalars and single elements broadcast as they are.
Value alongAxis(NNBuilder &nb, Value param, int64_t axis, int64_t rank) {
  RankedTensorType type = typeOf(param);
  if (type.getNumElements() == 1)
    return nb.reshape(param, {});
  SmallVector<int64_t> shape(rank, 1);
  shape[axis] = type.getNumElements();
  return nb.reshape(param, shape);
}

/// The quantization axis of node `n` for a rank-`rank` input, normalized;
/// only per-axis scales (`scale` not a single element) use it.
FailureOr<int64_t> quantAxis(NodeContext &n, int64_t rank, Value scale) {
  if (typeOf(scale).getNumElements() == 1)
    return 0;
  int64_t axis = n.getInt("axis", 1);
  if (axis < -rank || axis >= rank)
    return n.invalid("axis " + Twine(axis) + " is out of range");
  return axis < 0 ? axis + rank : axis;
}

/// Rejects per-block quantization (opset 21's block_size).
LogicalResult checkNoBlocks(NodeContext &n) {
  if (n.getInt("block_size", 0) != 0)
    return n.unsupported("blocked quantization (block_size != 0)");
  return success();
}

/// saturate(round_half_even(x / scale) + zero_point) as `to`; x is float.
Value quantize(NNBuilder &nb, Value x, Value scale, Value zeroPoint, Type to) {
  // After the builder's first failure every value is null.
  if (nb.failed() || !x)
    return nullptr;
  Type f = typeOf(x).getElementType();
  Value q = nb.create<nn::RoundOp>(nb.create<nn::DivOp>({x, nb.cast(scale, f)}));
  if (zeroPoint)
    q = nb.create<nn::AddOp>({q, nb.cast(zeroPoint, f)});
  unsigned width = to.getIntOrFloatBitWidth();
  bool isUnsigned = to.isUnsignedInteger();
  double lo = isUnsigned ? 0 : -std::ldexp(1.0, width - 1);
  double hi = isUnsigned ? std::ldexp(1.0, width) - 1
                         : std::ldexp(1.0, width - 1) - 1;
  q = nb.create<nn::ClipOp>(q, {nb.b.getNamedAttr("min", nb.b.getF64FloatAttr(lo)),
                                nb.b.getNamedAttr("max", nb.b.getF64FloatAttr(hi))});
  return nb.cast(q, to);
}

/// (x - zero_point) as i32, the operand of an integer product.
Value centered(NNBuilder &nb, Value x, Value zeroPoint) {
  Type i32 = nb.b.getI32Type();
  Value v = nb.cast(x, i32);
  return zeroPoint ? nb.create<nn::SubOp>({v, nb.cast(zeroPoint, i32)}) : v;
}

LogicalResult importQuantizeLinear(NodeContext &n) {
  if (failed(n.checkAttributes({"axis", "saturate", "block_size",
                                "output_dtype"})) ||
      failed(checkNoBlocks(n)))
    return failure();
  RankedTensorType x = n.inputType(0);
  Value zeroPoint = n.input(2);
  Type to = zeroPoint ? n.inputType(2).getElementType()
                      : n.b.getIntegerType(8, /*isSigned=*/false);
  if (int64_t dtype = n.getInt("output_dtype", 0)) {
    Type declared = elementType(n.ctx(), dtype);
    if (!declared || !isQuantizedType(declared))
      return n.unsupported("output_dtype " + onnxTypeName(dtype));
    if (zeroPoint && declared != to)
      return n.invalid("output_dtype disagrees with the zero point's type");
    to = declared;
  }
  if (!isa<FloatType>(x.getElementType()))
    return n.invalid("x must be a float tensor");
  if (!isQuantizedType(to))
    return n.unsupported("quantization to this element type");
  auto axis = quantAxis(n, x.getRank(), n.input(1));
  if (failed(axis))
    return failure();
  NNBuilder nb(n.b, n.loc);
  Value scale = alongAxis(nb, n.input(1), *axis, x.getRank());
  if (zeroPoint)
    zeroPoint = alongAxis(nb, zeroPoint, *axis, x.getRank());
  return n.finish(nb, quantize(nb, n.input(0), scale, zeroPoint, to));
}

LogicalResult importDequantizeLinear(NodeContext &n) {
  if (failed(n.checkAttributes({"axis", "block_size"})) ||
      failed(checkNoBlocks(n)))
    return failure();
  RankedTensorType x = n.inputType(0);
  Type element = x.getElementType();
  if (!isQuantizedType(element) && !element.isInteger(32))
    return n.unsupported("dequantization of this element type");
  auto axis = quantAxis(n, x.getRank(), n.input(1));
  if (failed(axis))
    return failure();
  NNBuilder nb(n.b, n.loc);
  Type f = n.inputType(1).getElementType();
  Value scale = alongAxis(nb, n.input(1), *axis, x.getRank());
  Value v = nb.cast(n.input(0), f);
  if (Value zeroPoint = n.input(2))
    v = nb.create<nn::SubOp>(
        {v, nb.cast(alongAxis(nb, zeroPoint, *axis, x.getRank()), f)});
  return n.finish(nb, nb.create<nn::MulOp>({v, scale}));
}

/// DynamicQuantizeLinear: uint8 with a scale and zero point chosen so that
/// [min(x, 0), max(x, 0)] spans 0..255.
LogicalResult importDynamicQuantizeLinear(NodeContext &n) {
  if (failed(n.checkAttributes({})))
    return failure();
  RankedTensorType x = n.inputType(0);
  if (!x.getElementType().isF32())
    return n.invalid("x must be float32");
  NNBuilder nb(n.b, n.loc);
  Type f32 = x.getElementType();
  Type u8 = n.b.getIntegerType(8, /*isSigned=*/false);
  SmallVector<int64_t> all = llvm::to_vector(llvm::seq<int64_t>(0, x.getRank()));
  Value zero = nb.scalar(0, f32);
  Value lo = nb.create<nn::MinOp>(
      {nb.reduce(n.input(0), int(nn::ReduceKind::Min), all, false), zero});
  Value hi = nb.create<nn::MaxOp>(
      {nb.reduce(n.input(0), int(nn::ReduceKind::Max), all, false), zero});
  Value scale = nb.create<nn::DivOp>(
      {nb.create<nn::SubOp>({hi, lo}), nb.scalar(255, f32)});
  Value shifted = nb.create<nn::SubOp>({zero, nb.create<nn::DivOp>({lo, scale})});
  Value clipped = nb.create<nn::ClipOp>(
      shifted, {n.b.getNamedAttr("min", n.b.getF64FloatAttr(0)),
                n.b.getNamedAttr("max", n.b.getF64FloatAttr(255))});
  Value zeroPoint = nb.cast(nb.create<nn::RoundOp>(clipped), u8);
  Value y = quantize(nb, n.input(0), scale, zeroPoint, u8);
  return n.finish(nb, {y, scale, zeroPoint});
}

/// A zero point or scale of a product's operand: one for the tensor, or
/// one per row of the lhs ([M] -> [M, 1]) or per column of the rhs ([N]
/// broadcasts as it is).
Value productParam(NNBuilder &nb, Value param, bool isLhs) {
  if (!param)
    return nullptr;
  RankedTensorType type = typeOf(param);
  if (type.getNumElements() == 1)
    return nb.reshape(param, {});
  if (isLhs)
    return nb.reshape(param, {type.getNumElements(), 1});
  return param;
}

LogicalResult importMatMulInteger(NodeContext &n) {
  if (failed(n.checkAttributes({})))
    return failure();
  if (!isQuantizedType(n.inputType(0).getElementType()) ||
      !isQuantizedType(n.inputType(1).getElementType()))
    return n.invalid("A and B must be 8-bit integer tensors");
  NNBuilder nb(n.b, n.loc);
  Value a = centered(nb, n.input(0), productParam(nb, n.input(2), true));
  Value b = centered(nb, n.input(1), productParam(nb, n.input(3), false));
  return n.finish(nb, nb.create<nn::MatMulOp>({a, b}));
}

/// A convolution weight's zero point: one, or one per output channel
/// ([M] -> [M, 1, ..., 1]).
Value weightZeroPoint(NNBuilder &nb, Value zeroPoint, int64_t weightRank) {
  return zeroPoint ? alongAxis(nb, zeroPoint, 0, weightRank) : nullptr;
}

LogicalResult importConvInteger(NodeContext &n) {
  NNBuilder nb(n.b, n.loc);
  int64_t wRank = n.inputType(1).getRank();
  Value x = centered(nb, n.input(0), n.input(2) ? nb.reshape(n.input(2), {})
                                                : Value());
  Value w = centered(nb, n.input(1), weightZeroPoint(nb, n.input(3), wRank));
  if (nb.failed())
    return n.report(nb.error);
  auto y = buildConvNode(n, x, w, nullptr);
  return failed(y) ? failure() : n.setOutputs(*y);
}

/// QLinearMatMul and QLinearConv: the i32 product of the centered
/// operands, rescaled by a_scale * b_scale / y_scale and quantized.
Value requantize(NNBuilder &nb, Value product, Value scaleA, Value scaleB,
                 Value scaleY, Value zeroPointY, Type to) {
  Type f32 = nb.b.getF32Type();
  Value scale = nb.create<nn::DivOp>(
      {nb.create<nn::MulOp>({nb.cast(scaleA, f32), nb.cast(scaleB, f32)}),
       nb.cast(scaleY, f32)});
  Value v = nb.create<nn::MulOp>({nb.cast(product, f32), scale});
  return quantize(nb, v, nb.scalar(1, f32), zeroPointY, to);
}

LogicalResult importQLinearMatMul(NodeContext &n) {
  if (failed(n.checkAttributes({})))
    return failure();
  NNBuilder nb(n.b, n.loc);
  Value a = centered(nb, n.input(0), productParam(nb, n.input(2), true));
  Value b = centered(nb, n.input(3), productParam(nb, n.input(5), false));
  Value product = nb.create<nn::MatMulOp>({a, b});
  Value scaleA = productParam(nb, n.input(1), true);
  Value scaleB = productParam(nb, n.input(4), false);
  Type to = n.inputType(7).getElementType();
  return n.finish(nb, requantize(nb, product, scaleA, scaleB,
                                 nb.reshape(n.input(6), {}),
                                 nb.reshape(n.input(7), {}), to));
}

LogicalResult importQLinearConv(NodeContext &n) {
  NNBuilder nb(n.b, n.loc);
  int64_t wRank = n.inputType(3).getRank();
  Value x = centered(nb, n.input(0), nb.reshape(n.input(2), {}));
  Value w = centered(nb, n.input(3), weightZeroPoint(nb, n.input(5), wRank));
  Value bias = n.input(8);
  if (bias && !n.inputType(8).getElementType().isInteger(32))
    return n.invalid("the bias must be int32");
  if (nb.failed())
    return n.report(nb.error);
  auto product = buildConvNode(n, x, w, bias);
  if (failed(product))
    return failure();
  // The output channel is dimension 1 of the result.
  int64_t rank = typeOf(*product).getRank();
  Value scaleW = alongAxis(nb, n.input(4), 1, rank);
  Type to = n.inputType(7).getElementType();
  return n.finish(nb, requantize(nb, *product, nb.reshape(n.input(1), {}),
                                 scaleW, nb.reshape(n.input(6), {}),
                                 nb.reshape(n.input(7), {}), to));
}

} // namespace

void anvil::onnx_import::addQuantizationOps(OpTable &t) {
  t["QuantizeLinear"] = {importQuantizeLinear, 10, 2};
  t["DequantizeLinear"] = {importDequantizeLinear, 10, 2};
  t["DynamicQuantizeLinear"] = {importDynamicQuantizeLinear, 11, 1};
  t["MatMulInteger"] = {importMatMulInteger, 10, 2};
  t["ConvInteger"] = {importConvInteger, 10, 2};
  t["QLinearMatMul"] = {importQLinearMatMul, 10, 8};
  t["QLinearConv"] = {importQLinearConv, 10, 8};
}
