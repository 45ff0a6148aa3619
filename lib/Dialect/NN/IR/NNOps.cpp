//===- NNOps.cpp - nn op shape inference and verification -----------------===//
//
// Every nn op infers its result type here. The same functions verify parsed
// IR (through InferTypeOpInterface's verifier) and let importers build ops
// without a framework's shape inference.
//
//===----------------------------------------------------------------------===//

#include "anvil/Dialect/NN/IR/NNOps.h"

#include "mlir/Dialect/Traits.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/IR/PatternMatch.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/CheckedArithmetic.h"

#include <cmath>
#include <limits>

using namespace mlir;
using namespace anvil::nn;

namespace {
using Loc = std::optional<Location>;

RankedTensorType rankedType(Value v) {
  return cast<RankedTensorType>(v.getType());
}

LogicalResult inferred(SmallVectorImpl<Type> &out, ArrayRef<int64_t> shape,
                       Type elementType) {
  out.push_back(RankedTensorType::get(shape, elementType));
  return success();
}

/// The output size of one spatial dimension of a convolution or pooling;
/// 0 where it is not positive or the attributes' arithmetic would overflow
/// (computed in 128 bits: every operand is an int64_t attribute or size).
int64_t windowOutputSize(int64_t in, int64_t kernel, int64_t stride,
                         int64_t dilation, int64_t padBegin, int64_t padEnd,
                         bool ceilMode) {
  using Wide = __int128;
  if (stride < 1)
    return 0;
  Wide span = Wide(kernel - 1) * dilation + 1;
  Wide room = Wide(in) + padBegin + padEnd - span;
  Wide out = (ceilMode ? (room + stride - 1) / stride : room / stride) + 1;
  // A window may not start inside the end padding (PyTorch and ONNX agree).
  if (ceilMode && (out - 1) * stride >= Wide(in) + padBegin)
    --out;
  if (out < 1 || out > std::numeric_limits<int64_t>::max())
    return 0;
  return static_cast<int64_t>(out);
}

LogicalResult checkWindowAttrs(Loc loc, size_t spatial,
                               ArrayRef<int64_t> strides,
                               ArrayRef<int64_t> pads,
                               ArrayRef<int64_t> dilations) {
  if (strides.size() != spatial || dilations.size() != spatial ||
      pads.size() != 2 * spatial)
    return emitOptionalError(loc, "expects ", spatial,
                             " strides and dilations and ", 2 * spatial,
                             " pads, got ", strides.size(), ", ",
                             dilations.size(), " and ", pads.size());
  if (llvm::any_of(strides, [](int64_t s) { return s < 1; }) ||
      llvm::any_of(dilations, [](int64_t d) { return d < 1; }))
    return emitOptionalError(loc, "strides and dilations must be positive");
  if (llvm::any_of(pads, [](int64_t p) { return p < 0; }))
    return emitOptionalError(loc, "pads must be non-negative");
  return success();
}
} // namespace

LogicalResult anvil::nn::inferBinaryResult(Loc loc, ValueRange operands,
                                           bool isPredicate, bool isLogical,
                                           SmallVectorImpl<Type> &out) {
  if (operands.size() != 2)
    return emitOptionalError(loc, "expects two operands");
  RankedTensorType lhs = rankedType(operands[0]), rhs = rankedType(operands[1]);
  SmallVector<int64_t> shape;
  if (!OpTrait::util::getBroadcastedShape(lhs.getShape(), rhs.getShape(),
                                          shape))
    return emitOptionalError(loc, "operand shapes ", lhs, " and ", rhs,
                             " do not broadcast");
  if (isLogical && !lhs.getElementType().isInteger(1))
    return emitOptionalError(loc, "expects i1 operands, got ", lhs);
  // Pow and PRelu accept a different exponent/slope type; the others do not.
  if (lhs.getElementType() != rhs.getElementType() && isPredicate)
    return emitOptionalError(loc, "operand element types differ: ", lhs,
                             " and ", rhs);
  Type element = isPredicate ? IntegerType::get(lhs.getContext(), 1)
                             : lhs.getElementType();
  return inferred(out, shape, element);
}

//===----------------------------------------------------------------------===//
// Elementwise
//===----------------------------------------------------------------------===//

