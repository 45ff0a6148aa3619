//===- Importer.cpp - ONNX ModelProto to the nn dialect -------------------===//
//
// The importer walks the graph once. Every node whose op type is unknown is
// reported before anything is built, and a node that fails to import
// poisons its outputs so that later nodes are skipped rather than reported
// twice; the user gets every problem of the model in one run.
//
//===----------------------------------------------------------------------===//

#include "NodeContext.h"

#include "anvil/Dialect/NN/IR/NNOps.h"
#include "anvil/Support/Sizes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Verifier.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <google/protobuf/io/coded_stream.h>

using namespace mlir;
using namespace anvil::onnx_import;

//===----------------------------------------------------------------------===//
// NodeContext
//===----------------------------------------------------------------------===//

Value NodeContext::input(int i) const {
  if (i >= node.input_size() || node.input(i).empty())
    return nullptr;
  return values.lookup(node.input(i));
}

RankedTensorType NodeContext::inputType(int i) const {
  Value v = input(i);
  return v ? cast<RankedTensorType>(v.getType()) : nullptr;
}

std::optional<DenseElementsAttr> NodeContext::constAttr(int i) const {
  Value v = input(i);
  if (!v)
    return std::nullopt;
  auto constant = v.getDefiningOp<anvil::nn::ConstantOp>();
  if (!constant)
    return std::nullopt;
  if (auto dense = dyn_cast<DenseElementsAttr>(constant.getValue()))
    return dense;
  return std::nullopt;
}

std::optional<SmallVector<int64_t>> NodeContext::constInts(int i) const {
  auto attr = constAttr(i);
  if (!attr || !isa<IntegerType>(attr->getElementType()))
    return std::nullopt;
  SmallVector<int64_t> result;
  for (const APInt &v : attr->getValues<APInt>())
    result.push_back(attr->getElementType().isInteger(1) ? v.getZExtValue()
                                                         : v.getSExtValue());
  return result;
}

std::optional<SmallVector<double>> NodeContext::constFloats(int i) const {
  auto attr = constAttr(i);
  if (!attr)
    return std::nullopt;
  SmallVector<double> result;
  if (isa<FloatType>(attr->getElementType())) {
    for (const APFloat &v : attr->getValues<APFloat>())
      result.push_back(v.convertToDouble());
    return result;
  }
  auto ints = constInts(i);
  if (!ints)
    return std::nullopt;
  result.assign(ints->begin(), ints->end());
  return result;
}

const onnx::AttributeProto *NodeContext::attr(StringRef name) const {
  for (const onnx::AttributeProto &a : node.attribute())
    if (a.name() == name)
      return &a;
  return nullptr;
}

int64_t NodeContext::getInt(StringRef name, int64_t dflt) const {
  const onnx::AttributeProto *a = attr(name);
  return a ? a->i() : dflt;
}

double NodeContext::getFloat(StringRef name, double dflt) const {
  const onnx::AttributeProto *a = attr(name);
  return a ? a->f() : dflt;
}

std::string NodeContext::getString(StringRef name, StringRef dflt) const {
  const onnx::AttributeProto *a = attr(name);
  return a ? a->s() : dflt.str();
}

std::optional<SmallVector<int64_t>> NodeContext::getInts(StringRef name) const {
  const onnx::AttributeProto *a = attr(name);
  if (!a)
    return std::nullopt;
  return SmallVector<int64_t>(a->ints().begin(), a->ints().end());
}

/// The node's name; an unnamed node is known by its first output.
static std::string nodeLabel(const onnx::NodeProto &node) {
  if (!node.name().empty())
    return node.name();
  if (node.output_size() > 0 && !node.output(0).empty())
    return "node producing '" + node.output(0) + "'";
  return "";
}

static Problem makeProblem(const onnx::NodeProto &node, int64_t opset,
                           const Twine &reason, bool unsupported) {
  return Problem{nodeLabel(node), node.op_type(), node.domain(),
                 opset,           reason.str(),   unsupported};
}

LogicalResult NodeContext::unsupported(const Twine &reason) {
  problems.push_back(makeProblem(node, opset, reason, true));
  return failure();
}

