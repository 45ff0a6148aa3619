//===- AtenContext.h - What an ATen op importer sees ------------*- C++ -*-===//
#ifndef ANVIL_LIB_IMPORT_TORCH_ATENCONTEXT_H
#define ANVIL_LIB_IMPORT_TORCH_ATENCONTEXT_H

#include "anvil/Import/Import.h"
#include "anvil/Import/OpBuilding.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/JSON.h"

#include <optional>

namespace anvil::torch_import {

/// The values of a graph being imported, by the names the export gave them.
struct ValueTable {
  llvm::StringMap<mlir::Value> values;
  /// Names with no value, and why: outputs Anvil does not compute, outputs
  /// of nodes that failed (those are reported once, at the node).
  llvm::StringMap<std::string> missing;
};

/// The MLIR element type of a torch.export ScalarType code; null when Anvil
/// does not support it.
mlir::Type elementType(mlir::MLIRContext *ctx, int64_t scalarType);

/// One node of an exported graph, seen through its schema argument names.
class AtenContext {
public:
  AtenContext(mlir::OpBuilder &b, mlir::Location loc,
              const llvm::json::Object &node, ValueTable &table,
              std::vector<Problem> &problems, Problem identity);

  mlir::OpBuilder &b;
  mlir::Location loc;
  mlir::MLIRContext *ctx() const { return b.getContext(); }
  /// The compiler's policies (whether a recurrence stays a loop).
  const ImportPolicies *policies = nullptr;
  bool rollsRecurrence(int64_t steps) const {
    return policies && policies->rollsRecurrence(steps);
  }

  /// The argument named `name` ({"as_tensor": ...}, {"as_int": ...}, ...),
  /// or null when the export left it out (the schema default applies).
  const llvm::json::Object *arg(llvm::StringRef name) const;
  /// True when the argument is absent or explicitly None.
  bool isNone(llvm::StringRef name) const;

  /// A tensor argument; records a problem and returns null when missing.
  mlir::Value tensor(llvm::StringRef name);
  mlir::RankedTensorType tensorType(llvm::StringRef name);
  /// A list of tensors (as_tensors); entries that are None stay null when
  /// `allowNone` (as_optional_tensors).
  std::optional<llvm::SmallVector<mlir::Value>> tensors(llvm::StringRef name,
                                                        bool allowNone = false);

  std::optional<int64_t> getInt(llvm::StringRef name) const;
  int64_t getInt(llvm::StringRef name, int64_t dflt) const;
  double getFloat(llvm::StringRef name, double dflt) const;
  bool getBool(llvm::StringRef name, bool dflt) const;
  std::optional<llvm::SmallVector<int64_t>> getInts(llvm::StringRef name) const;
  /// A list-of-integers argument the op cannot do without; records a
  /// problem when it is missing or malformed.
  std::optional<llvm::SmallVector<int64_t>> requireInts(llvm::StringRef name);
  std::optional<std::string> getString(llvm::StringRef name) const;
  /// A number argument (as_int, as_float or as_bool).
  std::optional<double> getScalar(llvm::StringRef name) const;
  /// True when the number argument is an integer (as_int or as_bool).
  bool isIntegerScalar(llvm::StringRef name) const;

  /// Records a problem with this node and returns failure.
  mlir::LogicalResult unsupported(const llvm::Twine &reason);
  mlir::LogicalResult invalid(const llvm::Twine &reason);
  /// Records a failure of a decomposition built with NNBuilder.
  mlir::LogicalResult report(const BuildError &error) {
    return error.unsupported ? unsupported(error.reason)
                             : invalid(error.reason);
  }
  /// Rejects an argument that is present with a value Anvil cannot honour.
  mlir::LogicalResult requireNone(llvm::StringRef name);

  /// Builds an nn op with inferred result type (folded when constant);
  /// null after recording a problem.
  template <typename OpTy>
  mlir::Value create(mlir::ValueRange operands,
                     llvm::ArrayRef<mlir::NamedAttribute> attrs = {}) {
    return build(OpTy::getOperationName(), operands, attrs);
  }
  mlir::Value build(llvm::StringRef opName, mlir::ValueRange operands,
                    llvm::ArrayRef<mlir::NamedAttribute> attrs);

  mlir::Value constant(mlir::DenseElementsAttr value);
  mlir::Value constantI64(llvm::ArrayRef<int64_t> values);
  /// A rank-0 constant of `element` type holding `value`.
  mlir::Value scalar(double value, mlir::Type element);
  /// `v` converted to `element` (no op when it already is).
  mlir::Value castTo(mlir::Value v, mlir::Type element);
  mlir::Value reshape(mlir::Value v, llvm::ArrayRef<int64_t> shape);

  /// Binds the node's outputs in order; outputs past `results` are marked
  /// as not computed, so that a later use is reported clearly. Fails
  /// (quietly: the builder reported why) when a result is null.
  mlir::LogicalResult setOutputs(mlir::ValueRange results);
  /// True when an input came from a node that failed (already reported).
  bool usedPoisonedInput() const { return poisoned; }
  /// The flattened names of the node's outputs ("" for None).
  llvm::SmallVector<std::string> outputNames() const;

private:
  /// The value named `ref`; records why when there is none (a failed node's
  /// outputs are poisoned quietly, already reported there).
  mlir::Value lookup(llvm::StringRef ref);

  const llvm::json::Object &node;
  ValueTable &table;
  std::vector<Problem> &problems;
  Problem identity;
  bool poisoned = false;
};

using AtenImporter = mlir::LogicalResult (*)(AtenContext &);
/// Keyed by "aten.NAME" (every overload) or "aten.NAME.OVERLOAD".
using AtenTable = llvm::StringMap<AtenImporter>;

void addElementwiseOps(AtenTable &table);
void addNeuralOps(AtenTable &table);
void addShapeOps(AtenTable &table);
void addSequenceOps(AtenTable &table);

inline mlir::RankedTensorType typeOf(mlir::Value v) {
  return mlir::cast<mlir::RankedTensorType>(v.getType());
}

inline mlir::NamedAttribute i64s(AtenContext &n, llvm::StringRef name,
                                 llvm::ArrayRef<int64_t> values) {
  return n.b.getNamedAttr(name, n.b.getDenseI64ArrayAttr(values));
}

/// Normalizes a possibly negative dimension; nullopt when out of range.
std::optional<int64_t> normalizeDim(int64_t dim, int64_t rank);

/// Imports a higher-order op's function (a graph) where `b` inserts, with
/// `operands` bound to its inputs; returns its outputs.
using SubgraphImporter =
    llvm::function_ref<mlir::FailureOr<llvm::SmallVector<mlir::Value>>(
        mlir::OpBuilder &b, const llvm::json::Object &graph,
        llvm::ArrayRef<mlir::Value> operands)>;

/// torch.export's while_loop and scan as nn.loop (ControlFlowOps.cpp).
mlir::LogicalResult importWhileLoop(AtenContext &n,
                                    const llvm::json::Object &node,
                                    ValueTable &table, SubgraphImporter import);
mlir::LogicalResult importScan(AtenContext &n, const llvm::json::Object &node,
                               ValueTable &table, SubgraphImporter import);

} // namespace anvil::torch_import

#endif // ANVIL_LIB_IMPORT_TORCH_ATENCONTEXT_H