LogicalResult WhereOp::inferReturnTypes(MLIRContext *, Loc loc,
                                        ValueRange operands, DictionaryAttr,
                                        OpaqueProperties, RegionRange,
                                        SmallVectorImpl<Type> &out) {
  SmallVector<int64_t> shape, both;
  auto c = rankedType(operands[0]), x = rankedType(operands[1]),
       y = rankedType(operands[2]);
  if (x.getElementType() != y.getElementType())
    return emitOptionalError(loc, "x and y element types differ: ", x, " and ",
                             y);
  if (!OpTrait::util::getBroadcastedShape(x.getShape(), y.getShape(), both) ||
      !OpTrait::util::getBroadcastedShape(c.getShape(), both, shape))
    return emitOptionalError(loc, "operand shapes do not broadcast");
  return inferred(out, shape, x.getElementType());
}

LogicalResult
CastOp::inferReturnTypes(MLIRContext *, Loc loc, ValueRange operands,
                         DictionaryAttr attributes, OpaqueProperties properties,
                         RegionRange regions, SmallVectorImpl<Type> &out) {
  Adaptor adaptor(operands, attributes, properties, regions);
  Type to = adaptor.getTo();
  if (!isa<FloatType, IntegerType>(to))
    return emitOptionalError(loc, "cannot cast to ", to);
  return inferred(out, rankedType(operands[0]).getShape(), to);
}

//===----------------------------------------------------------------------===//
// Linear algebra and convolution
//===----------------------------------------------------------------------===//

LogicalResult MatMulOp::inferReturnTypes(MLIRContext *, Loc loc,
                                         ValueRange operands, DictionaryAttr,
                                         OpaqueProperties, RegionRange,
                                         SmallVectorImpl<Type> &out) {
  auto lhs = rankedType(operands[0]), rhs = rankedType(operands[1]);
  if (lhs.getRank() == 0 || rhs.getRank() == 0)
    return emitOptionalError(loc, "matmul operands must not be scalars");
  if (lhs.getElementType() != rhs.getElementType())
    return emitOptionalError(loc, "operand element types differ");
  ArrayRef<int64_t> a = lhs.getShape(), b = rhs.getShape();
  int64_t k1 = a.back();
  int64_t k2 = b.size() == 1 ? b[0] : b[b.size() - 2];
  if (k1 != k2)
    return emitOptionalError(loc, "contraction sizes differ: ", lhs, " and ",
                             rhs);
  ArrayRef<int64_t> aBatch =
      a.size() > 2 ? a.drop_back(2) : ArrayRef<int64_t>();
  ArrayRef<int64_t> bBatch =
      b.size() > 2 ? b.drop_back(2) : ArrayRef<int64_t>();
  SmallVector<int64_t> shape;
  if (!OpTrait::util::getBroadcastedShape(aBatch, bBatch, shape))
    return emitOptionalError(loc, "batch dimensions do not broadcast");
  if (a.size() >= 2)
    shape.push_back(a[a.size() - 2]);
  if (b.size() >= 2)
    shape.push_back(b.back());
  return inferred(out, shape, lhs.getElementType());
}

LogicalResult
GemmOp::inferReturnTypes(MLIRContext *, Loc loc, ValueRange operands,
                         DictionaryAttr attributes, OpaqueProperties properties,
                         RegionRange regions, SmallVectorImpl<Type> &out) {
  Adaptor adaptor(operands, attributes, properties, regions);
  auto a = rankedType(adaptor.getA()), b = rankedType(adaptor.getB());
  if (a.getRank() != 2 || b.getRank() != 2)
    return emitOptionalError(loc, "gemm operands must be matrices");
  int64_t m = a.getDimSize(adaptor.getTransA() ? 1 : 0);
  int64_t k = a.getDimSize(adaptor.getTransA() ? 0 : 1);
  int64_t kb = b.getDimSize(adaptor.getTransB() ? 1 : 0);
  int64_t n = b.getDimSize(adaptor.getTransB() ? 0 : 1);
  if (k != kb)
    return emitOptionalError(loc, "contraction sizes differ: ", k, " and ", kb);
  if (Value c = adaptor.getC()) {
    SmallVector<int64_t> shape;
    if (!OpTrait::util::getBroadcastedShape(rankedType(c).getShape(), {m, n},
                                            shape) ||
        shape != SmallVector<int64_t>{m, n})
      return emitOptionalError(loc, "c does not broadcast to [", m, ", ", n,
                               "]");
  }
  return inferred(out, {m, n}, a.getElementType());
}

