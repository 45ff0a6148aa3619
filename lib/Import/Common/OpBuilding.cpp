//===- OpBuilding.cpp - Building nn ops while importing -------------------===//

#include "anvil/Import/OpBuilding.h"

#include "anvil/Dialect/NN/IR/NNOps.h"
#include "anvil/Support/Sizes.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/BuiltinDialect.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/OperationSupport.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "llvm/ADT/StringExtras.h"

using namespace mlir;

namespace {

/// Replaces a just-built op on constants by its folded value.
Value foldOrKeep(OpBuilder &b, Operation *op) {
  SmallVector<OpFoldResult> folded;
  if (failed(op->fold(folded)) || folded.size() != 1)
    return op->getResult(0);
  if (auto dense = dyn_cast_if_present<DenseElementsAttr>(
          dyn_cast_if_present<Attribute>(folded[0]))) {
    Location loc = op->getLoc();
    op->erase();
    return anvil::buildConstant(b, loc, dense);
  }
  auto value = dyn_cast_if_present<Value>(folded[0]);
  if (value && value != op->getResult(0)) {
    op->erase();
    return value;
  }
  return op->getResult(0);
}

} // namespace

Value anvil::buildConstant(OpBuilder &b, Location loc, ElementsAttr value) {
  return nn::ConstantOp::create(b, loc, cast<TypedAttr>(value).getType(),
                                value);
}

Value anvil::buildInferred(OpBuilder &b, Location loc, StringRef opName,
                           ValueRange operands, ArrayRef<NamedAttribute> attrs,
                           BuildError &error) {
  if (llvm::any_of(operands, [](Value v) { return !v; })) {
    error = {"a required input is missing", false};
    return nullptr;
  }
  MLIRContext *ctx = b.getContext();
  OperationState state(loc, opName);
  state.addOperands(operands);
  state.addAttributes(attrs);
  std::optional<RegisteredOperationName> info = state.name.getRegisteredInfo();
  auto *inference = info ? info->getInterface<InferTypeOpInterface>() : nullptr;
  if (!inference) {
    error = {(opName + " does not infer its result types").str(), false};
    return nullptr;
  }
  // Shape inference reads defaulted attributes through the adaptor.
  info->populateDefaultAttrs(state.attributes);
  SmallVector<Type> types;
  std::string message;
  {
    ScopedDiagnosticHandler capture(ctx, [&](Diagnostic &diag) {
      message = diag.str();
      return success();
    });
    if (failed(inference->inferReturnTypes(
            ctx, loc, state.operands, state.attributes.getDictionary(ctx),
            state.getRawProperties(), state.regions, types))) {
      error = {message.empty() ? "cannot infer the result type" : message,
               false};
      return nullptr;
    }
  }
  for (Type type : types) {
    auto tensor = dyn_cast<RankedTensorType>(type);
    if (!tensor || !tensor.hasStaticShape())
      continue;
    if (std::string why = tensorSizeProblem(tensor.getShape()); !why.empty()) {
      error = {why, checkedElementCount(tensor.getShape()).has_value()};
      return nullptr;
    }
  }
  state.addTypes(types);
  return foldOrKeep(b, b.create(state));
}

std::string anvil::tensorSizeProblem(ArrayRef<int64_t> shape) {
  auto dims = [&] {
    return "[" +
           llvm::join(llvm::map_range(shape,
                                      [](int64_t d) { return std::to_string(d); }),
                      ", ") +
           "]";
  };
  if (llvm::any_of(shape, [](int64_t d) { return d < 0; }))
    return "the shape " + dims() + " has a negative dimension";
  std::optional<int64_t> elements = checkedElementCount(shape);
  if (!elements)
    return "the shape " + dims() + " has more elements than 64 bits can count";
  if (*elements > kMaxTensorElements)
    return "a tensor of " + std::to_string(*elements) +
           " elements exceeds the limit of " +
           std::to_string(kMaxTensorElements);
  return "";
}

ElementsAttr anvil::elementsFromBytes(RankedTensorType type, StringRef bytes,
                                      StringRef name) {
  Type element = type.getElementType();
  size_t elementBytes =
      element.isInteger(1) ? 1 : element.getIntOrFloatBitWidth() / 8;
  std::optional<int64_t> expected =
      checkedByteCount(type.getShape(), elementBytes);
  if (!expected || bytes.size() != static_cast<uint64_t>(*expected))
    return nullptr;
  if (element.isInteger(1)) {
    SmallVector<bool> bools;
    for (char c : bytes)
      bools.push_back(c != 0);
    return DenseElementsAttr::get(type, ArrayRef<bool>(bools));
  }
  constexpr int64_t kResourceThreshold = 64;
  if (isa<FloatType>(element) && type.getNumElements() >= kResourceThreshold) {
    auto blob = HeapAsmResourceBlob::allocateAndCopyWithAlign(
        ArrayRef<char>(bytes.data(), bytes.size()), alignof(double));
    return DenseResourceElementsAttr::get(type, name, std::move(blob));
  }
  bool detectedSplat = false;
  ArrayRef<char> raw(bytes.data(), bytes.size());
  if (!DenseElementsAttr::isValidRawBuffer(type, raw, detectedSplat))
    return nullptr;
  return DenseElementsAttr::getFromRawBuffer(type, raw);
}
