//===- MTIADialect.h - The MTIA-like target dialect -------------*- C++ -*-===//
#ifndef ANVIL_DIALECT_MTIA_IR_MTIADIALECT_H
#define ANVIL_DIALECT_MTIA_IR_MTIADIALECT_H

#include "mlir/IR/Attributes.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Types.h"

#include "anvil/Dialect/MTIA/IR/MTIADialect.h.inc"
#include "anvil/Dialect/MTIA/IR/MTIAEnums.h.inc"

#define GET_ATTRDEF_CLASSES
#include "anvil/Dialect/MTIA/IR/MTIAAttrs.h.inc"
#define GET_TYPEDEF_CLASSES
#include "anvil/Dialect/MTIA/IR/MTIATypes.h.inc"

namespace anvil::mtia {

/// The memory level of a buffer: its memory space, or DRAM when it has
/// none.
MemorySpace memorySpaceOf(mlir::MemRefType type);

} // namespace anvil::mtia

#endif // ANVIL_DIALECT_MTIA_IR_MTIADIALECT_H
