//===- NNDialect.h - The nn graph dialect -----------------------*- C++ -*-===//
#ifndef ANVIL_DIALECT_NN_IR_NNDIALECT_H
#define ANVIL_DIALECT_NN_IR_NNDIALECT_H

#include "mlir/IR/Dialect.h"

#include "anvil/Dialect/NN/IR/NNDialect.h.inc"

#endif // ANVIL_DIALECT_NN_IR_NNDIALECT_H