LogicalResult NodeContext::invalid(const Twine &reason) {
  problems.push_back(makeProblem(node, opset, reason, false));
  return failure();
}

LogicalResult NodeContext::checkAttributes(ArrayRef<StringRef> known) {
  bool ok = true;
  for (const onnx::AttributeProto &a : node.attribute())
    if (!llvm::is_contained(known, a.name()))
      ok &= succeeded(
          unsupported("attribute '" + a.name() + "' is not supported"));
  return success(ok);
}

LogicalResult NodeContext::checkSize(Type type) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  if (!tensor || !tensor.hasStaticShape())
    return success();
  std::string why = anvil::tensorSizeProblem(tensor.getShape());
  return why.empty() ? success() : unsupported(why);
}

Value NodeContext::constant(DenseElementsAttr value) {
  return buildConstant(b, loc, value);
}

Value NodeContext::constantI64(ArrayRef<int64_t> data) {
  auto type = RankedTensorType::get({static_cast<int64_t>(data.size())},
                                    b.getI64Type());
  return constant(DenseElementsAttr::get(type, data));
}

/// The names of the graph inputs `v` is computed from.
static SmallVector<std::string> graphInputsBehind(Value v) {
  SmallVector<std::string> names;
  SmallVector<Value> work = {v};
  llvm::SmallPtrSet<void *, 16> seen;
  while (!work.empty()) {
    Value next = work.pop_back_val();
    if (!next || !seen.insert(next.getAsOpaquePointer()).second)
      continue;
    if (auto arg = dyn_cast<BlockArgument>(next)) {
      // A loop body's arguments (a detached region while importing) name
      // no graph input.
      auto func =
          dyn_cast_if_present<func::FuncOp>(arg.getOwner()->getParentOp());
      if (auto name = func ? func.getArgAttrOfType<StringAttr>(
                                 arg.getArgNumber(), "anvil.name")
                           : nullptr)
        names.push_back(name.str());
      continue;
    }
    llvm::append_range(work, next.getDefiningOp()->getOperands());
  }
  llvm::sort(names);
  return names;
}

LogicalResult NodeContext::needsConstant(int i, const Twine &what) {
  SmallVector<std::string> names = graphInputsBehind(input(i));
  if (names.empty())
    return unsupported(what + " must be a constant");
  SmallVector<std::string> quoted;
  for (const std::string &name : names)
    quoted.push_back("'" + name + "'");
  return unsupported(what + " must be a constant; it is computed from graph " +
                     (names.size() == 1 ? "input " : "inputs ") +
                     llvm::join(quoted, ", ") +
                     " (--bind-input NAME=FILE.pb fixes a value at compile "
                     "time)");
}

const NodeContext::MaskedSlice *NodeContext::maskedSliceInput(int i) const {
  if (!maskedSlices || i >= node.input_size())
    return nullptr;
  auto it = maskedSlices->find(node.input(i));
  return it == maskedSlices->end() ? nullptr : &it->second;
}

void NodeContext::setMaskedSliceOutput(int i, MaskedSlice slice) {
  if (maskedSlices && i < node.output_size() && !node.output(i).empty())
    (*maskedSlices)[node.output(i)] = slice;
}

const NodeContext::Sequence *NodeContext::sequenceInput(int i) const {
  if (!sequences || i >= node.input_size())
    return nullptr;
  auto it = sequences->find(node.input(i));
  return it == sequences->end() ? nullptr : &it->second;
}

void NodeContext::setSequenceOutput(int i, Sequence elements) {
  if (sequences && i < node.output_size() && !node.output(i).empty())
    (*sequences)[node.output(i)] = std::move(elements);
}

LogicalResult NodeContext::setOutputs(ValueRange results) {
  // A null result stands for an output bound elsewhere (a sequence).
  for (auto [i, v] : llvm::enumerate(results))
    if (v && static_cast<int>(i) < node.output_size() &&
        !node.output(i).empty())
      values[node.output(i)] = v;
  return success();
}

//===----------------------------------------------------------------------===//
// GraphImporter
//===----------------------------------------------------------------------===//

