//===- Elementwise.cpp - nn elementwise ops to linalg.generic -------------===//
//
// Each elementwise nn op is a scalar formula; one pattern wraps any of them
// in a broadcasting linalg.generic.
//
//===----------------------------------------------------------------------===//

#include "Common.h"

#include "anvil/Dialect/NN/IR/NNOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace anvil::nn;

namespace {

/// The unsigned form of a signed integer predicate.
arith::CmpIPredicate unsignedPredicate(arith::CmpIPredicate p) {
  using P = arith::CmpIPredicate;
  switch (p) {
  case P::slt:
    return P::ult;
  case P::sle:
    return P::ule;
  case P::sgt:
    return P::ugt;
  case P::sge:
    return P::uge;
  default:
    return p;
  }
}

/// Scalar arithmetic that picks the float, signed or unsigned integer form
/// by type.
class Scalar {
public:
  Scalar(OpBuilder &b, Location loc, Type type, bool isUnsigned = false)
      : b(b), loc(loc), type(type), isUnsigned(isUnsigned) {}

  bool isFloat() const { return isa<FloatType>(type); }
  Value c(double v) { return scalarConstant(b, loc, type, v); }
  /// `FloatOp` on floats, `IntOp` on integers.
  template <typename FloatOp, typename IntOp> Value either(Value x, Value y) {
    return isFloat() ? Value(FloatOp::create(b, loc, x, y))
                     : Value(IntOp::create(b, loc, x, y));
  }
  Value add(Value x, Value y) { return either<arith::AddFOp, arith::AddIOp>(x, y); }
  Value sub(Value x, Value y) { return either<arith::SubFOp, arith::SubIOp>(x, y); }
  Value mul(Value x, Value y) { return either<arith::MulFOp, arith::MulIOp>(x, y); }
  Value div(Value x, Value y) {
    return isUnsigned ? arith::DivUIOp::create(b, loc, x, y)
                      : either<arith::DivFOp, arith::DivSIOp>(x, y);
  }
  Value rem(Value x, Value y) {
    return isUnsigned ? arith::RemUIOp::create(b, loc, x, y)
                      : either<arith::RemFOp, arith::RemSIOp>(x, y);
  }
  Value max(Value x, Value y) {
    return isUnsigned ? arith::MaxUIOp::create(b, loc, x, y)
                      : either<arith::MaximumFOp, arith::MaxSIOp>(x, y);
  }
  Value min(Value x, Value y) {
    return isUnsigned ? arith::MinUIOp::create(b, loc, x, y)
                      : either<arith::MinimumFOp, arith::MinSIOp>(x, y);
  }
  /// `i` names the signed integer predicate; unsigned types use its
  /// unsigned counterpart.
  Value cmp(arith::CmpFPredicate f, arith::CmpIPredicate i, Value x, Value y) {
    if (isUnsigned)
      i = unsignedPredicate(i);
    return isFloat() ? Value(arith::CmpFOp::create(b, loc, f, x, y))
                     : Value(arith::CmpIOp::create(b, loc, i, x, y));
  }
  Value lt(Value x, Value y) {
    return cmp(arith::CmpFPredicate::OLT, arith::CmpIPredicate::slt, x, y);
  }
  Value gt(Value x, Value y) {
    return cmp(arith::CmpFPredicate::OGT, arith::CmpIPredicate::sgt, x, y);
  }
  Value select(Value c, Value x, Value y) {
    return arith::SelectOp::create(b, loc, c, x, y);
  }
  Value exp(Value x) { return math::ExpOp::create(b, loc, x); }

