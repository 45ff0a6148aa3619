//===- LoopOps.cpp - ONNX Loop and Scan to nn.loop ------------------------===//
//
// Loop and Scan become loops: the body graph is imported once, into the
// region of an nn.loop whose block takes the iteration number, the
// condition and the carried values. The carried values' types are their
// initial values'; a Loop whose body yields other types (a value grown
// per iteration) or carries sequences cannot stay a loop and is unrolled
// instead (ControlFlowOps.cpp), as is one whose scan outputs have no row
// count known at compile time. A Loop whose trip count is a constant is
// unrolled where the control-flow placement says copies of its body pay
// (ImportPolicies::keepsLoopRolled). A Scan's row count is its inputs'
// length; its body sees row i of each scan input, taken by a gather on i.
//
//===----------------------------------------------------------------------===//

#include "NodeContext.h"

#include "anvil/Dialect/NN/IR/NNOps.h"
#include "anvil/Import/Decompositions.h"

#include <limits>

using namespace mlir;
using namespace anvil;
using namespace anvil::onnx_import;

namespace {

using GraphValues = SmallVector<NodeContext::GraphValue>;

/// What an nn.loop starts from.
struct LoopSpec {
  Value tripCount, condition; // one-element i64 and i1 tensors
  SmallVector<Value> inits;
  /// The scan outputs' rows, when known at compile time.
  std::optional<int64_t> rows;
  /// Whether the body graph's first output is the next condition (Loop's
  /// body) and whether it decides (a Loop given a condition), rather than
  /// the condition never changing.
  enum class BodyCondition { None, Ignored, Used };
  BodyCondition bodyCondition = BodyCondition::None;
  /// Whether failing to import the body records no problem (the node has
  /// another importer to fall back to); then why it failed, where known.
  bool quiet = false;
  std::string *why = nullptr;
};

/// Builds the body graph's inputs in the loop's block from its arguments
/// (the iteration number, the condition, the carried values).
using BodyInputs = llvm::function_ref<GraphValues(NNBuilder &nb, Block &block)>;

/// Whether `type` is a one-element tensor of `element` type.
bool isScalarOf(Type type, Type element) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  return tensor && tensor.hasStaticShape() && tensor.getNumElements() == 1 &&
         tensor.getElementType() == element;
}

/// Imports `body` into a new nn.loop; failure when it cannot stay a loop
/// (reported unless `spec.quiet`).
FailureOr<nn::LoopOp> importLoopBody(NodeContext &n,
                                     const onnx::GraphProto &body,
                                     const LoopSpec &spec,
                                     BodyInputs inputsOf) {
  std::string why;
  auto loop = buildLoop(
      n.b, n.loc, spec.tripCount, spec.condition, spec.inits, spec.rows,
      [&](Block &block) -> FailureOr<SmallVector<Value>> {
        NNBuilder nb(n.b, n.loc);
        GraphValues inputs = inputsOf(nb, block);
        if (nb.failed())
          return spec.quiet ? failure() : n.report(nb.error);
        auto outputs = spec.quiet ? n.tryImportSubgraph(n.b, body, inputs)
                                  : n.importSubgraph(n.b, body, inputs);
        if (failed(outputs))
          return failure();
        SmallVector<Value> yielded;
        ArrayRef<NodeContext::GraphValue> results = *outputs;
        if (spec.bodyCondition != LoopSpec::BodyCondition::Used)
          yielded.push_back(block.getArgument(1));
        if (spec.bodyCondition == LoopSpec::BodyCondition::Ignored)
          results = results.drop_front();
        for (const NodeContext::GraphValue &out : results) {
          if (!out.tensor) {
            std::string reason = "its body yields a sequence";
            if (!spec.quiet)
              return n.unsupported(reason);
            *spec.why = reason;
            return failure();
          }
          yielded.push_back(out.tensor);
        }
        return yielded;
      },
      why);
  if (failed(loop) && !why.empty()) {
    if (!spec.quiet)
      (void)n.unsupported(why);
    else
      *spec.why = why;
  }
  return loop;
}

