//===- ConstantOperands.h - Rounded constant operands -----------*- C++ -*-===//
//
// A product's constant operand (a layer's weights) is rounded to the DPE's
// 16-bit type once, by the compiler, instead of on the SE in every run:
// the kernel then loads half the bytes and converts nothing.
//
//===----------------------------------------------------------------------===//

#ifndef ANVIL_LIB_CONVERSION_LINALGTOMTIA_CONSTANTOPERANDS_H
#define ANVIL_LIB_CONVERSION_LINALGTOMTIA_CONSTANTOPERANDS_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"

namespace anvil::mtia {

/// `operand` as the DPE reads it in `input`: where `input` is f16 or bf16
/// and `operand` an f32 constant global seen through reshapes, the same
/// reshapes of a global holding its elements rounded to `input` (to
/// nearest even, as the SE rounds), made once per global and type beside
/// it; otherwise `operand` itself.
mlir::Value roundedConstantOperand(mlir::OpBuilder &b, mlir::Value operand,
                                   mlir::Type input);

/// A constant filter [F, C, KH, KW] as implicit im2col reads it
/// (PatchGather.h's Patches): the matrix [F, KH * KW * C], reduction index
/// tap * C + c, in `input` (f16 or bf16; f32 elements rounded to it),
/// made once per global; null where the filter is not such a constant.
mlir::Value tapOrderedWeights(mlir::OpBuilder &b, mlir::Value filter,
                              mlir::Type input);

/// Whether tapOrderedWeights makes the matrix of `filter` in `input`.
bool hasTapOrderedWeights(mlir::Value filter, mlir::Type input);

/// Erases the f32 globals whose every use was replaced by a rounded copy.
void eraseUnusedConstants(mlir::ModuleOp module);

} // namespace anvil::mtia

#endif // ANVIL_LIB_CONVERSION_LINALGTOMTIA_CONSTANTOPERANDS_H
