//===- Quantize.h - f32 products quantized for an i8 DPE --------*- C++ -*-===//
//
// The i8 precision policy: symmetric quantization with one scale per row of
// A and per column of B, found at run time. For a product A[M, K] B[K, N],
// a vector-core job finds m_i = max_k |A[i, k]| and n_j = max_k |B[k, j]|
// and writes A_q[i, k] = round(127 A[i, k] / m_i) and B_q[k, j] = round(127
// B[k, j] / n_j) as i8; the DPE sums A_q B_q exactly in i32, and each C tile
// is rescaled by m_i n_j / 127^2 into f32.
//
//===----------------------------------------------------------------------===//

#ifndef ANVIL_LIB_CONVERSION_LINALGTOMTIA_QUANTIZE_H
#define ANVIL_LIB_CONVERSION_LINALGTOMTIA_QUANTIZE_H

#include "anvil/Target/TargetDesc.h"

#include "mlir/IR/Builders.h"

namespace anvil::mtia {

class TargetAttr;

/// i8 copies of a product's operands (in DRAM) and the largest magnitude of
/// each row of A and column of B (f32, in DRAM).
struct QuantizedOperands {
  mlir::Value a, b, aMax, bMax;
};

/// Emits, before the builder's insertion point, the buffers and the
/// vector-core job named `name` that quantize the f32 matrices `a` [M, K]
/// and `b` [K, N]: each PE takes a share of A's rows and of B's columns.
QuantizedOperands quantizeOperands(mlir::OpBuilder &b, mlir::Location loc,
                                   const target::TargetDesc &machine,
                                   mlir::Value a, mlir::Value bMat,
                                   llvm::StringRef name);

/// Frees what quantizeOperands allocated, before the insertion point.
void freeQuantized(mlir::OpBuilder &b, mlir::Location loc,
                   const QuantizedOperands &q);

/// On the vector core, in local memory: c[i, j] (+)= q[i, j] aMax[i]
/// bMax[j] / 127^2, where q is the i32 product of the quantized operands.
/// `accumulate`: add to c, else overwrite it.
void rescaleTile(mlir::OpBuilder &b, mlir::Location loc, mlir::Value q,
                 mlir::Value aMax, mlir::Value bMax, mlir::Value c,
                 bool accumulate);

} // namespace anvil::mtia

#endif // ANVIL_LIB_CONVERSION_LINALGTOMTIA_QUANTIZE_H
