//===- ShapeOps.cpp - ONNX constants, shapes and data movement ------------===//
//
// Shapes are static, so shape-valued inputs (Reshape's shape, Slice's
// starts, ...) must be constants; Shape and Size become constants here.
//
//===----------------------------------------------------------------------===//

#include "NodeContext.h"

#include "anvil/Dialect/NN/IR/NNOps.h"
#include "anvil/Import/Decompositions.h"
#include "anvil/Support/Sizes.h"

#include "mlir/IR/Matchers.h"

using namespace mlir;
using namespace anvil;
using namespace anvil::onnx_import;

namespace {

FailureOr<Value> reshape(NodeContext &n, Value input, ArrayRef<int64_t> shape) {
  return n.create<nn::ReshapeOp>(
      input, {n.b.getNamedAttr("shape", n.b.getDenseI64ArrayAttr(shape))});
}

LogicalResult bind(NodeContext &n, FailureOr<Value> v) {
  return failed(v) ? failure() : n.setOutputs(*v);
}

/// Integers from input `index` (opset >= `inputSince`) or attribute `name`.
std::optional<SmallVector<int64_t>>
intsFrom(NodeContext &n, int index, StringRef name, int64_t inputSince) {
  if (n.opset >= inputSince)
    return n.input(index) ? n.constInts(index) : std::nullopt;
  return n.getInts(name);
}

LogicalResult importConstant(NodeContext &n) {
  if (n.node.attribute_size() != 1)
    return n.invalid("Constant needs exactly one value attribute");
  const onnx::AttributeProto &a = n.node.attribute(0);
  Builder &b = n.b;
  auto f32 = b.getF32Type();
  auto i64 = b.getI64Type();
  if (a.name() == "value") {
    std::string error;
    bool unsupported = false;
    auto attr =
        tensorToAttr(n.ctx(), a.t(), n.modelDirectory(), error, unsupported);
    if (failed(attr))
      return unsupported ? n.unsupported(error) : n.invalid(error);
    Value v = nn::ConstantOp::create(
        n.b, n.loc, cast<RankedTensorType>(attr->getType()), *attr);
    return n.setOutputs(v);
  }
  if (a.name() == "value_float")
    return n.setOutputs(n.constant(
        DenseElementsAttr::get(RankedTensorType::get({}, f32), a.f())));
  if (a.name() == "value_int")
    return n.setOutputs(n.constant(DenseElementsAttr::get(
        RankedTensorType::get({}, i64), static_cast<int64_t>(a.i()))));
  if (a.name() == "value_floats") {
    SmallVector<float> v(a.floats().begin(), a.floats().end());
    return n.setOutputs(n.constant(DenseElementsAttr::get(
        RankedTensorType::get({static_cast<int64_t>(v.size())}, f32),
        ArrayRef<float>(v))));
  }
  if (a.name() == "value_ints") {
    SmallVector<int64_t> v(a.ints().begin(), a.ints().end());
    return n.setOutputs(n.constantI64(v));
  }
  return n.unsupported("Constant attribute '" + a.name() +
                       "' is not supported");
}

LogicalResult importReshape(NodeContext &n) {
  if (failed(n.checkAttributes({"allowzero", "shape"})))
    return failure();
  auto requested = intsFrom(n, 1, "shape", 5);
  if (!requested)
    return n.opset >= 5 ? n.needsConstant(1, "the target shape")
                        : n.invalid("the shape attribute is missing");
  RankedTensorType in = n.inputType(0);
  bool allowZero = n.getInt("allowzero", 0);
  SmallVector<int64_t> shape;
  int64_t inferAt = -1, known = 1;
  for (auto [i, d] : llvm::enumerate(*requested)) {
    if (d == 0 && !allowZero) {
      if (static_cast<int64_t>(i) >= in.getRank())
        return n.invalid("a 0 in the shape copies a dimension the input lacks");
      d = in.getDimSize(i);
    }
    if (d == -1) {
      if (inferAt >= 0)
        return n.invalid("the shape has more than one -1");
      inferAt = i;
    } else if (d < 0) {
      return n.invalid("negative dimension " + Twine(d) + " in the shape");
    }
    shape.push_back(d);
  }
  SmallVector<int64_t> given(shape);
  if (inferAt >= 0)
    given.erase(given.begin() + inferAt);
  std::optional<int64_t> count = anvil::checkedElementCount(given);
  if (!count)
    return n.invalid("the shape has more elements than 64 bits can count");
  known = *count;
  if (inferAt >= 0) {
    if (known == 0 || in.getNumElements() % known)
      return n.invalid("cannot infer the -1 dimension");
    shape[inferAt] = in.getNumElements() / known;
  }
  return bind(n, reshape(n, n.input(0), shape));
}

LogicalResult importFlatten(NodeContext &n) {
  if (failed(n.checkAttributes({"axis"})))
    return failure();
  RankedTensorType in = n.inputType(0);
  int64_t axis = n.getInt("axis", 1);
  if (axis < 0)
    axis += in.getRank();
  if (axis < 0 || axis > in.getRank())
    return n.invalid("axis out of range");
  int64_t rows = ShapedType::getNumElements(in.getShape().take_front(axis));
  int64_t cols = ShapedType::getNumElements(in.getShape().drop_front(axis));
  return bind(n, reshape(n, n.input(0), {rows, cols}));
}

/// Normalizes `axes` against `rank`; failure names the offending axis.
FailureOr<SmallVector<int64_t>> axesIn(NodeContext &n, ArrayRef<int64_t> axes,
                                       int64_t rank) {
  SmallVector<int64_t> out;
  for (int64_t a : axes) {
    int64_t norm = a < 0 ? a + rank : a;
    if (norm < 0 || norm >= rank || llvm::is_contained(out, norm))
      return (void)n.invalid("axis " + Twine(a) +
                             " is out of range or repeated"),
             failure();
    out.push_back(norm);
  }
  return out;
}

LogicalResult importSqueeze(NodeContext &n) {
  if (failed(n.checkAttributes({"axes"})))
    return failure();
  RankedTensorType in = n.inputType(0);
  SmallVector<int64_t> axes;
  if (auto given = intsFrom(n, 1, "axes", 13)) {
    auto norm = axesIn(n, *given, in.getRank());
    if (failed(norm))
      return failure();
    axes = *norm;
  } else if (n.opset >= 13 && n.input(1)) {
    return n.needsConstant(1, "axes");
  } else {
    for (int64_t d = 0; d < in.getRank(); ++d)
      if (in.getDimSize(d) == 1)
        axes.push_back(d);
  }
  SmallVector<int64_t> shape;
  for (int64_t d = 0; d < in.getRank(); ++d) {
    bool drop = llvm::is_contained(axes, d);
    if (drop && in.getDimSize(d) != 1)
      return n.invalid("cannot squeeze dimension " + Twine(d) + " of size " +
                       Twine(in.getDimSize(d)));
    if (!drop)
      shape.push_back(in.getDimSize(d));
  }
  return bind(n, reshape(n, n.input(0), shape));
}

LogicalResult importUnsqueeze(NodeContext &n) {
  if (failed(n.checkAttributes({"axes"})))
    return failure();
  auto given = intsFrom(n, 1, "axes", 13);
  if (!given)
    return n.opset >= 13 ? n.needsConstant(1, "axes")
                         : n.invalid("the axes attribute is missing");
  RankedTensorType in = n.inputType(0);
  int64_t rank = in.getRank() + given->size();
  auto axes = axesIn(n, *given, rank);
  if (failed(axes))
    return failure();
  SmallVector<int64_t> shape;
  auto dims = in.getShape();
  for (int64_t d = 0, next = 0; d < rank; ++d)
    shape.push_back(llvm::is_contained(*axes, d) ? 1 : dims[next++]);
  return bind(n, reshape(n, n.input(0), shape));
}

LogicalResult importTranspose(NodeContext &n) {
  if (failed(n.checkAttributes({"perm"})))
    return failure();
  int64_t rank = n.inputType(0).getRank();
  SmallVector<int64_t> perm = n.getInts("perm").value_or(
      llvm::to_vector(llvm::reverse(llvm::seq<int64_t>(0, rank))));
  return bind(n,
              n.create<nn::TransposeOp>(
                  n.input(0),
                  {n.b.getNamedAttr("perm", n.b.getDenseI64ArrayAttr(perm))}));
}

LogicalResult importConcat(NodeContext &n) {
  if (failed(n.checkAttributes({"axis"})))
    return failure();
  int64_t rank = n.inputType(0).getRank();
  int64_t axis = n.getInt("axis", 0);
  if (axis < 0)
    axis += rank;
  SmallVector<Value> inputs;
  for (int i = 0; i < n.numInputs(); ++i)
    if (Value v = n.input(i))
      inputs.push_back(v);
  return bind(
      n, n.create<nn::ConcatOp>(
             inputs, {n.b.getNamedAttr("axis", n.b.getI64IntegerAttr(axis))}));
}

/// ONNX Slice semantics for one dimension: clamped start, element count.
std::pair<int64_t, int64_t> sliceRange(int64_t start, int64_t end, int64_t step,
                                       int64_t dim) {
  auto clamp = [](int64_t v, int64_t lo, int64_t hi) {
    return std::min(std::max(v, lo), hi);
  };
  if (start < 0)
    start += dim;
  if (end < 0)
    end += dim;
  if (step > 0) {
    start = clamp(start, 0, dim);
    end = clamp(end, 0, dim);
  } else {
    start = clamp(start, 0, dim - 1);
    end = clamp(end, -1, dim - 1);
  }
  int64_t size = step > 0 ? (end - start + step - 1) / step
                          : (start - end + (-step) - 1) / (-step);
  return {start, std::max<int64_t>(size, 0)};
}

FailureOr<Value> slice(NodeContext &n, Value input, ArrayRef<int64_t> starts,
                       ArrayRef<int64_t> sizes, ArrayRef<int64_t> steps) {
  return n.create<nn::SliceOp>(
      input, {n.b.getNamedAttr("starts", n.b.getDenseI64ArrayAttr(starts)),
              n.b.getNamedAttr("sizes", n.b.getDenseI64ArrayAttr(sizes)),
              n.b.getNamedAttr("steps", n.b.getDenseI64ArrayAttr(steps))});
}

/// `ends - starts` per sliced axis where `ends` is `starts` plus a constant
/// (through reshapes), as a window at a run-time offset is written (a
/// loop body reading row i: Slice(x, i, i + 1)); nullopt otherwise.
std::optional<SmallVector<int64_t>> constantWidths(Value starts, Value ends,
                                                   size_t count) {
  auto strip = [](Value v) {
    while (auto reshape = v.getDefiningOp<nn::ReshapeOp>())
      v = reshape.getInput();
    return v;
  };
  Value start = strip(starts);
  auto add = strip(ends).getDefiningOp<nn::AddOp>();
  if (!add)
    return std::nullopt;
  Value offset = strip(add.getLhs()) == start   ? add.getRhs()
                 : strip(add.getRhs()) == start ? add.getLhs()
                                                : Value();
  DenseIntElementsAttr widths;
  if (!offset || !matchPattern(offset, m_Constant(&widths)))
    return std::nullopt;
  SmallVector<int64_t> values;
  for (const APInt &w : widths.getValues<APInt>())
    values.push_back(w.getSExtValue());
  if (values.size() == 1)
    values.assign(count, values.front());
  if (values.size() != count)
    return std::nullopt;
  return values;
}

/// A slice whose starts are run-time values but whose widths are constant
/// (constantWidths) gathers its elements: start + k * step along each axis,
/// a negative start counting from the end. A window reaching past the
/// input reads its edge (the gather clamps) where ONNX would shorten it:
/// the result's shape must not depend on data. Fails quietly when the
/// slice is not of this form.
LogicalResult windowSlice(NodeContext &n) {
  RankedTensorType in = n.inputType(0);
  if (!n.input(1) || !n.input(2) || n.inputType(1).getRank() != 1 ||
      n.inputType(1).getShape() != n.inputType(2).getShape() ||
      !n.inputType(1).hasStaticShape())
    return failure();
  size_t count = n.inputType(1).getDimSize(0);
  using Ints = std::optional<SmallVector<int64_t>>;
  Ints axes = n.input(3) ? n.constInts(3)
                         : Ints(llvm::to_vector(llvm::seq<int64_t>(0, count)));
  Ints steps =
      n.input(4) ? n.constInts(4) : Ints(SmallVector<int64_t>(count, 1));
  auto widths = constantWidths(n.input(1), n.input(2), count);
  if (!axes || !steps || !widths || axes->size() != count ||
      steps->size() != count)
    return failure();
  SmallVector<int64_t> sizes;
  for (auto [width, step] : llvm::zip(*widths, *steps)) {
    if (step == 0 || (width > 0) != (step > 0))
      return failure();
    sizes.push_back((std::abs(width) + std::abs(step) - 1) / std::abs(step));
  }
  Type i64 = n.b.getI64Type();
  NNBuilder nb(n.b, n.loc);
  Value x = n.input(0), starts = nb.cast(n.input(1), i64);
  for (size_t k = 0; k < count; ++k) {
    int64_t axis = (*axes)[k] < 0 ? (*axes)[k] + in.getRank() : (*axes)[k];
    if (axis < 0 || axis >= in.getRank())
      return n.invalid("axis out of range");
    Value start = nb.slice(starts, 0, k, 1);
    Value wrapped = nb.create<nn::WhereOp>(
        {nb.create<nn::LessOp>({start, nb.scalar(0, i64)}),
         nb.create<nn::AddOp>({start, nb.scalar(in.getDimSize(axis), i64)}),
         start});
    Value offsets = nb.create<nn::MulOp>(
        {nb.iota(sizes[k], i64), nb.scalar((*steps)[k], i64)});
    Value indices = nb.create<nn::AddOp>({wrapped, offsets});
    x = nb.create<nn::GatherOp>(
        {x, indices}, {n.b.getNamedAttr("axis", n.b.getI64IntegerAttr(axis))});
  }
  return n.finish(nb, x);
}

/// A one-axis, unit-step slice whose bounds are run-time values becomes a
/// masked slice (NodeContext::MaskedSlice); fails quietly otherwise.
LogicalResult maskedSlice(NodeContext &n) {
  RankedTensorType in = n.inputType(0);
  auto oneElement = [&](int i) {
    return n.input(i) && n.inputType(i).getNumElements() == 1;
  };
  if (!oneElement(1) || !oneElement(2))
    return failure();
  auto axes =
      n.input(3) ? n.constInts(3) : std::optional<SmallVector<int64_t>>({0});
  auto steps =
      n.input(4) ? n.constInts(4) : std::optional<SmallVector<int64_t>>({1});
  if (!axes || !steps || axes->size() != 1 || (*steps)[0] != 1)
    return failure();
  int64_t axis = (*axes)[0] < 0 ? (*axes)[0] + in.getRank() : (*axes)[0];
  if (axis < 0 || axis >= in.getRank())
    return failure();
  n.setMaskedSliceOutput(0, {n.input(0), axis, n.input(1), n.input(2)});
  return success();
}

LogicalResult importSlice(NodeContext &n) {
  if (failed(n.checkAttributes({"starts", "ends", "axes"})))
    return failure();
  RankedTensorType in = n.inputType(0);
  int64_t rank = in.getRank();
  auto starts = intsFrom(n, 1, "starts", 10);
  auto ends = intsFrom(n, 2, "ends", 10);
  if ((!starts || !ends) && n.opset >= 10 &&
      (succeeded(windowSlice(n)) || succeeded(maskedSlice(n))))
    return success();
  if (!starts || !ends)
    return n.opset >= 10
               ? n.needsConstant(starts ? 2 : 1, starts ? "ends" : "starts")
               : n.invalid("starts and ends attributes are required");
  auto axes =
      intsFrom(n, 3, "axes", 10)
          .value_or(llvm::to_vector(llvm::seq<int64_t>(0, starts->size())));
  SmallVector<int64_t> steps(starts->size(), 1);
  if (n.opset >= 10 && n.input(4)) {
    auto given = n.constInts(4);
    if (!given)
      return n.needsConstant(4, "steps");
    steps = *given;
  }
  if (ends->size() != starts->size() || axes.size() != starts->size() ||
      steps.size() != starts->size())
    return n.invalid("starts, ends, axes and steps differ in length");
  auto normAxes = axesIn(n, axes, rank);
  if (failed(normAxes))
    return failure();
  SmallVector<int64_t> outStarts(rank, 0), sizes(in.getShape()),
      outSteps(rank, 1);
  for (auto [i, axis] : llvm::enumerate(*normAxes)) {
    if (steps[i] == 0)
      return n.invalid("a slice step is 0");
    auto [start, size] =
        sliceRange((*starts)[i], (*ends)[i], steps[i], in.getDimSize(axis));
    outStarts[axis] = start;
    sizes[axis] = size;
    outSteps[axis] = steps[i];
  }
  return bind(n, slice(n, n.input(0), outStarts, sizes, outSteps));
}

LogicalResult importSplit(NodeContext &n) {
  if (failed(n.checkAttributes({"axis", "split", "num_outputs"})))
    return failure();
  RankedTensorType in = n.inputType(0);
  int64_t axis = n.getInt("axis", 0);
  if (axis < 0)
    axis += in.getRank();
  if (axis < 0 || axis >= in.getRank())
    return n.invalid("axis out of range");
  int64_t dim = in.getDimSize(axis), outputs = n.node.output_size();
  if (outputs == 0)
    return n.invalid("Split has no outputs");
  auto sizes = intsFrom(n, 1, "split", 13);
  if (!sizes) {
    if (n.opset >= 13 && n.input(1))
      return n.needsConstant(1, "split sizes");
    if (in.isDynamicDim(axis))
      return n.unsupported("splitting a dynamic dimension into equal "
                           "parts");
    // Equal parts; the last one smaller when the size does not divide.
    int64_t part = (dim + outputs - 1) / outputs;
    sizes = SmallVector<int64_t>();
    for (int64_t i = 0, left = dim; i < outputs; ++i, left -= part)
      sizes->push_back(std::min(part, left));
  }
  if (static_cast<int64_t>(sizes->size()) != outputs)
    return n.invalid("split has " + Twine(sizes->size()) + " sizes for " +
                     Twine(outputs) + " outputs");
  SmallVector<Value> results;
  SmallVector<int64_t> starts(in.getRank(), 0), steps(in.getRank(), 1);
  for (int64_t size : *sizes) {
    SmallVector<int64_t> shape(in.getShape());
    shape[axis] = size;
    auto part = slice(n, n.input(0), starts, shape, steps);
    if (failed(part))
      return failure();
    results.push_back(*part);
    starts[axis] += size;
  }
  return n.setOutputs(results);
}

LogicalResult importGather(NodeContext &n) {
  if (failed(n.checkAttributes({"axis"})))
    return failure();
  int64_t axis = n.getInt("axis", 0);
  if (axis < 0)
    axis += n.inputType(0).getRank();
  // Indices known now are checked now; those computed at run time are
  // clamped into the dimension by the lowering.
  if (axis >= 0 && axis < n.inputType(0).getRank())
    if (std::optional<SmallVector<int64_t>> indices = n.constInts(1)) {
      int64_t size = n.inputType(0).getDimSize(axis);
      for (int64_t index : *indices)
        if (!ShapedType::isDynamic(size) && (index < -size || index >= size))
          return n.invalid("index " + Twine(index) +
                           " is out of range for axis " + Twine(axis) +
                           " of size " + Twine(size));
    }
  // Gathering at a masked slice of indices is the same mask over the
  // gather at all of them (rows of an EmbeddingBag's bag).
  if (const NodeContext::MaskedSlice *indices = n.maskedSliceInput(1)) {
    auto all = n.create<nn::GatherOp>(
        ValueRange{n.input(0), indices->data},
        {n.b.getNamedAttr("axis", n.b.getI64IntegerAttr(axis))});
    if (failed(all))
      return failure();
    n.setMaskedSliceOutput(
        0, {*all, axis + indices->axis, indices->start, indices->end});
    return success();
  }
  return bind(n, n.create<nn::GatherOp>(
                     ValueRange{n.input(0), n.input(1)},
                     {n.b.getNamedAttr("axis", n.b.getI64IntegerAttr(axis))}));
}

LogicalResult importPad(NodeContext &n) {
  if (failed(n.checkAttributes({"mode", "pads", "value", "paddings"})))
    return failure();
  RankedTensorType in = n.inputType(0);
  int64_t rank = in.getRank();
  std::string mode = n.getString("mode", "constant");
  nn::PadMode padMode;
  if (mode == "constant")
    padMode = nn::PadMode::Constant;
  else if (mode == "reflect")
    padMode = nn::PadMode::Reflect;
  else if (mode == "edge")
    padMode = nn::PadMode::Edge;
  else
    return n.unsupported("pad mode '" + mode + "'");
  std::optional<SmallVector<int64_t>> pads =
      n.opset >= 11 ? n.constInts(1)
                    : n.getInts(n.opset >= 2 ? "pads" : "paddings");
  if (!pads)
    return n.opset >= 11 ? n.needsConstant(1, "pads")
                         : n.invalid("the pads attribute is missing");
  double value = n.getFloat("value", 0);
  if (n.opset >= 11 && n.input(2)) {
    auto given = n.constFloats(2);
    if (!given)
      return n.needsConstant(2, "constant_value");
    if (given->size() != 1)
      return n.invalid("constant_value must be a scalar");
    value = (*given)[0];
  }
  SmallVector<int64_t> full(2 * rank, 0);
  SmallVector<int64_t> axes = llvm::to_vector(llvm::seq<int64_t>(0, rank));
  if (n.opset >= 18 && n.input(3)) {
    auto given = n.constInts(3);
    if (!given)
      return n.needsConstant(3, "axes");
    auto norm = axesIn(n, *given, rank);
    if (failed(norm))
      return failure();
    axes = *norm;
  }
  if (pads->size() != 2 * axes.size())
    return n.invalid("expected " + Twine(2 * axes.size()) + " pads");
  for (auto [i, axis] : llvm::enumerate(axes)) {
    full[axis] = (*pads)[i];
    full[axis + rank] = (*pads)[i + axes.size()];
  }
  if (llvm::any_of(full, [](int64_t p) { return p < 0; }))
    return n.unsupported("negative pads (cropping)");
  return bind(
      n, n.create<nn::PadOp>(
             n.input(0),
             {n.b.getNamedAttr("pads", n.b.getDenseI64ArrayAttr(full)),
              n.b.getNamedAttr("mode", nn::PadModeAttr::get(n.ctx(), padMode)),
              n.b.getNamedAttr("value", n.b.getF64FloatAttr(value))}));
}

LogicalResult importShape(NodeContext &n) {
  if (failed(n.checkAttributes({"start", "end"})))
    return failure();
  ArrayRef<int64_t> shape = n.inputType(0).getShape();
  int64_t rank = shape.size();
  auto norm = [&](int64_t v) {
    return std::min(std::max(v < 0 ? v + rank : v, int64_t(0)), rank);
  };
  int64_t start = norm(n.getInt("start", 0)), end = norm(n.getInt("end", rank));
  return n.setOutputs(
      n.constantI64(shape.slice(start, std::max<int64_t>(end - start, 0))));
}

LogicalResult importSize(NodeContext &n) {
  auto type = RankedTensorType::get({}, n.b.getI64Type());
  return n.setOutputs(n.constant(
      DenseElementsAttr::get(type, n.inputType(0).getNumElements())));
}

LogicalResult importExpand(NodeContext &n) {
  auto shape = n.constInts(1);
  if (!shape)
    return n.needsConstant(1, "the target shape");
  return bind(
      n, n.create<nn::ExpandOp>(
             n.input(0),
             {n.b.getNamedAttr("shape", n.b.getDenseI64ArrayAttr(*shape))}));
}

LogicalResult importTile(NodeContext &n) {
  auto repeats = n.constInts(1);
  if (!repeats)
    return n.needsConstant(1, "repeats");
  return bind(n, n.create<nn::TileOp>(
                     n.input(0),
                     {n.b.getNamedAttr("repeats",
                                       n.b.getDenseI64ArrayAttr(*repeats))}));
}

LogicalResult importConstantOfShape(NodeContext &n) {
  auto shape = n.constInts(0);
  if (!shape)
    return n.needsConstant(0, "the shape");
  if (llvm::any_of(*shape, [](int64_t d) { return d < 0; }))
    return n.invalid("negative dimension in the shape");
  Attribute fill = n.b.getF32FloatAttr(0);
  if (const onnx::AttributeProto *a = n.attr("value")) {
    std::string error;
    bool unsupported = false;
    auto attr =
        tensorToAttr(n.ctx(), a->t(), n.modelDirectory(), error, unsupported);
    if (failed(attr))
      return unsupported ? n.unsupported(error) : n.invalid(error);
    auto dense = dyn_cast<DenseElementsAttr>(*attr);
    if (!dense || dense.getNumElements() != 1)
      return n.invalid("value must hold one element");
    fill = dense.getValues<Attribute>()[0];
  }
  auto type = RankedTensorType::get(*shape, cast<TypedAttr>(fill).getType());
  if (failed(n.checkSize(type)))
    return failure();
  return n.setOutputs(n.constant(DenseElementsAttr::get(type, fill)));
}

LogicalResult importRange(NodeContext &n) {
  auto start = n.constFloats(0), limit = n.constFloats(1),
       delta = n.constFloats(2);
  if (!start || !limit || !delta)
    return n.needsConstant(!start   ? 0
                           : !limit ? 1
                                    : 2,
                           !start   ? "start"
                           : !limit ? "limit"
                                    : "delta");
  if (start->size() != 1 || limit->size() != 1 || delta->size() != 1)
    return n.invalid("start, limit and delta must be scalars");
  double s = (*start)[0], l = (*limit)[0], d = (*delta)[0];
  if (d == 0)
    return n.invalid("delta is 0");
  double steps = std::ceil((l - s) / d);
  if (!(steps <= double(kMaxTensorElements)))
    return n.unsupported("Range of " +
                         Twine(static_cast<int64_t>(std::min(steps, 9e18))) +
                         " elements exceeds the "
                         "limit of " +
                         Twine(kMaxTensorElements));
  int64_t count = std::max<int64_t>(0, steps);
  Type element = n.inputType(0).getElementType();
  auto type = RankedTensorType::get({count}, element);
  SmallVector<Attribute> values;
  for (int64_t i = 0; i < count; ++i) {
    double v = s + i * d;
    values.push_back(isa<FloatType>(element)
                         ? Attribute(n.b.getFloatAttr(element, v))
                         : Attribute(n.b.getIntegerAttr(element, int64_t(v))));
  }
  return n.setOutputs(n.constant(DenseElementsAttr::get(type, values)));
}

} // namespace

void anvil::onnx_import::addShapeOps(OpTable &t) {
  t["Constant"] = {importConstant, 1, 0};
  t["Reshape"] = {importReshape};
  t["Flatten"] = {importFlatten};
  t["Squeeze"] = {importSqueeze};
  t["Unsqueeze"] = {importUnsqueeze};
  t["Transpose"] = {importTranspose};
  t["Concat"] = {importConcat};
  t["Slice"] = {importSlice};
  t["Split"] = {importSplit};
  t["Gather"] = {importGather, 1, 2};
  t["Pad"] = {importPad};
  t["Shape"] = {importShape};
  t["Size"] = {importSize};
  t["Expand"] = {importExpand, 8, 2};
  t["Tile"] = {importTile, 6, 2};
  t["ConstantOfShape"] = {importConstantOfShape, 9};
  t["Range"] = {importRange, 11, 3};
}