LogicalResult
ConvOp::inferReturnTypes(MLIRContext *, Loc loc, ValueRange operands,
                         DictionaryAttr attributes, OpaqueProperties properties,
                         RegionRange regions, SmallVectorImpl<Type> &out) {
  Adaptor adaptor(operands, attributes, properties, regions);
  auto input = rankedType(adaptor.getInput());
  auto weight = rankedType(adaptor.getWeight());
  if (input.getRank() < 3 || weight.getRank() != input.getRank())
    return emitOptionalError(loc,
                             "expects input and weight of equal rank >= 3");
  size_t spatial = input.getRank() - 2;
  if (failed(checkWindowAttrs(loc, spatial, adaptor.getStrides(),
                              adaptor.getPads(), adaptor.getDilations())))
    return failure();
  int64_t group = adaptor.getGroup();
  int64_t channels = input.getDimSize(1), filters = weight.getDimSize(0);
  if (group < 1 || channels % group || filters % group ||
      weight.getDimSize(1) != channels / group)
    return emitOptionalError(loc, "channels ", channels, " and filters ",
                             filters, " do not fit ", group,
                             " group(s) with weight ", weight);
  if (Value bias = adaptor.getBias())
    if (rankedType(bias).getShape() != ArrayRef<int64_t>{filters})
      return emitOptionalError(loc, "bias must have shape [", filters, "]");
  SmallVector<int64_t> shape = {input.getDimSize(0), filters};
  for (size_t i = 0; i < spatial; ++i) {
    int64_t size = windowOutputSize(
        input.getDimSize(i + 2), weight.getDimSize(i + 2),
        adaptor.getStrides()[i], adaptor.getDilations()[i],
        adaptor.getPads()[i], adaptor.getPads()[i + spatial], false);
    if (size < 1)
      return emitOptionalError(loc, "kernel does not fit spatial dimension ",
                               i);
    shape.push_back(size);
  }
  return inferred(out, shape, input.getElementType());
}

//===----------------------------------------------------------------------===//
// Pooling and normalization
//===----------------------------------------------------------------------===//

template <typename PoolOp>
static LogicalResult inferPool(Loc loc, typename PoolOp::Adaptor adaptor,
                               SmallVectorImpl<Type> &out) {
  auto input = rankedType(adaptor.getInput());
  ArrayRef<int64_t> kernel = adaptor.getKernelShape();
  size_t spatial = kernel.size();
  if (input.getRank() != static_cast<int64_t>(spatial) + 2)
    return emitOptionalError(loc, "kernel_shape has ", spatial,
                             " dimensions for input ", input);
  if (failed(checkWindowAttrs(loc, spatial, adaptor.getStrides(),
                              adaptor.getPads(), adaptor.getDilations())))
    return failure();
  SmallVector<int64_t> shape(input.getShape().take_front(2));
  for (size_t i = 0; i < spatial; ++i) {
    int64_t size = windowOutputSize(
        input.getDimSize(i + 2), kernel[i], adaptor.getStrides()[i],
        adaptor.getDilations()[i], adaptor.getPads()[i],
        adaptor.getPads()[i + spatial], adaptor.getCeilMode());
    if (size < 1)
      return emitOptionalError(loc, "window does not fit spatial dimension ",
                               i);
    shape.push_back(size);
  }
  return inferred(out, shape, input.getElementType());
}

LogicalResult BatchNormOp::inferReturnTypes(MLIRContext *, Loc loc,
                                            ValueRange operands, DictionaryAttr,
                                            OpaqueProperties, RegionRange,
                                            SmallVectorImpl<Type> &out) {
  auto input = rankedType(operands[0]);
  if (input.getRank() < 2)
    return emitOptionalError(loc, "batch_norm input needs rank >= 2");
  for (Value stat : operands.drop_front())
    if (rankedType(stat).getShape() != input.getShape().slice(1, 1))
      return emitOptionalError(loc, "statistics must have shape [",
                               input.getDimSize(1), "], got ", stat.getType());
  return inferred(out, input.getShape(), input.getElementType());
}

