//===- LossOps.cpp - ONNX NegativeLogLikelihoodLoss and SoftmaxCrossEntropyLoss
//
// Both follow the ONNX function bodies: the target class of every element
// is picked with a gather along the class axis, ignored targets weigh 0,
// and "mean" divides by the total weight of the targets that count.
//
//===----------------------------------------------------------------------===//

#include "NodeContext.h"

#include "anvil/Dialect/NN/IR/NNOps.h"
#include "anvil/Import/Decompositions.h"

using namespace mlir;
using namespace anvil;
using namespace anvil::onnx_import;

namespace {

struct LossOptions {
  std::string reduction;
  std::optional<int64_t> ignoreIndex;
};

FailureOr<LossOptions> lossOptions(NodeContext &n) {
  if (failed(n.checkAttributes({"reduction", "ignore_index"})))
    return failure();
  LossOptions options{n.getString("reduction", "mean"), std::nullopt};
  if (options.reduction != "none" && options.reduction != "sum" &&
      options.reduction != "mean")
    return (void)n.invalid("unknown reduction '" + options.reduction + "'"),
           failure();
  if (n.attr("ignore_index"))
    options.ignoreIndex = n.getInt("ignore_index", 0);
  return options;
}

/// The negative log-likelihood of `logProb` [N, C, d...] at the classes
/// `target` [N, d...], weighted by `weight` [C] (may be null).
Value buildNllLoss(NNBuilder &nb, Value logProb, Value target, Value weight,
                   const LossOptions &options) {
  // After the builder's first failure every value is null.
  if (nb.failed() || !logProb)
    return nullptr;
  RankedTensorType targetType = typeOf(target);
  Type floatType = typeOf(logProb).getElementType();
  Value ignored;
  if (options.ignoreIndex) {
    ignored = nb.create<nn::EqualOp>(
        {target, nb.scalar(*options.ignoreIndex, targetType.getElementType())});
    target = nb.create<nn::WhereOp>(
        {ignored, nb.scalar(0, targetType.getElementType()), target});
  }
  SmallVector<int64_t> withClass(targetType.getShape());
  withClass.insert(withClass.begin() + 1, 1);
  Value picked = nb.create<nn::GatherElementsOp>(
      {logProb, nb.reshape(target, withClass)},
      {nb.b.getNamedAttr("axis", nb.b.getI64IntegerAttr(1))});
  Value loss = nb.create<nn::NegOp>({nb.reshape(picked, targetType.getShape())});
  Value perElementWeight;
  if (weight)
    perElementWeight = nb.create<nn::GatherOp>(
        {weight, target}, {nb.b.getNamedAttr("axis", nb.b.getI64IntegerAttr(0))});
  if (ignored)
    perElementWeight = nb.create<nn::WhereOp>(
        {ignored, nb.scalar(0, floatType),
         perElementWeight ? perElementWeight : nb.scalar(1, floatType)});
  if (perElementWeight)
    loss = nb.create<nn::MulOp>({loss, perElementWeight});
  if (options.reduction == "none" || nb.failed())
    return loss;
  SmallVector<int64_t> all = llvm::to_vector(
      llvm::seq<int64_t>(0, targetType.getRank()));
  Value sum = nb.reduce(loss, int(nn::ReduceKind::Sum), all, false);
  if (options.reduction == "sum")
    return sum;
  if (!perElementWeight)
    return nb.reduce(loss, int(nn::ReduceKind::Mean), all, false);
  Value totalWeight = nb.reduce(nb.create<nn::ExpandOp>(
                                    {perElementWeight},
                                    {nb.b.getNamedAttr(
                                        "shape", nb.b.getDenseI64ArrayAttr(
                                                     targetType.getShape()))}),
                                int(nn::ReduceKind::Sum), all, false);
  return nb.create<nn::DivOp>({sum, totalWeight});
}

LogicalResult checkTargetShape(NodeContext &n, Value scores, Value target) {
  RankedTensorType s = typeOf(scores), t = typeOf(target);
  SmallVector<int64_t> expected(s.getShape());
  if (expected.size() < 2)
    return n.invalid("the input needs at least the N and C dimensions");
  expected.erase(expected.begin() + 1);
  if (t.getShape() != ArrayRef<int64_t>(expected))
    return n.invalid("the target's shape must be the input's without C");
  if (!isa<IntegerType>(t.getElementType()) || t.getElementType().isInteger(1))
    return n.invalid("the target must hold integer class indices");
  return success();
}

LogicalResult importNllLoss(NodeContext &n) {
  auto options = lossOptions(n);
  if (failed(options) || failed(checkTargetShape(n, n.input(0), n.input(1))))
    return failure();
  NNBuilder nb(n.b, n.loc);
  Value loss = buildNllLoss(nb, n.input(0), n.input(1), n.input(2), *options);
  return n.finish(nb, loss);
}

LogicalResult importSoftmaxCrossEntropyLoss(NodeContext &n) {
  auto options = lossOptions(n);
  if (failed(options) || failed(checkTargetShape(n, n.input(0), n.input(1))))
    return failure();
  NNBuilder nb(n.b, n.loc);
  Value logProb = nb.create<nn::LogSoftmaxOp>(
      {n.input(0)}, {nb.b.getNamedAttr("axis", nb.b.getI64IntegerAttr(1))});
  Value loss = buildNllLoss(nb, logProb, n.input(1), n.input(2), *options);
  return n.finish(nb, {loss, logProb});
}

} // namespace

void anvil::onnx_import::addLossOps(OpTable &t) {
  t["NegativeLogLikelihoodLoss"] = {importNllLoss, 12, 2};
  t["SoftmaxCrossEntropyLoss"] = {importSoftmaxCrossEntropyLoss, 12, 2};
}
