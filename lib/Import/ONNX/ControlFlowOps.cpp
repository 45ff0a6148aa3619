//===- ControlFlowOps.cpp - ONNX If to nn.if ------------------------------===//
//
// If's branches become the two regions of nn.if; they may use any value of
// the enclosing graph. A Loop that cannot stay a loop (LoopOps.cpp: its
// carried values change shape, or are sequences) is unrolled when its trip
// count and condition are known at compile time: its body is imported once
// per iteration with the iteration number as a constant.
//
//===----------------------------------------------------------------------===//

#include "NodeContext.h"

#include "anvil/Dialect/NN/IR/NNOps.h"

#include "mlir/IR/Matchers.h"

using namespace mlir;
using namespace anvil;
using namespace anvil::onnx_import;

namespace {

/// Imports `graph` into a fresh detached region ending in nn.yield.
FailureOr<std::unique_ptr<Region>> importBranch(NodeContext &n,
                                                const onnx::GraphProto &graph,
                                                SmallVectorImpl<Type> &types) {
  auto region = std::make_unique<Region>();
  Block *block = new Block();
  region->push_back(block);
  // The region is not attached to an op yet: the builder needs the context.
  OpBuilder sub(n.ctx());
  sub.setInsertionPointToEnd(block);
  auto results = n.importSubgraph(sub, graph, {});
  if (failed(results))
    return failure();
  SmallVector<Value> yielded;
  for (const NodeContext::GraphValue &result : *results) {
    if (!result.tensor)
      return (void)n.unsupported("a branch that yields a sequence"), failure();
    yielded.push_back(result.tensor);
  }
  nn::YieldOp::create(sub, n.loc, yielded);
  types.assign(ValueRange(yielded).getTypes().begin(),
               ValueRange(yielded).getTypes().end());
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
  if (!condType.getElementType().isInteger(1) || condType.getNumElements() != 1)
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

/// The most iterations a loop is unrolled for.
constexpr int64_t kMaxUnrolledIterations = 4096;

/// Whether `v` is a constant true (nullopt when unknown at compile time).
std::optional<bool> constantCondition(Value v) {
  DenseElementsAttr attr;
  if (!v || !matchPattern(v, m_Constant(&attr)) || attr.getNumElements() != 1)
    return std::nullopt;
  return attr.getValues<APInt>()[0].getBoolValue();
}

} // namespace

LogicalResult anvil::onnx_import::importUnrolledLoop(NodeContext &n) {
  if (failed(n.checkAttributes({"body"})))
    return failure();
  const auto *bodyAttr = n.attr("body");
  if (!bodyAttr || !bodyAttr->has_g())
    return n.invalid("the body graph is required");
  const onnx::GraphProto &body = bodyAttr->g();
  int carried = n.numInputs() - 2;
  if (carried < 0 || body.input_size() != carried + 2 ||
      body.output_size() < carried + 1)
    return n.invalid("the body's inputs and outputs do not match the loop");
  int64_t tripCount = kMaxUnrolledIterations;
  if (n.input(0)) {
    auto m = n.constInts(0);
    if (!m)
      return n.needsConstant(0, "the trip count (M)");
    tripCount = (*m)[0];
    if (tripCount > kMaxUnrolledIterations)
      return n.unsupported("a trip count of " + Twine(tripCount) +
                           " exceeds the unrolling limit of " +
                           Twine(kMaxUnrolledIterations));
  }
  Value cond = n.input(1);
  if (cond && !constantCondition(cond))
    return n.needsConstant(1, "the loop condition");
  if (!n.input(0) && !cond)
    return n.invalid("a loop with neither M nor cond never ends");
  Type i64 = n.b.getI64Type(), i1 = n.b.getI1Type();
  // Carried values may be tensors or sequences (a sequence grown per
  // iteration is how exporters write variable-length results).
  SmallVector<NodeContext::GraphValue> state;
  for (int i = 0; i < carried; ++i) {
    NodeContext::GraphValue v{n.input(2 + i), std::nullopt};
    if (const NodeContext::Sequence *seq = n.sequenceInput(2 + i))
      v.sequence = *seq;
    else if (!v.tensor)
      return n.invalid("loop-carried value " + Twine(i) + " is missing");
    state.push_back(std::move(v));
  }
  int scans = body.output_size() - 1 - carried;
  SmallVector<SmallVector<Value>> scanned(scans);
  for (int64_t i = 0; i < tripCount; ++i) {
    if (cond && !*constantCondition(cond))
      break;
    SmallVector<NodeContext::GraphValue> inputs = {
        {n.constant(DenseElementsAttr::get(RankedTensorType::get({}, i64), i)),
         std::nullopt},
        {cond ? cond
              : n.constant(DenseElementsAttr::get(RankedTensorType::get({}, i1),
                                                  true)),
         std::nullopt}};
    llvm::append_range(inputs, state);
    auto outputs = n.importSubgraph(n.b, body, inputs);
    if (failed(outputs))
      return failure();
    cond = (*outputs)[0].tensor;
    if (!constantCondition(cond))
      return n.unsupported("the loop condition depends on run-time data; "
                           "only loops whose iterations are known at compile "
                           "time are unrolled");
    state.assign(outputs->begin() + 1, outputs->begin() + 1 + carried);
    for (int s = 0; s < scans; ++s) {
      Value scan = (*outputs)[1 + carried + s].tensor;
      if (!scan)
        return n.unsupported("a scan output that is a sequence");
      scanned[s].push_back(scan);
    }
  }
  // Without M only the condition ends the loop: it must have, in time.
  if (!n.input(0) && *constantCondition(cond))
    return n.unsupported("the loop does not end within " +
                         Twine(kMaxUnrolledIterations) + " iterations");
  SmallVector<Value> results;
  for (auto [i, v] : llvm::enumerate(state)) {
    if (v.sequence)
      n.setSequenceOutput(i, *v.sequence);
    results.push_back(v.tensor);
  }
  for (auto &values : scanned) {
    if (values.empty())
      return n.unsupported("a scan output of a loop that runs no iteration "
                           "(its shape is unknown)");
    auto type = cast<RankedTensorType>(values.front().getType());
    SmallVector<int64_t> shape = {1};
    llvm::append_range(shape, type.getShape());
    SmallVector<Value> rows;
    for (Value v : values) {
      auto row = n.create<nn::ReshapeOp>(
          v, {n.b.getNamedAttr("shape", n.b.getDenseI64ArrayAttr(shape))});
      if (failed(row))
        return failure();
      rows.push_back(*row);
    }
    auto all = n.create<nn::ConcatOp>(
        rows, {n.b.getNamedAttr("axis", n.b.getI64IntegerAttr(0))});
    if (failed(all))
      return failure();
    results.push_back(*all);
  }
  return n.setOutputs(results);
}

void anvil::onnx_import::addControlFlowOps(OpTable &t) {
  t["If"] = {importIf, 1, 1};
}
