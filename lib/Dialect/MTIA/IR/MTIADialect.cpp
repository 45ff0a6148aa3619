//===- MTIADialect.cpp - mtia dialect registration and attributes ---------===//
#include "anvil/Dialect/MTIA/IR/MTIADialect.h"
#include "anvil/Dialect/MTIA/IR/MTIAOps.h"

#include "anvil/Support/Sizes.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/MathExtras.h"

#include <limits>

using namespace mlir;
using namespace anvil::mtia;

#include "anvil/Dialect/MTIA/IR/MTIADialect.cpp.inc"
#include "anvil/Dialect/MTIA/IR/MTIAEnums.cpp.inc"
#define GET_ATTRDEF_CLASSES
#include "anvil/Dialect/MTIA/IR/MTIAAttrs.cpp.inc"
#define GET_TYPEDEF_CLASSES
#include "anvil/Dialect/MTIA/IR/MTIATypes.cpp.inc"

void MTIADialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "anvil/Dialect/MTIA/IR/MTIAOps.cpp.inc"
      >();
  addAttributes<
#define GET_ATTRDEF_LIST
#include "anvil/Dialect/MTIA/IR/MTIAAttrs.cpp.inc"
      >();
  addTypes<
#define GET_TYPEDEF_LIST
#include "anvil/Dialect/MTIA/IR/MTIATypes.cpp.inc"
      >();
}

MemorySpace anvil::mtia::memorySpaceOf(MemRefType type) {
  if (auto space = dyn_cast_or_null<MemorySpaceAttr>(type.getMemorySpace()))
    return space.getValue();
  return MemorySpace::DRAM;
}

int64_t anvil::mtia::elementBytes(Type type) {
  return (type.getIntOrFloatBitWidth() + 7) / 8;
}

int64_t anvil::mtia::localBufferBytes(MemRefType type) {
  // Saturates: IR written by hand may hold a buffer whose size overflows,
  // which the capacity checks then refuse.
  std::optional<int64_t> bytes = anvil::checkedByteCount(
      type.getShape(), elementBytes(type.getElementType()));
  if (!bytes || *bytes > std::numeric_limits<int64_t>::max() -
                             int64_t(kLocalAlignment))
    return std::numeric_limits<int64_t>::max();
  return llvm::alignTo(*bytes, kLocalAlignment);
}

TargetAttr TargetAttr::lookup(Operation *op) {
  auto module = op->getParentOfType<ModuleOp>();
  if (!module && isa<ModuleOp>(op))
    module = cast<ModuleOp>(op);
  return module ? module->getAttrOfType<TargetAttr>(kAttrName) : TargetAttr();
}

LogicalResult
TargetAttr::verify(llvm::function_ref<InFlightDiagnostic()> emitError,
                   StringRef name, int64_t numPes, int64_t localBytes,
                   int64_t sramBytes, int64_t tileRows, int64_t tileRowBytes,
                   ArrayRef<Type> dpeInputs, bool broadcast, bool gather,
                   bool dramPrefetch) {
  // The ceilings of machine descriptions (lib/Target/Desc/TargetDesc.cpp).
  constexpr int64_t kBytes = int64_t(1) << 32;
  struct Figure {
    StringRef field;
    int64_t value, limit;
  };
  for (Figure f : {Figure{"num_pes", numPes, 1 << 20},
                   Figure{"local_bytes", localBytes, kBytes},
                   Figure{"sram_bytes", sramBytes, kBytes},
                   Figure{"tile_rows", tileRows, 1 << 16},
                   Figure{"tile_row_bytes", tileRowBytes, 1 << 16}})
    if (f.value < 1 || f.value > f.limit)
      return emitError() << "mtia.target " << f.field << " must be between 1 and "
                         << f.limit << ", got " << f.value;
  return success();
}

bool TargetAttr::takesInput(Type type) const {
  return llvm::is_contained(getDpeInputs(), type);
}

Type TargetAttr::accumulatorFor(Type input) const {
  MLIRContext *ctx = input.getContext();
  if (input.isInteger(8))
    return IntegerType::get(ctx, 32);
  return Float32Type::get(ctx);
}
