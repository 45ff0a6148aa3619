//===- NNFolds.cpp - Constant folding of nn ops ---------------------------===//
//
// Folds evaluate ops on small constants, which is what shape computations
// in exported graphs are made of (Shape -> Gather -> Concat -> Reshape).
// Weights never fold: they are resource attributes, and every folder here
// requires a DenseElementsAttr of at most kMaxFoldedElements elements, so
// folding never copies a large tensor into the IR.
//
//===----------------------------------------------------------------------===//

#include "anvil/Dialect/NN/IR/NNOps.h"

#include "mlir/Dialect/CommonFolders.h"
#include "mlir/IR/BuiltinAttributes.h"

using namespace mlir;
using namespace anvil::nn;

static constexpr int64_t kMaxFoldedElements = 4096;

/// The operand as a small dense constant, or null.
static DenseElementsAttr smallDense(Attribute attr) {
  auto dense = dyn_cast_or_null<DenseElementsAttr>(attr);
  return dense && dense.getNumElements() <= kMaxFoldedElements ? dense
                                                               : nullptr;
}

/// `value` broadcast (numpy rules) to `type`, which has its element type;
/// null when the shapes do not broadcast that way.
static DenseElementsAttr broadcastTo(DenseElementsAttr value, Type type) {
  auto target = dyn_cast<RankedTensorType>(type);
  if (!target || value.getType() == target)
    return value;
  if (value.isSplat())
    return value.resizeSplat(target);
  ArrayRef<int64_t> from = value.getType().getShape(), to = target.getShape();
  if (from.size() > to.size())
    return nullptr;
  int64_t lead = to.size() - from.size();
  for (auto [i, d] : llvm::enumerate(from))
    if (d != 1 && d != to[lead + i])
      return nullptr;
  auto elements = llvm::to_vector(value.getValues<Attribute>());
  SmallVector<Attribute> out;
  out.reserve(target.getNumElements());
  for (int64_t flat = 0, e = target.getNumElements(); flat < e; ++flat) {
    int64_t rest = flat, source = 0, stride = 1;
    for (int64_t i = to.size() - 1; i >= lead; --i) {
      int64_t coord = rest % to[i];
      rest /= to[i];
      int64_t d = from[i - lead];
      source += (d == 1 ? 0 : coord) * stride;
      stride *= d;
    }
    out.push_back(elements[source]);
  }
  return DenseElementsAttr::get(target, out);
}

/// Folds a comparison of two constants already broadcast to one shape.
static OpFoldResult foldPredicate(Operation *op, DenseElementsAttr l,
                                  DenseElementsAttr r, ShapedType resultType) {
  bool isFloat = isa<FloatType>(l.getElementType());
  SmallVector<bool> out;
  auto compare = [&](int cmp) -> std::optional<bool> {
    if (isa<EqualOp>(op))
      return cmp == 0;
    if (isa<LessOp>(op))
      return cmp < 0;
    if (isa<LessEqualOp>(op))
      return cmp <= 0;
    if (isa<GreaterOp>(op))
      return cmp > 0;
    if (isa<GreaterEqualOp>(op))
      return cmp >= 0;
    return std::nullopt;
  };
  if (isFloat) {
    for (auto [a, b] :
         llvm::zip(l.getValues<APFloat>(), r.getValues<APFloat>())) {
      APFloat::cmpResult c = a.compare(b);
      if (c == APFloat::cmpUnordered)
        return {};
      auto v = compare(c == APFloat::cmpLessThan ? -1
                       : c == APFloat::cmpEqual  ? 0
                                                 : 1);
      if (!v)
        return {};
      out.push_back(*v);
    }
  } else {
    bool isUnsigned = l.getElementType().isInteger(1) ||
                      l.getElementType().isUnsignedInteger();
    for (auto [a, b] : llvm::zip(l.getValues<APInt>(), r.getValues<APInt>())) {
      int c = isUnsigned ? (a.ugt(b)   ? 1
                            : a.ult(b) ? -1
                                       : 0)
                         : (a.sgt(b)   ? 1
                            : a.slt(b) ? -1
                                       : 0);
      auto v = compare(c);
      if (!v)
        return {};
      out.push_back(*v);
    }
  }
  return DenseElementsAttr::get(resultType, ArrayRef<bool>(out));
}

