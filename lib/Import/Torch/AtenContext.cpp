//===- AtenContext.cpp - What an ATen op importer sees --------------------===//

#include "AtenContext.h"

#include "anvil/Dialect/NN/IR/NNOps.h"
#include "anvil/Import/Decompositions.h"

using namespace mlir;
using namespace anvil;
using namespace anvil::torch_import;
namespace json = llvm::json;

Type anvil::torch_import::elementType(MLIRContext *ctx, int64_t scalarType) {
  Builder b(ctx);
  // torch/_export/serde/schema.py, ScalarType.
  switch (scalarType) {
  case 2:
    return b.getI8Type();
  case 3:
    return b.getI16Type();
  case 4:
    return b.getI32Type();
  case 5:
    return b.getI64Type();
  case 6:
    return b.getF16Type();
  case 7:
    return b.getF32Type();
  case 8:
    return b.getF64Type();
  case 12:
    return b.getI1Type();
  case 13:
    return b.getBF16Type();
  default:
    return nullptr;
  }
}

std::optional<int64_t> anvil::torch_import::normalizeDim(int64_t dim,
                                                         int64_t rank) {
  if (dim < -rank || dim >= std::max<int64_t>(rank, 1))
    return std::nullopt;
  return dim < 0 ? dim + rank : dim;
}

AtenContext::AtenContext(OpBuilder &b, Location loc, const json::Object &node,
                         ValueTable &table, std::vector<Problem> &problems,
                         Problem identity)
    : b(b), loc(loc), node(node), table(table), problems(problems),
      identity(std::move(identity)) {}

const json::Object *AtenContext::arg(StringRef name) const {
  if (const json::Array *inputs = node.getArray("inputs"))
    for (const json::Value &input : *inputs)
      if (const json::Object *entry = input.getAsObject())
        if (entry->getString("name") == name)
          return entry->getObject("arg");
  return nullptr;
}

bool AtenContext::isNone(StringRef name) const {
  const json::Object *a = arg(name);
  return !a || a->get("as_none");
}

static std::optional<std::string> tensorName(const json::Value *ref) {
  const json::Object *obj = ref ? ref->getAsObject() : nullptr;
  if (!obj)
    return std::nullopt;
  if (auto name = obj->getString("name"))
    return name->str();
  return std::nullopt;
}

Value AtenContext::lookup(StringRef ref) {
  auto it = table.values.find(ref);
  if (it != table.values.end())
    return it->second;
  auto why = table.missing.find(ref);
  if (why == table.missing.end())
    (void)invalid("'" + ref + "' is used before it is defined");
  else if (!why->second.empty())
    (void)unsupported("input '" + ref + "' " + why->second);
  else
    poisoned = true;
  return nullptr;
}

Value AtenContext::tensor(StringRef name) {
  const json::Object *a = arg(name);
  std::optional<std::string> ref =
      a ? tensorName(a->get("as_tensor")) : std::nullopt;
  if (!ref) {
    (void)invalid("argument '" + name + "' is not a tensor");
    return nullptr;
  }
  return lookup(*ref);
}

RankedTensorType AtenContext::tensorType(StringRef name) {
  Value v = tensor(name);
  return v ? cast<RankedTensorType>(v.getType()) : RankedTensorType();
}

std::optional<SmallVector<Value>> AtenContext::tensors(StringRef name,
                                                       bool allowNone) {
  const json::Object *a = arg(name);
  const json::Array *list =
      a ? (a->getArray("as_tensors") ? a->getArray("as_tensors")
                                     : a->getArray("as_optional_tensors"))
        : nullptr;
  if (!list) {
    (void)invalid("argument '" + name + "' is not a list of tensors");
    return std::nullopt;
  }
  SmallVector<Value> result;
  for (const json::Value &item : *list) {
    const json::Object *obj = item.getAsObject();
    // as_optional_tensors wraps each entry: {"as_tensor": ...} or
    // {"as_none": ...}; as_tensors holds the references directly.
    const json::Value *ref =
        obj && obj->get("as_tensor") ? obj->get("as_tensor") : &item;
    if (obj && obj->get("as_none")) {
      if (!allowNone)
        return (void)invalid("'" + name + "' holds None"), std::nullopt;
      result.push_back(nullptr);
      continue;
    }
    std::optional<std::string> refName = tensorName(ref);
    if (!refName) {
      (void)invalid("an entry of '" + name + "' is not a tensor");
      return std::nullopt;
    }
    result.push_back(lookup(*refName));
    if (!result.back())
      return std::nullopt;
  }
  return result;
}

std::optional<int64_t> AtenContext::getInt(StringRef name) const {
  const json::Object *a = arg(name);
  if (!a)
    return std::nullopt;
  if (auto v = a->getInteger("as_int"))
    return *v;
  if (auto v = a->getBoolean("as_bool"))
    return *v ? 1 : 0;
  if (auto v = a->getInteger("as_scalar_type"))
    return *v;
  return std::nullopt;
}

int64_t AtenContext::getInt(StringRef name, int64_t dflt) const {
  return getInt(name).value_or(dflt);
}

