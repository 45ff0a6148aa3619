//===- Decompositions.cpp - Composite model ops as nn ops -----------------===//

#include "anvil/Import/Decompositions.h"

#include "anvil/Dialect/NN/IR/NNOps.h"

#include "llvm/Support/raw_ostream.h"

#include <cmath>

using namespace mlir;
using namespace anvil;

static RankedTensorType typeOf(Value v) {
  return cast<RankedTensorType>(v.getType());
}

Value NNBuilder::scalar(double value, Type element) {
  if (failed())
    return nullptr;
  // An attribute from the model (LRN's bias, a clip bound) on an integer
  // tensor must fit its type; a float outside int64 has no conversion.
  if (!isa<FloatType>(element) && !element.isInteger(1) &&
      !(std::isfinite(value) && value >= -0x1p63 && value < 0x1p63)) {
    std::string type;
    llvm::raw_string_ostream os(type);
    os << element;
    error.reason = "the constant " + std::to_string(value) +
                   " does not fit the operand's type " + type;
    return nullptr;
  }
  auto type = RankedTensorType::get({}, element);
  Attribute attr = isa<FloatType>(element)
                       ? Attribute(b.getFloatAttr(element, value))
                   : element.isInteger(1)
                       ? Attribute(b.getBoolAttr(value != 0))
                       : Attribute(b.getIntegerAttr(element, int64_t(value)));
  return buildConstant(b, loc, DenseElementsAttr::get(type, attr));
}

Value NNBuilder::reshape(Value v, ArrayRef<int64_t> shape) {
  if (v && typeOf(v).getShape() == shape)
    return v;
  return create<nn::ReshapeOp>(
      v, {b.getNamedAttr("shape", b.getDenseI64ArrayAttr(shape))});
}

Value NNBuilder::slice(Value v, int64_t dim, int64_t start, int64_t size) {
  if (!v)
    return create<nn::SliceOp>(v);
  auto shape = typeOf(v).getShape();
  if (failed())
    return nullptr;
  // Decompositions slice operands whose ranks come from the model; a rank
  // that does not fit is the model's error, reported like any other.
  if (dim < 0 || dim >= int64_t(shape.size())) {
    error.reason = "an operand of rank " + std::to_string(shape.size()) +
                   " has no dimension " + std::to_string(dim) + " to slice";
    return nullptr;
  }
  SmallVector<int64_t> starts(shape.size(), 0), sizes(shape),
      steps(shape.size(), 1);
  starts[dim] = start;
  sizes[dim] = size;
  return create<nn::SliceOp>(
      v, {b.getNamedAttr("starts", b.getDenseI64ArrayAttr(starts)),
          b.getNamedAttr("sizes", b.getDenseI64ArrayAttr(sizes)),
          b.getNamedAttr("steps", b.getDenseI64ArrayAttr(steps))});
}

Value NNBuilder::concat(ValueRange parts, int64_t axis) {
  if (parts.size() == 1)
    return parts.front();
  return create<nn::ConcatOp>(
      parts, {b.getNamedAttr("axis", b.getI64IntegerAttr(axis))});
}

Value NNBuilder::reverse(Value v, int64_t dim) {
  if (failed())
    return nullptr;
  auto type = typeOf(v);
  SmallVector<int64_t> starts(type.getRank(), 0), steps(type.getRank(), 1);
  starts[dim] = type.getDimSize(dim) - 1;
  steps[dim] = -1;
  return create<nn::SliceOp>(
      {v}, {b.getNamedAttr("starts", b.getDenseI64ArrayAttr(starts)),
            b.getNamedAttr("sizes", b.getDenseI64ArrayAttr(type.getShape())),
            b.getNamedAttr("steps", b.getDenseI64ArrayAttr(steps))});
}

Value NNBuilder::linear(Value x, Value w, Value bias) {
  SmallVector<Value> operands{x, w};
  if (bias)
    operands.push_back(bias);
  return create<nn::GemmOp>(operands,
                            {b.getNamedAttr("trans_b", b.getBoolAttr(true))});
}

Value NNBuilder::reduce(Value v, int kind, ArrayRef<int64_t> axes,
                        bool keepdims) {
  SmallVector<int64_t> sorted(axes);
  llvm::sort(sorted);
  return create<nn::ReduceOp>(
      v, {b.getNamedAttr("kind", nn::ReduceKindAttr::get(b.getContext(),
                                                         nn::ReduceKind(kind))),
          b.getNamedAttr("axes", b.getDenseI64ArrayAttr(sorted)),
          b.getNamedAttr("keepdims", b.getBoolAttr(keepdims))});
}

Value NNBuilder::cast(Value v, Type element) {
  if (v && typeOf(v).getElementType() == element)
    return v;
  return create<nn::CastOp>(v, {b.getNamedAttr("to", TypeAttr::get(element))});
}

Value NNBuilder::transpose(Value v, ArrayRef<int64_t> perm) {
  return create<nn::TransposeOp>(
      v, {b.getNamedAttr("perm", b.getDenseI64ArrayAttr(perm))});
}

