//===- Common.h - Helpers shared by the NNToLinalg patterns ------*- C++ -*-===//
#ifndef ANVIL_LIB_CONVERSION_NNTOLINALG_COMMON_H
#define ANVIL_LIB_CONVERSION_NNTOLINALG_COMMON_H

#include "mlir/IR/AffineMap.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/DialectConversion.h"

namespace anvil::nn {

/// Builds the scalar body of an elementwise linalg.generic from its block
/// arguments (inputs first).
using ScalarBuilder = llvm::function_ref<mlir::Value(
    mlir::OpBuilder &, mlir::Location, mlir::ValueRange)>;

/// Indexing map that reads `operandShape` broadcast (NumPy rules) into an
/// iteration space of `resultShape`.
mlir::AffineMap broadcastMap(mlir::MLIRContext *ctx,
                             llvm::ArrayRef<int64_t> operandShape,
                             llvm::ArrayRef<int64_t> resultShape);

/// An all-parallel linalg.generic producing `resultType`, reading `inputs`
/// through `inputMaps`; `body` gets the input elements.
mlir::Value buildParallelGeneric(mlir::OpBuilder &b, mlir::Location loc,
                                 mlir::RankedTensorType resultType,
                                 mlir::ValueRange inputs,
                                 llvm::ArrayRef<mlir::AffineMap> inputMaps,
                                 ScalarBuilder body);

/// An all-parallel linalg.generic producing `resultType` from `inputs`
/// broadcast to it.
mlir::Value buildElementwise(mlir::OpBuilder &b, mlir::Location loc,
                             mlir::RankedTensorType resultType,
                             mlir::ValueRange inputs, ScalarBuilder body);

/// Same elements, new static shape (collapse to 1-D, expand to the target).
mlir::Value reshapeTo(mlir::OpBuilder &b, mlir::Location loc, mlir::Value v,
                      llvm::ArrayRef<int64_t> shape);

/// An empty tensor filled with `value`.
mlir::Value filledTensor(mlir::OpBuilder &b, mlir::Location loc,
                         mlir::RankedTensorType type, mlir::TypedAttr value);

/// A scalar constant of `type` (float or integer) from a double.
mlir::Value scalarConstant(mlir::OpBuilder &b, mlir::Location loc,
                           mlir::Type type, double value);

/// The largest finite-or-infinite value of a float or integer type, or the
/// smallest when `lowest` (the identity of min, resp. max); integers are
/// read as unsigned when `isUnsigned`.
mlir::TypedAttr extremeAttr(mlir::Type type, bool lowest,
                            bool isUnsigned = false);

/// Pads `input` (N, C, spatial...) with `value`; pads as in nn ops (begins,
/// then ends, spatial dimensions only).
mlir::Value padSpatial(mlir::OpBuilder &b, mlir::Location loc,
                       mlir::Value input, llvm::ArrayRef<int64_t> pads,
                       mlir::TypedAttr value);

/// tensor.pad with static low/high pads and a scalar pad value.
mlir::Value padWith(mlir::OpBuilder &b, mlir::Location loc,
                    mlir::RankedTensorType type, mlir::Value input,
                    llvm::ArrayRef<int64_t> low, llvm::ArrayRef<int64_t> high,
                    mlir::Value value);

/// `input` with its dimensions permuted (result dimension i is input
/// dimension perm[i]): a constant when `input` is one, so that weights are
/// transposed once while compiling rather than on every run; a
/// linalg.transpose otherwise.
mlir::Value buildTranspose(mlir::OpBuilder &b, mlir::Location loc,
                           mlir::Value input, llvm::ArrayRef<int64_t> perm);

/// Attributes by which convert-nn-unsigned-to-signless records which
/// operands and results of an nn op held unsigned integers.
constexpr llvm::StringLiteral kUnsignedOperandsAttr = "nn.unsigned_operands";
constexpr llvm::StringLiteral kUnsignedResultsAttr = "nn.unsigned_results";

/// Whether operand (result) `index` of `op` was an unsigned integer before
/// its type became signless.
bool hasUnsignedOperand(mlir::Operation *op, unsigned index);
bool hasUnsignedResult(mlir::Operation *op, unsigned index);

void populateElementwisePatterns(mlir::RewritePatternSet &patterns);
void populateLinearAlgebraPatterns(mlir::RewritePatternSet &patterns);
void populatePoolingAndReductionPatterns(mlir::RewritePatternSet &patterns);
void populateDataMovementPatterns(mlir::RewritePatternSet &patterns);
void populateControlFlowPatterns(mlir::RewritePatternSet &patterns);

} // namespace anvil::nn

#endif // ANVIL_LIB_CONVERSION_NNTOLINALG_COMMON_H