namespace {

const OpTable &opTable() {
  static const OpTable table = [] {
    OpTable t;
    addElementwiseOps(t);
    addNeuralOps(t);
    addShapeOps(t);
    addRecurrentOps(t);
    addControlFlowOps(t);
    addLoopOps(t);
    addLossOps(t);
    addIndexingOps(t);
    addConvTransposeOps(t);
    addNormalizationOps(t);
    addSequenceOps(t);
    addResizeOps(t);
    addEinsumOps(t);
    addQuantizationOps(t);
    return t;
  }();
  return table;
}

/// Whether the first `count` inputs are present (an empty name means an
/// omitted optional input).
bool hasRequiredInputs(const onnx::NodeProto &node, int count) {
  if (node.input_size() < count)
    return false;
  for (int i = 0; i < count; ++i)
    if (node.input(i).empty())
      return false;
  return true;
}

bool isDefaultDomain(StringRef domain) {
  return domain.empty() || domain == "ai.onnx";
}

class GraphImporter {
public:
  GraphImporter(MLIRContext &ctx, const onnx::ModelProto &model,
                StringRef modelPath, const ImportOptions &options)
      : ctx(ctx), model(model), options(options), modelPath(modelPath.str()),
        modelDir(llvm::sys::path::parent_path(modelPath).str()) {
    if (modelDir.empty())
      modelDir = ".";
  }

  ImportResult run();

private:
  Location nodeLoc(const onnx::NodeProto &node, int index) const;
  void checkOpTypes(const onnx::GraphProto &graph);
  std::optional<std::string> unknownOpReason(const onnx::NodeProto &node) const;
  bool takesSequenceWhereTensorExpected(const onnx::NodeProto &node) const;
  bool takesMaskedSliceWhereTensorExpected(const onnx::NodeProto &node) const;
  FailureOr<RankedTensorType> inputType(const onnx::ValueInfoProto &info);
  void bindInput(OpBuilder &b, const onnx::ValueInfoProto &info,
                 StringRef path);
  void importInitializers(OpBuilder &b, const onnx::GraphProto &graph);
  void importNodes(OpBuilder &b, const onnx::GraphProto &graph);
  FailureOr<SmallVector<NodeContext::GraphValue>>
  importSubgraph(OpBuilder &b, const onnx::GraphProto &graph,
                 ArrayRef<NodeContext::GraphValue> inputs);
  void buildReturn(OpBuilder &b, func::FuncOp func);
  void problem(StringRef where, StringRef opType, const Twine &reason,
               bool unsupported) {
    // Inputs, outputs and initializers belong to no operator set.
    problems.push_back(
        Problem{where.str(), opType.str(), "", 0, reason.str(), unsupported});
  }