Value NNBuilder::iota(int64_t count, Type element, ArrayRef<int64_t> shape) {
  SmallVector<Attribute> values;
  for (int64_t i = 0; i < count; ++i)
    values.push_back(isa<FloatType>(element)
                         ? Attribute(b.getFloatAttr(element, double(i)))
                         : Attribute(b.getIntegerAttr(element, i)));
  SmallVector<int64_t> dims(shape);
  if (dims.empty())
    dims.push_back(count);
  return constant(
      DenseElementsAttr::get(RankedTensorType::get(dims, element), values));
}

Value NNBuilder::constant(DenseElementsAttr value) {
  if (failed())
    return nullptr;
  return buildConstant(b, loc, value);
}

LayerNorm anvil::buildLayerNorm(NNBuilder &nb, Value x, Value scale, Value bias,
                                int64_t firstAxis, double epsilon) {
  if (nb.failed() || !x)
    return LayerNorm();
  auto type = typeOf(x);
  SmallVector<int64_t> axes;
  for (int64_t d = firstAxis; d < type.getRank(); ++d)
    axes.push_back(d);
  auto mean = [&](Value v) {
    OpBuilder &b = nb.b;
    return nb.create<nn::ReduceOp>(
        v, {b.getNamedAttr("kind", nn::ReduceKindAttr::get(
                                       b.getContext(), nn::ReduceKind::Mean)),
            b.getNamedAttr("axes", b.getDenseI64ArrayAttr(axes)),
            b.getNamedAttr("keepdims", b.getBoolAttr(true))});
  };
  LayerNorm result;
  result.mean = mean(x);
  Value centered = nb.create<nn::SubOp>({x, result.mean});
  Value variance = mean(nb.create<nn::MulOp>({centered, centered}));
  Value shifted = nb.create<nn::AddOp>(
      {variance, nb.scalar(epsilon, type.getElementType())});
  Value stdDev = nb.create<nn::SqrtOp>(shifted);
  result.invStdDev = nb.create<nn::ReciprocalOp>(stdDev);
  // Dividing by the standard deviation rounds as the frameworks do.
  result.y = nb.create<nn::DivOp>({centered, stdDev});
  if (scale)
    result.y = nb.create<nn::MulOp>({result.y, scale});
  if (bias)
    result.y = nb.create<nn::AddOp>({result.y, bias});
  return nb.failed() ? LayerNorm() : result;
}

std::optional<LstmResult> anvil::buildLstm(NNBuilder &nb, Value x,
                                           const LstmWeights &w, Value h0,
                                           Value c0, bool reverse,
                                           bool rolled) {
  // After the builder's first failure every value is null.
  if (nb.failed() || !x || !w.inputWeights || !w.recurrentWeights)
    return std::nullopt;
  auto shape = typeOf(x).getShape();
  int64_t steps = shape[0], batch = shape[1];
  int64_t hidden = typeOf(w.recurrentWeights).getDimSize(1);
  // The input projection of every step at once: one [T*B, 4H] product.
  Value projected =
      nb.reshape(nb.linear(nb.reshape(x, {steps * batch, shape[2]}),
                           w.inputWeights, w.bias),
                 {steps, batch, 4 * hidden});
  auto cell = [&](NNBuilder &nb, Value step, ValueRange hc) {
    Value gates =
        nb.create<nn::AddOp>({step, nb.linear(hc[0], w.recurrentWeights)});
    auto gate = [&](int which) {
      return nb.slice(gates, 1, w.gateBlocks[which] * hidden, hidden);
    };
    Value i = nb.create<nn::SigmoidOp>(gate(0));
    Value f = nb.create<nn::SigmoidOp>(gate(1));
    Value g = nb.create<nn::TanhOp>(gate(2));
    Value o = nb.create<nn::SigmoidOp>(gate(3));
    Value c = nb.create<nn::AddOp>(
        {nb.create<nn::MulOp>({f, hc[1]}), nb.create<nn::MulOp>({i, g})});
    Value h = nb.create<nn::MulOp>({o, nb.create<nn::TanhOp>(c)});
    return SmallVector<Value>{h, c};
  };
  auto run = buildRecurrence(nb, projected, {h0, c0}, reverse, rolled, cell);
  if (!run)
    return std::nullopt;
  return LstmResult{run->all, run->last[0], run->last[1]};
}

/// buildRecurrence's unrolled form: the step copied per row, each row a
/// slice, the first states concatenated.
static std::optional<Recurrence>
unrolledRecurrence(NNBuilder &nb, Value projected, ValueRange initial,
                   bool reverse, RecurrenceStep step) {
  auto shape = typeOf(projected).getShape();
  int64_t steps = shape[0];
  SmallVector<Value> states(initial), firsts(steps);
  for (int64_t k = 0; k < steps && !nb.failed(); ++k) {
    int64_t t = reverse ? steps - 1 - k : k;
    Value row = nb.reshape(nb.slice(projected, 0, t, 1), shape.drop_front());
    states = step(nb, row, states);
    SmallVector<int64_t> stacked = {1};
    llvm::append_range(stacked, typeOf(states[0]).getShape());
    firsts[t] = nb.reshape(states[0], stacked);
  }
  Value all = nb.failed() ? nullptr : nb.concat(firsts, 0);
  if (!all)
    return std::nullopt;
  return Recurrence{all, states};
}