template <typename SoftmaxOp> static LogicalResult verifySoftmax(SoftmaxOp op) {
  int64_t rank = op.getInput().getType().getRank();
  if (op.getAxis() < 0 || op.getAxis() >= std::max<int64_t>(rank, 1))
    return op.emitOpError("axis ") << op.getAxis() << " out of range";
  return success();
}
LogicalResult SoftmaxOp::verify() { return verifySoftmax(*this); }
LogicalResult LogSoftmaxOp::verify() { return verifySoftmax(*this); }

/// Shape after reducing `axes`, keeping them as 1 when `keepdims`.
static FailureOr<SmallVector<int64_t>> reducedShape(Loc loc,
                                                    ArrayRef<int64_t> shape,
                                                    ArrayRef<int64_t> axes,
                                                    bool keepdims) {
  SmallVector<int64_t> result;
  for (auto [i, axis] : llvm::enumerate(axes))
    if (axis < 0 || axis >= static_cast<int64_t>(shape.size()) ||
        (i > 0 && axes[i - 1] >= axis)) {
      (void)emitOptionalError(loc, "axes must be sorted, unique and in [0, ",
                              shape.size(), ")");
      return failure();
    }
  for (auto [d, size] : llvm::enumerate(shape)) {
    bool reduced = llvm::is_contained(axes, static_cast<int64_t>(d));
    if (!reduced)
      result.push_back(size);
    else if (keepdims)
      result.push_back(1);
  }
  return result;
}

LogicalResult ReduceOp::inferReturnTypes(MLIRContext *, Loc loc,
                                         ValueRange operands,
                                         DictionaryAttr attributes,
                                         OpaqueProperties properties,
                                         RegionRange regions,
                                         SmallVectorImpl<Type> &out) {
  Adaptor adaptor(operands, attributes, properties, regions);
  auto input = rankedType(adaptor.getInput());
  auto shape = reducedShape(loc, input.getShape(), adaptor.getAxes(),
                            adaptor.getKeepdims());
  if (failed(shape))
    return failure();
  return inferred(out, *shape, input.getElementType());
}

LogicalResult ArgMaxOp::inferReturnTypes(MLIRContext *context, Loc loc,
                                         ValueRange operands,
                                         DictionaryAttr attributes,
                                         OpaqueProperties properties,
                                         RegionRange regions,
                                         SmallVectorImpl<Type> &out) {
  Adaptor adaptor(operands, attributes, properties, regions);
  auto input = rankedType(adaptor.getInput());
  int64_t axis = adaptor.getAxis();
  auto shape =
      reducedShape(loc, input.getShape(), {axis}, adaptor.getKeepdims());
  if (failed(shape))
    return failure();
  return inferred(out, *shape, IntegerType::get(context, 64));
}

//===----------------------------------------------------------------------===//
// Data movement
//===----------------------------------------------------------------------===//

LogicalResult ConstantOp::inferReturnTypes(MLIRContext *, Loc loc,
                                           ValueRange operands,
                                           DictionaryAttr attributes,
                                           OpaqueProperties properties,
                                           RegionRange regions,
                                           SmallVectorImpl<Type> &out) {
  Adaptor adaptor(operands, attributes, properties, regions);
  auto type = dyn_cast_or_null<RankedTensorType>(adaptor.getValue().getType());
  if (!type)
    return emitOptionalError(loc, "constant value must be a ranked tensor");
  out.push_back(type);
  return success();
}

OpFoldResult ConstantOp::fold(FoldAdaptor) { return getValue(); }

LogicalResult ReshapeOp::inferReturnTypes(MLIRContext *, Loc loc,
                                          ValueRange operands,
                                          DictionaryAttr attributes,
                                          OpaqueProperties properties,
                                          RegionRange regions,
                                          SmallVectorImpl<Type> &out) {
  Adaptor adaptor(operands, attributes, properties, regions);
  auto input = rankedType(adaptor.getInput());
  ArrayRef<int64_t> shape = adaptor.getShape();
  if (llvm::any_of(shape, [](int64_t d) { return d < 0; }))
    return emitOptionalError(loc, "reshape target must be static");
  if (ShapedType::getNumElements(shape) != input.getNumElements())
    return emitOptionalError(loc, "cannot reshape ", input, " to ",
                             shape.size(), "-D shape with ",
                             ShapedType::getNumElements(shape), " elements");
  return inferred(out, shape, input.getElementType());
}

