//===- ConvTransposeOps.cpp - ONNX ConvTranspose as a convolution ---------===//
//
// A transposed convolution is a convolution of the input spread out by the
// stride (zeros between elements) and padded by (kernel - 1) * dilation
// minus the pads, with the weight's channel roles swapped per group and
// its spatial taps reversed. Building it from nn.pad, nn.slice and nn.conv
// lets every later stage (tiling, the MTIA lowering) see one kind of
// convolution.
//
//===----------------------------------------------------------------------===//

#include "NodeContext.h"

#include "anvil/Dialect/NN/IR/NNOps.h"
#include "anvil/Import/Decompositions.h"

using namespace mlir;
using namespace anvil;
using namespace anvil::onnx_import;

namespace {

struct TransposeWindow {
  SmallVector<int64_t> kernel, strides, dilations, padBegin, padEnd,
      outputPadding;
};

SmallVector<int64_t> intsOr(NodeContext &n, StringRef name, size_t count,
                            int64_t dflt) {
  return n.getInts(name).value_or(SmallVector<int64_t>(count, dflt));
}

/// Resolves pads from pads / auto_pad / output_shape as the ONNX spec says.
FailureOr<TransposeWindow> transposeWindow(NodeContext &n) {
  RankedTensorType x = n.inputType(0), w = n.inputType(1);
  size_t spatial = x.getRank() - 2;
  TransposeWindow tw;
  tw.kernel = n.getInts("kernel_shape")
                  .value_or(SmallVector<int64_t>(w.getShape().drop_front(2)));
  tw.strides = intsOr(n, "strides", spatial, 1);
  tw.dilations = intsOr(n, "dilations", spatial, 1);
  tw.outputPadding = intsOr(n, "output_padding", spatial, 0);
  SmallVector<int64_t> pads = intsOr(n, "pads", 2 * spatial, 0);
  if (tw.kernel.size() != spatial || tw.strides.size() != spatial ||
      tw.dilations.size() != spatial || tw.outputPadding.size() != spatial ||
      pads.size() != 2 * spatial)
    return (void)n.invalid("window attributes do not match the " +
                           Twine(spatial) + " spatial dimensions"),
           failure();
  // Bounded so that the spread and padded extents below cannot overflow;
  // a window this large makes tensors far over the size limit anyway.
  constexpr int64_t kLargest = int64_t(1) << 31;
  auto within = [&](ArrayRef<int64_t> values, int64_t least) {
    return llvm::all_of(values, [&](int64_t v) {
      return v >= least && v <= kLargest;
    });
  };
  if (!within(tw.kernel, 1) || !within(tw.strides, 1) ||
      !within(tw.dilations, 1) || !within(tw.outputPadding, 0) ||
      !llvm::all_of(pads, [&](int64_t p) {
        return p >= -kLargest && p <= kLargest;
      }))
    return (void)n.invalid("kernel_shape, strides and dilations must be "
                           "positive and output_padding non-negative, each "
                           "at most 2^31, and pads at most 2^31 in size"),
           failure();
  std::string autoPad = n.getString("auto_pad", "NOTSET");
  auto outputShape = n.getInts("output_shape");
  if (outputShape && outputShape->size() > spatial)
    outputShape->erase(outputShape->begin(),
                       outputShape->begin() + (outputShape->size() - spatial));
  if (outputShape && (outputShape->size() != spatial ||
                      !within(*outputShape, 1)))
    return (void)n.invalid("output_shape must give " + Twine(spatial) +
                           " positive sizes, each at most 2^31"),
           failure();
  if (!outputShape && (autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER")) {
    outputShape = SmallVector<int64_t>();
    for (size_t i = 0; i < spatial; ++i)
      outputShape->push_back(x.getDimSize(2 + i) * tw.strides[i]);
  }
  for (size_t i = 0; i < spatial; ++i) {
    if (!outputShape) {
      tw.padBegin.push_back(pads[i]);
      tw.padEnd.push_back(pads[i + spatial]);
      continue;
    }
    int64_t total = tw.strides[i] * (x.getDimSize(2 + i) - 1) +
                    tw.outputPadding[i] + (tw.kernel[i] - 1) * tw.dilations[i] +
                    1 - (*outputShape)[i];
    // Floor division, as in ONNX's reference: a negative total (output
    // larger than the stride allows) becomes extra padding at the end.
    int64_t half = total >= 0 ? total / 2 : -((-total + 1) / 2);
    tw.padBegin.push_back(autoPad == "SAME_UPPER" ? half : total - half);
    tw.padEnd.push_back(autoPad == "SAME_UPPER" ? total - half : half);
  }
  return tw;
}

/// `x` with stride - 1 zeros between neighbours along spatial dimension
/// `dim`: reshape to [..., n, 1, ...], pad to [..., n, s, ...], flatten and
/// drop the trailing zeros.
Value spread(NNBuilder &nb, Value x, int64_t dim, int64_t stride) {
  // After the builder's first failure every value is null.
  if (stride == 1 || !x)
    return x;
  RankedTensorType type = typeOf(x);
  int64_t size = type.getDimSize(dim), rank = type.getRank();
  SmallVector<int64_t> split(type.getShape());
  split.insert(split.begin() + dim + 1, 1);
  SmallVector<int64_t> pads(2 * (rank + 1), 0);
  pads[rank + 1 + dim + 1] = stride - 1;
  Value padded = nb.create<nn::PadOp>(
      {nb.reshape(x, split)},
      {nb.b.getNamedAttr("pads", nb.b.getDenseI64ArrayAttr(pads)),
       nb.b.getNamedAttr("mode", nn::PadModeAttr::get(nb.b.getContext(),
                                                      nn::PadMode::Constant)),
       nb.b.getNamedAttr("value", nb.b.getF64FloatAttr(0))});
  SmallVector<int64_t> merged(type.getShape());
  merged[dim] = size * stride;
  return nb.slice(nb.reshape(padded, merged), dim, 0, (size - 1) * stride + 1);
}

/// Pads (or, for negative amounts, crops) dimension `dim` of `x`.
Value padOrCrop(NNBuilder &nb, Value x, int64_t dim, int64_t before,
                int64_t after) {
  // After the builder's first failure every value is null.
  if (!x)
    return nullptr;
  int64_t size = typeOf(x).getDimSize(dim);
  int64_t cropBefore = std::max<int64_t>(-before, 0),
          cropAfter = std::max<int64_t>(-after, 0);
  if (cropBefore || cropAfter)
    x = nb.slice(x, dim, cropBefore, size - cropBefore - cropAfter);
  if (!x)
    return nullptr;
  before = std::max<int64_t>(before, 0);
  after = std::max<int64_t>(after, 0);
  if (!before && !after)
    return x;
  int64_t rank = typeOf(x).getRank();
  SmallVector<int64_t> pads(2 * rank, 0);
  pads[dim] = before;
  pads[rank + dim] = after;
  return nb.create<nn::PadOp>(
      {x}, {nb.b.getNamedAttr("pads", nb.b.getDenseI64ArrayAttr(pads)),
            nb.b.getNamedAttr("mode", nn::PadModeAttr::get(
                                          nb.b.getContext(),
                                          nn::PadMode::Constant)),
            nb.b.getNamedAttr("value", nb.b.getF64FloatAttr(0))});
}

/// W [Cin, Cout/g, k...] to a convolution weight [Cout, Cin/g, k...] with
/// every spatial axis reversed.
Value convolutionWeight(NNBuilder &nb, Value w, int64_t group) {
  RankedTensorType type = typeOf(w);
  ArrayRef<int64_t> shape = type.getShape();
  int64_t cin = shape[0], coutPerGroup = shape[1], rank = type.getRank();
  SmallVector<int64_t> grouped = {group, cin / group, coutPerGroup};
  llvm::append_range(grouped, shape.drop_front(2));
  SmallVector<int64_t> perm = {0, 2, 1};
  for (int64_t d = 3; d < rank + 1; ++d)
    perm.push_back(d);
  SmallVector<int64_t> flat = {group * coutPerGroup, cin / group};
  llvm::append_range(flat, shape.drop_front(2));
  Value swapped =
      nb.reshape(nb.transpose(nb.reshape(w, grouped), perm), flat);
  SmallVector<int64_t> starts(rank, 0), sizes(flat), steps(rank, 1);
  for (int64_t d = 2; d < rank; ++d) {
    starts[d] = flat[d] - 1;
    steps[d] = -1;
  }
  return nb.create<nn::SliceOp>(
      {swapped}, {nb.b.getNamedAttr("starts", nb.b.getDenseI64ArrayAttr(starts)),
                  nb.b.getNamedAttr("sizes", nb.b.getDenseI64ArrayAttr(sizes)),
                  nb.b.getNamedAttr("steps", nb.b.getDenseI64ArrayAttr(steps))});
}

LogicalResult importConvTranspose(NodeContext &n) {
  if (failed(n.checkAttributes({"auto_pad", "dilations", "group",
                                "kernel_shape", "output_padding",
                                "output_shape", "pads", "strides"})))
    return failure();
  RankedTensorType x = n.inputType(0), w = n.inputType(1);
  int64_t group = n.getInt("group", 1);
  if (x.getRank() < 3 || w.getRank() != x.getRank() || group < 1 ||
      x.getDimSize(1) != w.getDimSize(0) || w.getDimSize(0) % group)
    return n.invalid("X [N, C, ...] and W [C, M/group, k...] do not fit");
  if (x.getRank() > 5)
    return n.unsupported(Twine(x.getRank() - 2) +
                         "-D transposed convolution (only 1-D to 3-D)");
  auto tw = transposeWindow(n);
  if (failed(tw))
    return failure();
  NNBuilder nb(n.b, n.loc);
  Value input = n.input(0);
  size_t spatial = x.getRank() - 2;
  for (size_t i = 0; i < spatial; ++i) {
    int64_t reach = (tw->kernel[i] - 1) * tw->dilations[i];
    input = spread(nb, input, 2 + i, tw->strides[i]);
    input = padOrCrop(nb, input, 2 + i, reach - tw->padBegin[i],
                      reach - tw->padEnd[i] + tw->outputPadding[i]);
  }
  SmallVector<Value> operands = {input,
                                 convolutionWeight(nb, n.input(1), group)};
  if (n.input(2))
    operands.push_back(n.input(2));
  Value y = nb.create<nn::ConvOp>(
      operands,
      {nb.b.getNamedAttr("strides", nb.b.getDenseI64ArrayAttr(
                                        SmallVector<int64_t>(spatial, 1))),
       nb.b.getNamedAttr("pads", nb.b.getDenseI64ArrayAttr(
                                     SmallVector<int64_t>(2 * spatial, 0))),
       nb.b.getNamedAttr("dilations", nb.b.getDenseI64ArrayAttr(tw->dilations)),
       nb.b.getNamedAttr("group", nb.b.getI64IntegerAttr(group))});
  return n.finish(nb, y);
}

} // namespace

void anvil::onnx_import::addConvTransposeOps(OpTable &t) {
  t["ConvTranspose"] = {importConvTranspose, 1, 2};
}
