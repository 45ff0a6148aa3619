//===- ElementwiseOps.cpp - ATen elementwise ops to nn --------------------===//
//
// ATen's type promotion is applied by hand: a float tensor with an integer
// scalar stays float, an integer tensor with a float scalar becomes f32,
// and two tensors of different types meet at the wider (float wins).
//
//===----------------------------------------------------------------------===//

#include "AtenContext.h"

#include "anvil/Dialect/NN/IR/NNOps.h"

using namespace mlir;
using namespace anvil;
using namespace anvil::torch_import;

namespace {

Type elementOf(Value v) {
  return cast<RankedTensorType>(v.getType()).getElementType();
}

/// The type two operands of a binary op meet at.
Type promoted(Type a, Type b) {
  if (a == b)
    return a;
  bool aFloat = isa<FloatType>(a), bFloat = isa<FloatType>(b);
  if (aFloat != bFloat)
    return aFloat ? a : b;
  return a.getIntOrFloatBitWidth() >= b.getIntOrFloatBitWidth() ? a : b;
}

/// The second operand: the tensor or number argument `name`.
Value operand(AtenContext &n, Value self, StringRef name) {
  const llvm::json::Object *a = n.arg(name);
  if (a && a->get("as_tensor"))
    return n.tensor(name);
  std::optional<double> value = n.getScalar(name);
  if (!value) {
    (void)n.invalid("argument '" + name + "' is neither a tensor nor a number");
    return nullptr;
  }
  Type element = elementOf(self);
  if (!isa<FloatType>(element) && !n.isIntegerScalar(name))
    element = n.b.getF32Type();
  return n.scalar(*value, element);
}

/// Both operands at their promoted type; `floatResult` forces a float type
/// (true division).
std::optional<std::pair<Value, Value>>
binaryOperands(AtenContext &n, StringRef lhsName, StringRef rhsName,
               bool floatResult = false) {
  // Either side may be a number (decompositions write `1.0 - x` as
  // sub.Tensor(1.0, x)); it takes the tensor side's type.
  const llvm::json::Object *lhsArg = n.arg(lhsName);
  bool lhsIsNumber = lhsArg && !lhsArg->get("as_tensor");
  Value rhs = lhsIsNumber ? n.tensor(rhsName) : nullptr;
  Value lhs = lhsIsNumber ? (rhs ? operand(n, rhs, lhsName) : nullptr)
                          : n.tensor(lhsName);
  if (!lhsIsNumber && lhs)
    rhs = operand(n, lhs, rhsName);
  if (!lhs || !rhs)
    return std::nullopt;
  Type element = promoted(elementOf(lhs), elementOf(rhs));
  if (floatResult && !isa<FloatType>(element))
    element = n.b.getF32Type();
  lhs = n.castTo(lhs, element);
  rhs = n.castTo(rhs, element);
  if (!lhs || !rhs)
    return std::nullopt;
  return std::make_pair(lhs, rhs);
}

template <typename OpTy> LogicalResult unary(AtenContext &n) {
  Value x = n.tensor("self");
  if (!x)
    return failure();
  Value r = n.create<OpTy>(x);
  return n.setOutputs(r);
}

template <typename OpTy, bool FloatResult = false>
LogicalResult binary(AtenContext &n) {
  auto operands = binaryOperands(n, "self", "other", FloatResult);
  if (!operands)
    return failure();
  Value r = n.create<OpTy>({operands->first, operands->second});
  return n.setOutputs(r);
}

/// add/sub with `alpha`: self ± alpha * other.
template <typename OpTy> LogicalResult addLike(AtenContext &n) {
  auto operands = binaryOperands(n, "self", "other");
  if (!operands)
    return failure();
  auto [lhs, rhs] = *operands;
  double alpha = n.getFloat("alpha", 1.0);
  if (alpha != 1.0)
    rhs = n.create<nn::MulOp>({rhs, n.scalar(alpha, elementOf(rhs))});
  Value r = rhs ? n.create<OpTy>({lhs, rhs}) : nullptr;
  return n.setOutputs(r);
}

/// rsub: other - alpha * self.
LogicalResult rsub(AtenContext &n) {
  auto operands = binaryOperands(n, "self", "other");
  if (!operands)
    return failure();
  auto [self, other] = *operands;
  double alpha = n.getFloat("alpha", 1.0);
  if (alpha != 1.0)
    self = n.create<nn::MulOp>({self, n.scalar(alpha, elementOf(self))});
  Value r = self ? n.create<nn::SubOp>({other, self}) : nullptr;
  return n.setOutputs(r);
}

LogicalResult div(AtenContext &n) {
  std::optional<std::string> mode = n.getString("rounding_mode");
  if (mode && *mode != "trunc" && *mode != "floor")
    return n.unsupported("rounding_mode '" + *mode + "' is not supported");
  auto operands = binaryOperands(n, "self", "other", /*floatResult=*/!mode);
  if (!operands)
    return failure();
  Value r = n.create<nn::DivOp>({operands->first, operands->second});
  if (r && mode && *mode == "floor" && isa<FloatType>(elementOf(r)))
    r = n.create<nn::FloorOp>(r);
  else if (r && mode && *mode == "floor")
    return n.unsupported("integer floor division is not supported");
  return n.setOutputs(r);
}

LogicalResult notEqual(AtenContext &n) {
  auto operands = binaryOperands(n, "self", "other");
  if (!operands)
    return failure();
  Value eq = n.create<nn::EqualOp>({operands->first, operands->second});
  Value r = eq ? n.create<nn::NotOp>(eq) : nullptr;
  return n.setOutputs(r);
}

LogicalResult logicalNot(AtenContext &n) {
  Value x = n.castTo(n.tensor("self"), n.b.getI1Type());
  Value r = x ? n.create<nn::NotOp>(x) : nullptr;
  return n.setOutputs(r);
}

template <typename OpTy> LogicalResult logical(AtenContext &n) {
  Value lhs = n.castTo(n.tensor("self"), n.b.getI1Type());
  Value rhs = n.castTo(n.tensor("other"), n.b.getI1Type());
  Value r = lhs && rhs ? n.create<OpTy>({lhs, rhs}) : nullptr;
  return n.setOutputs(r);
}

/// `&` (aten.__and__, aten.bitwise_and) of booleans: a logical and. Of
/// integers it is bitwise, which the nn dialect has no op for.
LogicalResult bitwiseAnd(AtenContext &n) {
  Value lhs = n.tensor("self"), rhs = n.tensor("other");
  if (!lhs || !rhs)
    return failure();
  if (!typeOf(lhs).getElementType().isInteger(1) ||
      !typeOf(rhs).getElementType().isInteger(1))
    return n.unsupported("bitwise and of integers is not supported (only of "
                         "booleans)");
  return n.setOutputs(n.create<nn::AndOp>({lhs, rhs}));
}

LogicalResult gelu(AtenContext &n) {
  std::string approximate = n.getString("approximate").value_or("none");
  if (approximate == "none")
    return unary<nn::GeluOp>(n);
  if (approximate == "tanh")
    return unary<nn::GeluTanhOp>(n);
  return n.unsupported("approximate='" + approximate + "' is not supported");
}

LogicalResult rsqrt(AtenContext &n) {
  Value x = n.tensor("self");
  Value s = x ? n.create<nn::SqrtOp>(x) : nullptr;
  Value r = s ? n.create<nn::ReciprocalOp>(s) : nullptr;
  return n.setOutputs(r);
}

LogicalResult silu(AtenContext &n) {
  Value x = n.tensor("self");
  Value s = x ? n.create<nn::SigmoidOp>(x) : nullptr;
  Value r = s ? n.create<nn::MulOp>({x, s}) : nullptr;
  return n.setOutputs(r);
}

/// clip with optional bounds, from arguments `lo` and `hi`.
LogicalResult clipBetween(AtenContext &n, std::optional<double> lo,
                          std::optional<double> hi) {
  Value x = n.tensor("self");
  if (!x)
    return failure();
  if (!isa<FloatType>(elementOf(x)))
    return n.unsupported("clamping integer tensors is not supported");
  SmallVector<NamedAttribute> attrs;
  if (lo)
    attrs.push_back(n.b.getNamedAttr("min", n.b.getF64FloatAttr(*lo)));
  if (hi)
    attrs.push_back(n.b.getNamedAttr("max", n.b.getF64FloatAttr(*hi)));
  Value r = n.create<nn::ClipOp>(x, attrs);
  return n.setOutputs(r);
}

LogicalResult clamp(AtenContext &n) {
  const llvm::json::Object *lo = n.arg("min"), *hi = n.arg("max");
  if ((lo && lo->get("as_tensor")) || (hi && hi->get("as_tensor")))
    return n.unsupported("tensor bounds are not supported");
  return clipBetween(n, n.getScalar("min"), n.getScalar("max"));
}

LogicalResult hardtanh(AtenContext &n) {
  return clipBetween(n, n.getFloat("min_val", -1.0),
                     n.getFloat("max_val", 1.0));
}

LogicalResult relu6(AtenContext &n) { return clipBetween(n, 0.0, 6.0); }

LogicalResult hardsigmoid(AtenContext &n) {
  Value x = n.tensor("self");
  Value r = x ? n.create<nn::HardSigmoidOp>(
                    x, {n.b.getNamedAttr("alpha", n.b.getF64FloatAttr(1.0 / 6)),
                        n.b.getNamedAttr("beta", n.b.getF64FloatAttr(0.5))})
              : nullptr;
  return n.setOutputs(r);
}

LogicalResult leakyRelu(AtenContext &n) {
  Value x = n.tensor("self");
  double slope = n.getFloat("negative_slope", 0.01);
  Value r = x ? n.create<nn::LeakyReluOp>(
                    x, {n.b.getNamedAttr("alpha", n.b.getF64FloatAttr(slope))})
              : nullptr;
  return n.setOutputs(r);
}

LogicalResult elu(AtenContext &n) {
  if (n.getFloat("scale", 1.0) != 1.0 || n.getFloat("input_scale", 1.0) != 1.0)
    return n.unsupported("scale and input_scale other than 1");
  Value x = n.tensor("self");
  double alpha = n.getFloat("alpha", 1.0);
  Value r = x ? n.create<nn::EluOp>(
                    x, {n.b.getNamedAttr("alpha", n.b.getF64FloatAttr(alpha))})
              : nullptr;
  return n.setOutputs(r);
}

/// pow with a tensor or number exponent.
LogicalResult pow(AtenContext &n) {
  auto operands = binaryOperands(n, "self", "exponent");
  if (!operands)
    return failure();
  Value r = n.create<nn::PowOp>({operands->first, operands->second});
  return n.setOutputs(r);
}

/// where(condition, self, other), either of the last two may be a number.
LogicalResult where(AtenContext &n) {
  Value condition = n.castTo(n.tensor("condition"), n.b.getI1Type());
  auto operands = condition ? binaryOperands(n, "self", "other") : std::nullopt;
  if (!operands)
    return failure();
  Value r =
      n.create<nn::WhereOp>({condition, operands->first, operands->second});
  return n.setOutputs(r);
}

/// masked_fill(self, mask, value): where(mask, value, self).
LogicalResult maskedFill(AtenContext &n) {
  Value self = n.tensor("self");
  Value mask = n.castTo(n.tensor("mask"), n.b.getI1Type());
  Value value = self && mask ? operand(n, self, "value") : nullptr;
  if (!value)
    return failure();
  value = n.castTo(value, elementOf(self));
  Value r = n.create<nn::WhereOp>({mask, value, self});
  return n.setOutputs(r);
}

} // namespace

