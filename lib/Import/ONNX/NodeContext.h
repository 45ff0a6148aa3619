//===- NodeContext.h - What an ONNX op importer sees -------------*- C++
//-*-===//
#ifndef ANVIL_LIB_IMPORT_ONNX_NODECONTEXT_H
#define ANVIL_LIB_IMPORT_ONNX_NODECONTEXT_H

#include "anvil/Import/Decompositions.h"
#include "anvil/Import/ONNX.h"
#include "anvil/Import/OpBuilding.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Diagnostics.h"
#include "llvm/ADT/StringMap.h"

#include <onnx/onnx_pb.h>

#include <functional>
#include <optional>

namespace anvil::onnx_import {

inline mlir::RankedTensorType typeOf(mlir::Value v) {
  return llvm::cast<mlir::RankedTensorType>(v.getType());
}

/// The MLIR element type of an ONNX TensorProto data type; null when Anvil
/// does not support it.
mlir::Type elementType(mlir::MLIRContext *ctx, int onnxType);
std::string onnxTypeName(int onnxType);

/// Converts an initializer or Constant value. `modelDir` bounds where
/// external data may be read from. On failure `error` says why and
/// `unsupported` tells an unsupported type from a malformed tensor.
mlir::FailureOr<mlir::ElementsAttr>
tensorToAttr(mlir::MLIRContext *ctx, const onnx::TensorProto &tensor,
             llvm::StringRef modelDir, std::string &error, bool &unsupported);

class NodeContext {
public:
  NodeContext(mlir::OpBuilder &builder, mlir::Location loc,
              const onnx::NodeProto &node, int64_t opset,
              llvm::StringMap<mlir::Value> &values,
              std::vector<Problem> &problems, llvm::StringRef modelDir)
      : b(builder), loc(loc), node(node), opset(opset), values(values),
        problems(problems), modelDir(modelDir) {}

  mlir::OpBuilder &b;
  mlir::Location loc;
  const onnx::NodeProto &node;
  int64_t opset;

  mlir::MLIRContext *ctx() const { return b.getContext(); }

  /// Input `i`, or null when absent (past the end or an empty name).
  mlir::Value input(int i) const;
  mlir::RankedTensorType inputType(int i) const;
  int numInputs() const { return node.input_size(); }

  /// The values of a constant integer (resp. float) input, if it is one.
  std::optional<llvm::SmallVector<int64_t>> constInts(int i) const;
  std::optional<llvm::SmallVector<double>> constFloats(int i) const;

  const onnx::AttributeProto *attr(llvm::StringRef name) const;
  int64_t getInt(llvm::StringRef name, int64_t dflt) const;
  double getFloat(llvm::StringRef name, double dflt) const;
  std::string getString(llvm::StringRef name, llvm::StringRef dflt) const;
  std::optional<llvm::SmallVector<int64_t>> getInts(llvm::StringRef name) const;

  /// The compiler's policies (whether a recurrence stays a loop).
  const ImportPolicies *policies = nullptr;
  /// Whether a recurrent layer over x [T, ...] stays one nn.loop.
  bool rollsRecurrence(mlir::Value x) const {
    auto type = mlir::cast<mlir::RankedTensorType>(x.getType());
    return policies && policies->rollsRecurrence(type.getDimSize(0));
  }
  /// Whether a Loop of `trips` iterations stays one nn.loop.
  bool rollsLoop(int64_t trips) const {
    return policies && policies->rollsLoop(trips);
  }

  /// Records a problem with this node and returns failure.
  mlir::LogicalResult unsupported(const llvm::Twine &reason);
  mlir::LogicalResult invalid(const llvm::Twine &reason);
  /// Records a failed build (an NNBuilder's first error) as a problem of
  /// this node and returns failure.
  mlir::LogicalResult report(const BuildError &error) {
    return error.unsupported ? unsupported(error.reason)
                             : invalid(error.reason);
  }
  /// Binds `outputs` built by `nb`, or reports nb's first error.
  mlir::LogicalResult finish(const NNBuilder &nb, mlir::ValueRange outputs) {
    return nb.failed() ? report(nb.error) : setOutputs(outputs);
  }
  /// Reports that input `i` (`what`) must be a compile-time constant and,
  /// when it is computed from graph inputs, names them and --bind-input.
  mlir::LogicalResult needsConstant(int i, const llvm::Twine &what);
  /// Rejects every attribute of the node not named in `known`.
  mlir::LogicalResult checkAttributes(llvm::ArrayRef<llvm::StringRef> known);
  /// Rejects tensors over kMaxTensorElements.
  mlir::LogicalResult checkSize(mlir::Type type);

