//===- ElementwiseOps.cpp - ONNX elementwise operators --------------------===//
#include "NodeContext.h"

#include "anvil/Dialect/NN/IR/NNOps.h"

#include <cmath>

using namespace mlir;
using namespace anvil;
using namespace anvil::onnx_import;

namespace {

template <typename OpTy> LogicalResult importUnary(NodeContext &n) {
  if (failed(n.checkAttributes({})))
    return failure();
  auto v = n.create<OpTy>(n.input(0));
  return failed(v) ? failure() : n.setOutputs(*v);
}

/// Before opset 7, B broadcasts only with broadcast=1, and then its shape
/// matches A's dimensions from `axis` on (default: A's trailing ones).
/// Returns B reshaped so that NumPy broadcasting means the same.
FailureOr<Value> legacyBroadcastOperand(NodeContext &n) {
  RankedTensorType a = n.inputType(0), b = n.inputType(1);
  if (!n.getInt("broadcast", 0)) {
    if (a.getShape() != b.getShape())
      return (void)n.invalid("operand shapes differ and broadcast is not set"),
             failure();
    return n.input(1);
  }
  int64_t axis = n.getInt("axis", a.getRank() - b.getRank());
  if (axis < 0 || axis + b.getRank() > a.getRank())
    return (void)n.invalid("B does not fit A's dimensions from axis " +
                           Twine(axis)),
           failure();
  SmallVector<int64_t> shape(a.getRank(), 1);
  for (int64_t d = 0; d < b.getRank(); ++d)
    shape[axis + d] = b.getDimSize(d);
  return n.create<nn::ReshapeOp>(
      n.input(1), {n.b.getNamedAttr("shape", n.b.getDenseI64ArrayAttr(shape))});
}

template <typename OpTy> LogicalResult importBinary(NodeContext &n) {
  if (n.opset >= 7) {
    if (failed(n.checkAttributes({})))
      return failure();
    auto v = n.create<OpTy>(ValueRange{n.input(0), n.input(1)});
    return failed(v) ? failure() : n.setOutputs(*v);
  }
  if (failed(n.checkAttributes({"broadcast", "axis", "consumed_inputs"})))
    return failure();
  auto rhs = legacyBroadcastOperand(n);
  if (failed(rhs))
    return failure();
  auto v = n.create<OpTy>(ValueRange{n.input(0), *rhs});
  return failed(v) ? failure() : n.setOutputs(*v);
}

/// PRelu before opset 7: a slope of C values applies along dimension 1.
LogicalResult importPRelu(NodeContext &n) {
  RankedTensorType x = n.inputType(0), slope = n.inputType(1);
  if (n.opset >= 7)
    return importBinary<nn::PReluOp>(n);
  if (failed(n.checkAttributes({"consumed_inputs"})))
    return failure();
  if (slope.getRank() != 1 || x.getRank() < 2 ||
      slope.getDimSize(0) != x.getDimSize(1)) {
    // A single shared slope (or one already shaped to broadcast).
    auto v = n.create<nn::PReluOp>(ValueRange{n.input(0), n.input(1)});
    return failed(v) ? failure() : n.setOutputs(*v);
  }
  SmallVector<int64_t> shape(x.getRank() - 1, 1);
  shape[0] = slope.getDimSize(0);
  auto reshaped = n.create<nn::ReshapeOp>(
      n.input(1), {n.b.getNamedAttr("shape", n.b.getDenseI64ArrayAttr(shape))});
  if (failed(reshaped))
    return failure();
  auto v = n.create<nn::PReluOp>(ValueRange{n.input(0), *reshaped});
  return failed(v) ? failure() : n.setOutputs(*v);
}

/// IsInf and IsNaN compare; NaN is the one value unequal to itself.
LogicalResult importIsInf(NodeContext &n) {
  if (failed(n.checkAttributes({"detect_negative", "detect_positive"})))
    return failure();
  Type element = n.inputType(0).getElementType();
  auto equalTo = [&](double v) {
    return n.create<nn::EqualOp>(ValueRange{
        n.input(0), n.constant(DenseElementsAttr::get(
                        RankedTensorType::get({}, element),
                        n.b.getFloatAttr(element, v)))});
  };
  bool negative = n.getInt("detect_negative", 1),
       positive = n.getInt("detect_positive", 1);
  FailureOr<Value> pos = equalTo(INFINITY), neg = equalTo(-INFINITY);
  if (failed(pos) || failed(neg))
    return failure();
  if (positive && negative)
    pos = n.create<nn::OrOp>(ValueRange{*pos, *neg});
  else if (!positive)
    pos = negative ? neg : n.create<nn::AndOp>(ValueRange{*pos, *neg});
  return failed(pos) ? failure() : n.setOutputs(*pos);
}

LogicalResult importIsNaN(NodeContext &n) {
  if (!isa<FloatType>(n.inputType(0).getElementType()))
    return n.invalid("IsNaN needs a floating-point input");
  auto same = n.create<nn::EqualOp>(ValueRange{n.input(0), n.input(0)});
  auto v = failed(same) ? same : n.create<nn::NotOp>(*same);
  return failed(v) ? failure() : n.setOutputs(*v);
}

/// Shrink: x + bias below -lambd, x - bias above lambd, 0 between. The
/// attributes become constants of x's type, which must hold them.
LogicalResult importShrink(NodeContext &n) {
  if (failed(n.checkAttributes({"bias", "lambd"})))
    return failure();
  Type element = n.inputType(0).getElementType();
  double lambd = n.getFloat("lambd", 0.5), bias = n.getFloat("bias", 0);
  NNBuilder nb(n.b, n.loc);
  Value x = n.input(0);
  Value below = nb.create<nn::LessOp>({x, nb.scalar(-lambd, element)});
  Value above = nb.create<nn::GreaterOp>({x, nb.scalar(lambd, element)});
  Value plus = nb.create<nn::AddOp>({x, nb.scalar(bias, element)});
  Value minus = nb.create<nn::SubOp>({x, nb.scalar(bias, element)});
  Value upper =
      nb.create<nn::WhereOp>({above, minus, nb.scalar(0, element)});
  return n.finish(nb, nb.create<nn::WhereOp>({below, plus, upper}));
}

/// A unary op with float attributes: `names[i]` defaults to `defaults[i]`
/// and becomes the nn attribute of the same position in `nnNames`.
template <typename OpTy>
LogicalResult importParametric(NodeContext &n, ArrayRef<StringRef> names,
                               ArrayRef<double> defaults,
                               ArrayRef<StringRef> nnNames) {
  if (failed(n.checkAttributes(names)))
    return failure();
  SmallVector<NamedAttribute> attrs;
  for (auto [name, dflt, nnName] : llvm::zip(names, defaults, nnNames))
    attrs.push_back(
        n.b.getNamedAttr(nnName, n.b.getF64FloatAttr(n.getFloat(name, dflt))));
  auto v = n.create<OpTy>(n.input(0), attrs);
  return failed(v) ? failure() : n.setOutputs(*v);
}

LogicalResult importLeakyRelu(NodeContext &n) {
  return importParametric<nn::LeakyReluOp>(n, {"alpha"}, {0.01}, {"alpha"});
}
LogicalResult importElu(NodeContext &n) {
  return importParametric<nn::EluOp>(n, {"alpha"}, {1.0}, {"alpha"});
}
LogicalResult importCelu(NodeContext &n) {
  return importParametric<nn::CeluOp>(n, {"alpha"}, {1.0}, {"alpha"});
}
LogicalResult importSelu(NodeContext &n) {
  return importParametric<nn::SeluOp>(
      n, {"alpha", "gamma"},
      {1.67326319217681884765625, 1.05070102214813232421875},
      {"alpha", "gamma"});
}
LogicalResult importHardSigmoid(NodeContext &n) {
  return importParametric<nn::HardSigmoidOp>(n, {"alpha", "beta"}, {0.2, 0.5},
                                             {"alpha", "beta"});
}
LogicalResult importThresholdedRelu(NodeContext &n) {
  return importParametric<nn::ThresholdedReluOp>(n, {"alpha"}, {1.0},
                                                 {"alpha"});
}

LogicalResult importGelu(NodeContext &n) {
  if (failed(n.checkAttributes({"approximate"})))
    return failure();
  std::string approximate = n.getString("approximate", "none");
  FailureOr<Value> v = failure();
  if (approximate == "none")
    v = n.create<nn::GeluOp>(n.input(0));
  else if (approximate == "tanh")
    v = n.create<nn::GeluTanhOp>(n.input(0));
  else
    return n.invalid("approximate must be 'none' or 'tanh', got '" +
                     approximate + "'");
  return failed(v) ? failure() : n.setOutputs(*v);
}

LogicalResult importClip(NodeContext &n) {
  if (failed(n.checkAttributes({"min", "max"})))
    return failure();
  SmallVector<NamedAttribute> attrs;
  SmallVector<std::pair<StringRef, Value>> runtimeBounds;
  auto bound = [&](StringRef name, int index) -> LogicalResult {
    if (n.opset < 11) {
      if (n.attr(name))
        attrs.push_back(n.b.getNamedAttr(
            name, n.b.getF64FloatAttr(n.getFloat(name, 0))));
      return success();
    }
    if (!n.input(index))
      return success();
    if (n.inputType(index).getRank() != 0 &&
        n.inputType(index).getNumElements() != 1)
      return n.invalid("Clip " + name + " must be a scalar");
    auto values = n.constFloats(index);
    if (!values) {
      runtimeBounds.emplace_back(name, n.input(index));
      return success();
    }
    attrs.push_back(n.b.getNamedAttr(name, n.b.getF64FloatAttr((*values)[0])));
    return success();
  };
  if (failed(bound("min", 1)) || failed(bound("max", 2)))
    return failure();
  auto v = n.create<nn::ClipOp>(n.input(0), attrs);
  // Bounds known only at run time clamp with max / min, min first.
  for (auto &[name, limit] : runtimeBounds) {
    if (failed(v))
      return failure();
    v = name == "min" ? n.create<nn::MaxOp>(ValueRange{*v, limit})
                      : n.create<nn::MinOp>(ValueRange{*v, limit});
  }
  return failed(v) ? failure() : n.setOutputs(*v);
}

LogicalResult importBitShift(NodeContext &n) {
  if (failed(n.checkAttributes({"direction"})))
    return failure();
  if (!n.inputType(0).getElementType().isUnsignedInteger())
    return n.invalid("BitShift takes unsigned integers");
  std::string direction = n.getString("direction", "");
  FailureOr<Value> v = failure();
  if (direction == "LEFT")
    v = n.create<nn::ShiftLeftOp>(ValueRange{n.input(0), n.input(1)});
  else if (direction == "RIGHT")
    v = n.create<nn::ShiftRightOp>(ValueRange{n.input(0), n.input(1)});
  else
    return n.invalid("direction must be LEFT or RIGHT, not '" + direction +
                     "'");
  return failed(v) ? failure() : n.setOutputs(*v);
}

LogicalResult importMod(NodeContext &n) {
  if (failed(n.checkAttributes({"fmod"})))
    return failure();
  FailureOr<Value> v = failure();
  bool isFloat = isa<FloatType>(n.inputType(0).getElementType());
  if (n.getInt("fmod", 0))
    v = n.create<nn::FModOp>(ValueRange{n.input(0), n.input(1)});
  else if (isFloat)
    return n.invalid("Mod on floats requires fmod=1");
  else
    v = n.create<nn::ModOp>(ValueRange{n.input(0), n.input(1)});
  return failed(v) ? failure() : n.setOutputs(*v);
}

/// Max, Min, Sum and Mean take any number of inputs.
template <typename OpTy, bool isMean = false>
LogicalResult importVariadic(NodeContext &n) {
  // Before opset 8 the inputs had one shape; NumPy broadcasting covers it.
  if (failed(n.checkAttributes(n.opset < 6 ? ArrayRef<StringRef>{"consumed_inputs"}
                                           : ArrayRef<StringRef>{})))
    return failure();
  Value acc = n.input(0);
  for (int i = 1; i < n.numInputs(); ++i) {
    auto v = n.create<OpTy>(ValueRange{acc, n.input(i)});
    if (failed(v))
      return failure();
    acc = *v;
  }
  if (isMean && n.numInputs() > 1) {
    auto type = cast<RankedTensorType>(acc.getType());
    auto count = DenseElementsAttr::get(
        RankedTensorType::get({}, type.getElementType()),
        n.b.getFloatAttr(type.getElementType(), n.numInputs()));
    auto v = n.create<nn::DivOp>(ValueRange{acc, n.constant(count)});
    if (failed(v))
      return failure();
    acc = *v;
  }
  return n.setOutputs(acc);
}

LogicalResult importWhere(NodeContext &n) {
  auto v = n.create<nn::WhereOp>(ValueRange{n.input(0), n.input(1), n.input(2)});
  return failed(v) ? failure() : n.setOutputs(*v);
}

LogicalResult castTo(NodeContext &n, Type to) {
  if (n.inputType(0).getElementType() == to)
    return n.setOutputs(n.input(0));
  auto v = n.create<nn::CastOp>(n.input(0),
                                {n.b.getNamedAttr("to", TypeAttr::get(to))});
  return failed(v) ? failure() : n.setOutputs(*v);
}

LogicalResult importCast(NodeContext &n) {
  if (failed(n.checkAttributes({"to", "saturate"})))
    return failure();
  int64_t to = n.getInt("to", 0);
  Type type = elementType(n.ctx(), to);
  if (!type)
    return n.unsupported("cast to " + onnxTypeName(to) + " is not supported");
  return castTo(n, type);
}

LogicalResult importCastLike(NodeContext &n) {
  if (failed(n.checkAttributes({"saturate"})))
    return failure();
  return castTo(n, n.inputType(1).getElementType());
}

LogicalResult importIdentity(NodeContext &n) {
  return n.setOutputs(n.input(0));
}

/// Inference-mode dropout is the identity; its mask is all true.
LogicalResult importDropout(NodeContext &n) {
  if (failed(n.checkAttributes({"ratio", "seed", "is_test"})))
    return failure();
  if (n.input(2)) {
    auto training = n.constInts(2);
    if (!training)
      return n.needsConstant(2, "training_mode");
    if (training->size() != 1)
      return n.invalid("training_mode must be a scalar");
    // Training mode with ratio 0 keeps every element: still the identity.
    auto ratio = n.input(1) ? n.constFloats(1)
                            : std::optional<SmallVector<double>>({0.5});
    if ((*training)[0] && !(ratio && ratio->size() == 1 && (*ratio)[0] == 0))
      return n.unsupported("training-mode dropout with a ratio other than 0 "
                           "is random");
  }
  SmallVector<Value> outs = {n.input(0)};
  if (n.node.output_size() > 1) {
    auto type = RankedTensorType::get(n.inputType(0).getShape(),
                                      n.b.getI1Type());
    outs.push_back(n.constant(DenseElementsAttr::get(type, true)));
  }
  return n.setOutputs(outs);
}

} // namespace