void anvil::torch_import::addElementwiseOps(AtenTable &t) {
  t["aten.relu"] = unary<nn::ReluOp>;
  t["aten.relu_"] = unary<nn::ReluOp>;
  t["aten.sigmoid"] = unary<nn::SigmoidOp>;
  t["aten.tanh"] = unary<nn::TanhOp>;
  t["aten.exp"] = unary<nn::ExpOp>;
  t["aten.log"] = unary<nn::LogOp>;
  t["aten.sqrt"] = unary<nn::SqrtOp>;
  t["aten.rsqrt"] = rsqrt;
  t["aten.neg"] = unary<nn::NegOp>;
  t["aten.abs"] = unary<nn::AbsOp>;
  t["aten.erf"] = unary<nn::ErfOp>;
  t["aten.sin"] = unary<nn::SinOp>;
  t["aten.cos"] = unary<nn::CosOp>;
  t["aten.floor"] = unary<nn::FloorOp>;
  t["aten.ceil"] = unary<nn::CeilOp>;
  t["aten.round"] = unary<nn::RoundOp>;
  t["aten.reciprocal"] = unary<nn::ReciprocalOp>;
  t["aten.gelu"] = gelu;
  t["aten.silu"] = silu;
  t["aten.silu_"] = silu;
  t["aten.hardswish"] = unary<nn::HardSwishOp>;
  t["aten.hardswish_"] = unary<nn::HardSwishOp>;
  t["aten.hardsigmoid"] = hardsigmoid;
  t["aten.hardsigmoid_"] = hardsigmoid;
  t["aten.hardtanh"] = hardtanh;
  t["aten.hardtanh_"] = hardtanh;
  t["aten.relu6"] = relu6;
  t["aten.clamp"] = clamp;
  t["aten.clamp_"] = clamp;
  t["aten.leaky_relu"] = leakyRelu;
  t["aten.leaky_relu_"] = leakyRelu;
  t["aten.elu"] = elu;
  t["aten.add"] = addLike<nn::AddOp>;
  t["aten.add_"] = addLike<nn::AddOp>;
  t["aten.sub"] = addLike<nn::SubOp>;
  t["aten.rsub"] = rsub;
  t["aten.mul"] = binary<nn::MulOp>;
  t["aten.mul_"] = binary<nn::MulOp>;
  t["aten.div"] = div;
  t["aten.pow"] = pow;
  t["aten.maximum"] = binary<nn::MaxOp>;
  t["aten.minimum"] = binary<nn::MinOp>;
  t["aten.eq"] = binary<nn::EqualOp>;
  t["aten.ne"] = notEqual;
  t["aten.lt"] = binary<nn::LessOp>;
  t["aten.le"] = binary<nn::LessEqualOp>;
  t["aten.gt"] = binary<nn::GreaterOp>;
  t["aten.ge"] = binary<nn::GreaterEqualOp>;
  t["aten.logical_not"] = logicalNot;
  t["aten.logical_and"] = logical<nn::AndOp>;
  t["aten.__and__"] = bitwiseAnd;
  t["aten.bitwise_and"] = bitwiseAnd;
  t["aten.logical_or"] = logical<nn::OrOp>;
  t["aten.where.self"] = where;
  t["aten.masked_fill"] = maskedFill;
}