OpFoldResult anvil::nn::foldBinary(Operation *op, Attribute lhs,
                                   Attribute rhs) {
  DenseElementsAttr l = smallDense(lhs), r = smallDense(rhs);
  auto resultType = cast<ShapedType>(op->getResult(0).getType());
  if (!l || !r || l.getElementType() != r.getElementType() ||
      resultType.getNumElements() > kMaxFoldedElements)
    return {};
  if (resultType.getElementType().isInteger(1) &&
      !l.getElementType().isInteger(1)) {
    auto operandType = resultType.clone(l.getElementType());
    l = broadcastTo(l, operandType);
    r = broadcastTo(r, operandType);
    return l && r ? foldPredicate(op, l, r, resultType) : OpFoldResult();
  }
  l = broadcastTo(l, resultType);
  r = broadcastTo(r, resultType);
  if (!l || !r || l.getType() != resultType)
    return {};
  Attribute operands[] = {l, r};
  if (isa<FloatType>(l.getElementType())) {
    auto apply = [&](auto fn) {
      // nn has no poison values: `void` opts out of poison semantics.
      return constFoldBinaryOp<FloatAttr, FloatAttr::ValueType, void>(operands,
                                                                      fn);
    };
    if (isa<AddOp>(op))
      return apply([](APFloat a, const APFloat &b) { return a + b; });
    if (isa<SubOp>(op))
      return apply([](APFloat a, const APFloat &b) { return a - b; });
    if (isa<MulOp>(op))
      return apply([](APFloat a, const APFloat &b) { return a * b; });
    if (isa<DivOp>(op))
      return apply([](APFloat a, const APFloat &b) { return a / b; });
    return {};
  }
  auto apply = [&](auto fn) {
    return constFoldBinaryOp<IntegerAttr, IntegerAttr::ValueType, void>(
        operands, fn);
  };
  if (l.getElementType().isInteger(1))
    return {};
  if (isa<AddOp>(op))
    return apply([](const APInt &a, const APInt &b) { return a + b; });
  if (isa<SubOp>(op))
    return apply([](const APInt &a, const APInt &b) { return a - b; });
  if (isa<MulOp>(op))
    return apply([](const APInt &a, const APInt &b) { return a * b; });
  // Division by zero is the model's problem at run time, not a fold.
  if (isa<DivOp>(op) && llvm::none_of(r.getValues<APInt>(), [](const APInt &v) {
        return v.isZero();
      }))
    return l.getElementType().isUnsignedInteger()
               ? apply([](const APInt &a, const APInt &b) { return a.udiv(b); })
               : apply(
                     [](const APInt &a, const APInt &b) { return a.sdiv(b); });
  return {};
}

OpFoldResult NegOp::fold(FoldAdaptor adaptor) {
  DenseElementsAttr value = smallDense(adaptor.getInput());
  if (!value || value.getElementType().isInteger(1))
    return {};
  if (isa<FloatType>(value.getElementType()))
    return value.mapValues(value.getElementType(), [](const APFloat &v) {
      return (-v).bitcastToAPInt();
    });
  return value.mapValues(value.getElementType(),
                         [](const APInt &v) { return -v; });
}

/// Folds a unary op on a small constant; `floatFn` and `intFn` compute one
/// element (a null intFn leaves integers unfolded).
template <typename FloatFn, typename IntFn>
static OpFoldResult foldUnary(Attribute input, FloatFn floatFn, IntFn intFn) {
  DenseElementsAttr value = smallDense(input);
  if (!value || value.getElementType().isInteger(1))
    return {};
  Type element = value.getElementType();
  if (isa<FloatType>(element))
    return value.mapValues(
        element, [&](const APFloat &v) { return floatFn(v).bitcastToAPInt(); });
  return value.mapValues(element, intFn);
}