  /// Builds an nn op whose result type it infers; an inference failure is
  /// recorded as an invalid-model problem of this node.
  template <typename OpTy>
  mlir::FailureOr<mlir::Value>
  create(mlir::ValueRange operands,
         llvm::ArrayRef<mlir::NamedAttribute> attrs = {}) {
    BuildError error;
    mlir::Value v =
        buildInferred(b, loc, OpTy::getOperationName(), operands, attrs, error);
    if (!v)
      return error.unsupported ? unsupported(error.reason)
                               : invalid(error.reason);
    return v;
  }

  /// A constant tensor (small; weights go through tensorToAttr).
  mlir::Value constant(mlir::DenseElementsAttr value);
  mlir::Value constantI64(llvm::ArrayRef<int64_t> values);

  /// Binds the node's outputs, in order.
  mlir::LogicalResult setOutputs(mlir::ValueRange results);

  llvm::StringRef modelDirectory() const { return modelDir; }

  /// ONNX sequences are lists of tensors known at compile time: their
  /// length and element order are static, their tensors are values.
  using Sequence = llvm::SmallVector<mlir::Value>;
  /// Input `i` as a sequence, or nullptr when it is not one.
  const Sequence *sequenceInput(int i) const;
  void setSequenceOutput(int i, Sequence elements);
  llvm::StringMap<Sequence> *sequences = nullptr;

  /// A slice along one axis whose bounds are known only at run time: its
  /// shape is data-dependent, so it exists only in the importer, and only
  /// a sum or mean over that axis may consume it (as a masked reduction).
  /// EmbeddingBag exports slice a bag's rows this way.
  struct MaskedSlice {
    mlir::Value data;
    int64_t axis;
    mlir::Value start, end;
  };
  /// Input `i` as a masked slice, or nullptr.
  const MaskedSlice *maskedSliceInput(int i) const;
  void setMaskedSliceOutput(int i, MaskedSlice slice);
  llvm::StringMap<MaskedSlice> *maskedSlices = nullptr;

  /// A value that crosses a subgraph boundary: a tensor, or a sequence.
  struct GraphValue {
    mlir::Value tensor;
    std::optional<Sequence> sequence;
  };
  /// Imports a branch or loop-body graph where `sub` inserts, with this
  /// graph's values in scope and the graph's inputs bound to `inputs`;
  /// returns its outputs (failure is already reported).
  std::function<mlir::FailureOr<llvm::SmallVector<GraphValue>>(
      mlir::OpBuilder &sub, const onnx::GraphProto &graph,
      llvm::ArrayRef<GraphValue> inputs)>
      importSubgraph;
  /// Runs `attempt`; a failure leaves no problem and no node status behind
  /// (the caller has another way to import the node).
  std::function<mlir::LogicalResult(
      llvm::function_ref<mlir::LogicalResult()> attempt)>
      quietly;
  /// As importSubgraph, but quietly.
  std::function<mlir::FailureOr<llvm::SmallVector<GraphValue>>(
      mlir::OpBuilder &sub, const onnx::GraphProto &graph,
      llvm::ArrayRef<GraphValue> inputs)>
      tryImportSubgraph;

private:
  std::optional<mlir::DenseElementsAttr> constAttr(int i) const;

  llvm::StringMap<mlir::Value> &values;
  std::vector<Problem> &problems;
  llvm::StringRef modelDir;
};

using OpImporter = mlir::LogicalResult (*)(NodeContext &);

/// Per op type: the importer, the first default-domain opset it handles,
/// and how many leading inputs it requires (checked before it runs, so an
/// importer may rely on them).
struct OpEntry {
  OpImporter import;
  int64_t sinceOpset = 1;
  int requiredInputs = 1;
};
using OpTable = llvm::StringMap<OpEntry>;

void addElementwiseOps(OpTable &table);
void addNeuralOps(OpTable &table);
void addShapeOps(OpTable &table);
void addRecurrentOps(OpTable &table);
void addControlFlowOps(OpTable &table);
void addLoopOps(OpTable &table);
/// Loop by unrolling (ControlFlowOps.cpp): what addLoopOps falls back to.
mlir::LogicalResult importUnrolledLoop(NodeContext &n);
void addLossOps(OpTable &table);
void addIndexingOps(OpTable &table);
void addConvTransposeOps(OpTable &table);
void addNormalizationOps(OpTable &table);
void addSequenceOps(OpTable &table);
void addResizeOps(OpTable &table);
void addEinsumOps(OpTable &table);
void addQuantizationOps(OpTable &table);

/// An nn.conv of `x` and `weight` (+ `bias`, may be null) with node `n`'s
/// Conv attributes (kernel_shape, pads or auto_pad, strides, dilations,
/// group); ConvInteger and QLinearConv share it.
mlir::FailureOr<mlir::Value> buildConvNode(NodeContext &n, mlir::Value x,
                                           mlir::Value weight,
                                           mlir::Value bias);

} // namespace anvil::onnx_import

#endif // ANVIL_LIB_IMPORT_ONNX_NODECONTEXT_H
