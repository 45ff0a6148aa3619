//===- Importer.cpp - torch.export ExportedProgram to the nn dialect ------===//
//
// The graph's placeholders follow the signature: parameters, buffers and
// constants are read from the archive's blobs into constants, user inputs
// become arguments of @main_graph. Like the ONNX importer, every op the
// table lacks is reported before anything is built, and a failed node
// poisons its outputs so that later nodes are skipped, not reported twice.
//
//===----------------------------------------------------------------------===//

#include "Archive.h"
#include "AtenContext.h"

#include "anvil/Dialect/NN/IR/NNOps.h"
#include "anvil/Import/Torch.h"
#include "anvil/Support/Json.h"
#include "anvil/Support/Sizes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Verifier.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Regex.h"

#include <list>

using namespace mlir;
using namespace anvil;
using namespace anvil::torch_import;
namespace json = llvm::json;

namespace {

const AtenTable &atenTable() {
  static const AtenTable table = [] {
    AtenTable t;
    addElementwiseOps(t);
    addNeuralOps(t);
    addShapeOps(t);
    addSequenceOps(t);
    return t;
  }();
  return table;
}

constexpr StringRef kCondTarget = "higher_order.cond";
constexpr StringRef kWhileLoopTarget = "higher_order.while_loop";
constexpr StringRef kScanTarget = "higher_order.scan";

/// Higher-order ops: their functions are graphs, imported with them.
bool isHigherOrder(StringRef target) {
  return target == kCondTarget || target == kWhileLoopTarget ||
         target == kScanTarget;
}

/// "torch.ops.aten.linear.default" -> "aten.linear.default".
StringRef shortTarget(StringRef target) {
  target.consume_front("torch.ops.");
  return target;
}

AtenImporter lookupImporter(StringRef target) {
  const AtenTable &table = atenTable();
  auto it = table.find(target);
  if (it != table.end())
    return it->second;
  it = table.find(target.rsplit('.').first);
  return it == table.end() ? nullptr : it->second;
}

/// The user's frame in a node's stack trace: the innermost one outside
/// PyTorch's own package, as "path:line" and that line's code.
struct SourceLine {
  std::string file;
  unsigned line = 0;
  std::string code;
};

std::optional<SourceLine> userFrame(StringRef trace) {
  static const llvm::Regex frame("File \"([^\"]+)\", line ([0-9]+)");
  std::optional<SourceLine> found;
  SmallVector<StringRef> lines;
  trace.split(lines, '\n');
  for (size_t i = 0; i < lines.size(); ++i) {
    SmallVector<StringRef, 3> match;
    if (!frame.match(lines[i], &match))
      continue;
    StringRef file = match[1];
    if (file.contains("-packages/torch/") || file.starts_with("<"))
      continue;
    SourceLine s;
    s.file = file.str();
    match[2].getAsInteger(10, s.line);
    if (i + 1 < lines.size() && !lines[i + 1].trim().starts_with("File "))
      s.code = lines[i + 1].trim().str();
    found = s;
  }
  return found;
}

/// The last element a strided view reaches, or nullopt where a stride is
/// negative or the sum overflows.
static std::optional<int64_t> lastStridedElement(ArrayRef<int64_t> sizes,
                                                 ArrayRef<int64_t> strides,
                                                 int64_t offset) {
  std::optional<int64_t> last = offset;
  for (auto [size, stride] : llvm::zip_equal(sizes, strides)) {
    if (stride < 0 || !last)
      return std::nullopt;
    std::optional<int64_t> span = llvm::checkedMul(size - 1, stride);
    last = span ? llvm::checkedAdd(*last, *span) : std::nullopt;
  }
  return last;
}

/// Bytes of a strided tensor laid out contiguously; nullopt where the view
/// reaches outside `blob`.
std::optional<std::string> gatherStrided(StringRef blob,
                                         ArrayRef<int64_t> sizes,
                                         ArrayRef<int64_t> strides,
                                         int64_t offset, size_t elementBytes) {
  std::optional<int64_t> count = checkedElementCount(sizes);
  if (!count || offset < 0)
    return std::nullopt;
  if (*count == 0)
    return std::string();
  std::optional<int64_t> last = lastStridedElement(sizes, strides, offset);
  std::optional<int64_t> lastByte =
      last ? checkedByteCount({*last}, elementBytes) : std::nullopt;
  std::optional<int64_t> end =
      lastByte ? checkedRangeEnd(*lastByte, elementBytes) : std::nullopt;
  if (!end || *end > int64_t(blob.size()))
    return std::nullopt;
  std::string out;
  out.reserve(*count * elementBytes);
  SmallVector<int64_t> index(sizes.size(), 0);
  for (int64_t n = 0; n < *count; ++n) {
    int64_t at = offset;
    for (auto [i, stride] : llvm::zip_equal(index, strides))
      at += i * stride;
    out.append(blob.substr(at * elementBytes, elementBytes));
    for (int64_t d = static_cast<int64_t>(sizes.size()) - 1; d >= 0; --d) {
      if (++index[d] < sizes[d])
        break;
      index[d] = 0;
    }
  }
  return out;
}

std::optional<SmallVector<int64_t>> intList(const json::Array *list,
                                            bool &symbolic) {
  if (!list)
    return std::nullopt;
  SmallVector<int64_t> result;
  for (const json::Value &item : *list) {
    const json::Object *obj = item.getAsObject();
    std::optional<int64_t> v =
        obj ? obj->getInteger("as_int") : item.getAsInteger();
    if (!v) {
      symbolic |= obj && obj->get("as_expr");
      return std::nullopt;
    }
    result.push_back(*v);
  }
  return result;
}

/// The name of the placeholder a signature entry binds, and for weights the
/// fully qualified name in the archive.
struct InputSpec {
  std::string kind, placeholder, fqn;
};

std::optional<InputSpec> parseInputSpec(const json::Object &spec) {
  for (auto [kind, key] :
       {std::pair<StringRef, StringRef>{"parameter", "parameter_name"},
        {"buffer", "buffer_name"},
        {"tensor_constant", "tensor_constant_name"},
        {"user_input", ""}}) {
    const json::Object *body = spec.getObject(kind);
    if (!body)
      continue;
    const json::Object *arg = body->getObject("arg");
    if (!arg)
      return std::nullopt;
    // user_input wraps its tensor: {"arg": {"as_tensor": {"name": ...}}}.
    if (const json::Object *t = arg->getObject("as_tensor"))
      arg = t;
    InputSpec result{kind.str(), arg->getString("name").value_or("").str(),
                     key.empty() ? ""
                                 : body->getString(key).value_or("").str()};
    return result;
  }
  if (!spec.empty())
    return InputSpec{spec.begin()->first.str(), "", ""};
  return std::nullopt;
}

class GraphImporter {
public:
  GraphImporter(MLIRContext &ctx, const Archive &archive, StringRef path,
                const ImportPolicies &policies)
      : ctx(ctx), archive(archive), modelPath(path), policies(policies) {}