  OpBuilder &b;
  Location loc;
  Type type;
  bool isUnsigned;
};

/// Converts `v` to `to`; integers are read and written as unsigned where
/// `fromUnsigned` and `toUnsigned` say so (booleans always are).
Value castScalar(OpBuilder &b, Location loc, Value v, Type to,
                 bool fromUnsigned = false, bool toUnsigned = false) {
  Type from = v.getType();
  fromUnsigned |= from.isInteger(1);
  if (from == to)
    return v;
  bool fromFloat = isa<FloatType>(from), toFloat = isa<FloatType>(to);
  unsigned fromWidth = from.getIntOrFloatBitWidth();
  unsigned toWidth = to.getIntOrFloatBitWidth();
  if (to.isInteger(1)) {
    Value zero = scalarConstant(b, loc, from, 0);
    return fromFloat ? Value(arith::CmpFOp::create(
                           b, loc, arith::CmpFPredicate::UNE, v, zero))
                     : Value(arith::CmpIOp::create(
                           b, loc, arith::CmpIPredicate::ne, v, zero));
  }
  if (fromFloat && toFloat)
    return fromWidth < toWidth ? Value(arith::ExtFOp::create(b, loc, to, v))
                               : Value(arith::TruncFOp::create(b, loc, to, v));
  if (fromFloat)
    return toUnsigned ? Value(arith::FPToUIOp::create(b, loc, to, v))
                      : Value(arith::FPToSIOp::create(b, loc, to, v));
  if (toFloat)
    return fromUnsigned ? Value(arith::UIToFPOp::create(b, loc, to, v))
                        : Value(arith::SIToFPOp::create(b, loc, to, v));
  if (fromWidth < toWidth)
    return fromUnsigned ? Value(arith::ExtUIOp::create(b, loc, to, v))
                        : Value(arith::ExtSIOp::create(b, loc, to, v));
  return arith::TruncIOp::create(b, loc, to, v);
}

Value softplus(Scalar &s, Value x) {
  return math::Log1pOp::create(s.b, s.loc, s.exp(x));
}

/// The scalar formula of a unary op; null if `op` is not one.
Value emitUnary(Operation *op, Scalar &s, Value x) {
  OpBuilder &b = s.b;
  Location loc = s.loc;
  auto f64 = [](FloatAttr a) { return a.getValueAsDouble(); };
  return llvm::TypeSwitch<Operation *, Value>(op)
      .Case([&](AbsOp) -> Value {
        if (s.isUnsigned)
          return x;
        return s.isFloat() ? Value(math::AbsFOp::create(b, loc, x))
                           : Value(math::AbsIOp::create(b, loc, x));
      })
      .Case([&](NegOp) { return s.sub(s.c(0), x); })
      .Case([&](ExpOp) { return s.exp(x); })
      .Case([&](LogOp) { return math::LogOp::create(b, loc, x); })
      .Case([&](SqrtOp) { return math::SqrtOp::create(b, loc, x); })
      .Case([&](ReciprocalOp) { return s.div(s.c(1), x); })
      .Case([&](ReluOp) { return s.max(x, s.c(0)); })
      .Case([&](SigmoidOp) {
        return s.div(s.c(1), s.add(s.c(1), s.exp(s.sub(s.c(0), x))));
      })
      .Case([&](TanhOp) { return math::TanhOp::create(b, loc, x); })
      .Case([&](ErfOp) { return math::ErfOp::create(b, loc, x); })
      .Case([&](FloorOp) { return math::FloorOp::create(b, loc, x); })
      .Case([&](CeilOp) { return math::CeilOp::create(b, loc, x); })
      .Case([&](RoundOp) { return math::RoundEvenOp::create(b, loc, x); })
      .Case([&](SignOp) {
        return s.select(s.gt(x, s.c(0)), s.c(1),
                        s.select(s.lt(x, s.c(0)), s.c(-1), s.c(0)));
      })
      .Case([&](SinOp) { return math::SinOp::create(b, loc, x); })
      .Case([&](CosOp) { return math::CosOp::create(b, loc, x); })
      .Case([&](TanOp) { return math::TanOp::create(b, loc, x); })
      .Case([&](AsinOp) { return math::AsinOp::create(b, loc, x); })
      .Case([&](AcosOp) { return math::AcosOp::create(b, loc, x); })
      .Case([&](AtanOp) { return math::AtanOp::create(b, loc, x); })
      .Case([&](SinhOp) { return math::SinhOp::create(b, loc, x); })
      .Case([&](CoshOp) { return math::CoshOp::create(b, loc, x); })
      .Case([&](AsinhOp) { return math::AsinhOp::create(b, loc, x); })
      .Case([&](AcoshOp) { return math::AcoshOp::create(b, loc, x); })
      .Case([&](AtanhOp) { return math::AtanhOp::create(b, loc, x); })
      .Case([&](NotOp) {
        return arith::XOrIOp::create(b, loc, x, s.c(1));
      })
      .Case([&](SoftsignOp) {
        return s.div(x, s.add(s.c(1), math::AbsFOp::create(b, loc, x)));
      })
      .Case([&](SoftplusOp) { return softplus(s, x); })
      .Case([&](MishOp) {
        return s.mul(x, math::TanhOp::create(b, loc, softplus(s, x)));
      })
      .Case([&](HardSwishOp) {
        Value t = s.add(s.mul(x, s.c(1.0 / 6)), s.c(0.5));
        return s.mul(x, s.max(s.c(0), s.min(s.c(1), t)));
      })
      .Case([&](GeluOp) {
        Value e = math::ErfOp::create(b, loc, s.mul(x, s.c(M_SQRT1_2)));
        return s.mul(s.mul(x, s.c(0.5)), s.add(s.c(1), e));
      })
      .Case([&](GeluTanhOp) {
        Value cube = s.mul(s.mul(x, x), x);
        Value inner = s.mul(s.c(std::sqrt(2.0 / M_PI)),
                            s.add(x, s.mul(s.c(0.044715), cube)));
        Value t = math::TanhOp::create(b, loc, inner);
        return s.mul(s.mul(x, s.c(0.5)), s.add(s.c(1), t));
      })
      .Case([&](LeakyReluOp o) {
        return s.select(s.lt(x, s.c(0)), s.mul(s.c(f64(o.getAlphaAttr())), x),
                        x);
      })
      .Case([&](EluOp o) {
        Value neg = s.mul(s.c(f64(o.getAlphaAttr())), s.sub(s.exp(x), s.c(1)));
        return s.select(s.lt(x, s.c(0)), neg, x);
      })
      .Case([&](CeluOp o) {
        double alpha = f64(o.getAlphaAttr());
        Value e = s.sub(s.exp(s.div(x, s.c(alpha))), s.c(1));
        return s.add(s.max(s.c(0), x), s.min(s.c(0), s.mul(s.c(alpha), e)));
      })
      .Case([&](SeluOp o) {
        Value neg = s.mul(s.c(f64(o.getAlphaAttr())), s.sub(s.exp(x), s.c(1)));
        Value pos = s.gt(x, s.c(0));
        return s.mul(s.c(f64(o.getGammaAttr())), s.select(pos, x, neg));
      })
      .Case([&](HardSigmoidOp o) {
        Value t = s.add(s.mul(s.c(f64(o.getAlphaAttr())), x),
                        s.c(f64(o.getBetaAttr())));
        return s.max(s.c(0), s.min(s.c(1), t));
      })
      .Case([&](ThresholdedReluOp o) {
        return s.select(s.gt(x, s.c(f64(o.getAlphaAttr()))), x, s.c(0));
      })
      .Case([&](ClipOp o) {
        Value r = x;
        if (auto lo = o.getMinAttr())
          r = s.max(r, s.c(f64(lo)));
        if (auto hi = o.getMaxAttr())
          r = s.min(r, s.c(f64(hi)));
        return r;
      })
      .Default([](Operation *) { return Value(); });
}

Value integerMod(Scalar &s, Value x, Value y) {
  if (s.isUnsigned)
    return s.rem(x, y);
  // Python-style modulo: the result takes the sign of the divisor.
  Value r = arith::RemSIOp::create(s.b, s.loc, x, y);
  Value zero = s.c(0);
  Value rNonZero = arith::CmpIOp::create(s.b, s.loc, arith::CmpIPredicate::ne,
                                         r, zero);
  Value signsDiffer = arith::XOrIOp::create(s.b, s.loc, s.lt(r, zero),
                                            s.lt(y, zero));
  Value adjust = arith::AndIOp::create(s.b, s.loc, rNonZero, signsDiffer);
  return s.select(adjust, s.add(r, y), r);
}

/// x ** y; `yUnsigned` says how an integer exponent is read.
Value emitPow(Scalar &s, Value x, Value y, bool yUnsigned) {
  if (s.isFloat())
    return math::PowFOp::create(s.b, s.loc, x,
                                castScalar(s.b, s.loc, y, s.type, yUnsigned));
  if (isa<FloatType>(y.getType())) {
    Value xf = castScalar(s.b, s.loc, x, y.getType(), s.isUnsigned);
    return castScalar(s.b, s.loc, math::PowFOp::create(s.b, s.loc, xf, y),
                      s.type, false, s.isUnsigned);
  }
  return math::IPowIOp::create(
      s.b, s.loc, x, castScalar(s.b, s.loc, y, s.type, yUnsigned, s.isUnsigned));
}

/// x << y or x >> y; LLVM leaves shifts by the bit width or more undefined,
/// ONNX (NumPy) gives 0 for them (and the sign for a signed right shift).
Value emitShift(Scalar &s, Value x, Value y, bool left) {
  Value shifted =
      left ? Value(arith::ShLIOp::create(s.b, s.loc, x, y))
      : s.isUnsigned ? Value(arith::ShRUIOp::create(s.b, s.loc, x, y))
                     : Value(arith::ShRSIOp::create(s.b, s.loc, x, y));
  unsigned width = s.type.getIntOrFloatBitWidth();
  Value tooFar = arith::CmpIOp::create(s.b, s.loc, arith::CmpIPredicate::uge, y,
                                       s.c(width));
  Value overflow = left || s.isUnsigned
                       ? s.c(0)
                       : arith::ShRSIOp::create(s.b, s.loc, x, s.c(width - 1));
  return s.select(tooFar, overflow, shifted);
}

/// The scalar formula of a binary op; null if `op` is not one. `s` is
/// typed by the lhs element type.
Value emitBinary(Operation *op, Scalar &s, Value x, Value y) {
  bool yUnsigned = hasUnsignedOperand(op, 1);
  using FP = arith::CmpFPredicate;
  using IP = arith::CmpIPredicate;
  OpBuilder &b = s.b;
  Location loc = s.loc;
  return llvm::TypeSwitch<Operation *, Value>(op)
      .Case([&](AddOp) { return s.add(x, y); })
      .Case([&](SubOp) { return s.sub(x, y); })
      .Case([&](MulOp) { return s.mul(x, y); })
      .Case([&](DivOp) { return s.div(x, y); })
      .Case([&](PowOp) { return emitPow(s, x, y, yUnsigned); })
      .Case([&](MaxOp) { return s.max(x, y); })
      .Case([&](MinOp) { return s.min(x, y); })
      .Case([&](ModOp) {
        return s.isFloat() ? Value(arith::RemFOp::create(b, loc, x, y))
                           : integerMod(s, x, y);
      })
      .Case([&](FModOp) { return s.rem(x, y); })
      .Case([&](ShiftLeftOp) { return emitShift(s, x, y, /*left=*/true); })
      .Case([&](ShiftRightOp) { return emitShift(s, x, y, /*left=*/false); })
      .Case([&](PReluOp) {
        return s.select(s.lt(x, s.c(0)), s.mul(x, y), x);
      })
      .Case([&](AndOp) { return arith::AndIOp::create(b, loc, x, y); })
      .Case([&](OrOp) { return arith::OrIOp::create(b, loc, x, y); })
      .Case([&](XorOp) { return arith::XOrIOp::create(b, loc, x, y); })
      .Case([&](EqualOp) { return s.cmp(FP::OEQ, IP::eq, x, y); })
      .Case([&](LessOp) { return s.cmp(FP::OLT, IP::slt, x, y); })
      .Case([&](LessEqualOp) { return s.cmp(FP::OLE, IP::sle, x, y); })
      .Case([&](GreaterOp) { return s.cmp(FP::OGT, IP::sgt, x, y); })
      .Case([&](GreaterEqualOp) { return s.cmp(FP::OGE, IP::sge, x, y); })
      .Default([](Operation *) { return Value(); });
}

bool isUnary(Operation *op) {
  return op->getNumOperands() == 1 &&
         op->hasTrait<OpTrait::SameOperandsAndResultType>() &&
         !isa<SoftmaxOp, LogSoftmaxOp>(op);
}

/// Lowers any unary, binary, where or cast nn op.
struct ElementwiseLowering : ConversionPattern {
  ElementwiseLowering(MLIRContext *ctx)
      : ConversionPattern(MatchAnyOpTypeTag(), /*benefit=*/1, ctx) {}

