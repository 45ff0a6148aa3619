//===- NormalizationOps.cpp - ONNX instance, group, MVN and LRN norms -----===//
//
// Instance and group normalization reuse the layer-norm decomposition over
// the trailing dimensions (after a reshape for groups); MVN follows its
// ONNX function body; LRN sums squares over a channel window of slices.
//
//===----------------------------------------------------------------------===//

#include "NodeContext.h"

#include "anvil/Dialect/NN/IR/NNOps.h"
#include "anvil/Import/Decompositions.h"

#include <algorithm>

using namespace mlir;
using namespace anvil;
using namespace anvil::onnx_import;

namespace {

/// `v` [C] shaped to broadcast along dimension 1 of a rank-`rank` tensor.
Value perChannel(NNBuilder &nb, Value v, int64_t rank) {
  SmallVector<int64_t> shape(rank - 1, 1);
  shape[0] = typeOf(v).getNumElements();
  return nb.reshape(v, shape);
}

LogicalResult importInstanceNorm(NodeContext &n) {
  if (failed(n.checkAttributes({"epsilon"})))
    return failure();
  RankedTensorType x = n.inputType(0);
  int64_t rank = x.getRank();
  if (rank < 3 || n.inputType(1).getNumElements() != x.getDimSize(1) ||
      n.inputType(2).getNumElements() != x.getDimSize(1))
    return n.invalid("needs X [N, C, ...] with scale and B of C elements");
  NNBuilder nb(n.b, n.loc);
  LayerNorm norm = buildLayerNorm(nb, n.input(0), nullptr, nullptr, 2,
                                  n.getFloat("epsilon", 1e-5));
  Value y = nb.create<nn::MulOp>({norm.y, perChannel(nb, n.input(1), rank)});
  y = nb.create<nn::AddOp>({y, perChannel(nb, n.input(2), rank)});
  return n.finish(nb, y);
}

/// Opset 18 scales per group; from opset 21 scale and bias are per channel.
LogicalResult importGroupNorm(NodeContext &n) {
  if (failed(n.checkAttributes({"epsilon", "num_groups", "stash_type"})))
    return failure();
  RankedTensorType x = n.inputType(0);
  int64_t rank = x.getRank(), groups = n.getInt("num_groups", 0);
  if (rank < 3 || groups < 1 || x.getDimSize(1) % groups)
    return n.invalid("needs X [N, C, ...] with C divisible by num_groups");
  int64_t channels = x.getDimSize(1), perGroup = channels / groups;
  int64_t affine = n.opset >= 21 ? channels : groups;
  if (n.inputType(1).getNumElements() != affine ||
      n.inputType(2).getNumElements() != affine)
    return n.invalid("scale and bias need " + Twine(affine) + " elements");
  NNBuilder nb(n.b, n.loc);
  int64_t batch = x.getDimSize(0);
  // Counted, not divided out of the total: the batch may be empty.
  int64_t spatial = ShapedType::getNumElements(x.getShape().drop_front(2));
  Value grouped = nb.reshape(n.input(0), {batch, groups, perGroup * spatial});
  LayerNorm norm = buildLayerNorm(nb, grouped, nullptr, nullptr, 2,
                                  n.getFloat("epsilon", 1e-5));
  Value y;
  if (n.opset >= 21) {
    y = nb.reshape(norm.y, x.getShape());
    y = nb.create<nn::MulOp>({y, perChannel(nb, n.input(1), rank)});
    y = nb.create<nn::AddOp>({y, perChannel(nb, n.input(2), rank)});
  } else {
    y = nb.reshape(norm.y, {batch, groups, perGroup, spatial});
    y = nb.create<nn::MulOp>({y, nb.reshape(n.input(1), {groups, 1, 1})});
    y = nb.create<nn::AddOp>({y, nb.reshape(n.input(2), {groups, 1, 1})});
    y = nb.reshape(y, x.getShape());
  }
  return n.finish(nb, y);
}

/// (X - E[X]) / (sqrt(E[X^2] - E[X]^2) + 1e-9), as ONNX's function body.
LogicalResult importMeanVarianceNorm(NodeContext &n) {
  if (failed(n.checkAttributes({"axes"})))
    return failure();
  RankedTensorType x = n.inputType(0);
  SmallVector<int64_t> axes =
      n.getInts("axes").value_or(SmallVector<int64_t>{0, 2, 3});
  for (int64_t &a : axes) {
    a = a < 0 ? a + x.getRank() : a;
    if (a < 0 || a >= x.getRank())
      return n.invalid("axis out of range");
  }
  NNBuilder nb(n.b, n.loc);
  int mean = int(nn::ReduceKind::Mean);
  Value m = nb.reduce(n.input(0), mean, axes, true);
  Value meanOfSquares = nb.reduce(
      nb.create<nn::MulOp>({n.input(0), n.input(0)}), mean, axes, true);
  Value variance =
      nb.create<nn::SubOp>({meanOfSquares, nb.create<nn::MulOp>({m, m})});
  Value stdDev = nb.create<nn::AddOp>(
      {nb.create<nn::SqrtOp>({variance}), nb.scalar(1e-9, x.getElementType())});
  Value y = nb.create<nn::DivOp>({nb.create<nn::SubOp>({n.input(0), m}), stdDev});
  return n.finish(nb, y);
}

/// y = x / (bias + alpha / size * sum of x^2 over the channel window)^beta.
LogicalResult importLrn(NodeContext &n) {
  if (failed(n.checkAttributes({"alpha", "beta", "bias", "size"})))
    return failure();
  RankedTensorType x = n.inputType(0);
  int64_t size = n.getInt("size", 0), rank = x.getRank();
  if (size < 1 || rank < 3)
    return n.invalid("needs X [N, C, ...] and a positive size");
  int64_t channels = x.getDimSize(1);
  if (ShapedType::isDynamic(channels))
    return n.invalid("needs a static channel count (dimension 1 of X)");
  Type element = x.getElementType();
  NNBuilder nb(n.b, n.loc);
  Value squares = nb.create<nn::MulOp>({n.input(0), n.input(0)});
  // Channel c sums the squares of c - before ... c + after that exist: a
  // window wider than the channels adds only padding beyond them, so the
  // sum stops at the channels (a size of 2^31 is a few slices, not 2^31).
  int64_t reach = std::max<int64_t>(channels - 1, 0);
  int64_t before = std::min((size - 1) / 2, reach);
  int64_t after = std::min(size - 1 - (size - 1) / 2, reach);
  SmallVector<int64_t> pads(2 * rank, 0);
  pads[1] = before;
  pads[rank + 1] = after;
  Value padded = nb.create<nn::PadOp>(
      {squares},
      {nb.b.getNamedAttr("pads", nb.b.getDenseI64ArrayAttr(pads)),
       nb.b.getNamedAttr("mode", nn::PadModeAttr::get(n.ctx(),
                                                      nn::PadMode::Constant)),
       nb.b.getNamedAttr("value", nb.b.getF64FloatAttr(0))});
  Value sum = nb.slice(padded, 1, 0, channels);
  for (int64_t k = 1; k <= before + after; ++k)
    sum = nb.create<nn::AddOp>({sum, nb.slice(padded, 1, k, channels)});
  Value scaled = nb.create<nn::AddOp>(
      {nb.scalar(n.getFloat("bias", 1.0), element),
       nb.create<nn::MulOp>(
           {sum, nb.scalar(n.getFloat("alpha", 1e-4) / size, element)})});
  Value denominator = nb.create<nn::PowOp>(
      {scaled, nb.scalar(n.getFloat("beta", 0.75), element)});
  return n.finish(nb, nb.create<nn::DivOp>({n.input(0), denominator}));
}

} // namespace

void anvil::onnx_import::addNormalizationOps(OpTable &t) {
  t["InstanceNormalization"] = {importInstanceNorm, 1, 3};
  t["GroupNormalization"] = {importGroupNorm, 18, 3};
  t["MeanVarianceNormalization"] = {importMeanVarianceNorm, 9};
  t["LRN"] = {importLrn};
}