  MLIRContext &ctx;
  const onnx::ModelProto &model;
  const ImportOptions &options;
  std::string modelPath, modelDir;
  int64_t opset = 0;
  llvm::StringMap<Value> values;
  llvm::StringMap<NodeContext::Sequence> sequences;
  llvm::StringMap<NodeContext::MaskedSlice> maskedSlices;
  llvm::StringSet<> poisoned;
  std::vector<Problem> problems;
  std::vector<NodeStatus> nodeStatuses;
};

Location GraphImporter::nodeLoc(const onnx::NodeProto &node, int index) const {
  std::string name = nodeLabel(node);
  if (name.empty())
    name = node.op_type() + " #" + std::to_string(index);
  return NameLoc::get(StringAttr::get(&ctx, name),
                      FileLineColLoc::get(&ctx, modelPath, 0, 0));
}

void GraphImporter::checkOpTypes(const onnx::GraphProto &graph) {
  for (const onnx::NodeProto &node : graph.node()) {
    // Branches of control flow are graphs of their own; their ops count.
    for (const onnx::AttributeProto &a : node.attribute())
      if (a.has_g())
        checkOpTypes(a.g());
    if (auto reason = unknownOpReason(node))
      problems.push_back(makeProblem(node, opset, *reason, true));
  }
}

std::optional<std::string>
GraphImporter::unknownOpReason(const onnx::NodeProto &node) const {
  if (!isDefaultDomain(node.domain()))
    return "operator domain '" + node.domain() + "' is not supported";
  auto it = opTable().find(node.op_type());
  if (it == opTable().end())
    return std::string("operator is not supported");
  if (opset < it->second.sinceOpset)
    return "supported from opset " + std::to_string(it->second.sinceOpset);
  return std::nullopt;
}

FailureOr<RankedTensorType>
GraphImporter::inputType(const onnx::ValueInfoProto &info) {
  const onnx::TypeProto &type = info.type();
  if (!type.has_tensor_type()) {
    problem(info.name(), "graph input", "only tensor inputs are supported",
            true);
    return failure();
  }
  const auto &tensor = type.tensor_type();
  Type element = elementType(&ctx, tensor.elem_type());
  if (!element) {
    problem(info.name(), "graph input",
            "element type " + onnxTypeName(tensor.elem_type()) +
                " is not supported",
            true);
    return failure();
  }
  SmallVector<int64_t> shape;
  SmallVector<std::string> dynamic;
  for (const auto &dim : tensor.shape().dim()) {
    if (dim.has_dim_value() && dim.dim_value() < 0) {
      problem(info.name(), "graph input",
              "dimension #" + Twine(shape.size()) + " is negative (" +
                  Twine(dim.dim_value()) + ")",
              false);
      return failure();
    }
    shape.push_back(dim.has_dim_value() ? dim.dim_value()
                                        : ShapedType::kDynamic);
    if (!dim.has_dim_value())
      dynamic.push_back(dim.has_dim_param()
                            ? "'" + dim.dim_param() + "'"
                            : "#" + std::to_string(shape.size() - 1));
  }
  auto pinned = options.inputShapes.find(info.name());
  if (pinned != options.inputShapes.end()) {
    const SmallVector<int64_t> &want = pinned->second;
    bool fits = !tensor.has_shape() || want.size() == shape.size();
    for (size_t i = 0; fits && tensor.has_shape() && i < shape.size(); ++i)
      fits = ShapedType::isDynamic(shape[i]) || shape[i] == want[i];
    if (!fits) {
      problem(info.name(), "graph input",
              "--input-shape does not fit the model's declared shape", false);
      return failure();
    }
    return RankedTensorType::get(want, element);
  }
  if (!tensor.has_shape()) {
    problem(info.name(), "graph input",
            "the input has no shape; pin it with --input-shape=" + info.name() +
                ":DIMS",
            true);
    return failure();
  }
  if (!dynamic.empty()) {
    problem(info.name(), "graph input",
            "dynamic dimension(s) " + llvm::join(dynamic, ", ") +
                "; pin them with --input-shape=" + info.name() + ":DIMS",
            true);
    return failure();
  }
  if (std::string why = anvil::tensorSizeProblem(shape); !why.empty()) {
    problem(info.name(), "graph input", why,
            anvil::checkedElementCount(shape).has_value());
    return failure();
  }
  return RankedTensorType::get(shape, element);
}

/// Reads the value bound to graph input `info` and makes it a constant;
/// its type must be the one the model declares.
void GraphImporter::bindInput(OpBuilder &b, const onnx::ValueInfoProto &info,
                              StringRef path) {
  poisoned.insert(info.name());
  auto bad = [&](const Twine &reason) {
    problem(info.name(), "graph input", "--bind-input: " + reason, false);
  };
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/false);
  if (!buffer)
    return bad("cannot read '" + path + "': " + buffer.getError().message());
  onnx::TensorProto tensor;
  if (!tensor.ParseFromArray((*buffer)->getBufferStart(),
                             static_cast<int>((*buffer)->getBufferSize())))
    return bad("'" + path + "' is not an ONNX TensorProto file");
  std::string error;
  bool unsupported = false;
  // External data of a bound tensor is resolved next to its own file.
  auto attr = tensorToAttr(&ctx, tensor, llvm::sys::path::parent_path(path),
                           error, unsupported);
  if (failed(attr))
    return bad(error);
  auto type = cast<RankedTensorType>(attr->getType());
  const auto &declared = info.type().tensor_type();
  bool fits = elementType(&ctx, declared.elem_type()) == type.getElementType();
  if (fits && declared.has_shape()) {
    fits = declared.shape().dim_size() == type.getRank();
    for (int i = 0; fits && i < declared.shape().dim_size(); ++i)
      fits = !declared.shape().dim(i).has_dim_value() ||
             declared.shape().dim(i).dim_value() == type.getDimSize(i);
  }
  if (!fits)
    return bad("the value's type does not fit the input's declared type");
  values[info.name()] = anvil::nn::ConstantOp::create(
      b, NameLoc::get(StringAttr::get(&ctx, info.name())), type, *attr);
  poisoned.erase(info.name());
}