/// Loop as nn.loop; failure (recording nothing, `why` saying why where
/// known) where it must be unrolled.
LogicalResult importRolledLoop(NodeContext &n, const onnx::GraphProto &body,
                               std::string &why) {
  int carried = n.numInputs() - 2;
  if (carried < 0 || body.input_size() != carried + 2 ||
      body.output_size() < carried + 1)
    return failure();
  Type i64 = n.b.getI64Type(), i1 = n.b.getI1Type();
  LoopSpec spec;
  spec.quiet = true;
  spec.why = &why;
  spec.tripCount = n.input(0);
  if (!spec.tripCount)
    spec.tripCount = n.constant(DenseElementsAttr::get(
        RankedTensorType::get({}, i64), std::numeric_limits<int64_t>::max()));
  spec.condition = n.input(1);
  spec.bodyCondition = spec.condition ? LoopSpec::BodyCondition::Used
                                      : LoopSpec::BodyCondition::Ignored;
  if (!spec.condition)
    spec.condition =
        n.constant(DenseElementsAttr::get(RankedTensorType::get({}, i1), true));
  if (!isScalarOf(spec.tripCount.getType(), i64) ||
      !isScalarOf(spec.condition.getType(), i1))
    return failure();
  for (int i = 0; i < carried; ++i) {
    if (n.sequenceInput(2 + i) || !n.input(2 + i))
      return why = "it carries a sequence", failure();
    spec.inits.push_back(n.input(2 + i));
  }
  if (body.output_size() > carried + 1) {
    auto count = n.input(0) ? n.constInts(0) : std::nullopt;
    if (!count)
      return why = "its scan outputs need the trip count at compile time",
             failure();
    spec.rows = std::max<int64_t>((*count)[0], 0);
  }
  auto loop = importLoopBody(n, body, spec, [&](NNBuilder &, Block &block) {
    GraphValues inputs;
    for (BlockArgument arg : block.getArguments())
      inputs.push_back({arg, std::nullopt});
    return inputs;
  });
  if (failed(loop))
    return failure();
  return n.setOutputs(loop->getResults());
}

LogicalResult importLoop(NodeContext &n) {
  if (failed(n.checkAttributes({"body"})))
    return failure();
  const auto *bodyAttr = n.attr("body");
  if (!bodyAttr || !bodyAttr->has_g())
    return n.invalid("the body graph is required");
  // A count known here lets the placement choose copies of the body (as
  // many as the user's compile budget allows); otherwise, or where copies
  // cannot be made (a condition known only at run time), one loop.
  std::optional<SmallVector<int64_t>> trips =
      n.input(0) ? n.constInts(0) : std::nullopt;
  if (trips && !n.rollsLoop((*trips)[0]) &&
      succeeded(n.quietly([&] { return importUnrolledLoop(n); })))
    return success();
  std::string why;
  if (succeeded(importRolledLoop(n, bodyAttr->g(), why)))
    return success();
  if (succeeded(importUnrolledLoop(n)))
    return success();
  if (!why.empty())
    (void)n.unsupported("nor can it stay one loop: " + why);
  return failure();
}

/// How one Scan (without a batch axis) reads its inputs and writes its
/// outputs.
struct ScanLayout {
  SmallVector<int64_t> inputAxes, inputReversed, outputAxes, outputReversed;
};

/// `v` (rows along dimension 0) reversed along it when `reversed`, then
/// with dimension 0 moved to `axis`.
Value placeScanOutput(NNBuilder &nb, Value v, bool reversed, int64_t axis) {
  auto type = cast<RankedTensorType>(v.getType());
  int64_t rank = type.getRank();
  if (reversed)
    v = nb.reverse(v, 0);
  if (axis == 0 || !v)
    return v;
  SmallVector<int64_t> perm;
  for (int64_t d = 0; d < rank; ++d)
    perm.push_back(d < axis ? d + 1 : (d == axis ? 0 : d));
  return nb.transpose(v, perm);
}

