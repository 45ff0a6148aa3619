//===- ConstantOperands.cpp - Rounded constant operands -------------------===//

#include "ConstantOperands.h"

#include "anvil/Conversion/Constants.h"

#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/SymbolTable.h"

using namespace mlir;

namespace {

/// The attribute marking a global made by rounding another.
constexpr llvm::StringLiteral kRoundedFromAttr = "anvil.rounded_from";

/// The constant f32 global `value` reads, and the reshapes between them
/// (outermost last); a null global where `value` is not such a view.
std::pair<memref::GlobalOp, SmallVector<Operation *>>
constantSource(Value value) {
  SmallVector<Operation *> reshapes;
  while (Operation *op = value.getDefiningOp()) {
    if (!isa<memref::ExpandShapeOp, memref::CollapseShapeOp>(op))
      break;
    reshapes.push_back(op);
    value = op->getOperand(0);
  }
  auto get = value.getDefiningOp<memref::GetGlobalOp>();
  if (!get)
    return {};
  auto global = SymbolTable::lookupNearestSymbolFrom<memref::GlobalOp>(
      get, get.getNameAttr());
  if (!global || !global.getConstant() || !global.getInitialValue() ||
      !global.getType().getElementType().isF32())
    return {};
  return {global, reshapes};
}

/// The global of `global`'s elements rounded to `type`, made beside it the
/// first time; null where its elements are not at hand.
memref::GlobalOp roundedGlobal(memref::GlobalOp global, FloatType type) {
  std::string name;
  llvm::raw_string_ostream(name) << global.getSymName() << "_" << type;
  auto module = global->getParentOfType<ModuleOp>();
  if (auto existing = module.lookupSymbol<memref::GlobalOp>(name))
    return existing;
  auto initial = dyn_cast<ElementsAttr>(*global.getInitialValue());
  ElementsAttr rounded =
      initial ? anvil::roundedElements(initial, type) : nullptr;
  if (!rounded)
    return nullptr;
  OpBuilder b(global);
  b.setInsertionPointAfter(global);
  auto copy = memref::GlobalOp::create(
      b, global.getLoc(), name, b.getStringAttr("private"),
      MemRefType::get(global.getType().getShape(), type), rounded,
      /*constant=*/true, global.getAlignmentAttr());
  copy->setAttr(kRoundedFromAttr, global.getSymNameAttr());
  return copy;
}

} // namespace

Value anvil::mtia::roundedConstantOperand(OpBuilder &b, Value operand,
                                          Type input) {
  auto type = dyn_cast<FloatType>(input);
  if (!type || !isa<Float16Type, BFloat16Type>(type))
    return operand;
  auto [global, reshapes] = constantSource(operand);
  if (!global)
    return operand;
  memref::GlobalOp rounded = roundedGlobal(global, type);
  if (!rounded)
    return operand;
  Value value = memref::GetGlobalOp::create(
      b, operand.getLoc(), rounded.getType(), rounded.getSymName());
  // The same reshapes, innermost first, over the rounded elements.
  for (Operation *reshape : llvm::reverse(reshapes)) {
    IRMapping map;
    map.map(reshape->getOperand(0), value);
    Operation *clone = b.clone(*reshape, map);
    auto shaped = cast<MemRefType>(clone->getResult(0).getType());
    clone->getResult(0).setType(
        MemRefType::Builder(shaped).setElementType(type));
    value = clone->getResult(0);
  }
  return value;
}

/// Erases `view` (a get_global or reshape) where nothing reads it once
/// its reshapes that nothing reads are erased.
static void eraseUnreadView(Operation *view) {
  for (Operation *user : llvm::make_early_inc_range(view->getUsers()))
    if (isa<memref::ExpandShapeOp, memref::CollapseShapeOp>(user))
      eraseUnreadView(user);
  if (view->use_empty())
    view->erase();
}

void anvil::mtia::eraseUnusedConstants(ModuleOp module) {
  SmallVector<memref::GlobalOp> sources;
  module.walk([&](memref::GlobalOp rounded) {
    auto from = rounded->getAttrOfType<StringAttr>(kRoundedFromAttr);
    if (!from)
      return;
    rounded->removeAttr(kRoundedFromAttr);
    if (auto global = module.lookupSymbol<memref::GlobalOp>(from))
      sources.push_back(global);
  });
  for (memref::GlobalOp global : sources) {
    SmallVector<Operation *> reads;
    if (auto uses = SymbolTable::getSymbolUses(global, module))
      for (const SymbolTable::SymbolUse &use : *uses)
        reads.push_back(use.getUser());
    for (Operation *read : reads)
      if (isa<memref::GetGlobalOp>(read))
        eraseUnreadView(read);
    if (SymbolTable::symbolKnownUseEmpty(global, module))
      global.erase();
  }
}