  ImportResult run(const json::Object &root);

private:
  /// A problem with the archive as a whole (no node).
  void fail(const Twine &reason, bool isUnsupported = false) {
    Problem p;
    p.reason = reason.str();
    p.unsupported = isUnsupported;
    problems.push_back(std::move(p));
  }

  LogicalResult checkHeader(const json::Object &root);
  void loadWeightConfigs();
  void checkTargets(const json::Object &graph);
  FailureOr<RankedTensorType> tensorMetaType(const json::Object &meta,
                                             StringRef what);
  Value loadWeight(OpBuilder &b, StringRef fqn);
  SmallVector<InputSpec> collectInputs(const json::Object &graph,
                                       const json::Object &signature);
  void bindInputs(OpBuilder &b, ValueTable &table, ArrayRef<InputSpec> specs);
  void importNodes(OpBuilder &b, const json::Array &nodes, ValueTable &table);
  void importNode(OpBuilder &b, const json::Object &node, ValueTable &table);
  void rebindMutated(AtenContext &n, StringRef target, ValueTable &table);
  LogicalResult importCond(AtenContext &n, const json::Object &node,
                           ValueTable &table);
  FailureOr<SmallVector<Value>> importSubgraph(OpBuilder &b,
                                               const json::Object &graph,
                                               ArrayRef<Value> operands);
  std::pair<Location, Problem> nodeIdentity(const json::Object &node);
  void buildReturn(OpBuilder &b, func::FuncOp func,
                   const json::Object &signature, ValueTable &table);

