//===- NeuralOps.cpp - ONNX linear algebra, conv, pooling, reductions -----===//
#include "NodeContext.h"

#include "anvil/Dialect/NN/IR/NNOps.h"
#include "anvil/Import/Decompositions.h"

using namespace mlir;
using namespace anvil;
using namespace anvil::onnx_import;

namespace {

LogicalResult importMatMul(NodeContext &n) {
  auto v = n.create<nn::MatMulOp>(ValueRange{n.input(0), n.input(1)});
  return failed(v) ? failure() : n.setOutputs(*v);
}

LogicalResult importGemm(NodeContext &n) {
  if (failed(n.checkAttributes(
          {"alpha", "beta", "transA", "transB", "broadcast"})))
    return failure();
  SmallVector<Value> operands = {n.input(0), n.input(1)};
  if (Value c = n.input(2))
    operands.push_back(c);
  auto v = n.create<nn::GemmOp>(
      operands,
      {n.b.getNamedAttr("alpha", n.b.getF64FloatAttr(n.getFloat("alpha", 1))),
       n.b.getNamedAttr("beta", n.b.getF64FloatAttr(n.getFloat("beta", 1))),
       n.b.getNamedAttr("trans_a", n.b.getBoolAttr(n.getInt("transA", 0))),
       n.b.getNamedAttr("trans_b", n.b.getBoolAttr(n.getInt("transB", 0)))});
  return failed(v) ? failure() : n.setOutputs(*v);
}

/// Window attributes shared by Conv and the pools, with auto_pad resolved.
struct WindowAttrs {
  SmallVector<int64_t> kernel, strides, pads, dilations;
};

FailureOr<WindowAttrs> windowAttrs(NodeContext &n, ArrayRef<int64_t> kernel) {
  RankedTensorType input = n.inputType(0);
  if (input.getRank() < 3)
    return (void)n.invalid("input must have rank >= 3"), failure();
  size_t spatial = input.getRank() - 2;
  WindowAttrs w;
  w.kernel.assign(kernel.begin(), kernel.end());
  if (w.kernel.size() != spatial)
    return (void)n.invalid("kernel has " + Twine(w.kernel.size()) +
                     " dimensions, the input " + Twine(spatial)), failure();
  w.strides = n.getInts("strides").value_or(SmallVector<int64_t>(spatial, 1));
  w.dilations =
      n.getInts("dilations").value_or(SmallVector<int64_t>(spatial, 1));
  w.pads = n.getInts("pads").value_or(SmallVector<int64_t>(2 * spatial, 0));
  if (w.strides.size() != spatial || w.dilations.size() != spatial ||
      w.pads.size() != 2 * spatial)
    return (void)n.invalid("strides, dilations or pads have the wrong length"), failure();
  std::string autoPad = n.getString("auto_pad", "NOTSET");
  if (autoPad == "VALID") {
    w.pads.assign(2 * spatial, 0);
  } else if (autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER") {
    for (size_t i = 0; i < spatial; ++i) {
      int64_t in = input.getDimSize(i + 2);
      int64_t out = (in + w.strides[i] - 1) / w.strides[i];
      int64_t span = (w.kernel[i] - 1) * w.dilations[i] + 1;
      int64_t total = std::max<int64_t>(0, (out - 1) * w.strides[i] + span - in);
      int64_t small = total / 2, large = total - small;
      w.pads[i] = autoPad == "SAME_UPPER" ? small : large;
      w.pads[i + spatial] = autoPad == "SAME_UPPER" ? large : small;
    }
  } else if (autoPad != "NOTSET") {
    return (void)n.invalid("unknown auto_pad '" + autoPad + "'"), failure();
  }
  return w;
}

SmallVector<NamedAttribute> windowNamedAttrs(NodeContext &n,
                                             const WindowAttrs &w) {
  return {n.b.getNamedAttr("strides", n.b.getDenseI64ArrayAttr(w.strides)),
          n.b.getNamedAttr("pads", n.b.getDenseI64ArrayAttr(w.pads)),
          n.b.getNamedAttr("dilations", n.b.getDenseI64ArrayAttr(w.dilations))};
}

LogicalResult importConv(NodeContext &n) {
  auto v = buildConvNode(n, n.input(0), n.input(1), n.input(2));
  return failed(v) ? failure() : n.setOutputs(*v);
}

template <typename PoolOp> LogicalResult importPool(NodeContext &n) {
  bool isAverage = std::is_same_v<PoolOp, nn::AveragePoolOp>;
  if (failed(n.checkAttributes({"auto_pad", "ceil_mode", "dilations",
                                "kernel_shape", "pads", "strides",
                                "storage_order", "count_include_pad"})))
    return failure();
  if (n.node.output_size() > 1 && !n.node.output(1).empty())
    return n.unsupported("the Indices output of MaxPool is not supported");
  auto kernel = n.getInts("kernel_shape");
  if (!kernel)
    return n.invalid("kernel_shape is required");
  if (kernel->size() > 3)
    return n.unsupported(Twine(kernel->size()) + "-D pooling (only 1-D to 3-D)");
  auto w = windowAttrs(n, *kernel);
  if (failed(w))
    return failure();
  if (isAverage && llvm::any_of(w->dilations, [](int64_t d) { return d != 1; }))
    return n.unsupported("dilated average pooling");
  SmallVector<NamedAttribute> attrs = windowNamedAttrs(n, *w);
  attrs.push_back(
      n.b.getNamedAttr("kernel_shape", n.b.getDenseI64ArrayAttr(*kernel)));
  attrs.push_back(n.b.getNamedAttr(
      "ceil_mode", n.b.getBoolAttr(n.getInt("ceil_mode", 0))));
  if (isAverage)
    attrs.push_back(n.b.getNamedAttr(
        "count_include_pad", n.b.getBoolAttr(n.getInt("count_include_pad", 0))));
  auto v = n.create<PoolOp>(n.input(0), attrs);
  return failed(v) ? failure() : n.setOutputs(*v);
}

FailureOr<Value> reduceOver(NodeContext &n, Value input, nn::ReduceKind kind,
                            ArrayRef<int64_t> axes, bool keepdims) {
  return n.create<nn::ReduceOp>(
      input,
      {n.b.getNamedAttr("kind", nn::ReduceKindAttr::get(n.ctx(), kind)),
       n.b.getNamedAttr("axes", n.b.getDenseI64ArrayAttr(axes)),
       n.b.getNamedAttr("keepdims", n.b.getBoolAttr(keepdims))});
}

template <nn::ReduceKind kind> LogicalResult importGlobalPool(NodeContext &n) {
  int64_t rank = n.inputType(0).getRank();
  if (rank < 3)
    return n.invalid("input must have rank >= 3");
  auto axes = llvm::to_vector(llvm::seq<int64_t>(2, rank));
  auto v = reduceOver(n, n.input(0), kind, axes, true);
  return failed(v) ? failure() : n.setOutputs(*v);
}

LogicalResult importBatchNorm(NodeContext &n) {
  if (failed(n.checkAttributes(
          {"epsilon", "momentum", "training_mode", "spatial", "is_test"})))
    return failure();
  if (n.getInt("training_mode", 0))
    return n.unsupported("training mode is not supported");
  if (n.node.output_size() > 1)
    return n.unsupported("running statistics outputs (training) are not "
                         "supported");
  auto v = n.create<nn::BatchNormOp>(
      ValueRange{n.input(0), n.input(1), n.input(2), n.input(3), n.input(4)},
      {n.b.getNamedAttr("epsilon",
                        n.b.getF64FloatAttr(n.getFloat("epsilon", 1e-5)))});
  return failed(v) ? failure() : n.setOutputs(*v);
}

/// Before opset 13, Softmax and LogSoftmax flatten the input to 2-D at
/// `axis` and normalize each row.
template <typename OpTy> LogicalResult importSoftmax(NodeContext &n) {
  if (failed(n.checkAttributes({"axis"})))
    return failure();
  RankedTensorType type = n.inputType(0);
  int64_t rank = type.getRank();
  int64_t axis = n.getInt("axis", n.opset < 13 ? 1 : -1);
  if (axis < 0)
    axis += rank;
  if (axis < 0 || axis >= std::max<int64_t>(rank, 1))
    return n.invalid("axis " + Twine(n.getInt("axis", 0)) + " out of range");
  if (n.opset >= 13 || rank <= 1) {
    auto v = n.create<OpTy>(n.input(0),
                            {n.b.getNamedAttr("axis", n.b.getI64IntegerAttr(axis))});
    return failed(v) ? failure() : n.setOutputs(*v);
  }
  int64_t rows = ShapedType::getNumElements(type.getShape().take_front(axis));
  int64_t cols = ShapedType::getNumElements(type.getShape().drop_front(axis));
  auto flat = n.create<nn::ReshapeOp>(
      n.input(0),
      {n.b.getNamedAttr("shape", n.b.getDenseI64ArrayAttr({rows, cols}))});
  if (failed(flat))
    return failure();
  auto v = n.create<OpTy>(*flat,
                          {n.b.getNamedAttr("axis", n.b.getI64IntegerAttr(1))});
  if (failed(v))
    return failure();
  auto back = n.create<nn::ReshapeOp>(
      *v, {n.b.getNamedAttr("shape", n.b.getDenseI64ArrayAttr(type.getShape()))});
  return failed(back) ? failure() : n.setOutputs(*back);
}

/// Sorted, unique, non-negative axes, or failure naming the bad one.
FailureOr<SmallVector<int64_t>> normalizeAxes(NodeContext &n,
                                              ArrayRef<int64_t> axes,
                                              int64_t rank) {
  SmallVector<int64_t> result;
  for (int64_t a : axes) {
    int64_t norm = a < 0 ? a + rank : a;
    if (norm < 0 || norm >= rank)
      return (void)n.invalid("axis " + Twine(a) + " out of range for rank " +
                       Twine(rank)), failure();
    result.push_back(norm);
  }
  llvm::sort(result);
  result.erase(std::unique(result.begin(), result.end()), result.end());
  return result;
}

/// A sum or mean over a masked slice (NodeContext::MaskedSlice): elements
/// outside [start, end) of the sliced axis count as absent.
template <nn::ReduceKind kind>
LogicalResult reduceMasked(NodeContext &n, const NodeContext::MaskedSlice &s,
                           ArrayRef<int64_t> axes, bool keepdims) {
  if (!llvm::is_contained(axes, s.axis))
    return n.unsupported("a slice with run-time bounds must be reduced over "
                         "its sliced axis");
  auto type = cast<RankedTensorType>(s.data.getType());
  int64_t dim = type.getDimSize(s.axis);
  NNBuilder nb(n.b, n.loc);
  Type i64 = nb.b.getI64Type();
  // ONNX Slice bounds: negative counts from the end, then clamped.
  auto bound = [&](Value v) {
    Value b = nb.reshape(nb.cast(v, i64), {});
    Value wrapped = nb.create<nn::WhereOp>(
        {nb.create<nn::LessOp>({b, nb.scalar(0, i64)}),
         nb.create<nn::AddOp>({b, nb.scalar(dim, i64)}), b});
    return nb.create<nn::MinOp>(
        {nb.create<nn::MaxOp>({wrapped, nb.scalar(0, i64)}),
         nb.scalar(dim, i64)});
  };
  Value start = bound(s.start), end = bound(s.end);
  SmallVector<int64_t> along(type.getRank(), 1);
  along[s.axis] = dim;
  Value positions = nb.iota(dim, i64, along);
  Value inside = nb.create<nn::AndOp>(
      {nb.create<nn::GreaterEqualOp>({positions, start}),
       nb.create<nn::LessOp>({positions, end})});
  Type element = type.getElementType();
  Value kept = nb.create<nn::WhereOp>({inside, s.data, nb.scalar(0, element)});
  Value y = nb.reduce(kept, int(nn::ReduceKind::Sum), axes, keepdims);
  if (kind == nn::ReduceKind::Mean) {
    int64_t others = 1;
    for (int64_t a : axes)
      others *= a == s.axis ? 1 : type.getDimSize(a);
    Value count = nb.create<nn::MulOp>(
        {nb.cast(nb.create<nn::MaxOp>({nb.create<nn::SubOp>({end, start}),
                                       nb.scalar(0, i64)}),
                 element),
         nb.scalar(others, element)});
    y = nb.create<nn::DivOp>({y, count});
  }
  return n.finish(nb, y);
}

template <nn::ReduceKind kind> LogicalResult importReduce(NodeContext &n) {
  if (failed(n.checkAttributes({"axes", "keepdims", "noop_with_empty_axes"})))
    return failure();
  const NodeContext::MaskedSlice *masked = n.maskedSliceInput(0);
  bool axesAsInput = kind == nn::ReduceKind::Sum ? n.opset >= 13 : n.opset >= 18;
  std::optional<SmallVector<int64_t>> axes;
  if (axesAsInput && n.input(1)) {
    axes = n.constInts(1);
    if (!axes)
      return n.needsConstant(1, "axes");
  } else if (!axesAsInput) {
    axes = n.getInts("axes");
  }
  int64_t rank = masked ? cast<RankedTensorType>(masked->data.getType()).getRank()
                        : n.inputType(0).getRank();
  if (!axes || axes->empty()) {
    if (n.getInt("noop_with_empty_axes", 0) && !masked)
      return n.setOutputs(n.input(0));
    axes = llvm::to_vector(llvm::seq<int64_t>(0, rank));
  }
  auto normalized = normalizeAxes(n, *axes, rank);
  if (failed(normalized))
    return failure();
  if (masked) {
    if constexpr (kind == nn::ReduceKind::Sum || kind == nn::ReduceKind::Mean)
      return reduceMasked<kind>(n, *masked, *normalized,
                                n.getInt("keepdims", 1));
    return n.unsupported("only ReduceSum and ReduceMean take a slice with "
                         "run-time bounds");
  }
  auto v = reduceOver(n, n.input(0), kind, *normalized, n.getInt("keepdims", 1));
  return failed(v) ? failure() : n.setOutputs(*v);
}

template <bool isMin> LogicalResult importArgMax(NodeContext &n) {
  if (failed(n.checkAttributes({"axis", "keepdims", "select_last_index"})))
    return failure();
  int64_t rank = n.inputType(0).getRank();
  auto axes = normalizeAxes(n, {n.getInt("axis", 0)}, rank);
  if (failed(axes))
    return failure();
  auto v = n.create<nn::ArgMaxOp>(
      n.input(0),
      {n.b.getNamedAttr("axis", n.b.getI64IntegerAttr((*axes)[0])),
       n.b.getNamedAttr("keepdims", n.b.getBoolAttr(n.getInt("keepdims", 1))),
       n.b.getNamedAttr("select_last_index",
                        n.b.getBoolAttr(n.getInt("select_last_index", 0))),
       n.b.getNamedAttr("min", n.b.getBoolAttr(isMin))});
  return failed(v) ? failure() : n.setOutputs(*v);
}

} // namespace

