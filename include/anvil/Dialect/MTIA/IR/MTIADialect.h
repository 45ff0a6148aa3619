//===- MTIADialect.h - The MTIA-like target dialect -------------*- C++ -*-===//
#ifndef ANVIL_DIALECT_MTIA_IR_MTIADIALECT_H
#define ANVIL_DIALECT_MTIA_IR_MTIADIALECT_H

#include "mlir/IR/Attributes.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Dialect.h"
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

/// Bytes of one element of `type` (an i1 takes a byte).
int64_t elementBytes(mlir::Type type);

/// Buffers in local memory start on this boundary.
constexpr int64_t kLocalAlignment = 64;

/// The local memory a static buffer of `type` takes, its alignment
/// included: what the capacity verifier counts and the placement uses.
int64_t localBufferBytes(mlir::MemRefType type);

} // namespace anvil::mtia

#endif // ANVIL_DIALECT_MTIA_IR_MTIADIALECT_H
