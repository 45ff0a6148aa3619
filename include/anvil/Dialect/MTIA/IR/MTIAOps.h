//===- MTIAOps.h - Operations of the mtia dialect ---------------*- C++ -*-===//
#ifndef ANVIL_DIALECT_MTIA_IR_MTIAOPS_H
#define ANVIL_DIALECT_MTIA_IR_MTIAOPS_H

#include "anvil/Dialect/MTIA/IR/MTIADialect.h"

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#define GET_OP_CLASSES
#include "anvil/Dialect/MTIA/IR/MTIAOps.h.inc"

#endif // ANVIL_DIALECT_MTIA_IR_MTIAOPS_H