FailureOr<Value> anvil::onnx_import::buildConvNode(NodeContext &n, Value x,
                                                  Value weight, Value bias) {
  if (failed(n.checkAttributes({"auto_pad", "dilations", "group",
                                "kernel_shape", "pads", "strides"})))
    return failure();
  RankedTensorType weightType = typeOf(weight);
  if (weightType.getRank() < 3)
    return n.invalid("weight must have rank >= 3");
  SmallVector<int64_t> kernel(weightType.getShape().drop_front(2));
  if (auto declared = n.getInts("kernel_shape"); declared && *declared != kernel)
    return n.invalid("kernel_shape disagrees with the weight's shape");
  auto w = windowAttrs(n, kernel);
  if (failed(w))
    return failure();
  SmallVector<NamedAttribute> attrs = windowNamedAttrs(n, *w);
  attrs.push_back(
      n.b.getNamedAttr("group", n.b.getI64IntegerAttr(n.getInt("group", 1))));
  SmallVector<Value> operands = {x, weight};
  if (bias)
    operands.push_back(bias);
  if (w->kernel.size() > 3)
    return n.unsupported(Twine(w->kernel.size()) +
                         "-D convolution (only 1-D to 3-D)");
  return n.create<nn::ConvOp>(operands, attrs);
}