void GraphImporter::importInitializers(OpBuilder &b,
                                       const onnx::GraphProto &graph) {
  for (const onnx::TensorProto &tensor : graph.initializer()) {
    std::string error;
    bool unsupported = false;
    auto attr = tensorToAttr(&ctx, tensor, modelDir, error, unsupported);
    if (failed(attr)) {
      problem(tensor.name(), "initializer", error, unsupported);
      poisoned.insert(tensor.name());
      continue;
    }
    Location loc = NameLoc::get(StringAttr::get(&ctx, tensor.name()));
    values[tensor.name()] = anvil::nn::ConstantOp::create(
        b, loc, cast<RankedTensorType>(attr->getType()), *attr);
  }
}

/// Sequence inputs go only to the sequence ops, at their first input.
bool GraphImporter::takesSequenceWhereTensorExpected(
    const onnx::NodeProto &node) const {
  static const llvm::StringSet<> consumers = {"SequenceInsert", "SequenceErase",
                                              "SequenceAt", "SequenceLength",
                                              "ConcatFromSequence"};
  for (int i = 0; i < node.input_size(); ++i)
    if (sequences.count(node.input(i)) &&
        !(node.op_type() == "Loop" && i >= 2) &&
        (i != 0 || !consumers.contains(node.op_type())))
      return true;
  return false;
}

bool GraphImporter::takesMaskedSliceWhereTensorExpected(
    const onnx::NodeProto &node) const {
  for (int i = 0; i < node.input_size(); ++i)
    if (maskedSlices.count(node.input(i)) &&
        !(i == 1 && node.op_type() == "Gather") &&
        (i != 0 ||
         (node.op_type() != "ReduceSum" && node.op_type() != "ReduceMean")))
      return true;
  return false;
}

/// The nodes of `graph` that produce a name its inputs, initializers or an
/// earlier node already hold (ONNX graphs are in SSA form): an error each,
/// naming the node and who produced the name first.
static void checkSingleAssignment(const onnx::GraphProto &graph, int64_t opset,
                                  std::vector<Problem> &problems) {
  llvm::StringMap<std::string> producers;
  for (const onnx::ValueInfoProto &in : graph.input())
    producers.try_emplace(in.name(), "graph input '" + in.name() + "'");
  for (const onnx::TensorProto &t : graph.initializer())
    producers.try_emplace(t.name(), "initializer '" + t.name() + "'");
  for (const onnx::NodeProto &node : graph.node())
    for (const std::string &out : node.output()) {
      if (out.empty())
        continue;
      auto [it, fresh] =
          producers.try_emplace(out, "node '" + nodeLabel(node) + "'");
      if (!fresh)
        problems.push_back(makeProblem(
            node, opset,
            "output '" + out + "' is already produced by " + it->second,
            false));
    }
}

