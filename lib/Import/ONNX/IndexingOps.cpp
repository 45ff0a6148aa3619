//===- IndexingOps.cpp - ONNX ops defined by element positions ------------===//
//
// GatherElements maps to nn.gather_elements; the others compare element
// positions (an iota along an axis) with indices or offsets and select,
// or multiply by a triangular 0/1 matrix (CumSum). Positions are
// constants, so they fold away where the importer can.
//
//===----------------------------------------------------------------------===//

#include "NodeContext.h"

#include "anvil/Dialect/NN/IR/NNOps.h"
#include "anvil/Import/Decompositions.h"

#include "llvm/ADT/StringSwitch.h"

#include <cmath>

using namespace mlir;
using namespace anvil;
using namespace anvil::onnx_import;

namespace {

/// `axis` normalized against `rank`; nullopt when out of range.
std::optional<int64_t> normalizeAxis(int64_t axis, int64_t rank) {
  if (axis < 0)
    axis += rank;
  if (axis < 0 || axis >= rank)
    return std::nullopt;
  return axis;
}

/// A shape of `rank` ones but `size` at `axis`.
SmallVector<int64_t> alongAxis(int64_t rank, int64_t axis, int64_t size) {
  SmallVector<int64_t> shape(rank, 1);
  shape[axis] = size;
  return shape;
}

LogicalResult importGatherElements(NodeContext &n) {
  if (failed(n.checkAttributes({"axis"})))
    return failure();
  auto axis = normalizeAxis(n.getInt("axis", 0), n.inputType(0).getRank());
  if (!axis)
    return n.invalid("axis out of range");
  auto v = n.create<nn::GatherElementsOp>(
      ValueRange{n.input(0), n.input(1)},
      {n.b.getNamedAttr("axis", n.b.getI64IntegerAttr(*axis))});
  return failed(v) ? failure() : n.setOutputs(*v);
}

/// Trilu keeps the elements on one side of diagonal k of the last two
/// dimensions: column - row >= k (upper) or <= k (lower). k may be known
/// only at run time.
LogicalResult importTrilu(NodeContext &n) {
  if (failed(n.checkAttributes({"upper"})))
    return failure();
  RankedTensorType in = n.inputType(0);
  int64_t rank = in.getRank();
  if (rank < 2)
    return n.invalid("the input needs at least 2 dimensions");
  NNBuilder nb(n.b, n.loc);
  Type i64 = nb.b.getI64Type();
  int64_t rows = in.getDimSize(rank - 2), cols = in.getDimSize(rank - 1);
  Value offset = nb.create<nn::SubOp>(
      {nb.iota(cols, i64, {1, cols}), nb.iota(rows, i64, {rows, 1})});
  Value k = n.input(1) ? nb.reshape(nb.cast(n.input(1), i64), {})
                       : nb.scalar(0, i64);
  Value keep = n.getInt("upper", 1)
                   ? nb.create<nn::GreaterEqualOp>({offset, k})
                   : nb.create<nn::LessEqualOp>({offset, k});
  Value y = nb.create<nn::WhereOp>(
      {keep, n.input(0), nb.scalar(0, in.getElementType())});
  return n.finish(nb, y);
}

/// 1 where the element is the first maximum along `axis`, else 0.
Value hardmax(NNBuilder &nb, Value x, int64_t axis) {
  // After the builder's first failure every value is null.
  if (nb.failed() || !x)
    return nullptr;
  RankedTensorType type = typeOf(x);
  Value best = nb.create<nn::ArgMaxOp>(
      {x}, {nb.b.getNamedAttr("axis", nb.b.getI64IntegerAttr(axis)),
            nb.b.getNamedAttr("keepdims", nb.b.getBoolAttr(true)),
            nb.b.getNamedAttr("select_last_index", nb.b.getBoolAttr(false)),
            nb.b.getNamedAttr("min", nb.b.getBoolAttr(false))});
  int64_t size = type.getDimSize(axis);
  Value positions = nb.iota(size, nb.b.getI64Type(),
                            alongAxis(type.getRank(), axis, size));
  return nb.cast(nb.create<nn::EqualOp>({best, positions}),
                 type.getElementType());
}

/// Before opset 13 Hardmax works on the input coerced to 2-D at `axis`.
LogicalResult importHardmax(NodeContext &n) {
  if (failed(n.checkAttributes({"axis"})))
    return failure();
  RankedTensorType in = n.inputType(0);
  int64_t rank = in.getRank();
  auto axis = normalizeAxis(n.getInt("axis", n.opset >= 13 ? -1 : 1), rank);
  if (!axis)
    return n.invalid("axis out of range");
  NNBuilder nb(n.b, n.loc);
  if (n.opset >= 13)
    return n.finish(nb, hardmax(nb, n.input(0), *axis));
  // Both sides counted, not one divided out: a side may hold no elements.
  int64_t outer = ShapedType::getNumElements(in.getShape().take_front(*axis));
  int64_t inner = ShapedType::getNumElements(in.getShape().drop_front(*axis));
  Value flat = nb.reshape(n.input(0), {outer, inner});
  return n.finish(nb, nb.reshape(hardmax(nb, flat, 1), in.getShape()));
}

/// The [size, size] 0/1 matrix M with y = x M summing what CumSum sums.
DenseElementsAttr cumsumMatrix(Type element, int64_t size, bool exclusive,
                               bool reverse) {
  SmallVector<Attribute> values;
  for (int64_t from = 0; from < size; ++from)
    for (int64_t to = 0; to < size; ++to) {
      bool counts = reverse ? (exclusive ? from > to : from >= to)
                            : (exclusive ? from < to : from <= to);
      values.push_back(isa<FloatType>(element)
                           ? Attribute(FloatAttr::get(element, counts))
                           : Attribute(IntegerAttr::get(element, counts)));
    }
  return DenseElementsAttr::get(RankedTensorType::get({size, size}, element),
                                values);
}

/// CumSum as a product with a triangular matrix along the last dimension
/// (the axis is moved there and back).
LogicalResult importCumSum(NodeContext &n) {
  if (failed(n.checkAttributes({"exclusive", "reverse"})))
    return failure();
  auto given = n.constInts(1);
  if (!given)
    return n.needsConstant(1, "axis");
  RankedTensorType in = n.inputType(0);
  int64_t rank = in.getRank();
  auto axis = given->size() == 1 ? normalizeAxis((*given)[0], rank)
                                 : std::nullopt;
  if (!axis)
    return n.invalid("axis must be a scalar within the input's rank");
  NNBuilder nb(n.b, n.loc);
  SmallVector<int64_t> perm = llvm::to_vector(llvm::seq<int64_t>(0, rank));
  std::swap(perm[*axis], perm[rank - 1]);
  Value x = *axis == rank - 1 ? n.input(0) : nb.transpose(n.input(0), perm);
  Value sums = nb.create<nn::MatMulOp>(
      {x, nb.constant(cumsumMatrix(in.getElementType(), in.getDimSize(*axis),
                                   n.getInt("exclusive", 0),
                                   n.getInt("reverse", 0)))});
  Value y = *axis == rank - 1 ? sums : nb.transpose(sums, perm);
  return n.finish(nb, y);
}

LogicalResult importEyeLike(NodeContext &n) {
  if (failed(n.checkAttributes({"dtype", "k"})))
    return failure();
  RankedTensorType in = n.inputType(0);
  if (in.getRank() != 2)
    return n.invalid("the input must be 2-D");
  Type element = in.getElementType();
  if (const auto *dtype = n.attr("dtype")) {
    element = elementType(n.ctx(), dtype->i());
    if (!element)
      return n.unsupported("dtype " + onnxTypeName(dtype->i()));
  }
  int64_t k = n.getInt("k", 0);
  SmallVector<Attribute> values;
  for (int64_t r = 0; r < in.getDimSize(0); ++r)
    for (int64_t c = 0; c < in.getDimSize(1); ++c)
      values.push_back(isa<FloatType>(element)
                           ? Attribute(FloatAttr::get(element, c - r == k))
                           : Attribute(IntegerAttr::get(element, c - r == k)));
  return n.setOutputs(n.constant(DenseElementsAttr::get(
      RankedTensorType::get(in.getShape(), element), values)));
}

/// OneHot: positions along the new axis equal to the (wrapped) index get
/// values[1], the others values[0].
LogicalResult importOneHot(NodeContext &n) {
  if (failed(n.checkAttributes({"axis"})))
    return failure();
  auto depthValues = n.constFloats(1);
  if (!depthValues)
    return n.needsConstant(1, "depth");
  if (depthValues->size() != 1 || (*depthValues)[0] < 1)
    return n.invalid("depth must be a positive scalar");
  RankedTensorType indices = n.inputType(0), values = n.inputType(2);
  if (values.getNumElements() != 2)
    return n.invalid("values must hold [off, on]");
  int64_t depth = static_cast<int64_t>((*depthValues)[0]);
  int64_t rank = indices.getRank() + 1;
  auto axis = normalizeAxis(n.getInt("axis", -1), rank);
  if (!axis)
    return n.invalid("axis out of range");
  NNBuilder nb(n.b, n.loc);
  Type i64 = nb.b.getI64Type();
  Value index = nb.cast(n.input(0), i64);
  Value negative = nb.create<nn::LessOp>({index, nb.scalar(0, i64)});
  index = nb.create<nn::WhereOp>(
      {negative, nb.create<nn::AddOp>({index, nb.scalar(depth, i64)}), index});
  SmallVector<int64_t> expanded(indices.getShape());
  expanded.insert(expanded.begin() + *axis, 1);
  Value hot = nb.create<nn::EqualOp>(
      {nb.reshape(index, expanded),
       nb.iota(depth, i64, alongAxis(rank, *axis, depth))});
  Value flat = nb.reshape(n.input(2), {2});
  Value off = nb.reshape(nb.slice(flat, 0, 0, 1), {});
  Value on = nb.reshape(nb.slice(flat, 0, 1, 1), {});
  return n.finish(nb, nb.create<nn::WhereOp>({hot, on, off}));
}

/// DepthToSpace and SpaceToDepth are a reshape, a transpose and a reshape.
LogicalResult importDepthToSpace(NodeContext &n) {
  if (failed(n.checkAttributes({"blocksize", "mode"})))
    return failure();
  RankedTensorType in = n.inputType(0);
  int64_t b = n.getInt("blocksize", 0);
  std::string mode = n.getString("mode", "DCR");
  if (in.getRank() != 4 || b < 1 || in.getDimSize(1) % (b * b))
    return n.invalid("needs a 4-D input whose channels divide by blocksize^2");
  if (mode != "DCR" && mode != "CRD")
    return n.invalid("unknown mode '" + mode + "'");
  int64_t N = in.getDimSize(0), C = in.getDimSize(1) / (b * b),
          H = in.getDimSize(2), W = in.getDimSize(3);
  NNBuilder nb(n.b, n.loc);
  bool dcr = mode == "DCR";
  Value split = dcr ? nb.reshape(n.input(0), {N, b, b, C, H, W})
                    : nb.reshape(n.input(0), {N, C, b, b, H, W});
  Value moved = dcr ? nb.transpose(split, {0, 3, 4, 1, 5, 2})
                    : nb.transpose(split, {0, 1, 4, 2, 5, 3});
  return n.finish(nb, nb.reshape(moved, {N, C, H * b, W * b}));
}

LogicalResult importSpaceToDepth(NodeContext &n) {
  if (failed(n.checkAttributes({"blocksize"})))
    return failure();
  RankedTensorType in = n.inputType(0);
  int64_t b = n.getInt("blocksize", 0);
  if (in.getRank() != 4 || b < 1 || in.getDimSize(2) % b ||
      in.getDimSize(3) % b)
    return n.invalid("needs a 4-D input whose height and width divide by "
                     "blocksize");
  int64_t N = in.getDimSize(0), C = in.getDimSize(1),
          H = in.getDimSize(2) / b, W = in.getDimSize(3) / b;
  NNBuilder nb(n.b, n.loc);
  Value split = nb.reshape(n.input(0), {N, C, H, b, W, b});
  Value moved = nb.transpose(split, {0, 3, 5, 1, 2, 4});
  return n.finish(nb, nb.reshape(moved, {N, C * b * b, H, W}));
}

FailureOr<nn::ScatterReduction> scatterReduction(NodeContext &n) {
  std::string r = n.getString("reduction", "none");
  auto kind = llvm::StringSwitch<std::optional<nn::ScatterReduction>>(r)
                  .Case("none", nn::ScatterReduction::None)
                  .Case("add", nn::ScatterReduction::Add)
                  .Case("mul", nn::ScatterReduction::Mul)
                  .Case("max", nn::ScatterReduction::Max)
                  .Case("min", nn::ScatterReduction::Min)
                  .Default(std::nullopt);
  if (!kind)
    return (void)n.invalid("unknown reduction '" + r + "'"), failure();
  return *kind;
}

/// ScatterElements, and Scatter (its name before opset 11).
LogicalResult importScatterElements(NodeContext &n) {
  if (failed(n.checkAttributes({"axis", "reduction"})))
    return failure();
  auto reduction = scatterReduction(n);
  if (failed(reduction))
    return failure();
  auto axis = normalizeAxis(n.getInt("axis", 0), n.inputType(0).getRank());
  if (!axis)
    return n.invalid("axis out of range");
  auto v = n.create<nn::ScatterElementsOp>(
      ValueRange{n.input(0), n.input(1), n.input(2)},
      {n.b.getNamedAttr("axis", n.b.getI64IntegerAttr(*axis)),
       n.b.getNamedAttr("reduction",
                        nn::ScatterReductionAttr::get(n.ctx(), *reduction))});
  return failed(v) ? failure() : n.setOutputs(*v);
}

LogicalResult importScatterND(NodeContext &n) {
  if (failed(n.checkAttributes({"reduction"})))
    return failure();
  auto reduction = scatterReduction(n);
  if (failed(reduction))
    return failure();
  auto v = n.create<nn::ScatterNDOp>(
      ValueRange{n.input(0), n.input(1), n.input(2)},
      {n.b.getNamedAttr("reduction",
                        nn::ScatterReductionAttr::get(n.ctx(), *reduction))});
  return failed(v) ? failure() : n.setOutputs(*v);
}

/// GatherND as one gather of the data flattened over its first
/// batch_dims + k dimensions, at linearized (wrapped) indices.
LogicalResult importGatherND(NodeContext &n) {
  if (failed(n.checkAttributes({"batch_dims"})))
    return failure();
  RankedTensorType data = n.inputType(0), indices = n.inputType(1);
  int64_t b = n.getInt("batch_dims", 0);
  int64_t q = indices.getRank();
  int64_t k = q > 0 ? indices.getShape().back() : 0;
  if (b < 0 || q < 1 || k < 1 || b >= q || b + k > data.getRank() ||
      indices.getShape().take_front(b) != data.getShape().take_front(b))
    return n.invalid("indices [..., k] and batch_dims do not fit the data");
  NNBuilder nb(n.b, n.loc);
  Type i64 = nb.b.getI64Type();
  Value idx = nb.cast(n.input(1), i64);
  // Row-major strides of the addressed dimensions.
  SmallVector<int64_t> strides(k, 1);
  for (int64_t j = k - 2; j >= 0; --j)
    strides[j] = strides[j + 1] * data.getDimSize(b + j + 1);
  SmallVector<int64_t> rowShape(indices.getShape().drop_back());
  Value linear;
  for (int64_t j = 0; j < k; ++j) {
    Value c = nb.reshape(nb.slice(idx, q - 1, j, 1), rowShape);
    Value wrapped = nb.create<nn::WhereOp>(
        {nb.create<nn::LessOp>({c, nb.scalar(0, i64)}),
         nb.create<nn::AddOp>({c, nb.scalar(data.getDimSize(b + j), i64)}), c});
    Value term = nb.create<nn::MulOp>({wrapped, nb.scalar(strides[j], i64)});
    linear = linear ? nb.create<nn::AddOp>({linear, term}) : term;
  }
  int64_t block = strides[0] * data.getDimSize(b);
  // Each batch element addresses its own block of the flattened data.
  int64_t batches = ShapedType::getNumElements(data.getShape().take_front(b));
  if (b > 0) {
    SmallVector<int64_t> batchShape(rowShape.size(), 1);
    for (int64_t d = 0; d < b; ++d)
      batchShape[d] = rowShape[d];
    Value offsets = nb.create<nn::MulOp>(
        {nb.iota(batches, i64, batchShape), nb.scalar(block, i64)});
    linear = nb.create<nn::AddOp>({linear, offsets});
  }
  SmallVector<int64_t> flat = {batches * block};
  llvm::append_range(flat, data.getShape().drop_front(b + k));
  Value gathered = nb.create<nn::GatherOp>(
      {nb.reshape(n.input(0), flat), linear},
      {nb.b.getNamedAttr("axis", nb.b.getI64IntegerAttr(0))});
  return n.finish(nb, gathered);
}

/// Compress keeps the slices whose condition is true: a gather of the
/// constant positions (the condition decides the output shape).
LogicalResult importCompress(NodeContext &n) {
  if (failed(n.checkAttributes({"axis"})))
    return failure();
  auto condition = n.constInts(1);
  if (!condition)
    return n.needsConstant(1, "condition");
  RankedTensorType in = n.inputType(0);
  NNBuilder nb(n.b, n.loc);
  Value data = n.input(0);
  int64_t axis = 0;
  if (n.attr("axis")) {
    auto given = normalizeAxis(n.getInt("axis", 0), in.getRank());
    if (!given)
      return n.invalid("axis out of range");
    axis = *given;
  } else {
    data = nb.reshape(data, {in.getNumElements()});
  }
  int64_t size = typeOf(data).getDimSize(axis);
  if (static_cast<int64_t>(condition->size()) > size)
    return n.invalid("the condition is longer than the axis");
  SmallVector<int64_t> kept;
  for (auto [i, c] : llvm::enumerate(*condition))
    if (c)
      kept.push_back(i);
  if (kept.empty())
    return n.unsupported("a condition that keeps nothing (empty result)");
  Value positions = nb.constant(DenseElementsAttr::get(
      RankedTensorType::get({int64_t(kept.size())}, nb.b.getI64Type()),
      ArrayRef<int64_t>(kept)));
  Value y = nb.create<nn::GatherOp>(
      {data, positions}, {nb.b.getNamedAttr("axis", nb.b.getI64IntegerAttr(axis))});
  return n.finish(nb, y);
}

/// Hann, Hamming and Blackman windows: a sum of cosines of 2 pi k n / N,
/// N = size when periodic, size - 1 otherwise.
template <int kind> LogicalResult importWindow(NodeContext &n) {
  if (failed(n.checkAttributes({"output_datatype", "periodic"})))
    return failure();
  auto size = n.constInts(0);
  if (!size)
    return n.needsConstant(0, "size");
  if (size->size() != 1 || (*size)[0] < 0)
    return n.invalid("size must be a non-negative scalar");
  Type element = elementType(n.ctx(), n.getInt("output_datatype", 1));
  if (!element)
    return n.unsupported("output_datatype " +
                         onnxTypeName(n.getInt("output_datatype", 1)));
  int64_t count = (*size)[0];
  double period = n.getInt("periodic", 1) ? count : count - 1;
  // a0 - a1 cos(2 pi n / N) + a2 cos(4 pi n / N)
  static const double coefficients[3][3] = {
      {0.5, 0.5, 0}, {25.0 / 46, 21.0 / 46, 0}, {0.42, 0.5, 0.08}};
  const double *a = coefficients[kind];
  SmallVector<Attribute> values;
  for (int64_t i = 0; i < count; ++i) {
    double phase = 2 * M_PI * i / period;
    double v = a[0] - a[1] * std::cos(phase) + a[2] * std::cos(2 * phase);
    values.push_back(isa<FloatType>(element)
                         ? Attribute(FloatAttr::get(element, v))
                         : Attribute(IntegerAttr::get(element, int64_t(v))));
  }
  return n.setOutputs(n.constant(
      DenseElementsAttr::get(RankedTensorType::get({count}, element), values)));
}

} // namespace

void anvil::onnx_import::addIndexingOps(OpTable &t) {
  t["ScatterElements"] = {importScatterElements, 11, 3};
  t["Scatter"] = {importScatterElements, 9, 3};
  t["ScatterND"] = {importScatterND, 11, 3};
  t["GatherND"] = {importGatherND, 11, 2};
  t["Compress"] = {importCompress, 9, 2};
  t["HannWindow"] = {importWindow<0>, 17};
  t["HammingWindow"] = {importWindow<1>, 17};
  t["BlackmanWindow"] = {importWindow<2>, 17};
  t["GatherElements"] = {importGatherElements, 11, 2};
  t["Trilu"] = {importTrilu, 14};
  t["Hardmax"] = {importHardmax};
  t["CumSum"] = {importCumSum, 11, 2};
  t["EyeLike"] = {importEyeLike, 9};
  t["OneHot"] = {importOneHot, 9, 3};
  t["DepthToSpace"] = {importDepthToSpace};
  t["SpaceToDepth"] = {importSpaceToDepth};
}