std::optional<double> AtenContext::getScalar(StringRef name) const {
  const json::Object *a = arg(name);
  if (!a)
    return std::nullopt;
  if (auto v = a->getNumber("as_float"))
    return *v;
  // torch.export writes inf and nan as strings.
  if (auto s = a->getString("as_float")) {
    if (*s == "inf" || *s == "Infinity")
      return std::numeric_limits<double>::infinity();
    if (*s == "-inf" || *s == "-Infinity")
      return -std::numeric_limits<double>::infinity();
    if (*s == "nan" || *s == "NaN")
      return std::numeric_limits<double>::quiet_NaN();
  }
  if (auto v = getInt(name))
    return static_cast<double>(*v);
  return std::nullopt;
}

bool AtenContext::isIntegerScalar(StringRef name) const {
  const json::Object *a = arg(name);
  return a && (a->get("as_int") || a->get("as_bool"));
}

double AtenContext::getFloat(StringRef name, double dflt) const {
  return getScalar(name).value_or(dflt);
}

bool AtenContext::getBool(StringRef name, bool dflt) const {
  const json::Object *a = arg(name);
  if (!a)
    return dflt;
  return a->getBoolean("as_bool").value_or(dflt);
}

std::optional<SmallVector<int64_t>> AtenContext::getInts(StringRef name) const {
  const json::Object *a = arg(name);
  if (!a)
    return std::nullopt;
  if (auto v = a->getInteger("as_int"))
    return SmallVector<int64_t>{*v};
  const json::Array *list = a->getArray("as_ints");
  if (!list)
    return std::nullopt;
  SmallVector<int64_t> result;
  for (const json::Value &item : *list) {
    auto v = item.getAsInteger();
    if (!v)
      return std::nullopt;
    result.push_back(*v);
  }
  return result;
}

std::optional<SmallVector<int64_t>> AtenContext::requireInts(StringRef name) {
  auto v = getInts(name);
  if (!v)
    (void)invalid("argument '" + name +
                  "' is missing or not a list of integers");
  return v;
}

std::optional<std::string> AtenContext::getString(StringRef name) const {
  const json::Object *a = arg(name);
  if (!a)
    return std::nullopt;
  if (auto s = a->getString("as_string"))
    return s->str();
  return std::nullopt;
}

LogicalResult AtenContext::unsupported(const Twine &reason) {
  Problem p = identity;
  p.reason = reason.str();
  p.unsupported = true;
  problems.push_back(std::move(p));
  return failure();
}

LogicalResult AtenContext::invalid(const Twine &reason) {
  Problem p = identity;
  p.reason = reason.str();
  p.unsupported = false;
  problems.push_back(std::move(p));
  return failure();
}

LogicalResult AtenContext::requireNone(StringRef name) {
  if (isNone(name))
    return success();
  return unsupported("argument '" + name + "' is not supported");
}

Value AtenContext::build(StringRef opName, ValueRange operands,
                         ArrayRef<NamedAttribute> attrs) {
  BuildError error;
  Value v = buildInferred(b, loc, opName, operands, attrs, error);
  if (!v)
    (void)report(error);
  return v;
}

Value AtenContext::constant(DenseElementsAttr value) {
  return buildConstant(b, loc, value);
}

Value AtenContext::constantI64(ArrayRef<int64_t> data) {
  auto type = RankedTensorType::get({static_cast<int64_t>(data.size())},
                                    b.getI64Type());
  return constant(DenseElementsAttr::get(type, data));
}

Value AtenContext::scalar(double value, Type element) {
  return NNBuilder(b, loc).scalar(value, element);
}

Value AtenContext::castTo(Value v, Type element) {
  if (!v)
    return nullptr;
  if (cast<RankedTensorType>(v.getType()).getElementType() == element)
    return v;
  return create<nn::CastOp>(v, {b.getNamedAttr("to", TypeAttr::get(element))});
}

Value AtenContext::reshape(Value v, ArrayRef<int64_t> shape) {
  if (!v)
    return nullptr;
  if (cast<RankedTensorType>(v.getType()).getShape() == shape)
    return v;
  return create<nn::ReshapeOp>(
      v, {b.getNamedAttr("shape", b.getDenseI64ArrayAttr(shape))});
}

SmallVector<std::string> AtenContext::outputNames() const {
  SmallVector<std::string> names;
  const json::Array *outputs = node.getArray("outputs");
  if (!outputs)
    return names;
  for (const json::Value &out : *outputs) {
    const json::Object *obj = out.getAsObject();
    if (!obj) {
      names.push_back("");
      continue;
    }
    if (const json::Array *list = obj->getArray("as_tensors")) {
      for (const json::Value &item : *list)
        names.push_back(tensorName(&item).value_or(""));
      continue;
    }
    names.push_back(tensorName(obj->get("as_tensor")).value_or(""));
  }
  return names;
}

LogicalResult AtenContext::setOutputs(ValueRange results) {
  // A null result means building it failed, already reported.
  if (llvm::any_of(results, [](Value v) { return !v; }))
    return failure();
  SmallVector<std::string> names = outputNames();
  for (auto [i, name] : llvm::enumerate(names)) {
    if (name.empty())
      continue;
    if (i < results.size()) {
      table.values[name] = results[i];
      continue;
    }
    table.missing[name] = ("is output " + Twine(i) + " of " + identity.opType +
                           ", which Anvil does not compute")
                              .str();
  }
  return success();
}