static APInt intIdentity(const APInt &v) { return v; }

OpFoldResult AbsOp::fold(FoldAdaptor adaptor) {
  if (getType().getElementType().isUnsignedInteger())
    return getInput();
  return foldUnary(
      adaptor.getInput(), [](APFloat v) { return abs(v); },
      [](const APInt &v) { return v.abs(); });
}

OpFoldResult ReluOp::fold(FoldAdaptor adaptor) {
  if (getType().getElementType().isUnsignedInteger())
    return getInput();
  return foldUnary(
      adaptor.getInput(),
      [](APFloat v) {
        return v.isNegative() ? APFloat::getZero(v.getSemantics()) : v;
      },
      [](const APInt &v) {
        return v.isNegative() ? APInt(v.getBitWidth(), 0) : v;
      });
}

OpFoldResult FloorOp::fold(FoldAdaptor adaptor) {
  return foldUnary(
      adaptor.getInput(),
      [](APFloat v) {
        v.roundToIntegral(APFloat::rmTowardNegative);
        return v;
      },
      intIdentity);
}

OpFoldResult CeilOp::fold(FoldAdaptor adaptor) {
  return foldUnary(
      adaptor.getInput(),
      [](APFloat v) {
        v.roundToIntegral(APFloat::rmTowardPositive);
        return v;
      },
      intIdentity);
}

OpFoldResult CastOp::fold(FoldAdaptor adaptor) {
  DenseElementsAttr input = smallDense(adaptor.getInput());
  if (!input)
    return {};
  Type from = input.getElementType(), to = getType().getElementType();
  SmallVector<Attribute> values;
  for (Attribute a : input.getValues<Attribute>()) {
    double asDouble;
    bool isFloat = isa<FloatAttr>(a);
    bool fromUnsigned = from.isInteger(1) || from.isUnsignedInteger();
    if (isFloat)
      asDouble = cast<FloatAttr>(a).getValueAsDouble();
    else
      asDouble = fromUnsigned
                     ? static_cast<double>(
                           cast<IntegerAttr>(a).getValue().getZExtValue())
                     : cast<IntegerAttr>(a).getValue().getSExtValue();
    // Integers wider than a double's mantissa only fold integer to integer.
    if (!isFloat && !isa<FloatType>(to)) {
      APInt v = cast<IntegerAttr>(a).getValue();
      unsigned width = to.getIntOrFloatBitWidth();
      values.push_back(
          IntegerAttr::get(to, to.isInteger(1) ? APInt(1, !v.isZero())
                               : fromUnsigned  ? v.zextOrTrunc(width)
                                               : v.sextOrTrunc(width)));
    } else if (isa<FloatType>(to)) {
      values.push_back(FloatAttr::get(to, asDouble));
    } else if (to.isInteger(1)) {
      values.push_back(IntegerAttr::get(to, asDouble != 0));
    } else {
      // Out-of-range conversions are undefined: leave them to run time.
      if (!std::isfinite(asDouble) || (to.isUnsignedInteger() && asDouble < 0))
        return {};
      values.push_back(
          to.isUnsignedInteger()
              ? IntegerAttr::get(to, APInt(to.getIntOrFloatBitWidth(),
                                           static_cast<uint64_t>(asDouble)))
              : IntegerAttr::get(to, static_cast<int64_t>(asDouble)));
    }
  }
  return DenseElementsAttr::get(getType(), values);
}

OpFoldResult ConcatOp::fold(FoldAdaptor adaptor) {
  // Along the outermost axis, row-major data is simply appended.
  if (getAxis() != 0)
    return {};
  SmallVector<Attribute> values;
  for (Attribute operand : adaptor.getInputs()) {
    DenseElementsAttr dense = smallDense(operand);
    if (!dense)
      return {};
    llvm::append_range(values, dense.getValues<Attribute>());
  }
  if (static_cast<int64_t>(values.size()) != getType().getNumElements())
    return {};
  return DenseElementsAttr::get(getType(), values);
}