/// One Scan over `states` and `scans` (no batch axis): the final states,
/// then the scan outputs.
FailureOr<SmallVector<Value>> scanOnce(NodeContext &n,
                                       const onnx::GraphProto &body,
                                       ValueRange states, ValueRange scans,
                                       const ScanLayout &layout) {
  SmallVector<int64_t> lengths;
  for (auto [x, axis] : llvm::zip(scans, layout.inputAxes))
    lengths.push_back(cast<RankedTensorType>(x.getType()).getDimSize(axis));
  if (llvm::any_of(lengths, [&](int64_t l) { return l != lengths[0]; }))
    return (void)n.invalid("the scan inputs differ in length"), failure();
  int64_t length = lengths[0];
  Type i64 = n.b.getI64Type();
  LoopSpec spec;
  spec.tripCount = n.constant(
      DenseElementsAttr::get(RankedTensorType::get({}, i64), length));
  spec.condition = n.constant(
      DenseElementsAttr::get(RankedTensorType::get({}, n.b.getI1Type()), true));
  spec.inits.assign(states.begin(), states.end());
  spec.rows = length;
  auto loop = importLoopBody(n, body, spec, [&](NNBuilder &nb, Block &block) {
    GraphValues inputs;
    for (BlockArgument arg : block.getArguments().drop_front(2))
      inputs.push_back({arg, std::nullopt});
    Value forward = block.getArgument(0);
    Value backward =
        nb.create<nn::SubOp>({nb.scalar(length - 1, i64), forward});
    for (auto [j, x] : llvm::enumerate(scans)) {
      Value row = nb.create<nn::GatherOp>(
          {x, layout.inputReversed[j] ? backward : forward},
          {nb.b.getNamedAttr("axis",
                             nb.b.getI64IntegerAttr(layout.inputAxes[j]))});
      inputs.push_back({row, std::nullopt});
    }
    return inputs;
  });
  if (failed(loop))
    return failure();
  SmallVector<Value> results(loop->getResults().take_front(states.size()));
  NNBuilder nb(n.b, n.loc);
  for (auto [k, v] :
       llvm::enumerate(loop->getResults().drop_front(states.size()))) {
    int64_t rank = cast<RankedTensorType>(v.getType()).getRank();
    int64_t axis = layout.outputAxes[k] < 0 ? layout.outputAxes[k] + rank
                                            : layout.outputAxes[k];
    if (axis < 0 || axis >= rank)
      return (void)n.invalid("scan_output_axes entry " + Twine(k) +
                             " is out of range"),
             failure();
    results.push_back(placeScanOutput(nb, v, layout.outputReversed[k], axis));
  }
  if (nb.failed())
    return (void)n.report(nb.error), failure();
  return results;
}

/// An integer-list attribute of `count` entries, `fallback` each when
/// absent; axes are normalized against `ranks` when given.
FailureOr<SmallVector<int64_t>> scanList(NodeContext &n, StringRef name,
                                         size_t count, int64_t fallback,
                                         ArrayRef<int64_t> ranks = {}) {
  SmallVector<int64_t> values =
      n.getInts(name).value_or(SmallVector<int64_t>(count, fallback));
  if (values.size() != count)
    return (void)n.invalid(name + " has " + Twine(values.size()) +
                           " entries for " + Twine(count) + " values"),
           failure();
  for (auto [i, v] : llvm::enumerate(values)) {
    if (ranks.empty())
      continue;
    if (v < 0)
      v += ranks[i];
    if (v < 0 || v >= ranks[i])
      return (void)n.invalid(name + " entry " + Twine(i) + " is out of range"),
             failure();
  }
  return values;
}

/// The rank of each of `values`, plus `extra`.
SmallVector<int64_t> ranksOf(ValueRange values, int64_t extra) {
  SmallVector<int64_t> ranks;
  for (Value v : values)
    ranks.push_back(cast<RankedTensorType>(v.getType()).getRank() + extra);
  return ranks;
}