void GraphImporter::importNodes(OpBuilder &b, const onnx::GraphProto &graph) {
  checkSingleAssignment(graph, opset, problems);
  int index = 0;
  for (const onnx::NodeProto &node : graph.node()) {
    Location loc = nodeLoc(node, index++);
    auto entry = opTable().find(node.op_type());
    bool known = isDefaultDomain(node.domain()) && entry != opTable().end() &&
                 opset >= entry->second.sinceOpset;
    bool blocked = !known;
    NodeStatus status{nodeLabel(node), node.op_type(), node.domain(), opset};
    size_t before = problems.size();
    if (!known) {
      status.kind = NodeStatus::Kind::Unsupported;
      status.reason = unknownOpReason(node).value_or("");
    }
    for (const std::string &in : node.input())
      if (!in.empty() && (poisoned.contains(in) ||
                          (!values.count(in) && !sequences.count(in) &&
                           !maskedSlices.count(in)))) {
        if (!poisoned.contains(in) && known)
          problems.push_back(makeProblem(
              node, opset, "input '" + in + "' is not produced by any node",
              false));
        else if (known && status.reason.empty()) {
          status.kind = NodeStatus::Kind::Unchecked;
          status.reason = "input '" + in +
                          "' comes from a node or graph "
                          "input that was not imported";
        }
        blocked = true;
      }
    if (!blocked && takesSequenceWhereTensorExpected(node)) {
      problems.push_back(
          makeProblem(node, opset,
                      "a sequence is given where a tensor is expected", false));
      blocked = true;
    }
    if (!blocked && takesMaskedSliceWhereTensorExpected(node)) {
      problems.push_back(makeProblem(
          node, opset,
          "an input is a slice whose bounds are known only at run time (a "
          "data-dependent shape); only ReduceSum or ReduceMean over the "
          "sliced axis can take one",
          true));
      blocked = true;
    }
    if (!blocked && !hasRequiredInputs(node, entry->second.requiredInputs)) {
      problems.push_back(makeProblem(node, opset,
                                     "expects at least " +
                                         Twine(entry->second.requiredInputs) +
                                         " input(s)",
                                     false));
      blocked = true;
    }
    if (!blocked) {
      NodeContext context(b, loc, node, opset, values, problems, modelDir);
      context.policies = &options.policies;
      context.sequences = &sequences;
      context.maskedSlices = &maskedSlices;
      context.importSubgraph =
          [this](OpBuilder &sub, const onnx::GraphProto &g,
                 ArrayRef<NodeContext::GraphValue> inputs) {
            return importSubgraph(sub, g, inputs);
          };
      context.quietly = [this](function_ref<LogicalResult()> attempt) {
        size_t problemCount = problems.size();
        size_t statusCount = nodeStatuses.size();
        if (succeeded(attempt()))
          return success();
        problems.resize(problemCount);
        nodeStatuses.resize(statusCount);
        return failure();
      };
      context.tryImportSubgraph =
          [this, &context](OpBuilder &sub, const onnx::GraphProto &g,
                           ArrayRef<NodeContext::GraphValue> inputs) {
            FailureOr<SmallVector<NodeContext::GraphValue>> results = failure();
            (void)context.quietly([&] {
              results = importSubgraph(sub, g, inputs);
              return LogicalResult(results);
            });
            return results;
          };
      blocked = failed(entry->second.import(context));
    }
    if (known && problems.size() != before)
      status.kind = statusOf(problems, before, status.reason);
    nodeStatuses.push_back(std::move(status));
    if (blocked)
      for (const std::string &out : node.output())
        poisoned.insert(out);
  }
}

/// A branch sees the enclosing graph's values; its own names stay inside.
FailureOr<SmallVector<NodeContext::GraphValue>>
GraphImporter::importSubgraph(OpBuilder &b, const onnx::GraphProto &graph,
                              ArrayRef<NodeContext::GraphValue> inputs) {
  llvm::StringMap<Value> outer = values;
  llvm::StringMap<NodeContext::Sequence> outerSequences = sequences;
  llvm::StringMap<NodeContext::MaskedSlice> outerSlices = maskedSlices;
  llvm::StringSet<> outerPoisoned = poisoned;
  size_t before = problems.size();
  for (auto [info, input] : llvm::zip(graph.input(), inputs)) {
    values.erase(info.name());
    sequences.erase(info.name());
    maskedSlices.erase(info.name());
    poisoned.erase(info.name());
    if (input.sequence)
      sequences[info.name()] = *input.sequence;
    else
      values[info.name()] = input.tensor;
  }
  importInitializers(b, graph);
  importNodes(b, graph);
  SmallVector<NodeContext::GraphValue> results;
  bool complete = true;
  for (const onnx::ValueInfoProto &out : graph.output()) {
    NodeContext::GraphValue result;
    if (!poisoned.contains(out.name())) {
      result.tensor = values.lookup(out.name());
      auto seq = sequences.find(out.name());
      if (seq != sequences.end())
        result.sequence = seq->second;
    }
    complete &= result.tensor || result.sequence;
    results.push_back(std::move(result));
  }
  values = std::move(outer);
  sequences = std::move(outerSequences);
  maskedSlices = std::move(outerSlices);
  poisoned = std::move(outerPoisoned);
  if (problems.size() != before || !complete)
    return failure();
  return results;
}

