//===- ShapeOps.cpp - ATen views, data movement and factories to nn -------===//
//
// Views become copies (nn values are immutable), which is exact for the
// functional graphs torch.export produces.
//
//===----------------------------------------------------------------------===//

#include "AtenContext.h"

#include "anvil/Dialect/NN/IR/NNOps.h"

using namespace mlir;
using namespace anvil;
using namespace anvil::torch_import;

namespace {

LogicalResult identity(AtenContext &n) {
  Value x = n.tensor(n.arg("self") ? "self" : "input");
  return n.setOutputs(x);
}

/// torch.export's check that a tensor has the dtype (and sizes) it traced
/// with: shapes are static here, so it is checked now and leaves no op.
LogicalResult assertTensorMetadata(AtenContext &n) {
  Value x = n.tensor("a");
  if (!x)
    return failure();
  if (!n.isNone("dtype") &&
      elementType(n.ctx(), n.getInt("dtype", -1)) != typeOf(x).getElementType())
    return n.invalid("the tensor's element type differs from the one the "
                     "export recorded");
  auto sizes = n.getInts("size");
  if (sizes && !n.isNone("size") &&
      ArrayRef<int64_t>(*sizes) != typeOf(x).getShape())
    return n.invalid("the tensor's shape differs from the one the export "
                     "recorded");
  return success();
}

/// view/reshape target with at most one -1 resolved.
std::optional<SmallVector<int64_t>> resolveShape(AtenContext &n, Value x,
                                                 ArrayRef<int64_t> shape) {
  int64_t known = 1, inferred = -1;
  SmallVector<int64_t> result(shape);
  for (auto [i, d] : llvm::enumerate(shape)) {
    if (d == -1 && inferred < 0) {
      inferred = i;
      continue;
    }
    if (d < 0) {
      (void)n.invalid("the shape has a negative size");
      return std::nullopt;
    }
    known *= d;
  }
  int64_t total = typeOf(x).getNumElements();
  if (inferred >= 0) {
    if (known == 0 || total % known != 0) {
      (void)n.invalid("cannot infer -1 in the shape");
      return std::nullopt;
    }
    result[inferred] = total / known;
  }
  return result;
}

LogicalResult view(AtenContext &n) {
  Value x = n.tensor("self");
  auto shape =
      x ? n.requireInts(n.arg("size") ? "size" : "shape") : std::nullopt;
  if (!shape)
    return failure();
  auto resolved = resolveShape(n, x, *shape);
  Value r = resolved ? n.reshape(x, *resolved) : nullptr;
  return n.setOutputs(r);
}

LogicalResult flatten(AtenContext &n) {
  Value x = n.tensor("self");
  if (!x)
    return failure();
  auto shape = typeOf(x).getShape();
  int64_t rank = shape.size();
  auto start = normalizeDim(n.getInt("start_dim", 0), rank);
  auto end = normalizeDim(n.getInt("end_dim", -1), rank);
  if (!start || !end || *start > *end + (rank == 0))
    return n.invalid("start_dim/end_dim out of range");
  if (rank == 0)
    return n.setOutputs(n.reshape(x, {1}));
  SmallVector<int64_t> result(shape.take_front(*start));
  int64_t folded = 1;
  for (int64_t d = *start; d <= *end; ++d)
    folded *= shape[d];
  result.push_back(folded);
  result.append(shape.begin() + *end + 1, shape.end());
  Value r = n.reshape(x, result);
  return n.setOutputs(r);
}

LogicalResult unflatten(AtenContext &n) {
  Value x = n.tensor("self");
  auto sizes = x ? n.requireInts("sizes") : std::nullopt;
  if (!sizes)
    return failure();
  auto shape = typeOf(x).getShape();
  auto dim = normalizeDim(n.getInt("dim", 0), shape.size());
  if (!dim)
    return n.invalid("dim is out of range");
  SmallVector<int64_t> sub(*sizes);
  int64_t known = 1, inferred = -1;
  for (auto [i, d] : llvm::enumerate(sub))
    d < 0 ? (void)(inferred = i) : (void)(known *= d);
  if (inferred >= 0)
    sub[inferred] = known ? shape[*dim] / known : 0;
  SmallVector<int64_t> result(shape.take_front(*dim));
  result.append(sub);
  result.append(shape.begin() + *dim + 1, shape.end());
  Value r = n.reshape(x, result);
  return n.setOutputs(r);
}

Value transposeBy(AtenContext &n, Value x, ArrayRef<int64_t> perm) {
  bool isIdentity = true;
  for (auto [i, p] : llvm::enumerate(perm))
    isIdentity &= static_cast<int64_t>(i) == p;
  if (isIdentity)
    return x;
  return n.create<nn::TransposeOp>(x, {i64s(n, "perm", perm)});
}

LogicalResult permute(AtenContext &n) {
  Value x = n.tensor("self");
  auto dims = x ? n.requireInts("dims") : std::nullopt;
  if (!dims)
    return failure();
  int64_t rank = typeOf(x).getRank();
  SmallVector<int64_t> perm;
  for (int64_t d : *dims) {
    auto axis = normalizeDim(d, rank);
    if (!axis)
      return n.invalid("dims are out of range");
    perm.push_back(*axis);
  }
  Value r = transposeBy(n, x, perm);
  return n.setOutputs(r);
}

LogicalResult transpose(AtenContext &n) {
  Value x = n.tensor("self");
  if (!x)
    return failure();
  int64_t rank = typeOf(x).getRank();
  if (rank < 2)
    return n.setOutputs(x);
  auto d0 = normalizeDim(n.getInt("dim0", 0), rank);
  auto d1 = normalizeDim(n.getInt("dim1", 1), rank);
  if (!d0 || !d1)
    return n.invalid("dims are out of range");
  SmallVector<int64_t> perm;
  for (int64_t d = 0; d < rank; ++d)
    perm.push_back(d);
  std::swap(perm[*d0], perm[*d1]);
  Value r = transposeBy(n, x, perm);
  return n.setOutputs(r);
}

LogicalResult unsqueeze(AtenContext &n) {
  Value x = n.tensor("self");
  if (!x)
    return failure();
  SmallVector<int64_t> shape(typeOf(x).getShape());
  auto dim = normalizeDim(n.getInt("dim", 0), shape.size() + 1);
  if (!dim)
    return n.invalid("dim is out of range");
  shape.insert(shape.begin() + *dim, 1);
  Value r = n.reshape(x, shape);
  return n.setOutputs(r);
}

/// squeeze.default, squeeze.dim and squeeze.dims: size-1 dimensions among
/// `dim` (all when absent) are dropped.
LogicalResult squeeze(AtenContext &n) {
  Value x = n.tensor("self");
  if (!x)
    return failure();
  auto shape = typeOf(x).getShape();
  int64_t rank = shape.size();
  SmallVector<bool> drop(rank, false);
  if (auto dims = n.getInts("dim")) {
    for (int64_t d : *dims) {
      auto axis = normalizeDim(d, rank);
      if (!axis)
        return n.invalid("dim is out of range");
      if (rank > 0)
        drop[*axis] = shape[*axis] == 1;
    }
  } else {
    for (int64_t d = 0; d < rank; ++d)
      drop[d] = shape[d] == 1;
  }
  SmallVector<int64_t> result;
  for (int64_t d = 0; d < rank; ++d)
    if (!drop[d])
      result.push_back(shape[d]);
  Value r = n.reshape(x, result);
  return n.setOutputs(r);
}

LogicalResult toCopy(AtenContext &n) {
  Value x = n.tensor("self");
  if (!x)
    return failure();
  if (n.isNone("dtype"))
    return n.setOutputs(x);
  int64_t code = n.getInt("dtype", -1);
  Type element = elementType(n.ctx(), code);
  if (!element)
    return n.unsupported("dtype code " + Twine(code) + " is not supported");
  Value r = n.castTo(x, element);
  return n.setOutputs(r);
}

LogicalResult expand(AtenContext &n) {
  Value x = n.tensor("self");
  auto size = x ? n.requireInts("size") : std::nullopt;
  if (!size)
    return failure();
  auto shape = typeOf(x).getShape();
  int64_t offset = static_cast<int64_t>(size->size()) - shape.size();
  if (offset < 0)
    return n.invalid("size has fewer dimensions than the input");
  SmallVector<int64_t> target(*size);
  for (int64_t d = 0; d < static_cast<int64_t>(shape.size()); ++d)
    if (target[offset + d] == -1)
      target[offset + d] = shape[d];
  Value r = n.create<nn::ExpandOp>(x, {i64s(n, "shape", target)});
  return n.setOutputs(r);
}

/// A strided slice of one dimension, start/end clamped as Python does.
Value sliceDim(AtenContext &n, Value x, int64_t dim, int64_t start, int64_t end,
               int64_t step) {
  auto shape = typeOf(x).getShape();
  int64_t size = shape[dim];
  auto clamp = [&](int64_t v) {
    if (v < 0)
      v += size;
    return std::clamp<int64_t>(v, 0, size);
  };
  start = clamp(start);
  end = clamp(end);
  SmallVector<int64_t> starts(shape.size(), 0), sizes(shape),
      steps(shape.size(), 1);
  starts[dim] = start;
  sizes[dim] = end > start ? (end - start + step - 1) / step : 0;
  steps[dim] = step;
  return n.create<nn::SliceOp>(x, {i64s(n, "starts", starts),
                                   i64s(n, "sizes", sizes),
                                   i64s(n, "steps", steps)});
}

LogicalResult slice(AtenContext &n) {
  Value x = n.tensor("self");
  if (!x)
    return failure();
  auto dim = normalizeDim(n.getInt("dim", 0), typeOf(x).getRank());
  int64_t step = n.getInt("step", 1);
  if (!dim || step <= 0)
    return n.invalid(!dim ? "dim is out of range" : "step must be positive");
  int64_t start = n.isNone("start") ? 0 : n.getInt("start", 0);
  int64_t end = n.isNone("end") ? INT64_MAX : n.getInt("end", INT64_MAX);
  Value r = sliceDim(n, x, *dim, start, end, step);
  return n.setOutputs(r);
}

/// x[..., index, ...] along `dim`, the dimension dropped.
Value selectAt(AtenContext &n, Value x, int64_t dim, int64_t index) {
  auto shape = typeOf(x).getShape();
  if (index < -shape[dim] || index >= shape[dim]) {
    (void)n.invalid("index " + Twine(index) + " is out of range for size " +
                    Twine(shape[dim]));
    return nullptr;
  }
  if (index < 0)
    index += shape[dim];
  Value s = sliceDim(n, x, dim, index, index + 1, 1);
  SmallVector<int64_t> result(shape);
  result.erase(result.begin() + dim);
  return n.reshape(s, result);
}

LogicalResult select(AtenContext &n) {
  Value x = n.tensor("self");
  if (!x)
    return failure();
  auto dim = normalizeDim(n.getInt("dim", 0), typeOf(x).getRank());
  if (!dim || typeOf(x).getRank() == 0)
    return n.invalid("dim is out of range");
  Value r = selectAt(n, x, *dim, n.getInt("index", 0));
  return n.setOutputs(r);
}

LogicalResult unbind(AtenContext &n) {
  Value x = n.tensor("self");
  if (!x)
    return failure();
  auto dim = normalizeDim(n.getInt("dim", 0), typeOf(x).getRank());
  if (!dim || typeOf(x).getRank() == 0)
    return n.invalid("dim is out of range");
  SmallVector<Value> parts;
  for (int64_t i = 0; i < typeOf(x).getDimSize(*dim); ++i) {
    parts.push_back(selectAt(n, x, *dim, i));
    if (!parts.back())
      return failure();
  }
  return n.setOutputs(parts);
}

/// Splits along `dim` into pieces of the given sizes.
LogicalResult splitInto(AtenContext &n, Value x, int64_t dim,
                        ArrayRef<int64_t> sizes) {
  SmallVector<Value> parts;
  int64_t at = 0;
  for (int64_t size : sizes) {
    parts.push_back(sliceDim(n, x, dim, at, at + size, 1));
    if (!parts.back())
      return failure();
    at += size;
  }
  if (at != typeOf(x).getDimSize(dim))
    return n.invalid("split sizes do not add up to the dimension");
  return n.setOutputs(parts);
}

/// split.Tensor, split_with_sizes and chunk.
LogicalResult split(AtenContext &n) {
  Value x = n.tensor("self");
  if (!x)
    return failure();
  auto dim = normalizeDim(n.getInt("dim", 0), typeOf(x).getRank());
  if (!dim)
    return n.invalid("dim is out of range");
  int64_t total = typeOf(x).getDimSize(*dim);
  if (auto sizes = n.getInts("split_sizes"); sizes && n.arg("split_sizes"))
    return splitInto(n, x, *dim, *sizes);
  int64_t piece = n.getInt("split_size", 0);
  if (n.arg("chunks")) {
    int64_t chunks = n.getInt("chunks", 1);
    piece = chunks > 0 ? (total + chunks - 1) / chunks : 0;
  }
  if (piece <= 0)
    return n.invalid("split size must be positive");
  SmallVector<int64_t> sizes;
  for (int64_t at = 0; at < total; at += piece)
    sizes.push_back(std::min(piece, total - at));
  return splitInto(n, x, *dim, sizes);
}

Type commonType(ArrayRef<Value> values) {
  Type t = typeOf(values.front()).getElementType();
  for (Value v : values) {
    Type e = typeOf(v).getElementType();
    if (isa<FloatType>(e) && !isa<FloatType>(t))
      t = e;
    else if (isa<FloatType>(e) == isa<FloatType>(t) &&
             e.getIntOrFloatBitWidth() > t.getIntOrFloatBitWidth())
      t = e;
  }
  return t;
}

Value concatAlong(AtenContext &n, SmallVector<Value> parts, int64_t dim) {
  Type element = commonType(parts);
  for (Value &p : parts)
    if (!(p = n.castTo(p, element)))
      return nullptr;
  return n.create<nn::ConcatOp>(
      parts, {n.b.getNamedAttr("axis", n.b.getI64IntegerAttr(dim))});
}

LogicalResult cat(AtenContext &n) {
  auto parts = n.tensors("tensors");
  if (!parts || parts->empty())
    return parts ? n.invalid("no tensors to concatenate") : failure();
  auto dim = normalizeDim(n.getInt("dim", 0), typeOf(parts->front()).getRank());
  if (!dim)
    return n.invalid("dim is out of range");
  Value r = concatAlong(n, *parts, *dim);
  return n.setOutputs(r);
}

LogicalResult stack(AtenContext &n) {
  auto parts = n.tensors("tensors");
  if (!parts || parts->empty())
    return parts ? n.invalid("no tensors to stack") : failure();
  int64_t rank = typeOf(parts->front()).getRank();
  auto dim = normalizeDim(n.getInt("dim", 0), rank + 1);
  if (!dim)
    return n.invalid("dim is out of range");
  for (Value &p : *parts) {
    SmallVector<int64_t> shape(typeOf(p).getShape());
    shape.insert(shape.begin() + *dim, 1);
    if (!(p = n.reshape(p, shape)))
      return failure();
  }
  Value r = concatAlong(n, *parts, *dim);
  return n.setOutputs(r);
}

/// The element type of a factory op: its dtype, else f32 for a float fill
/// and i64 for an integer one (PyTorch's defaults).
Type factoryType(AtenContext &n, bool integerFill) {
  if (!n.isNone("dtype"))
    return elementType(n.ctx(), n.getInt("dtype", 7));
  return integerFill ? Type(n.b.getI64Type()) : Type(n.b.getF32Type());
}

Value filled(AtenContext &n, ArrayRef<int64_t> shape, Type element,
             double value) {
  if (!element) {
    (void)n.unsupported("the dtype is not supported");
    return nullptr;
  }
  if (std::string why = tensorSizeProblem(shape); !why.empty()) {
    (void)n.unsupported(why);
    return nullptr;
  }
  auto type = RankedTensorType::get(shape, element);
  Attribute fill =
      isa<FloatType>(element) ? Attribute(n.b.getFloatAttr(element, value))
      : element.isInteger(1)
          ? Attribute(n.b.getBoolAttr(value != 0))
          : Attribute(n.b.getIntegerAttr(element, static_cast<int64_t>(value)));
  return n.constant(DenseElementsAttr::get(type, fill));
}

template <int Fill> LogicalResult fillFactory(AtenContext &n) {
  auto size = n.requireInts("size");
  if (!size)
    return failure();
  Value r = filled(n, *size, factoryType(n, false), Fill);
  return n.setOutputs(r);
}

LogicalResult full(AtenContext &n) {
  auto size = n.requireInts("size");
  auto value = n.getScalar("fill_value");
  if (!size || !value)
    return size ? n.invalid("fill_value is missing") : failure();
  Value r =
      filled(n, *size, factoryType(n, n.isIntegerScalar("fill_value")), *value);
  return n.setOutputs(r);
}

/// new_zeros / new_ones / new_empty: a tensor of `size` in self's dtype.
template <int Fill> LogicalResult newFactory(AtenContext &n) {
  Value x = n.tensor("self");
  auto size = x ? n.requireInts("size") : std::nullopt;
  if (!size)
    return failure();
  Type element = n.isNone("dtype") ? typeOf(x).getElementType()
                                   : elementType(n.ctx(), n.getInt("dtype", 7));
  return n.setOutputs(filled(n, *size, element, Fill));
}

/// zeros_like / ones_like / full_like.
template <int Fill> LogicalResult likeFactory(AtenContext &n) {
  Value x = n.tensor("self");
  if (!x)
    return failure();
  Type element = n.isNone("dtype") ? typeOf(x).getElementType()
                                   : elementType(n.ctx(), n.getInt("dtype", 7));
  double value = Fill >= 0 ? Fill : n.getFloat("fill_value", 0);
  Value r = filled(n, typeOf(x).getShape(), element, value);
  return n.setOutputs(r);
}

LogicalResult arange(AtenContext &n) {
  bool hasStart = n.arg("start") != nullptr;
  double start = hasStart ? n.getFloat("start", 0) : 0;
  double end = n.getFloat("end", 0), step = n.getFloat("step", 1);
  bool integer = (!hasStart || n.isIntegerScalar("start")) &&
                 n.isIntegerScalar("end") &&
                 (!n.arg("step") || n.isIntegerScalar("step"));
  Type element = factoryType(n, integer);
  if (step == 0 || !element)
    return n.invalid("step is zero or the dtype is unsupported");
  double count = std::ceil((end - start) / step);
  if (!(count <= double(kMaxTensorElements)))
    return n.unsupported("the range exceeds the size limit");
  int64_t len = std::max<int64_t>(0, static_cast<int64_t>(count));
  auto type = RankedTensorType::get({len}, element);
  SmallVector<Attribute> items;
  for (int64_t i = 0; i < len; ++i)
    items.push_back(
        isa<FloatType>(element)
            ? Attribute(n.b.getFloatAttr(element, start + i * step))
            : Attribute(n.b.getIntegerAttr(
                  element, static_cast<int64_t>(start + i * step))));
  Value r = n.constant(DenseElementsAttr::get(type, items));
  return n.setOutputs(r);
}

/// constant_pad_nd: `pad` holds (begin, end) pairs from the last dimension
/// backwards.
LogicalResult constantPad(AtenContext &n) {
  Value x = n.tensor("self");
  auto pad = x ? n.requireInts("pad") : std::nullopt;
  if (!pad)
    return failure();
  int64_t rank = typeOf(x).getRank();
  if (pad->size() % 2 || static_cast<int64_t>(pad->size()) > 2 * rank)
    return n.invalid(
        "pad needs (begin, end) pairs for at most every dimension");
  SmallVector<int64_t> pads(2 * rank, 0);
  for (size_t i = 0; i < pad->size() / 2; ++i) {
    pads[rank - 1 - i] = (*pad)[2 * i];
    pads[2 * rank - 1 - i] = (*pad)[2 * i + 1];
  }
  if (llvm::any_of(pads, [](int64_t p) { return p < 0; }))
    return n.unsupported("negative padding (cropping)");
  Value r = n.create<nn::PadOp>(
      x,
      {i64s(n, "pads", pads),
       n.b.getNamedAttr("mode",
                        nn::PadModeAttr::get(n.ctx(), nn::PadMode::Constant)),
       n.b.getNamedAttr("value", n.b.getF64FloatAttr(n.getFloat("value", 0)))});
  return n.setOutputs(r);
}

/// roll: each dimension's elements shift cyclically by its shift; without
/// dims the flattened tensor rolls.
LogicalResult roll(AtenContext &n) {
  Value x = n.tensor("self");
  auto shifts = x ? n.requireInts("shifts") : std::nullopt;
  if (!shifts)
    return failure();
  auto shape = typeOf(x).getShape();
  auto dims = n.getInts("dims").value_or(SmallVector<int64_t>{});
  Value v = dims.empty() ? n.reshape(x, {typeOf(x).getNumElements()}) : x;
  if (dims.empty())
    dims.push_back(0);
  if (dims.size() != shifts->size())
    return n.invalid("shifts and dims differ in length");
  for (auto [d, shift] : llvm::zip_equal(dims, *shifts)) {
    auto axis = v ? normalizeDim(d, typeOf(v).getRank()) : std::nullopt;
    if (!axis)
      return v ? n.invalid("dim is out of range") : failure();
    int64_t size = typeOf(v).getDimSize(*axis);
    int64_t s = size ? ((shift % size) + size) % size : 0;
    if (s == 0)
      continue;
    v = concatAlong(n,
                    {sliceDim(n, v, *axis, size - s, size, 1),
                     sliceDim(n, v, *axis, 0, size - s, 1)},
                    *axis);
  }
  return n.setOutputs(n.reshape(v, shape));
}

/// as_strided that only restates the layout of a dense tensor (same sizes,
/// the contiguous strides wherever a size exceeds 1) leaves the values as
/// they are; any other reinterpretation of memory is refused.
LogicalResult asStrided(AtenContext &n) {
  Value x = n.tensor("self");
  auto size = x ? n.requireInts("size") : std::nullopt;
  auto stride = size ? n.requireInts("stride") : std::nullopt;
  if (!stride)
    return failure();
  auto shape = typeOf(x).getShape();
  bool sameLayout = ArrayRef<int64_t>(*size) == shape &&
                    stride->size() == shape.size() &&
                    n.getInt("storage_offset", 0) == 0;
  int64_t dense = 1;
  for (int64_t d = static_cast<int64_t>(shape.size()) - 1; sameLayout && d >= 0;
       --d) {
    sameLayout &= shape[d] == 1 || (*stride)[d] == dense;
    dense *= shape[d];
  }
  if (!sameLayout)
    return n.unsupported("as_strided that reinterprets memory (only layout "
                         "restatements of dense tensors are supported)");
  return n.setOutputs(x);
}

LogicalResult embedding(AtenContext &n) {
  Value w = n.tensor("weight"), ids = n.tensor("indices");
  if (!w || !ids)
    return failure();
  Value r = n.create<nn::GatherOp>(
      {w, n.castTo(ids, n.b.getI64Type())},
      {n.b.getNamedAttr("axis", n.b.getI64IntegerAttr(0))});
  return n.setOutputs(r);
}

LogicalResult indexSelect(AtenContext &n) {
  Value x = n.tensor("self"), index = n.tensor("index");
  if (!x || !index)
    return failure();
  auto dim = normalizeDim(n.getInt("dim", 0), typeOf(x).getRank());
  if (!dim)
    return n.invalid("dim is out of range");
  Value r = n.create<nn::GatherOp>(
      {x, n.castTo(index, n.b.getI64Type())},
      {n.b.getNamedAttr("axis", n.b.getI64IntegerAttr(*dim))});
  return n.setOutputs(r);
}

LogicalResult trilIndices(AtenContext &n) {
  int64_t rows = n.getInt("row", 0), cols = n.getInt("col", 0);
  int64_t offset = n.getInt("offset", 0);
  if (rows < 0 || cols < 0 || rows > kMaxTensorElements ||
      cols > kMaxTensorElements || rows * cols > kMaxTensorElements)
    return n.invalid("row and col must be non-negative and small");
  SmallVector<int64_t> is, js;
  for (int64_t i = 0; i < rows; ++i)
    for (int64_t j = 0; j < cols && j <= i + offset; ++j) {
      is.push_back(i);
      js.push_back(j);
    }
  is.append(js);
  auto type = RankedTensorType::get({2, static_cast<int64_t>(js.size())},
                                    n.b.getI64Type());
  return n.setOutputs(n.constant(DenseElementsAttr::get(type, ArrayRef(is))));
}

} // namespace

