//===- Decompositions.h - Composite model ops as nn ops ---------*- C++ -*-===//
//
// Ops that ONNX and ATen both have (LayerNormalization / layer_norm,
// LSTM / lstm) are built from nn ops once, here, for both importers.
//
//===----------------------------------------------------------------------===//
#ifndef ANVIL_IMPORT_DECOMPOSITIONS_H
#define ANVIL_IMPORT_DECOMPOSITIONS_H

#include "anvil/Dialect/NN/IR/NNOps.h"
#include "anvil/Import/OpBuilding.h"

#include <array>
#include <optional>

namespace anvil {

/// Builds nn ops with inferred types; after the first failure every call
/// returns null and `error` keeps that first reason.
class NNBuilder {
public:
  NNBuilder(mlir::OpBuilder &b, mlir::Location loc) : b(b), loc(loc) {}

  template <typename OpTy>
  mlir::Value create(mlir::ValueRange operands,
                     llvm::ArrayRef<mlir::NamedAttribute> attrs = {}) {
    if (failed())
      return nullptr;
    return buildInferred(b, loc, OpTy::getOperationName(), operands, attrs,
                         error);
  }
  bool failed() const { return !error.reason.empty(); }

  mlir::Value scalar(double value, mlir::Type element);
  mlir::Value reshape(mlir::Value v, llvm::ArrayRef<int64_t> shape);
  /// `size` elements of dimension `dim` from `start`.
  mlir::Value slice(mlir::Value v, int64_t dim, int64_t start, int64_t size);
  mlir::Value concat(mlir::ValueRange parts, int64_t axis);
  /// `v` in reverse order along dimension `dim`.
  mlir::Value reverse(mlir::Value v, int64_t dim);
  /// x w^T (+ bias) for 2-D x.
  mlir::Value linear(mlir::Value x, mlir::Value w, mlir::Value bias = nullptr);
  /// Reduces `v` over `axes` (non-negative, any order) with `kind`
  /// (an nn::ReduceKind).
  mlir::Value reduce(mlir::Value v, int kind, llvm::ArrayRef<int64_t> axes,
                     bool keepdims);
  mlir::Value cast(mlir::Value v, mlir::Type element);
  mlir::Value transpose(mlir::Value v, llvm::ArrayRef<int64_t> perm);
  /// 0, 1, ..., count - 1 of `element` type, shaped [count] then reshaped
  /// to `shape` when one is given (count must match its element count).
  mlir::Value iota(int64_t count, mlir::Type element,
                   llvm::ArrayRef<int64_t> shape = {});
  mlir::Value constant(mlir::DenseElementsAttr value);

  mlir::OpBuilder &b;
  mlir::Location loc;
  BuildError error;
};

struct LayerNorm {
  mlir::Value y, mean, invStdDev;
};

/// Normalizes `x` over dimensions [firstAxis, rank); `scale` and `bias`
/// (either may be null) broadcast over those dimensions. Mean and 1/std
/// keep the reduced dimensions as size 1.
LayerNorm buildLayerNorm(NNBuilder &nb, mlir::Value x, mlir::Value scale,
                         mlir::Value bias, int64_t firstAxis, double epsilon);

/// One direction of one LSTM layer.
struct LstmWeights {
  /// [4H, I], [4H, H] and the summed biases [4H] (may be null).
  mlir::Value inputWeights, recurrentWeights, bias;
  /// Where the i, f, g (cell) and o gates sit among the 4 row blocks:
  /// PyTorch stores i f g o, ONNX i o f c.
  std::array<int64_t, 4> gateBlocks = {0, 1, 2, 3};
};

struct LstmResult {
  /// Every step's hidden state [T, B, H], and the final h and c [B, H].
  mlir::Value hiddenStates, h, c;
};

/// Runs the cell over x [T, B, I] from (h0, c0) [B, H] (last step first
/// when `reverse`): one nn.loop when `rolled`, else a copy of the cell per
/// step.
std::optional<LstmResult> buildLstm(NNBuilder &nb, mlir::Value x,
                                    const LstmWeights &w, mlir::Value h0,
                                    mlir::Value c0, bool reverse,
                                    bool rolled = false);

/// Builds the body of an nn.loop at the end of its block (whose arguments
/// are the iteration number, the condition and the carried values) and
/// returns what it yields: the next condition, the next carried values and
/// the scan values. Failure builds nothing more.
using LoopBodyBuilder =
    llvm::function_ref<mlir::FailureOr<llvm::SmallVector<mlir::Value>>(
        mlir::Block &block)>;

/// An nn.loop over `inits` with one-element i64 `tripCount` and i1
/// `condition`; `rows` is its scan results' row count. Fails, leaving
/// nothing built, where `body` fails or yields values that do not fit the
/// loop (`why` says how; empty when `body` failed).
mlir::FailureOr<nn::LoopOp>
buildLoop(mlir::OpBuilder &b, mlir::Location loc, mlir::Value tripCount,
          mlir::Value condition, mlir::ValueRange inits,
          std::optional<int64_t> rows, LoopBodyBuilder body, std::string &why);

/// One step of a recurrence: the next states from the step's row of the
/// input projection and the current states.
using RecurrenceStep = llvm::function_ref<llvm::SmallVector<mlir::Value>(
    NNBuilder &nb, mlir::Value row, mlir::ValueRange states)>;

struct Recurrence {
  /// The first state after every step, [T, ...] in row order.
  mlir::Value all;
  /// The states after the last step.
  llvm::SmallVector<mlir::Value> last;
};

/// Runs `step` over the rows of `projected` [T, ...] (last row first when
/// `reverse`) from `initial`: one nn.loop when `rolled`, else a copy of the
/// step per row. Nullopt after a failure of `nb`.
std::optional<Recurrence> buildRecurrence(NNBuilder &nb, mlir::Value projected,
                                          mlir::ValueRange initial,
                                          bool reverse, bool rolled,
                                          RecurrenceStep step);

} // namespace anvil

#endif // ANVIL_IMPORT_DECOMPOSITIONS_H
