//===- ControlFlowOps.cpp - ONNX If to nn.if ------------------------------===//
//
// If's branches become the two regions of nn.if; they may use any value of
// the enclosing graph. Loop and Scan are not imported yet.
//
//===----------------------------------------------------------------------===//

#include "NodeContext.h"

#include "anvil/Dialect/NN/IR/NNOps.h"

using namespace mlir;
using namespace anvil;
using namespace anvil::onnx_import;

namespace {

/// Imports `graph` into a fresh detached region ending in nn.yield.
FailureOr<std::unique_ptr<Region>>
importBranch(NodeContext &n, const onnx::GraphProto &graph,
             SmallVectorImpl<Type> &types) {
  auto region = std::make_unique<Region>();
  Block *block = new Block();
  region->push_back(block);
  // The region is not attached to an op yet: the builder needs the context.
  OpBuilder sub(n.ctx());
  sub.setInsertionPointToEnd(block);
  auto results = n.importSubgraph(sub, graph);
  if (failed(results))
    return failure();
  nn::YieldOp::create(sub, n.loc, *results);
  types.assign(ValueRange(*results).getTypes().begin(),
               ValueRange(*results).getTypes().end());
  return region;
}

LogicalResult importIf(NodeContext &n) {
  if (failed(n.checkAttributes({"then_branch", "else_branch"})))
    return failure();
  const auto *thenAttr = n.attr("then_branch");
  const auto *elseAttr = n.attr("else_branch");
  if (!thenAttr || !elseAttr || !thenAttr->has_g() || !elseAttr->has_g())
    return n.invalid("then_branch and else_branch graphs are required");
  Value condition = n.input(0);
  auto condType = cast<RankedTensorType>(condition.getType());
  if (!condType.getElementType().isInteger(1) ||
      condType.getNumElements() != 1)
    return n.invalid("the condition must be a one-element bool tensor");
  SmallVector<Type> thenTypes, elseTypes;
  auto thenRegion = importBranch(n, thenAttr->g(), thenTypes);
  auto elseRegion = importBranch(n, elseAttr->g(), elseTypes);
  if (failed(thenRegion) || failed(elseRegion))
    return failure();
  if (thenTypes != elseTypes)
    return n.unsupported("the branches produce different types or shapes");
  OperationState state(n.loc, nn::IfOp::getOperationName());
  state.addOperands(condition);
  state.addTypes(thenTypes);
  state.addRegion(std::move(*thenRegion));
  state.addRegion(std::move(*elseRegion));
  return n.setOutputs(n.b.create(state)->getResults());
}

} // namespace

void anvil::onnx_import::addControlFlowOps(OpTable &t) {
  t["If"] = {importIf, 1, 1};
}
