//===- Signless.cpp - Unsigned nn tensors to signless ones ----------------===//
//
// Every op keeps its identity and only its types change, so the rewrite is
// done in place: rebuilding each op through a dialect conversion would copy
// the whole function to change one bit of some element types.
//
//===----------------------------------------------------------------------===//

#include "Common.h"

#include "anvil/Conversion/Passes.h"
#include "anvil/Dialect/NN/IR/NNOps.h"

#include "mlir/IR/BuiltinAttributes.h"
// DenseResourceElementsAttr handles are complete only with these.
#include "mlir/IR/BuiltinDialect.h"
#include "mlir/IR/DialectResourceBlobManager.h"

namespace anvil {
#define GEN_PASS_DEF_CONVERTNNUNSIGNEDTOSIGNLESS
#include "anvil/Conversion/Passes.h.inc"
} // namespace anvil

using namespace mlir;
using namespace anvil::nn;

static bool isUnsigned(Type type) {
  return getElementTypeOrSelf(type).isUnsignedInteger();
}

static Type toSignless(Type type) {
  auto convert = [](Type element) -> Type {
    if (auto integer = dyn_cast<IntegerType>(element);
        integer && integer.isUnsigned())
      return IntegerType::get(element.getContext(), integer.getWidth());
    return element;
  };
  if (auto shaped = dyn_cast<ShapedType>(type))
    return shaped.clone(convert(shaped.getElementType()));
  return convert(type);
}

static SmallVector<Type> toSignless(TypeRange types) {
  return llvm::map_to_vector(types, [](Type t) { return toSignless(t); });
}

/// `attr` with signless element types; other attributes unchanged.
static Attribute toSignless(Attribute attr) {
  if (auto dense = dyn_cast<DenseElementsAttr>(attr);
      dense && isUnsigned(dense.getType()))
    return dense.bitcast(toSignless(dense.getElementType()));
  if (auto resource = dyn_cast<DenseResourceElementsAttr>(attr);
      resource && isUnsigned(resource.getType()))
    return DenseResourceElementsAttr::get(
        cast<ShapedType>(toSignless(resource.getType())),
        resource.getRawHandle());
  if (auto type = dyn_cast<TypeAttr>(attr); type && isUnsigned(type.getValue()))
    return TypeAttr::get(toSignless(type.getValue()));
  if (auto integer = dyn_cast<IntegerAttr>(attr);
      integer && isUnsigned(integer.getType()))
    return IntegerAttr::get(toSignless(integer.getType()), integer.getValue());
  return attr;
}

/// Indices of the values whose types are unsigned.
static SmallVector<int64_t> unsignedIndices(TypeRange types) {
  SmallVector<int64_t> indices;
  for (auto [i, type] : llvm::enumerate(types))
    if (isUnsigned(type))
      indices.push_back(i);
  return indices;
}

static void markUnsigned(Operation *op) {
  if (!isa<NNDialect>(op->getDialect()))
    return;
  auto mark = [&](StringRef name, TypeRange types) {
    SmallVector<int64_t> indices = unsignedIndices(types);
    if (!indices.empty())
      op->setAttr(name, DenseI64ArrayAttr::get(op->getContext(), indices));
  };
  mark(kUnsignedOperandsAttr, op->getOperandTypes());
  mark(kUnsignedResultsAttr, op->getResultTypes());
}

static void retype(Operation *op) {
  for (OpResult result : op->getResults())
    result.setType(toSignless(result.getType()));
  for (Region &region : op->getRegions())
    for (BlockArgument arg : region.getArguments())
      arg.setType(toSignless(arg.getType()));
  for (NamedAttribute named : op->getAttrs())
    if (Attribute converted = toSignless(named.getValue());
        converted != named.getValue())
      op->setAttr(named.getName(), converted);
}

bool anvil::nn::hasUnsignedOperand(Operation *op, unsigned index) {
  auto indices = op->getAttrOfType<DenseI64ArrayAttr>(kUnsignedOperandsAttr);
  return indices && llvm::is_contained(indices.asArrayRef(), index);
}

bool anvil::nn::hasUnsignedResult(Operation *op, unsigned index) {
  auto indices = op->getAttrOfType<DenseI64ArrayAttr>(kUnsignedResultsAttr);
  return indices && llvm::is_contained(indices.asArrayRef(), index);
}

namespace {
struct ConvertNNUnsignedToSignlessPass
    : anvil::impl::ConvertNNUnsignedToSignlessBase<
          ConvertNNUnsignedToSignlessPass> {
  void runOnOperation() override {
    func::FuncOp func = getOperation();
    // Mark every op before any type changes: an op reads its operands'
    // types after their producers have been retyped.
    func.walk(markUnsigned);
    func.walk([&](Operation *op) {
      if (op != func.getOperation())
        retype(op);
    });
    for (BlockArgument arg : func.getArguments())
      arg.setType(toSignless(arg.getType()));
    FunctionType type = func.getFunctionType();
    func.setType(FunctionType::get(func.getContext(),
                                   toSignless(type.getInputs()),
                                   toSignless(type.getResults())));
  }
};
} // namespace