void anvil::onnx_import::addNeuralOps(OpTable &t) {
  using K = nn::ReduceKind;
  t["MatMul"] = {importMatMul, 1, 2};
  t["Gemm"] = {importGemm, 1, 2};
  t["Conv"] = {importConv, 1, 2};
  t["MaxPool"] = {importPool<nn::MaxPoolOp>};
  t["AveragePool"] = {importPool<nn::AveragePoolOp>};
  t["GlobalAveragePool"] = {importGlobalPool<K::Mean>};
  t["GlobalMaxPool"] = {importGlobalPool<K::Max>};
  t["BatchNormalization"] = {importBatchNorm, 1, 5};
  t["Softmax"] = {importSoftmax<nn::SoftmaxOp>};
  t["LogSoftmax"] = {importSoftmax<nn::LogSoftmaxOp>};
  t["ReduceSum"] = {importReduce<K::Sum>};
  t["ReduceMean"] = {importReduce<K::Mean>};
  t["ReduceMax"] = {importReduce<K::Max>};
  t["ReduceMin"] = {importReduce<K::Min>};
  t["ReduceProd"] = {importReduce<K::Prod>};
  t["ReduceL1"] = {importReduce<K::L1>};
  t["ReduceL2"] = {importReduce<K::L2>};
  t["ReduceLogSum"] = {importReduce<K::LogSum>};
  t["ReduceLogSumExp"] = {importReduce<K::LogSumExp>};
  t["ReduceSumSquare"] = {importReduce<K::SumSquare>};
  t["ArgMax"] = {importArgMax<false>};
  t["ArgMin"] = {importArgMax<true>};
}