void GraphImporter::buildReturn(OpBuilder &b, func::FuncOp func) {
  SmallVector<Value> results;
  SmallVector<Type> types;
  for (const onnx::ValueInfoProto &out : model.graph().output()) {
    Value v = values.lookup(out.name());
    if (!v && sequences.count(out.name())) {
      problem(out.name(), "graph output",
              "sequence-typed graph outputs are not supported", true);
      continue;
    }
    if (!v) {
      if (!poisoned.contains(out.name()))
        problem(out.name(), "graph output", "no node produces this output",
                false);
      continue;
    }
    results.push_back(v);
    types.push_back(v.getType());
  }
  func::ReturnOp::create(b, func.getLoc(), results);
  func.setType(FunctionType::get(&ctx, func.getArgumentTypes(), types));
  for (auto [i, out] : llvm::enumerate(model.graph().output()))
    if (i < types.size())
      func.setResultAttr(i, "anvil.name", StringAttr::get(&ctx, out.name()));
}

ImportResult GraphImporter::run() {
  ImportResult result;
  for (const auto &imp : model.opset_import())
    if (isDefaultDomain(imp.domain()))
      opset = imp.version();
  if (opset == 0 && model.ir_version() < 3)
    opset = 1;
  if (opset > kNewestOpset)
    problem("", "",
            "opset " + Twine(opset) +
                " is newer than the "
                "newest Anvil imports (" +
                Twine(kNewestOpset) + ")",
            true);
  if (model.ir_version() > kNewestIrVersion)
    problem("", "",
            "IR version " + Twine(model.ir_version()) +
                " is newer than the newest Anvil imports (" +
                Twine(kNewestIrVersion) + ")",
            true);
  checkOpTypes(model.graph());

  llvm::StringSet<> initializers;
  for (const onnx::TensorProto &t : model.graph().initializer())
    initializers.insert(t.name());
  SmallVector<Type> argTypes;
  SmallVector<std::string> argNames;
  SmallVector<const onnx::ValueInfoProto *> bound;
  llvm::StringSet<> inputNames;
  for (const onnx::ValueInfoProto &in : model.graph().input()) {
    if (!inputNames.insert(in.name()).second) {
      problem(in.name(), "graph input", "is declared twice", false);
      continue;
    }
    if (initializers.contains(in.name()))
      continue;
    if (options.boundInputs.count(in.name())) {
      bound.push_back(&in);
      continue;
    }
    auto type = inputType(in);
    if (failed(type)) {
      poisoned.insert(in.name());
      continue;
    }
    argTypes.push_back(*type);
    argNames.push_back(in.name());
  }

  OpBuilder b(&ctx);
  auto loc = FileLineColLoc::get(&ctx, modelPath, 0, 0);
  result.module = ModuleOp::create(loc);
  b.setInsertionPointToEnd(result.module->getBody());
  auto func = func::FuncOp::create(b, loc, "main_graph",
                                   b.getFunctionType(argTypes, {}));
  Block *body = func.addEntryBlock();
  for (auto [i, name] : llvm::enumerate(argNames)) {
    values[name] = body->getArgument(i);
    body->getArgument(i).setLoc(NameLoc::get(b.getStringAttr(name), loc));
    func.setArgAttr(i, "anvil.name", b.getStringAttr(name));
  }
  b.setInsertionPointToStart(body);
  for (const onnx::ValueInfoProto *in : bound)
    bindInput(b, *in, options.boundInputs.lookup(in->name()));
  for (const auto &entry : options.boundInputs)
    if (llvm::none_of(bound, [&](const onnx::ValueInfoProto *in) {
          return in->name() == entry.getKey();
        }))
      problem(entry.getKey(), "graph input",
              "--bind-input names no graph input of the model", false);
  importInitializers(b, model.graph());
  importNodes(b, model.graph());
  buildReturn(b, func);

  result.problems = std::move(problems);
  result.nodes = std::move(nodeStatuses);
  if (result.problems.empty())
    (void)verifyImported(*result.module, result);
  if (llvm::any_of(result.problems,
                   [](const Problem &p) { return p.unsupported; }))
    result.status = ImportStatus::Unsupported;
  else if (!result.problems.empty())
    result.status = ImportStatus::InvalidInput;
  if (result.status != ImportStatus::Success)
    result.module = nullptr;
  return result;
}

} // namespace