OpFoldResult ReshapeOp::fold(FoldAdaptor adaptor) {
  if (getInput().getType() == getType())
    return getInput();
  // Small constants only: reshaping copies the data into a new attribute.
  if (auto dense = dyn_cast_or_null<DenseElementsAttr>(adaptor.getInput()))
    if (dense.getNumElements() <= 4096)
      return dense.reshape(getType());
  // Reshaping a reshape only needs the original input.
  if (auto producer = getInput().getDefiningOp<ReshapeOp>()) {
    getInputMutable().assign(producer.getInput());
    return getResult();
  }
  return {};
}

namespace {
/// A transpose that moves only dimensions of size 1 keeps the data in
/// order: it is a reshape (which folds into the reshapes around it).
struct UnitTransposeIsReshape : OpRewritePattern<TransposeOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(TransposeOp op,
                                PatternRewriter &rewriter) const override {
    auto in = dyn_cast<RankedTensorType>(op.getInput().getType());
    auto out = dyn_cast<RankedTensorType>(op.getType());
    if (!in || !out || !out.hasStaticShape())
      return failure();
    int64_t last = -1;
    for (int64_t d : op.getPerm()) {
      if (in.getDimSize(d) == 1)
        continue;
      if (d < last)
        return failure();
      last = d;
    }
    rewriter.replaceOpWithNewOp<ReshapeOp>(
        op, out, op.getInput(), rewriter.getDenseI64ArrayAttr(out.getShape()));
    return success();
  }
};
} // namespace

void TransposeOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                              MLIRContext *context) {
  results.add<UnitTransposeIsReshape>(context);
}

LogicalResult TransposeOp::inferReturnTypes(MLIRContext *, Loc loc,
                                            ValueRange operands,
                                            DictionaryAttr attributes,
                                            OpaqueProperties properties,
                                            RegionRange regions,
                                            SmallVectorImpl<Type> &out) {
  Adaptor adaptor(operands, attributes, properties, regions);
  auto input = rankedType(adaptor.getInput());
  ArrayRef<int64_t> perm = adaptor.getPerm();
  SmallVector<int64_t> sorted(perm);
  llvm::sort(sorted);
  if (static_cast<int64_t>(perm.size()) != input.getRank() ||
      sorted != llvm::to_vector(llvm::seq<int64_t>(0, input.getRank())))
    return emitOptionalError(loc, "perm is not a permutation of ",
                             input.getRank(), " dimensions");
  SmallVector<int64_t> shape;
  for (int64_t p : perm)
    shape.push_back(input.getDimSize(p));
  return inferred(out, shape, input.getElementType());
}

LogicalResult ConcatOp::inferReturnTypes(MLIRContext *, Loc loc,
                                         ValueRange operands,
                                         DictionaryAttr attributes,
                                         OpaqueProperties properties,
                                         RegionRange regions,
                                         SmallVectorImpl<Type> &out) {
  Adaptor adaptor(operands, attributes, properties, regions);
  if (operands.empty())
    return emitOptionalError(loc, "concat needs at least one input");
  auto first = rankedType(operands[0]);
  int64_t axis = adaptor.getAxis();
  if (axis < 0 || axis >= first.getRank())
    return emitOptionalError(loc, "axis ", axis, " out of range");
  SmallVector<int64_t> shape(first.getShape());
  shape[axis] = 0;
  for (Value v : operands) {
    auto type = rankedType(v);
    if (type.getRank() != first.getRank() ||
        type.getElementType() != first.getElementType())
      return emitOptionalError(loc, "inputs differ in rank or element type");
    for (int64_t d = 0; d < type.getRank(); ++d)
      if (d != axis && type.getDimSize(d) != first.getDimSize(d))
        return emitOptionalError(loc, "inputs differ in dimension ", d);
    shape[axis] += type.getDimSize(axis);
  }
  return inferred(out, shape, first.getElementType());
}