  LogicalResult
  matchAndRewrite(Operation *op, ArrayRef<Value> operands,
                  ConversionPatternRewriter &rewriter) const override {
    if (!isa<NNDialect>(op->getDialect()))
      return failure();
    bool unary = isUnary(op);
    bool binary = op->hasTrait<OpTrait::NOperands<2>::Impl>() &&
                  isa<AddOp, SubOp, MulOp, DivOp, PowOp, MaxOp, MinOp, ModOp,
                      FModOp, ShiftLeftOp, ShiftRightOp, PReluOp, AndOp, OrOp, XorOp, EqualOp, LessOp,
                      LessEqualOp, GreaterOp, GreaterEqualOp>(op);
    if (!unary && !binary && !isa<WhereOp, CastOp>(op))
      return rewriter.notifyMatchFailure(op, "not elementwise");
    auto resultType = cast<RankedTensorType>(op->getResult(0).getType());
    Type operandElement =
        cast<RankedTensorType>(operands[isa<WhereOp>(op) ? 1 : 0].getType())
            .getElementType();
    Type resultElement = resultType.getElementType();
    bool failedToEmit = false;
    Value result = buildElementwise(
        rewriter, op->getLoc(), resultType, operands,
        [&](OpBuilder &b, Location loc, ValueRange args) -> Value {
          unsigned typed = isa<WhereOp>(op) ? 1 : 0;
          Scalar s(b, loc, operandElement, hasUnsignedOperand(op, typed));
          Value v;
          if (isa<WhereOp>(op))
            v = s.select(args[0], args[1], args[2]);
          else if (isa<CastOp>(op))
            v = castScalar(b, loc, args[0], resultElement,
                           hasUnsignedOperand(op, 0), hasUnsignedResult(op, 0));
          else if (unary)
            v = emitUnary(op, s, args[0]);
          else
            v = emitBinary(op, s, args[0], args[1]);
          if (!v) {
            failedToEmit = true;
            v = args[0];
          }
          return v;
        });
    if (failedToEmit)
      return op->emitError("no scalar lowering for this op");
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// Batch normalization as one elementwise kernel with per-channel operands.
struct BatchNormLowering : OpConversionPattern<BatchNormOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(BatchNormOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type = op.getType();
    MLIRContext *ctx = rewriter.getContext();
    int64_t rank = type.getRank();
    AffineMap identity = rewriter.getMultiDimIdentityMap(rank);
    AffineMap channel = AffineMap::get(rank, 0, getAffineDimExpr(1, ctx));
    double epsilon = op.getEpsilon().convertToDouble();
    Value result = buildParallelGeneric(
        rewriter, op.getLoc(), type, adaptor.getOperands(),
        {identity, channel, channel, channel, channel},
        [&](OpBuilder &b, Location l, ValueRange a) {
          Scalar s(b, l, type.getElementType());
          Value stddev =
              math::SqrtOp::create(b, l, s.add(a[4], s.c(epsilon)));
          Value normalized = s.div(s.sub(a[0], a[3]), stddev);
          return s.add(s.mul(normalized, a[1]), a[2]);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

} // namespace

void anvil::nn::populateElementwisePatterns(RewritePatternSet &patterns) {
  patterns.add<ElementwiseLowering, BatchNormLowering>(patterns.getContext());
}
