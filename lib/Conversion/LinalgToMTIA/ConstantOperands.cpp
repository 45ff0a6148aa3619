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

/// The constant global of f32 (or of `also`) elements `value` reads, and
/// the reshapes between them (outermost last); a null global where `value`
/// is not such a view.
std::pair<memref::GlobalOp, SmallVector<Operation *>>
constantSource(Value value, Type also = nullptr) {
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
  Type element = global ? global.getType().getElementType() : nullptr;
  if (!global || !global.getConstant() || !global.getInitialValue() ||
      !(element.isF32() || element == also))
    return {};
  return {global, reshapes};
}

/// The global `name` beside `global`, made the first time from
/// `elements` (`global`'s, rounded and perhaps reordered); null where they
/// are not at hand.
memref::GlobalOp
globalBeside(memref::GlobalOp global, StringRef name,
             llvm::function_ref<ElementsAttr(ElementsAttr)> elements) {
  auto module = global->getParentOfType<ModuleOp>();
  if (auto existing = module.lookupSymbol<memref::GlobalOp>(name))
    return existing;
  auto initial = dyn_cast<ElementsAttr>(*global.getInitialValue());
  ElementsAttr made = initial ? elements(initial) : nullptr;
  if (!made)
    return nullptr;
  OpBuilder b(global);
  b.setInsertionPointAfter(global);
  auto shaped = cast<ShapedType>(made.getType());
  auto copy = memref::GlobalOp::create(
      b, global.getLoc(), name, b.getStringAttr("private"),
      MemRefType::get(shaped.getShape(), shaped.getElementType()), made,
      /*constant=*/true, global.getAlignmentAttr());
  copy->setAttr(kRoundedFromAttr, global.getSymNameAttr());
  return copy;
}

/// The global of `global`'s elements rounded to `type`, made beside it the
/// first time; null where its elements are not at hand.
memref::GlobalOp roundedGlobal(memref::GlobalOp global, FloatType type) {
  std::string name;
  llvm::raw_string_ostream(name) << global.getSymName() << "_" << type;
  return globalBeside(global, name, [&](ElementsAttr initial) {
    return anvil::roundedElements(initial, type);
  });
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

bool anvil::mtia::hasTapOrderedWeights(Value filter, Type input) {
  auto type = dyn_cast<FloatType>(input);
  return type && isa<Float16Type, BFloat16Type>(type) &&
         cast<MemRefType>(filter.getType()).getRank() == 4 &&
         constantSource(filter, input).first;
}

Value anvil::mtia::tapOrderedWeights(OpBuilder &b, Value filter, Type input) {
  auto type = dyn_cast<FloatType>(input);
  auto shape = cast<MemRefType>(filter.getType()).getShape();
  if (!type || !isa<Float16Type, BFloat16Type>(type) || shape.size() != 4)
    return nullptr;
  // An f16 model's weights are already in the DPE's type.
  auto [global, reshapes] = constantSource(filter, input);
  if (!global)
    return nullptr;
  // Reshapes keep the row-major order: the global's elements are the
  // filter's [F, C, KH, KW].
  int64_t f = shape[0], c = shape[1], taps = shape[2] * shape[3];
  std::string name;
  llvm::raw_string_ostream(name)
      << global.getSymName() << "_" << type << "_taps";
  memref::GlobalOp ordered = globalBeside(global, name, [&](ElementsAttr e) {
    // Element (o, tap, ch) of the result is the filter's (o, ch, tap).
    return anvil::roundedElements(
        e, type, {f, taps * c},
        [&](int64_t i) {
          int64_t ch = i % c, tap = i / c % taps, o = i / (c * taps);
          return (o * c + ch) * taps + tap;
        },
        "taps");
  });
  if (!ordered)
    return nullptr;
  return memref::GetGlobalOp::create(b, filter.getLoc(), ordered.getType(),
                                     ordered.getSymName());
}
