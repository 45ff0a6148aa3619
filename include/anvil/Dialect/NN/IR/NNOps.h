//===- NNOps.h - nn dialect operations --------------------------*- C++ -*-===//
#ifndef ANVIL_DIALECT_NN_IR_NNOPS_H
#define ANVIL_DIALECT_NN_IR_NNOPS_H

#include "anvil/Dialect/NN/IR/NNDialect.h"
#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "anvil/Dialect/NN/IR/NNEnums.h.inc"

#define GET_ATTRDEF_CLASSES
#include "anvil/Dialect/NN/IR/NNAttrs.h.inc"

namespace anvil::nn {
/// Result type of a broadcasting binary op: the NumPy broadcast of both
/// shapes; element type i1 for predicates, else the lhs element type.
llvm::LogicalResult
inferBinaryResult(std::optional<mlir::Location> loc, mlir::ValueRange operands,
                  bool isPredicate, bool isLogical,
                  llvm::SmallVectorImpl<mlir::Type> &inferred);

/// Folds an arithmetic binary op on two small constants of one type
/// (NNFolds.cpp); null otherwise.
mlir::OpFoldResult foldBinary(mlir::Operation *op, mlir::Attribute lhs,
                              mlir::Attribute rhs);
} // namespace anvil::nn

#define GET_OP_CLASSES
#include "anvil/Dialect/NN/IR/NNOps.h.inc"

#endif // ANVIL_DIALECT_NN_IR_NNOPS_H
