//===- ControlFlowOps.cpp - torch.export's while_loop and scan to nn.loop -===//
//
// Both higher-order ops take their functions as graphs (as_graph) and
// their tensors as lists, positionally:
//  - while_loop(cond_fn, body_fn, carried_inputs, additional_inputs): the
//    condition is tested before every iteration, so cond_fn is imported
//    once before the loop (on the initial values) and once at the end of
//    its body (on the next values); body_fn returns the next carried
//    values, which must keep their types.
//  - scan(combine_fn, init, xs, additional_inputs): combine_fn takes the
//    carry, row i of each xs (dimension 0; export moves any other there)
//    and the additional inputs, and returns the next carry then the rows
//    of the stacked outputs.
// The additional inputs are what the functions close over (weights, other
// inputs); they are operands of every subgraph import.
//
//===----------------------------------------------------------------------===//

#include "AtenContext.h"

#include "anvil/Import/Decompositions.h"

#include <limits>

using namespace mlir;
using namespace anvil;
using namespace anvil::torch_import;
namespace json = llvm::json;

namespace {

/// The positional argument `i` of a higher-order node, or null.
const json::Object *argAt(const json::Object &node, size_t i) {
  const json::Array *inputs = node.getArray("inputs");
  if (!inputs || i >= inputs->size() || !(*inputs)[i].getAsObject())
    return nullptr;
  return (*inputs)[i].getAsObject()->getObject("arg");
}

/// Argument `i` as a graph, or null.
const json::Object *graphAt(const json::Object &node, size_t i) {
  const json::Object *arg = argAt(node, i);
  const json::Object *graph = arg ? arg->getObject("as_graph") : nullptr;
  return graph ? graph->getObject("graph") : nullptr;
}

/// Argument `i` as a list of tensors looked up in `table`; nullopt when it
/// is not one or a tensor is missing (reported where it failed).
std::optional<SmallVector<Value>> tensorsAt(const json::Object &node, size_t i,
                                            ValueTable &table) {
  const json::Object *arg = argAt(node, i);
  const json::Array *list = arg ? arg->getArray("as_tensors") : nullptr;
  if (!list)
    return std::nullopt;
  SmallVector<Value> values;
  for (const json::Value &v : *list) {
    const json::Object *ref = v.getAsObject();
    Value value = ref ? table.values.lookup(ref->getString("name").value_or(""))
                      : Value();
    if (!value)
      return std::nullopt;
    values.push_back(value);
  }
  return values;
}

SmallVector<Value> concat(ValueRange a, ValueRange b) {
  SmallVector<Value> all(a);
  llvm::append_range(all, b);
  return all;
}

/// `inits` the carried values' initial values; finishes the node with the
/// loop's results, or reports why the body does not fit.
LogicalResult finishLoop(AtenContext &n, FailureOr<nn::LoopOp> loop,
                         const std::string &why) {
  if (failed(loop))
    return why.empty() ? failure() : n.unsupported(why);
  return n.setOutputs(loop->getResults());
}

} // namespace

LogicalResult anvil::torch_import::importWhileLoop(AtenContext &n,
                                                   const json::Object &node,
                                                   ValueTable &table,
                                                   SubgraphImporter import) {
  const json::Object *condGraph = graphAt(node, 0),
                     *bodyGraph = graphAt(node, 1);
  auto carried = tensorsAt(node, 2, table);
  auto additional = tensorsAt(node, 3, table);
  if (!condGraph || !bodyGraph || !carried || !additional)
    return n.invalid("expects (cond_fn, body_fn, carried_inputs, "
                     "additional_inputs)");
  auto first = import(n.b, *condGraph, concat(*carried, *additional));
  if (failed(first))
    return failure();
  if (first->size() != 1)
    return n.invalid("cond_fn must return one boolean");
  Type i64 = n.b.getI64Type();
  NNBuilder nb(n.b, n.loc);
  Value unbounded = nb.constant(DenseElementsAttr::get(
      RankedTensorType::get({}, i64), std::numeric_limits<int64_t>::max()));
  std::string why;
  auto loop = buildLoop(
      n.b, n.loc, unbounded, first->front(), *carried, std::nullopt,
      [&](Block &block) -> FailureOr<SmallVector<Value>> {
        auto next =
            import(n.b, *bodyGraph,
                   concat(block.getArguments().drop_front(2), *additional));
        if (failed(next))
          return failure();
        auto go = import(n.b, *condGraph, concat(*next, *additional));
        if (failed(go) || go->size() != 1)
          return failure();
        return concat(*go, *next);
      },
      why);
  return finishLoop(n, loop, why);
}

LogicalResult anvil::torch_import::importScan(AtenContext &n,
                                              const json::Object &node,
                                              ValueTable &table,
                                              SubgraphImporter import) {
  const json::Object *combine = graphAt(node, 0);
  auto init = tensorsAt(node, 1, table);
  auto xs = tensorsAt(node, 2, table);
  auto additional = tensorsAt(node, 3, table);
  if (!combine || !init || !xs || !additional || xs->empty())
    return n.invalid("expects (combine_fn, init, xs, additional_inputs)");
  int64_t length = cast<RankedTensorType>(xs->front().getType()).getDimSize(0);
  for (Value x : *xs)
    if (cast<RankedTensorType>(x.getType()).getDimSize(0) != length)
      return n.invalid("the scanned inputs differ in length");
  NNBuilder nb(n.b, n.loc);
  Type i64 = n.b.getI64Type();
  Value count = nb.constant(
      DenseElementsAttr::get(RankedTensorType::get({}, i64), length));
  Value always = nb.constant(
      DenseElementsAttr::get(RankedTensorType::get({}, n.b.getI1Type()), true));
  std::string why;
  auto loop = buildLoop(
      n.b, n.loc, count, always, *init, length,
      [&](Block &block) -> FailureOr<SmallVector<Value>> {
        SmallVector<Value> operands(block.getArguments().drop_front(2));
        for (Value x : *xs)
          operands.push_back(nb.create<nn::GatherOp>(
              {x, block.getArgument(0)},
              {n.b.getNamedAttr("axis", n.b.getI64IntegerAttr(0))}));
        if (nb.failed())
          return (void)n.report(nb.error), failure();
        auto outputs = import(n.b, *combine, concat(operands, *additional));
        if (failed(outputs))
          return failure();
        return concat(block.getArgument(1), *outputs);
      },
      why);
  return finishLoop(n, loop, why);
}