  MLIRContext &ctx;
  const Archive &archive;
  StringRef modelPath;
  const ImportPolicies &policies;
  std::vector<Problem> problems;
  std::vector<NodeStatus> nodeStatuses;
  /// Weight and constant entries by fully qualified name: the blob's path in
  /// the archive and its tensor metadata.
  llvm::StringMap<std::pair<std::string, const json::Object *>> weights;
  // A list: the weight table points into these documents, which must not
  // move (json::Value copies when a vector grows).
  std::list<json::Value> configs;
  llvm::StringMap<Value> loadedWeights;
  SmallVector<Type> argTypes;
  SmallVector<std::string> argNames;
};

LogicalResult GraphImporter::checkHeader(const json::Object &root) {
  const json::Object *version = root.getObject("schema_version");
  std::optional<int64_t> major =
      version ? version->getInteger("major") : std::nullopt;
  if (!major) {
    fail("models/model.json has no schema_version; not an ExportedProgram");
    return failure();
  }
  if (*major != kSchemaMajorVersion) {
    fail("ExportedProgram schema version " + Twine(*major) + "." +
             Twine(version->getInteger("minor").value_or(0)) + " (torch " +
             root.getString("torch_version").value_or("?") +
             "); Anvil reads schema version " + Twine(kSchemaMajorVersion) +
             ".x",
         /*isUnsupported=*/true);
    return failure();
  }
  if (archive.contains("byteorder")) {
    auto order = archive.read("byteorder");
    if (order && StringRef(*order).trim() != "little") {
      fail("weights are stored " + StringRef(*order).trim() +
               "-endian; Anvil reads little-endian archives",
           true);
      return failure();
    }
    if (!order)
      llvm::consumeError(order.takeError());
  }
  return success();
}

void GraphImporter::loadWeightConfigs() {
  for (auto [config, folder] :
       {std::pair<StringRef, StringRef>{
            "data/weights/model_weights_config.json", "data/weights/"},
        {"data/constants/model_constants_config.json", "data/constants/"}}) {
    if (!archive.contains(config))
      continue;
    auto text = archive.read(config);
    if (!text) {
      fail(llvm::toString(text.takeError()));
      continue;
    }
    auto parsed = anvil::parseJson(*text);
    if (!parsed) {
      fail(config +
           " is not valid JSON: " + llvm::toString(parsed.takeError()));
      continue;
    }
    configs.push_back(std::move(*parsed));
    const json::Object *entries =
        configs.back().getAsObject()
            ? configs.back().getAsObject()->getObject("config")
            : nullptr;
    if (!entries)
      continue;
    for (const auto &[name, value] : *entries) {
      const json::Object *entry = value.getAsObject();
      if (!entry)
        continue;
      std::string path =
          (folder + entry->getString("path_name").value_or("")).str();
      weights[name.str()] = {path, entry};
    }
  }
}

void GraphImporter::checkTargets(const json::Object &graph) {
  const json::Array *nodes = graph.getArray("nodes");
  if (!nodes)
    return;
  for (const json::Value &v : *nodes) {
    const json::Object *node = v.getAsObject();
    if (!node)
      continue;
    StringRef target = shortTarget(node->getString("target").value_or(""));
    if (isHigherOrder(target)) {
      // Branches and loop bodies are graphs of their own; their ops are
      // checked too.
      if (const json::Array *inputs = node->getArray("inputs"))
        for (const json::Value &in : *inputs)
          if (const json::Object *arg = in.getAsObject()
                                            ? in.getAsObject()->getObject("arg")
                                            : nullptr)
            if (const json::Object *g = arg->getObject("as_graph"))
              if (const json::Object *sub = g->getObject("graph"))
                checkTargets(*sub);
      continue;
    }
    if (lookupImporter(target))
      continue;
    auto [loc, problem] = nodeIdentity(*node);
    problem.reason = "no importer for this op";
    problems.push_back(std::move(problem));
  }
}

std::pair<Location, Problem>
GraphImporter::nodeIdentity(const json::Object &node) {
  Problem p;
  p.nodeName = node.getString("name").value_or("").str();
  p.opType = shortTarget(node.getString("target").value_or("")).str();
  Location where = FileLineColLoc::get(&ctx, modelPath, 0, 0);
  if (const json::Object *meta = node.getObject("metadata"))
    if (auto trace = meta->getString("stack_trace"))
      if (auto frame = userFrame(*trace)) {
        p.source = frame->file + ":" + std::to_string(frame->line);
        if (!frame->code.empty())
          p.source += ": " + frame->code;
        where = FileLineColLoc::get(&ctx, frame->file, frame->line, 0);
      }
  return {NameLoc::get(StringAttr::get(&ctx, p.nodeName), where), p};
}

FailureOr<RankedTensorType>
GraphImporter::tensorMetaType(const json::Object &meta, StringRef what) {
  bool symbolic = false;
  auto sizes = intList(meta.getArray("sizes"), symbolic);
  if (!sizes) {
    fail(what + (symbolic ? " has a dynamic dimension; export with static "
                            "shapes (no dynamic_shapes)"
                          : " has malformed sizes"),
         symbolic);
    return failure();
  }
  if (llvm::any_of(*sizes, [](int64_t d) { return d < 0; })) {
    fail(what + " has a negative size");
    return failure();
  }
  int64_t code = meta.getInteger("dtype").value_or(-1);
  Type element = elementType(&ctx, code);
  if (!element) {
    fail(what + " has element type code " + Twine(code) +
             ", which Anvil does not support",
         true);
    return failure();
  }
  int64_t count = 1;
  for (int64_t d : *sizes)
    if (d && count > kMaxTensorElements / d) {
      fail(what + " is larger than the limit of " + Twine(kMaxTensorElements) +
           " elements");
      return failure();
    } else {
      count *= d;
    }
  return RankedTensorType::get(*sizes, element);
}

Value GraphImporter::loadWeight(OpBuilder &b, StringRef fqn) {
  if (Value v = loadedWeights.lookup(fqn))
    return v;
  auto it = weights.find(fqn);
  if (it == weights.end()) {
    fail("weight '" + fqn + "' is in the signature but not in the archive");
    return nullptr;
  }
  const auto &[path, entry] = it->second;
  if (entry->getBoolean("use_pickle").value_or(false)) {
    fail("weight '" + fqn +
             "' is pickled; Anvil reads raw weight blobs "
             "(torch.export.save writes them by default)",
         true);
    return nullptr;
  }
  const json::Object *meta = entry->getObject("tensor_meta");
  if (!meta) {
    fail("weight '" + fqn + "' has no tensor_meta");
    return nullptr;
  }
  auto type = tensorMetaType(*meta, "weight '" + fqn.str() + "'");
  if (failed(type))
    return nullptr;
  bool symbolic = false;
  auto strides = intList(meta->getArray("strides"), symbolic);
  const json::Object *offsetObj = meta->getObject("storage_offset");
  int64_t offset = offsetObj ? offsetObj->getInteger("as_int").value_or(0) : 0;
  if (!strides || strides->size() != type->getShape().size()) {
    fail("weight '" + fqn + "' has malformed strides");
    return nullptr;
  }
  auto blob = archive.read(path);
  if (!blob) {
    fail("weight '" + fqn + "': " + llvm::toString(blob.takeError()));
    return nullptr;
  }
  Type element = type->getElementType();
  size_t elementBytes =
      element.isInteger(1) ? 1 : element.getIntOrFloatBitWidth() / 8;
  auto bytes =
      gatherStrided(*blob, type->getShape(), *strides, offset, elementBytes);
  if (!bytes) {
    fail("weight '" + fqn + "': its sizes, strides and offset reach past the " +
         Twine(blob->size()) + " bytes of '" + path + "'");
    return nullptr;
  }
  ElementsAttr attr = elementsFromBytes(*type, *bytes, fqn);
  if (!attr) {
    fail("weight '" + fqn + "' has malformed data");
    return nullptr;
  }
  Value v = buildConstant(b, NameLoc::get(b.getStringAttr(fqn)), attr);
  loadedWeights[fqn] = v;
  return v;
}

void GraphImporter::bindInputs(OpBuilder &b, ValueTable &table,
                               ArrayRef<InputSpec> specs) {
  for (const InputSpec &spec : specs) {
    if (spec.kind == "user_input")
      continue;
    if (Value v = loadWeight(b, spec.fqn))
      table.values[spec.placeholder] = v;
    else
      table.missing[spec.placeholder] = "";
  }
}

SmallVector<InputSpec>
GraphImporter::collectInputs(const json::Object &graph,
                             const json::Object &signature) {
  SmallVector<InputSpec> specs;
  const json::Array *list = signature.getArray("input_specs");
  const json::Object *values = graph.getObject("tensor_values");
  if (!list || !values) {
    fail("the graph signature has no input_specs or tensor_values");
    return specs;
  }
  for (const json::Value &v : *list) {
    auto spec =
        v.getAsObject() ? parseInputSpec(*v.getAsObject()) : std::nullopt;
    if (!spec || spec->placeholder.empty()) {
      fail("input of kind '" + (spec ? spec->kind : std::string("?")) +
               "' is not supported (Anvil takes tensor inputs, parameters, "
               "buffers and tensor constants)",
           true);
      continue;
    }
    if (spec->kind == "user_input") {
      const json::Object *meta = values->getObject(spec->placeholder);
      if (!meta) {
        fail("user input '" + spec->placeholder +
                 "' is not a tensor; Anvil takes tensor inputs only",
             true);
        continue;
      }
      auto type = tensorMetaType(*meta, "input '" + spec->placeholder + "'");
      if (failed(type))
        continue;
      argTypes.push_back(*type);
      argNames.push_back(spec->placeholder);
    }
    specs.push_back(*spec);
  }
  return specs;
}

void GraphImporter::importNodes(OpBuilder &b, const json::Array &nodes,
                                ValueTable &table) {
  for (const json::Value &v : nodes)
    if (const json::Object *node = v.getAsObject())
      importNode(b, *node, table);
}

void GraphImporter::importNode(OpBuilder &b, const json::Object &node,
                               ValueTable &table) {
  auto [loc, identity] = nodeIdentity(node);
  AtenContext n(b, loc, node, table, problems, identity);
  n.policies = &policies;
  StringRef target = shortTarget(node.getString("target").value_or(""));
  AtenImporter importer = lookupImporter(target);
  size_t before = problems.size();
  LogicalResult result = failure();
  auto subgraph = [&](OpBuilder &sb, const json::Object &graph,
                      ArrayRef<Value> operands) {
    size_t count = problems.size();
    auto results = importSubgraph(sb, graph, operands);
    if (failed(results) && problems.size() == count)
      (void)n.invalid("a function graph it takes is malformed");
    return results;
  };
  if (target == kCondTarget)
    result = importCond(n, node, table);
  else if (target == kWhileLoopTarget)
    result = importWhileLoop(n, node, table, subgraph);
  else if (target == kScanTarget)
    result = importScan(n, node, table, subgraph);
  else if (importer)
    result = importer(n);
  NodeStatus status{identity.nodeName,
                    identity.opType,
                    "",
                    0,
                    NodeStatus::Kind::Supported,
                    "",
                    identity.source};
  if (succeeded(result)) {
    nodeStatuses.push_back(std::move(status));
    rebindMutated(n, target, table);
    return;
  }
  // Unknown ops were reported up front; a node whose input failed earlier
  // stays quiet. Either way its outputs are poisoned.
  if (importer && problems.size() == before && !n.usedPoisonedInput() &&
      !isHigherOrder(target))
    (void)n.invalid("could not be imported");
  if (!importer && !isHigherOrder(target)) {
    status.kind = NodeStatus::Kind::Unsupported;
    status.reason = "no importer for this op";
  } else if (problems.size() != before) {
    status.kind = statusOf(problems, before, status.reason);
  } else {
    status.kind = NodeStatus::Kind::Unchecked;
    status.reason = "an input comes from a node that was not imported";
  }
  nodeStatuses.push_back(std::move(status));
  for (const std::string &name : n.outputNames())
    if (!name.empty() && !table.values.count(name))
      table.missing[name] = "";
}

/// An in-place op (relu_, add_, ...) changes its `self` argument: later
/// uses of that name must see the new value.
void GraphImporter::rebindMutated(AtenContext &n, StringRef target,
                                  ValueTable &table) {
  StringRef op = target.split('.').second.split('.').first;
  if (!op.ends_with("_") || op.starts_with("_"))
    return;
  const json::Object *self = n.arg("self");
  const json::Object *ref = self ? self->getObject("as_tensor") : nullptr;
  SmallVector<std::string> outputs = n.outputNames();
  if (!ref || outputs.empty())
    return;
  if (Value v = table.values.lookup(outputs.front()))
    table.values[ref->getString("name").value_or("")] = v;
}

FailureOr<SmallVector<Value>>
GraphImporter::importSubgraph(OpBuilder &b, const json::Object &graph,
                              ArrayRef<Value> operands) {
  // Branch graphs are closed over their inputs, and their value names may
  // repeat those of the enclosing graph: they get a table of their own.
  ValueTable table;
  const json::Array *inputs = graph.getArray("inputs");
  const json::Array *outputs = graph.getArray("outputs");
  const json::Array *nodes = graph.getArray("nodes");
  if (!inputs || !outputs || !nodes || inputs->size() != operands.size())
    return failure();
  for (auto [input, value] : llvm::zip_equal(*inputs, operands)) {
    const json::Object *obj = input.getAsObject();
    const json::Object *t = obj ? obj->getObject("as_tensor") : nullptr;
    if (!t || !t->getString("name"))
      return failure();
    table.values[*t->getString("name")] = value;
  }
  importNodes(b, *nodes, table);
  SmallVector<Value> results;
  for (const json::Value &out : *outputs) {
    const json::Object *obj = out.getAsObject();
    const json::Object *t = obj ? obj->getObject("as_tensor") : nullptr;
    Value v =
        t ? table.values.lookup(t->getString("name").value_or("")) : Value();
    if (!v)
      return failure();
    results.push_back(v);
  }
  return results;
}

/// torch.cond(pred, true_fn, false_fn, operands) becomes nn.if; its
/// arguments are positional: the predicate, the two branch graphs and the
/// operands the branches take.
LogicalResult GraphImporter::importCond(AtenContext &n,
                                        const json::Object &node,
                                        ValueTable &table) {
  const json::Array *inputs = node.getArray("inputs");
  auto argAt = [&](size_t i) -> const json::Object * {
    if (!inputs || i >= inputs->size() || !(*inputs)[i].getAsObject())
      return nullptr;
    return (*inputs)[i].getAsObject()->getObject("arg");
  };
  auto refName = [](const json::Value &v) -> std::string {
    const json::Object *o = v.getAsObject();
    return o ? o->getString("name").value_or("").str() : "";
  };
  const json::Object *predArg = argAt(0), *operandArg = argAt(3);
  const json::Object *thenArg =
      argAt(1) ? argAt(1)->getObject("as_graph") : nullptr;
  const json::Object *elseArg =
      argAt(2) ? argAt(2)->getObject("as_graph") : nullptr;
  if (!predArg || !predArg->get("as_tensor") || !thenArg || !elseArg ||
      !operandArg || !operandArg->getArray("as_tensors"))
    return n.invalid("expects (pred, true_graph, false_graph, operands)");
  Value pred = table.values.lookup(refName(*predArg->get("as_tensor")));
  SmallVector<Value> operands;
  for (const json::Value &v : *operandArg->getArray("as_tensors"))
    operands.push_back(table.values.lookup(refName(v)));
  if (!pred || llvm::any_of(operands, [](Value v) { return !v; }))
    return failure();
  if (cast<RankedTensorType>(pred.getType()).getNumElements() != 1 ||
      !cast<RankedTensorType>(pred.getType()).getElementType().isInteger(1))
    return n.invalid("the predicate must be a one-element bool tensor");

  SmallVector<std::unique_ptr<Region>> regions;
  SmallVector<SmallVector<Type>> yielded;
  for (const json::Object *branch : {thenArg, elseArg}) {
    auto region = std::make_unique<Region>();
    Block *block = new Block();
    region->push_back(block);
    // The region is not attached to an op yet, so the builder cannot find
    // the context through it.
    OpBuilder rb(&ctx);
    rb.setInsertionPointToEnd(block);
    const json::Object *graph = branch->getObject("graph");
    size_t before = problems.size();
    FailureOr<SmallVector<Value>> results = failure();
    if (graph)
      results = importSubgraph(rb, *graph, operands);
    if (failed(results))
      return problems.size() == before
                 ? n.invalid("branch '" +
                             branch->getString("name").value_or("?") +
                             "' is malformed")
                 : failure();
    nn::YieldOp::create(rb, n.loc, *results);
    yielded.push_back(llvm::to_vector(ValueRange(*results).getTypes()));
    regions.push_back(std::move(region));
  }
  if (yielded[0] != yielded[1])
    return n.invalid("the branches return different types");
  OperationState state(n.loc, nn::IfOp::getOperationName());
  state.addOperands(pred);
  state.addTypes(yielded[0]);
  for (auto &region : regions)
    state.addRegion(std::move(region));
  Operation *op = n.b.create(state);
  return n.setOutputs(op->getResults());
}

void GraphImporter::buildReturn(OpBuilder &b, func::FuncOp func,
                                const json::Object &signature,
                                ValueTable &table) {
  SmallVector<Value> results;
  SmallVector<std::string> names;
  if (const json::Array *specs = signature.getArray("output_specs"))
    for (const json::Value &v : *specs) {
      const json::Object *spec = v.getAsObject();
      if (!spec)
        continue;
      const json::Object *user = spec->getObject("user_output");
      if (!user) {
        // Buffer updates (e.g. batch-norm statistics in training mode) do
        // not change what inference returns.
        if (spec->getObject("buffer_mutation"))
          continue;
        fail("output of kind '" +
                 (spec->empty() ? std::string("?")
                                : spec->begin()->first.str()) +
                 "' is not supported",
             true);
        continue;
      }
      const json::Object *arg = user->getObject("arg");
      const json::Object *t = arg ? arg->getObject("as_tensor") : nullptr;
      if (!t) {
        fail("a user output is not a tensor; Anvil returns tensors only", true);
        continue;
      }
      std::string name = t->getString("name").value_or("").str();
      Value value = table.values.lookup(name);
      if (!value) {
        if (!table.missing.count(name))
          fail("output '" + name + "' is never defined");
        continue;
      }
      results.push_back(value);
      names.push_back(name);
    }
  func::ReturnOp::create(b, func.getLoc(), results);
  func.setType(FunctionType::get(&ctx, func.getArgumentTypes(),
                                 ValueRange(results).getTypes()));
  for (auto [i, name] : llvm::enumerate(names))
    func.setResultAttr(i, "anvil.name", StringAttr::get(&ctx, name));
}

ImportResult GraphImporter::run(const json::Object &root) {
  ImportResult result;
  const json::Object *module = root.getObject("graph_module");
  const json::Object *graph = module ? module->getObject("graph") : nullptr;
  const json::Object *signature =
      module ? module->getObject("signature") : nullptr;
  if (succeeded(checkHeader(root)) && (!graph || !signature))
    fail("models/model.json has no graph_module.graph or signature");
  else if (graph && !graph->getArray("nodes"))
    fail("models/model.json: graph_module.graph.nodes is not a list");
  // Unknown ops do not stop the import: every node still gets a status.
  size_t archiveProblems = problems.size();
  if (problems.empty()) {
    loadWeightConfigs();
    archiveProblems = problems.size();
    if (problems.empty())
      checkTargets(*graph);
  }
  SmallVector<InputSpec> specs;
  size_t beforeInputs = problems.size();
  if (archiveProblems == 0)
    specs = collectInputs(*graph, *signature);
  if (archiveProblems || problems.size() != beforeInputs) {
    result.problems = std::move(problems);
    result.status = llvm::any_of(result.problems,
                                 [](const Problem &p) { return p.unsupported; })
                        ? ImportStatus::Unsupported
                        : ImportStatus::InvalidInput;
    return result;
  }

  OpBuilder b(&ctx);
  auto loc = FileLineColLoc::get(&ctx, modelPath, 0, 0);
  result.module = ModuleOp::create(loc);
  b.setInsertionPointToEnd(result.module->getBody());
  auto func = func::FuncOp::create(b, loc, "main_graph",
                                   b.getFunctionType(argTypes, {}));
  Block *body = func.addEntryBlock();
  ValueTable table;
  for (auto [i, name] : llvm::enumerate(argNames)) {
    table.values[name] = body->getArgument(i);
    body->getArgument(i).setLoc(NameLoc::get(b.getStringAttr(name), loc));
    func.setArgAttr(i, "anvil.name", b.getStringAttr(name));
  }
  b.setInsertionPointToStart(body);
  bindInputs(b, table, specs);
  if (const json::Array *nodes = graph->getArray("nodes"))
    importNodes(b, *nodes, table);
  buildReturn(b, func, *signature, table);

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

bool anvil::torch_import::looksLikeArchive(StringRef path) {
  auto buffer = llvm::MemoryBuffer::getFileSlice(path, 4, 0);
  return buffer && (*buffer)->getBuffer().starts_with("PK\x03\x04");
}

ImportResult
anvil::torch_import::importArchive(MLIRContext &context, StringRef path,
                                   const ImportPolicies &policies) {
  context.loadDialect<nn::NNDialect, func::FuncDialect>();
  ImportResult result;
  auto fail = [&](const Twine &reason) {
    Problem p;
    p.reason = reason.str();
    p.unsupported = false;
    result.problems.push_back(std::move(p));
    result.status = ImportStatus::InvalidInput;
    return std::move(result);
  };
  auto archive = Archive::open(path);
  if (!archive)
    return fail(llvm::toString(archive.takeError()));
  auto text = (*archive)->read("models/model.json");
  if (!text)
    return fail(llvm::toString(text.takeError()));
  auto root = anvil::parseJson(*text);
  if (!root)
    return fail("models/model.json is not valid JSON: " +
                llvm::toString(root.takeError()));
  if (!root->getAsObject())
    return fail("models/model.json is not a JSON object");
  return GraphImporter(context, **archive, path, policies)
      .run(*root->getAsObject());
}

std::vector<std::string> anvil::torch_import::supportedTargets() {
  std::vector<std::string> names;
  for (const auto &entry : atenTable())
    names.push_back(entry.first().str());
  for (StringRef higherOrder : {kCondTarget, kWhileLoopTarget, kScanTarget})
    names.push_back(higherOrder.str());
  llvm::sort(names);
  return names;
}