LogicalResult SliceOp::inferReturnTypes(MLIRContext *, Loc loc,
                                        ValueRange operands,
                                        DictionaryAttr attributes,
                                        OpaqueProperties properties,
                                        RegionRange regions,
                                        SmallVectorImpl<Type> &out) {
  Adaptor adaptor(operands, attributes, properties, regions);
  auto input = rankedType(adaptor.getInput());
  ArrayRef<int64_t> starts = adaptor.getStarts(), sizes = adaptor.getSizes(),
                    steps = adaptor.getSteps();
  int64_t rank = input.getRank();
  if (static_cast<int64_t>(starts.size()) != rank ||
      static_cast<int64_t>(sizes.size()) != rank ||
      static_cast<int64_t>(steps.size()) != rank)
    return emitOptionalError(loc, "starts, sizes and steps need ", rank,
                             " entries");
  for (int64_t d = 0; d < rank; ++d) {
    if (steps[d] == 0 || sizes[d] < 0)
      return emitOptionalError(loc, "dimension ", d,
                               ": zero step or negative size");
    __int128 last = __int128(starts[d]) + __int128(sizes[d] - 1) * steps[d];
    if (sizes[d] > 0 && (starts[d] < 0 || starts[d] >= input.getDimSize(d) ||
                         last < 0 || last >= input.getDimSize(d)))
      return emitOptionalError(loc, "dimension ", d, ": slice leaves [0, ",
                               input.getDimSize(d), ")");
  }
  return inferred(out, sizes, input.getElementType());
}

LogicalResult GatherOp::inferReturnTypes(MLIRContext *, Loc loc,
                                         ValueRange operands,
                                         DictionaryAttr attributes,
                                         OpaqueProperties properties,
                                         RegionRange regions,
                                         SmallVectorImpl<Type> &out) {
  Adaptor adaptor(operands, attributes, properties, regions);
  auto input = rankedType(adaptor.getInput());
  auto indices = rankedType(adaptor.getIndices());
  int64_t axis = adaptor.getAxis();
  if (axis < 0 || axis >= input.getRank())
    return emitOptionalError(loc, "axis ", axis, " out of range");
  SmallVector<int64_t> shape(input.getShape().take_front(axis));
  llvm::append_range(shape, indices.getShape());
  llvm::append_range(shape, input.getShape().drop_front(axis + 1));
  return inferred(out, shape, input.getElementType());
}

LogicalResult GatherElementsOp::inferReturnTypes(MLIRContext *, Loc loc,
                                                 ValueRange operands,
                                                 DictionaryAttr attributes,
                                                 OpaqueProperties properties,
                                                 RegionRange regions,
                                                 SmallVectorImpl<Type> &out) {
  Adaptor adaptor(operands, attributes, properties, regions);
  auto input = rankedType(adaptor.getInput());
  auto indices = rankedType(adaptor.getIndices());
  int64_t axis = adaptor.getAxis();
  if (axis < 0 || axis >= input.getRank())
    return emitOptionalError(loc, "axis ", axis, " out of range");
  if (indices.getRank() != input.getRank())
    return emitOptionalError(loc, "indices must have the input's rank");
  for (int64_t d = 0; d < input.getRank(); ++d)
    if (d != axis && indices.getDimSize(d) > input.getDimSize(d))
      return emitOptionalError(loc, "indices dimension ", d,
                               " exceeds the input's");
  return inferred(out, indices.getShape(), input.getElementType());
}

/// Scatters return data's type.
template <typename Op>
static LogicalResult
inferScatter(ValueRange operands, DictionaryAttr attributes,
             OpaqueProperties properties, RegionRange regions,
             SmallVectorImpl<Type> &out) {
  typename Op::Adaptor adaptor(operands, attributes, properties, regions);
  out.push_back(adaptor.getData().getType());
  return success();
}

LogicalResult ScatterElementsOp::inferReturnTypes(MLIRContext *, Loc,
                                                  ValueRange operands,
                                                  DictionaryAttr attributes,
                                                  OpaqueProperties properties,
                                                  RegionRange regions,
                                                  SmallVectorImpl<Type> &out) {
  return inferScatter<ScatterElementsOp>(operands, attributes, properties,
                                         regions, out);
}

LogicalResult ScatterNDOp::inferReturnTypes(MLIRContext *, Loc,
                                            ValueRange operands,
                                            DictionaryAttr attributes,
                                            OpaqueProperties properties,
                                            RegionRange regions,
                                            SmallVectorImpl<Type> &out) {
  return inferScatter<ScatterNDOp>(operands, attributes, properties, regions,
                                   out);
}