/// Scan-8: every input has a leading batch axis, the body sees one batch
/// element; each element is scanned on its own and the results stacked.
LogicalResult importBatchedScan(NodeContext &n, const onnx::GraphProto &body,
                                ValueRange init, ValueRange scans,
                                ScanLayout layout) {
  Value any = scans.front();
  int64_t batch = cast<RankedTensorType>(any.getType()).getDimSize(0);
  for (Value v : llvm::concat<const Value>(init, scans))
    if (cast<RankedTensorType>(v.getType()).getDimSize(0) != batch)
      return n.invalid("the inputs differ in batch size");
  NNBuilder nb(n.b, n.loc);
  // Per batch element the sequence axis is the first.
  for (int64_t &axis : layout.inputAxes)
    axis = 0;
  auto element = [&](Value v, int64_t b) {
    return nb.create<nn::GatherOp>(
        {v, nb.scalar(b, n.b.getI64Type())},
        {nb.b.getNamedAttr("axis", nb.b.getI64IntegerAttr(0))});
  };
  SmallVector<SmallVector<Value>> stacked;
  for (int64_t b = 0; b < batch; ++b) {
    SmallVector<Value> states, inputs;
    for (Value v : init)
      states.push_back(element(v, b));
    for (Value v : scans)
      inputs.push_back(element(v, b));
    if (nb.failed())
      return n.report(nb.error);
    auto results = scanOnce(n, body, states, inputs, layout);
    if (failed(results))
      return failure();
    stacked.resize(results->size());
    for (auto [k, v] : llvm::enumerate(*results)) {
      SmallVector<int64_t> shape = {1};
      llvm::append_range(shape, cast<RankedTensorType>(v.getType()).getShape());
      stacked[k].push_back(nb.reshape(v, shape));
    }
  }
  SmallVector<Value> outputs;
  for (ArrayRef<Value> parts : stacked)
    outputs.push_back(parts.size() == 1 ? parts.front() : nb.concat(parts, 0));
  return n.finish(nb, outputs);
}

LogicalResult importScan(NodeContext &n) {
  if (failed(n.checkAttributes({"body", "num_scan_inputs", "scan_input_axes",
                                "scan_input_directions", "scan_output_axes",
                                "scan_output_directions", "directions"})))
    return failure();
  const auto *bodyAttr = n.attr("body");
  if (!bodyAttr || !bodyAttr->has_g())
    return n.invalid("the body graph is required");
  const onnx::GraphProto &body = bodyAttr->g();
  bool batched = n.opset < 9;
  int first = batched ? 1 : 0;
  int64_t m = n.getInt("num_scan_inputs", 0);
  int states = n.numInputs() - first - m;
  if (m < 1 || states < 0 || body.input_size() != states + m ||
      body.output_size() < states)
    return n.invalid("num_scan_inputs does not match the inputs and body");
  if (batched && n.input(0))
    return n.unsupported("sequence_lens (every sequence must be full)");
  SmallVector<Value> init, scans;
  for (int i = 0; i < states + m; ++i) {
    if (!n.input(first + i))
      return n.invalid("input " + Twine(first + i) + " is missing");
    (i < states ? init : scans).push_back(n.input(first + i));
  }
  int outputs = body.output_size() - states;
  ScanLayout layout;
  auto inAxes = scanList(n, "scan_input_axes", m, 0, ranksOf(scans, 0));
  auto inDirs =
      scanList(n, batched ? "directions" : "scan_input_directions", m, 0);
  if (failed(inAxes) || failed(inDirs))
    return failure();
  if (batched && n.attr("scan_input_axes"))
    return n.invalid("scan_input_axes is not an attribute of Scan-8");
  layout.inputAxes = *inAxes;
  layout.inputReversed = *inDirs;
  layout.outputAxes.assign(outputs, 0);
  layout.outputReversed.assign(outputs, 0);
  if (!batched) {
    auto outDirs = scanList(n, "scan_output_directions", outputs, 0);
    if (failed(outDirs))
      return failure();
    layout.outputReversed = *outDirs;
    // An output's rank is known once the body is imported: axes are
    // normalized against it there.
    auto outAxes = scanList(n, "scan_output_axes", outputs, 0);
    if (failed(outAxes))
      return failure();
    layout.outputAxes = *outAxes;
  }
  if (!batched) {
    auto results = scanOnce(n, body, init, scans, layout);
    return failed(results) ? failure() : n.setOutputs(*results);
  }
  return importBatchedScan(n, body, init, scans, layout);
}

} // namespace

void anvil::onnx_import::addLoopOps(OpTable &t) {
  t["Loop"] = {importLoop, 1, 0};
  t["Scan"] = {importScan, 8, 0};
}