/// Row-major strides of `shape`.
static SmallVector<int64_t> stridesOf(ArrayRef<int64_t> shape) {
  SmallVector<int64_t> strides(shape.size(), 1);
  for (int64_t d = static_cast<int64_t>(shape.size()) - 2; d >= 0; --d)
    strides[d] = strides[d + 1] * shape[d + 1];
  return strides;
}

/// The operand of `concat` that a slice with `starts`, `sizes` and
/// `steps` takes exactly, or null.
static Value concatPartTaken(ConcatOp concat, ArrayRef<int64_t> starts,
                             ArrayRef<int64_t> sizes, ArrayRef<int64_t> steps) {
  auto whole = dyn_cast<RankedTensorType>(concat.getType());
  int64_t axis = concat.getAxis();
  if (!whole || !whole.hasStaticShape() || axis < 0 ||
      axis >= whole.getRank() ||
      static_cast<int64_t>(starts.size()) != whole.getRank())
    return {};
  for (int64_t d = 0; d < whole.getRank(); ++d)
    if (steps[d] != 1 ||
        (d != axis && (starts[d] != 0 || sizes[d] != whole.getDimSize(d))))
      return {};
  int64_t offset = 0;
  for (Value part : concat.getInputs()) {
    int64_t extent = cast<ShapedType>(part.getType()).getDimSize(axis);
    if (offset == starts[axis] && extent == sizes[axis])
      return part;
    offset += extent;
  }
  return {};
}

OpFoldResult SliceOp::fold(FoldAdaptor adaptor) {
  // A slice that takes all of its input is its input.
  if (getInput().getType() == getType() &&
      llvm::all_of(getStarts(), [](int64_t s) { return s == 0; }) &&
      llvm::all_of(getSteps(), [](int64_t s) { return s == 1; }))
    return getInput();
  // A slice that takes one part of a concatenation is that part.
  if (auto concat = getInput().getDefiningOp<ConcatOp>())
    if (Value part =
            concatPartTaken(concat, getStarts(), getSizes(), getSteps()))
      if (part.getType() == getType())
        return part;
  DenseElementsAttr input = smallDense(adaptor.getInput());
  if (!input)
    return {};
  auto inStrides = stridesOf(input.getType().getShape());
  auto outShape = getType().getShape();
  auto outStrides = stridesOf(outShape);
  auto all = llvm::to_vector(input.getValues<Attribute>());
  SmallVector<Attribute> values;
  for (int64_t i = 0, e = getType().getNumElements(); i < e; ++i) {
    int64_t source = 0;
    for (size_t d = 0; d < outShape.size(); ++d) {
      int64_t at = (i / outStrides[d]) % outShape[d];
      source += (getStarts()[d] + at * getSteps()[d]) * inStrides[d];
    }
    values.push_back(all[source]);
  }
  return DenseElementsAttr::get(getType(), values);
}

OpFoldResult GatherOp::fold(FoldAdaptor adaptor) {
  DenseElementsAttr input = smallDense(adaptor.getInput());
  DenseElementsAttr indices = smallDense(adaptor.getIndices());
  if (!input || !indices)
    return {};
  // Outer dims x gathered index x inner dims, with indices flattened.
  auto shape = input.getType().getShape();
  int64_t axis = getAxis(), size = shape[axis];
  int64_t outer = ShapedType::getNumElements(shape.take_front(axis));
  int64_t inner = ShapedType::getNumElements(shape.drop_front(axis + 1));
  auto all = llvm::to_vector(input.getValues<Attribute>());
  SmallVector<Attribute> values;
  for (int64_t o = 0; o < outer; ++o)
    for (const APInt &index : indices.getValues<APInt>()) {
      int64_t k = index.getSExtValue();
      if (k < 0)
        k += size;
      if (k < 0 || k >= size)
        return {};
      for (int64_t in = 0; in < inner; ++in)
        values.push_back(all[(o * size + k) * inner + in]);
    }
  return DenseElementsAttr::get(getType(), values);
}