/// Why `yielded` cannot be the yields of a loop over `inits` with scan
/// rows `rows`; empty when it can.
static std::string misfit(ValueRange yielded, ValueRange inits,
                          std::optional<int64_t> rows) {
  size_t carried = inits.size();
  if (yielded.size() < 1 + carried)
    return "the body yields fewer values than the loop carries";
  auto condition = cast<RankedTensorType>(yielded[0].getType());
  if (!condition.getElementType().isInteger(1) || !condition.hasStaticShape() ||
      condition.getNumElements() != 1)
    return "the body's condition is not a one-element bool";
  for (size_t i = 0; i < carried; ++i)
    if (yielded[1 + i].getType() != inits[i].getType())
      return "loop-carried value " + std::to_string(i) +
             " changes type in the body";
  for (Value scan : yielded.drop_front(1 + carried))
    if (!cast<RankedTensorType>(scan.getType()).hasStaticShape())
      return "a scan output of dynamic shape";
  if (yielded.size() > 1 + carried && !rows)
    return "scan outputs whose row count is not known";
  return "";
}

FailureOr<nn::LoopOp> anvil::buildLoop(OpBuilder &b, Location loc,
                                       Value tripCount, Value condition,
                                       ValueRange inits,
                                       std::optional<int64_t> rows,
                                       LoopBodyBuilder body, std::string &why) {
  auto region = std::make_unique<Region>();
  Block *block = new Block();
  region->push_back(block);
  block->addArgument(RankedTensorType::get({}, b.getI64Type()), loc);
  block->addArgument(RankedTensorType::get({}, b.getI1Type()), loc);
  for (Value init : inits)
    block->addArgument(init.getType(), loc);
  SmallVector<Value> yielded;
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToEnd(block);
    FailureOr<SmallVector<Value>> built = body(*block);
    if (failed(built))
      return failure();
    yielded = std::move(*built);
    why = misfit(yielded, inits, rows);
    if (!why.empty())
      return failure();
    nn::YieldOp::create(b, loc, yielded);
  }
  SmallVector<Type> types(ValueRange(inits).getTypes());
  for (Value scan : ArrayRef(yielded).drop_front(1 + inits.size())) {
    auto type = cast<RankedTensorType>(scan.getType());
    SmallVector<int64_t> shape = {*rows};
    llvm::append_range(shape, type.getShape());
    types.push_back(RankedTensorType::get(shape, type.getElementType()));
  }
  OperationState state(loc, nn::LoopOp::getOperationName());
  state.addOperands({tripCount, condition});
  state.addOperands(inits);
  state.addTypes(types);
  state.addRegion(std::move(region));
  return cast<nn::LoopOp>(b.create(state));
}

/// buildRecurrence's rolled form: one nn.loop over the rows, each taken by
/// a gather on the iteration number; its scan output collects the first
/// state, reversed afterwards when the rows ran last first.
static std::optional<Recurrence>
rolledRecurrence(NNBuilder &nb, Value projected, ValueRange initial,
                 bool reverse, RecurrenceStep step) {
  OpBuilder &b = nb.b;
  int64_t steps = typeOf(projected).getDimSize(0);
  Type i64 = b.getI64Type();
  Value count = nb.constant(
      DenseElementsAttr::get(RankedTensorType::get({}, i64), steps));
  Value always = nb.constant(
      DenseElementsAttr::get(RankedTensorType::get({}, b.getI1Type()), true));
  std::string why;
  auto loop = buildLoop(
      b, nb.loc, count, always, initial, steps,
      [&](Block &body) -> FailureOr<SmallVector<Value>> {
        Value t = body.getArgument(0);
        if (reverse)
          t = nb.create<nn::SubOp>({nb.scalar(steps - 1, i64), t});
        Value row = nb.create<nn::GatherOp>(
            {projected, t}, {b.getNamedAttr("axis", b.getI64IntegerAttr(0))});
        SmallVector<Value> next =
            step(nb, row, body.getArguments().drop_front(2));
        if (nb.failed())
          return failure();
        SmallVector<Value> yielded = {body.getArgument(1)};
        llvm::append_range(yielded, next);
        yielded.push_back(next[0]);
        return yielded;
      },
      why);
  if (failed(loop))
    return std::nullopt;
  Value all = loop->getResults().back();
  if (reverse)
    all = nb.reverse(all, 0);
  if (nb.failed())
    return std::nullopt;
  return Recurrence{all, SmallVector<Value>(loop->getResults().drop_back())};
}

std::optional<Recurrence> anvil::buildRecurrence(NNBuilder &nb, Value projected,
                                                 ValueRange initial,
                                                 bool reverse, bool rolled,
                                                 RecurrenceStep step) {
  if (nb.failed() || !projected || llvm::is_contained(initial, Value()))
    return std::nullopt;
  return rolled ? rolledRecurrence(nb, projected, initial, reverse, step)
                : unrolledRecurrence(nb, projected, initial, reverse, step);
}