LogicalResult ScatterElementsOp::verify() {
  auto data = rankedType(getData()), indices = rankedType(getIndices()),
       updates = rankedType(getUpdates());
  int64_t axis = getAxis();
  if (axis < 0 || axis >= data.getRank())
    return emitOpError("axis ") << axis << " out of range";
  if (indices.getShape() != updates.getShape() ||
      indices.getRank() != data.getRank())
    return emitOpError("indices and updates need one shape of data's rank");
  if (updates.getElementType() != data.getElementType())
    return emitOpError("updates must have data's element type");
  for (int64_t d = 0; d < data.getRank(); ++d)
    if (d != axis && indices.getDimSize(d) > data.getDimSize(d))
      return emitOpError("indices dimension ") << d << " exceeds data's";
  return success();
}

LogicalResult ScatterNDOp::verify() {
  auto data = rankedType(getData()), indices = rankedType(getIndices()),
       updates = rankedType(getUpdates());
  if (indices.getRank() < 1)
    return emitOpError("indices needs at least one dimension");
  int64_t k = indices.getShape().back();
  if (k < 1 || k > data.getRank())
    return emitOpError("index rows of ") << k << " coordinates do not fit data";
  SmallVector<int64_t> expected(indices.getShape().drop_back());
  llvm::append_range(expected, data.getShape().drop_front(k));
  if (updates.getShape() != ArrayRef<int64_t>(expected))
    return emitOpError("updates must have shape indices[:-1] + data[k:]");
  if (updates.getElementType() != data.getElementType())
    return emitOpError("updates must have data's element type");
  return success();
}

LogicalResult
PadOp::inferReturnTypes(MLIRContext *, Loc loc, ValueRange operands,
                        DictionaryAttr attributes, OpaqueProperties properties,
                        RegionRange regions, SmallVectorImpl<Type> &out) {
  Adaptor adaptor(operands, attributes, properties, regions);
  auto input = rankedType(adaptor.getInput());
  ArrayRef<int64_t> pads = adaptor.getPads();
  int64_t rank = input.getRank();
  if (static_cast<int64_t>(pads.size()) != 2 * rank)
    return emitOptionalError(loc, "expects ", 2 * rank, " pads");
  if (llvm::any_of(pads, [](int64_t p) { return p < 0; }))
    return emitOptionalError(loc, "pads must be non-negative");
  // An integer tensor is padded with the value converted to its type,
  // which a float outside 64 bits has no conversion to.
  double value = adaptor.getValue().convertToDouble();
  if (!isa<FloatType>(input.getElementType()) &&
      !(std::isfinite(value) && value >= -0x1p63 && value < 0x1p63))
    return emitOptionalError(loc, "the padding value ", value, " does not fit ",
                             input.getElementType());
  SmallVector<int64_t> shape;
  for (int64_t d = 0; d < rank; ++d)
    shape.push_back(input.getDimSize(d) + pads[d] + pads[d + rank]);
  return inferred(out, shape, input.getElementType());
}

LogicalResult ExpandOp::inferReturnTypes(MLIRContext *, Loc loc,
                                         ValueRange operands,
                                         DictionaryAttr attributes,
                                         OpaqueProperties properties,
                                         RegionRange regions,
                                         SmallVectorImpl<Type> &out) {
  Adaptor adaptor(operands, attributes, properties, regions);
  auto input = rankedType(adaptor.getInput());
  SmallVector<int64_t> shape;
  if (!OpTrait::util::getBroadcastedShape(input.getShape(), adaptor.getShape(),
                                          shape))
    return emitOptionalError(loc, input, " does not broadcast to the shape");
  return inferred(out, shape, input.getElementType());
}

LogicalResult
TileOp::inferReturnTypes(MLIRContext *, Loc loc, ValueRange operands,
                         DictionaryAttr attributes, OpaqueProperties properties,
                         RegionRange regions, SmallVectorImpl<Type> &out) {
  Adaptor adaptor(operands, attributes, properties, regions);
  auto input = rankedType(adaptor.getInput());
  ArrayRef<int64_t> repeats = adaptor.getRepeats();
  if (static_cast<int64_t>(repeats.size()) != input.getRank() ||
      llvm::any_of(repeats, [](int64_t r) { return r < 0; }))
    return emitOptionalError(loc, "expects ", input.getRank(),
                             " non-negative repeats");
  SmallVector<int64_t> shape;
  for (auto [size, r] : llvm::zip(input.getShape(), repeats)) {
    if (ShapedType::isDynamic(size)) {
      shape.push_back(size);
      continue;
    }
    std::optional<int64_t> tiled = llvm::checkedMul(size, r);
    if (!tiled)
      return emitOptionalError(loc, "repeating ", size, " elements ", r,
                               " times overflows 64 bits");
    shape.push_back(*tiled);
  }
  return inferred(out, shape, input.getElementType());
}