void anvil::onnx_import::addElementwiseOps(OpTable &t) {
  t["Abs"] = {importUnary<nn::AbsOp>};
  t["Neg"] = {importUnary<nn::NegOp>};
  t["Exp"] = {importUnary<nn::ExpOp>};
  t["Log"] = {importUnary<nn::LogOp>};
  t["Sqrt"] = {importUnary<nn::SqrtOp>};
  t["Reciprocal"] = {importUnary<nn::ReciprocalOp>};
  t["Relu"] = {importUnary<nn::ReluOp>};
  t["Sigmoid"] = {importUnary<nn::SigmoidOp>};
  t["Tanh"] = {importUnary<nn::TanhOp>};
  t["Erf"] = {importUnary<nn::ErfOp>};
  t["Floor"] = {importUnary<nn::FloorOp>};
  t["Ceil"] = {importUnary<nn::CeilOp>};
  t["Round"] = {importUnary<nn::RoundOp>};
  t["Sign"] = {importUnary<nn::SignOp>};
  t["Sin"] = {importUnary<nn::SinOp>};
  t["Cos"] = {importUnary<nn::CosOp>};
  t["Tan"] = {importUnary<nn::TanOp>};
  t["Asin"] = {importUnary<nn::AsinOp>};
  t["Acos"] = {importUnary<nn::AcosOp>};
  t["Atan"] = {importUnary<nn::AtanOp>};
  t["Sinh"] = {importUnary<nn::SinhOp>};
  t["Cosh"] = {importUnary<nn::CoshOp>};
  t["Asinh"] = {importUnary<nn::AsinhOp>};
  t["Acosh"] = {importUnary<nn::AcoshOp>};
  t["Atanh"] = {importUnary<nn::AtanhOp>};
  t["Not"] = {importUnary<nn::NotOp>};
  t["Softsign"] = {importUnary<nn::SoftsignOp>};
  t["Softplus"] = {importUnary<nn::SoftplusOp>};
  t["Mish"] = {importUnary<nn::MishOp>};
  t["HardSwish"] = {importUnary<nn::HardSwishOp>};
  t["Gelu"] = {importGelu, 20};
  t["LeakyRelu"] = {importLeakyRelu};
  t["Elu"] = {importElu};
  t["Celu"] = {importCelu};
  t["Selu"] = {importSelu};
  t["HardSigmoid"] = {importHardSigmoid};
  t["ThresholdedRelu"] = {importThresholdedRelu};
  t["Clip"] = {importClip};
  t["Add"] = {importBinary<nn::AddOp>, 1, 2};
  t["Sub"] = {importBinary<nn::SubOp>, 1, 2};
  t["Mul"] = {importBinary<nn::MulOp>, 1, 2};
  t["Div"] = {importBinary<nn::DivOp>, 1, 2};
  t["Pow"] = {importBinary<nn::PowOp>, 1, 2};
  t["PRelu"] = {importPRelu, 1, 2};
  t["And"] = {importBinary<nn::AndOp>, 1, 2};
  t["Or"] = {importBinary<nn::OrOp>, 1, 2};
  t["Xor"] = {importBinary<nn::XorOp>, 1, 2};
  t["Equal"] = {importBinary<nn::EqualOp>, 1, 2};
  t["Less"] = {importBinary<nn::LessOp>, 1, 2};
  t["LessOrEqual"] = {importBinary<nn::LessEqualOp>, 7, 2};
  t["Greater"] = {importBinary<nn::GreaterOp>, 1, 2};
  t["GreaterOrEqual"] = {importBinary<nn::GreaterEqualOp>, 7, 2};
  t["Mod"] = {importMod, 1, 2};
  t["BitShift"] = {importBitShift, 11, 2};
  t["Max"] = {importVariadic<nn::MaxOp>};
  t["Min"] = {importVariadic<nn::MinOp>};
  t["Sum"] = {importVariadic<nn::AddOp>};
  t["Mean"] = {importVariadic<nn::AddOp, true>};
  t["IsInf"] = {importIsInf, 10};
  t["IsNaN"] = {importIsNaN, 9};
  t["Shrink"] = {importShrink, 9};
  t["Where"] = {importWhere, 1, 3};
  t["Cast"] = {importCast};
  t["CastLike"] = {importCastLike, 1, 2};
  t["Identity"] = {importIdentity};
  t["Dropout"] = {importDropout};
}