/// protobuf's default limit of nested messages, which Anvil keeps, and the
/// deeper one it tries only to tell a model nested too deep from a file
/// that is no model (recursion on the stack bounds both).
static constexpr int kProtobufNesting = 100;
static constexpr int kDiagnosisNesting = 1000;

/// Parses all of `buffer` as a model with at most `nesting` levels of
/// nested messages.
static bool parseModel(const llvm::MemoryBuffer &buffer,
                       onnx::ModelProto &model, int nesting) {
  google::protobuf::io::CodedInputStream stream(
      reinterpret_cast<const uint8_t *>(buffer.getBufferStart()),
      static_cast<int>(buffer.getBufferSize()));
  // Models with large weights exceed protobuf's default 64 MiB limit.
  stream.SetTotalBytesLimit(std::numeric_limits<int>::max());
  stream.SetRecursionLimit(nesting);
  return model.ParseFromCodedStream(&stream) && stream.ConsumedEntireMessage();
}

ImportResult anvil::onnx_import::importModelFile(MLIRContext &context,
                                                 StringRef path,
                                                 const ImportOptions &options) {
  context.loadDialect<anvil::nn::NNDialect, func::FuncDialect>();
  ImportResult result;
  auto fail = [&](const Twine &reason) {
    result.status = ImportStatus::InvalidInput;
    result.problems.push_back(Problem{"", "", "", 0, reason.str(), false});
    return std::move(result);
  };
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/false);
  if (!buffer)
    return fail("cannot read '" + path + "': " + buffer.getError().message());
  if ((*buffer)->getBufferSize() >
      static_cast<size_t>(std::numeric_limits<int>::max()))
    return fail("'" + path +
                "' is larger than 2 GiB, the most a protobuf "
                "message holds; keep the weights as external data");
  onnx::ModelProto model;
  if (!parseModel(**buffer, model, kProtobufNesting)) {
    // protobuf stops at a fixed depth of nested messages; a model that
    // parses with a deeper limit is well formed but nests too deep.
    onnx::ModelProto deeper;
    if (parseModel(**buffer, deeper, kDiagnosisNesting))
      return fail("'" + path + "' nests its subgraphs deeper than " +
                  Twine(kProtobufNesting) +
                  " protobuf messages (If, Loop "
                  "or Scan bodies within one another); Anvil reads none "
                  "that deep");
    return fail("'" + path +
                "' is not an ONNX model (it does not parse as "
                "onnx.ModelProto; truncated or not a model file?)");
  }
  if (!model.has_graph() || model.graph().node_size() == 0)
    return fail("'" + path + "' holds no graph");
  return GraphImporter(context, model, path, options).run();
}

bool anvil::onnx_import::parseInputShape(StringRef spec,
                                         ImportOptions &options) {
  auto [name, dims] = spec.rsplit(':');
  if (name.empty() || dims.empty())
    return false;
  SmallVector<StringRef> parts;
  dims.split(parts, 'x');
  SmallVector<int64_t> shape;
  for (StringRef p : parts) {
    int64_t d;
    if (p.getAsInteger(10, d) || d < 0)
      return false;
    shape.push_back(d);
  }
  options.inputShapes[name] = shape;
  return true;
}

bool anvil::onnx_import::parseBoundInput(StringRef spec,
                                         ImportOptions &options) {
  auto [name, path] = spec.split('=');
  if (name.empty() || path.empty())
    return false;
  options.boundInputs[name] = path.str();
  return true;
}

std::vector<SupportedOp> anvil::onnx_import::supportedOps() {
  std::vector<SupportedOp> ops;
  for (const auto &entry : opTable())
    ops.push_back({entry.getKey().str(), entry.getValue().sinceOpset});
  llvm::sort(ops, [](const SupportedOp &a, const SupportedOp &b) {
    return a.name < b.name;
  });
  return ops;
}