#define GET_OP_CLASSES
#include "anvil/Dialect/NN/IR/NNOps.cpp.inc"

//===----------------------------------------------------------------------===//
// Control flow
//===----------------------------------------------------------------------===//

LogicalResult IfOp::verify() {
  if (getCondition().getType().getNumElements() != 1)
    return emitOpError("condition must hold exactly one element");
  for (Region *region : {&getThenRegion(), &getElseRegion()}) {
    Block &block = region->front();
    auto yield = block.empty() ? YieldOp() : dyn_cast<YieldOp>(block.back());
    if (!yield)
      return emitOpError("regions must end in nn.yield");
    if (yield.getValues().getTypes() != getResultTypes())
      return yield.emitOpError("yields ")
             << yield.getValues().getTypes() << " but nn.if returns "
             << getResultTypes();
  }
  return success();
}

YieldOp LoopOp::getYield() {
  return dyn_cast<YieldOp>(getBody().front().getTerminator());
}

bool LoopOp::isCounted() {
  YieldOp yield = getYield();
  return yield && yield.getValues()[0] == getBody().getArgument(1);
}

std::optional<int64_t> LoopOp::getScanRows() {
  if (getNumScans() == 0)
    return std::nullopt;
  auto scan = cast<RankedTensorType>(getResult(getInits().size()).getType());
  return scan.getDimSize(0);
}

/// Whether `type` is a tensor of one element of `element` type.
static bool isScalarOf(Type type, Type element) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  return tensor && tensor.getElementType() == element &&
         tensor.hasStaticShape() && tensor.getNumElements() == 1;
}

/// Scan result `result` stacks `value`s: one more, static, leading dimension.
static LogicalResult verifyScan(LoopOp op, Type value, Type result,
                                int64_t rows) {
  auto v = cast<RankedTensorType>(value);
  auto r = cast<RankedTensorType>(result);
  if (r.getRank() != v.getRank() + 1 ||
      r.getElementType() != v.getElementType() ||
      r.getShape().drop_front() != v.getShape() || r.isDynamicDim(0) ||
      r.getDimSize(0) != rows)
    return op.emitOpError("scan result ") << result << " does not stack "
                                          << value << " in " << rows << " rows";
  return success();
}

LogicalResult LoopOp::verify() {
  Builder b(getContext());
  if (!isScalarOf(getTripCount().getType(), b.getI64Type()))
    return emitOpError("trip count must hold exactly one element");
  if (!isScalarOf(getCondition().getType(), b.getI1Type()))
    return emitOpError("condition must hold exactly one element");
  Block &body = getBody().front();
  size_t carried = getInits().size();
  TypeRange args = body.getArgumentTypes();
  if (args.size() != carried + 2 || !isScalarOf(args[0], b.getI64Type()) ||
      !isScalarOf(args[1], b.getI1Type()) ||
      args.drop_front(2) != getInits().getTypes())
    return emitOpError("body arguments must be the iteration number, the "
                       "condition and the carried values' types");
  if (getNumResults() < carried ||
      TypeRange(getResultTypes()).take_front(carried) != getInits().getTypes())
    return emitOpError("results must begin with the carried values' types");
  YieldOp yield = getYield();
  if (!yield)
    return emitOpError("the body must end in nn.yield");
  TypeRange yielded = yield.getValues().getTypes();
  if (yielded.size() != getNumResults() + 1 ||
      !isScalarOf(yielded[0], b.getI1Type()) ||
      yielded.slice(1, carried) != getInits().getTypes())
    return yield.emitOpError("must yield the condition, the carried values "
                             "and one value per scan result");
  std::optional<int64_t> rows = getScanRows();
  for (unsigned s = 0; s < getNumScans(); ++s)
    if (failed(verifyScan(*this, yielded[1 + carried + s],
                          getResult(carried + s).getType(), *rows)))
      return failure();
  return success();
}