void anvil::torch_import::addShapeOps(AtenTable &t) {
  for (StringRef name :
       {"aten.contiguous", "aten.clone", "aten.dropout", "aten.dropout_",
        "aten.alias", "aten.detach", "aten.detach_", "aten.lift_fresh_copy",
        "aten.feature_dropout"})
    t[name] = identity;
  t["aten._assert_tensor_metadata"] = assertTensorMetadata;
  t["aten.view"] = view;
  t["aten._unsafe_view"] = view;
  t["aten._reshape_alias"] = view;
  t["aten.reshape"] = view;
  t["aten.flatten"] = flatten;
  t["aten.unflatten"] = unflatten;
  t["aten.permute"] = permute;
  t["aten.transpose"] = transpose;
  t["aten.t"] = transpose;
  t["aten.unsqueeze"] = unsqueeze;
  t["aten.squeeze"] = squeeze;
  t["aten._to_copy"] = toCopy;
  t["aten.to"] = toCopy;
  t["aten.expand"] = expand;
  t["aten.slice"] = slice;
  t["aten.select"] = select;
  t["aten.unbind"] = unbind;
  t["aten.split"] = split;
  t["aten.split_with_sizes"] = split;
  t["aten.chunk"] = split;
  t["aten.cat"] = cat;
  t["aten.concat"] = cat;
  t["aten.stack"] = stack;
  t["aten.zeros"] = fillFactory<0>;
  t["aten.ones"] = fillFactory<1>;
  t["aten.full"] = full;
  t["aten.zeros_like"] = likeFactory<0>;
  t["aten.ones_like"] = likeFactory<1>;
  t["aten.full_like"] = likeFactory<-1>;
  t["aten.arange"] = arange;
  t["aten.embedding"] = embedding;
  t["aten.constant_pad_nd"] = constantPad;
  t["aten.roll"] = roll;
  t["aten.as_strided"] = asStrided;
  t["aten.as_strided_"] = asStrided;
  t["aten.new_zeros"] = newFactory<0>;
  t["aten.new_ones"] = newFactory<1>;
  t["aten.new_empty"] = newFactory<0>;
  t["aten.index_select"] = indexSelect;
  t["aten.tril_indices"] = trilIndices;
}
