//===- Import.h - What every model importer reports -------------*- C++ -*-===//
//
// The ONNX and torch.export importers share one report: a status that the
// driver maps to an exit code, and every problem found, keyed by node.
//
//===----------------------------------------------------------------------===//
#ifndef ANVIL_IMPORT_IMPORT_H
#define ANVIL_IMPORT_IMPORT_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace anvil {

/// Why an import failed; the driver maps each to its own exit code.
enum class ImportStatus {
  Success,
  /// The file is unreadable, not a model, or the model is malformed.
  InvalidInput,
  /// The model is well formed but uses something Anvil does not support.
  Unsupported,
};

/// What an importer asks the compiler's policies while it builds nn ops.
struct ImportPolicies {
  /// Whether a recurrent layer over `steps` steps stays one nn.loop
  /// rather than a copy of its cell per step; unset: always unrolled.
  std::function<bool(int64_t steps)> keepsRecurrenceRolled;
  /// Whether a model's loop (ONNX Loop) of `trips` iterations, known at
  /// import, stays one nn.loop; unset: unrolled where it can be.
  std::function<bool(int64_t trips)> keepsLoopRolled;

  bool rollsRecurrence(int64_t steps) const {
    return keepsRecurrenceRolled && keepsRecurrenceRolled(steps);
  }
  bool rollsLoop(int64_t trips) const {
    return keepsLoopRolled && keepsLoopRolled(trips);
  }
};

/// One problem found in a model, keyed by the node it belongs to.
struct Problem {
  std::string nodeName, opType, domain;
  int64_t opset = 0;
  std::string reason;
  bool unsupported = true;
  /// Where the node came from in the user's source ("model.py:12"), when
  /// the model records it (torch.export's stack traces do).
  std::string source;
};

/// How one node of the model fared (anvil-compile --check lists them all).
struct NodeStatus {
  enum class Kind {
    Supported,
    Unsupported,
    Invalid,
    /// Not tried: an input comes from a node that failed.
    Unchecked,
  };
  std::string nodeName, opType, domain;
  int64_t opset = 0;
  Kind kind = Kind::Supported;
  std::string reason, source;
};

/// The status of a node whose import appended problems[before, end).
inline NodeStatus::Kind statusOf(const std::vector<Problem> &problems,
                                 size_t before, std::string &reason) {
  if (problems.size() == before)
    return NodeStatus::Kind::Supported;
  reason = problems[before].reason;
  for (size_t i = before; i < problems.size(); ++i)
    if (problems[i].unsupported) {
      reason = problems[i].reason;
      return NodeStatus::Kind::Unsupported;
    }
  return NodeStatus::Kind::Invalid;
}

struct ImportResult {
  mlir::OwningOpRef<mlir::ModuleOp> module;
  ImportStatus status = ImportStatus::Success;
  /// Every problem found, not just the first.
  std::vector<Problem> problems;
  /// Every node, in graph order (branch graphs' nodes follow their parent).
  std::vector<NodeStatus> nodes;
};

/// The node an op was built for: the outermost NameLoc in its location
/// (empty when there is none).
std::string nodeNameOf(mlir::Location loc);

/// Verifies an imported module. Each op the verifier rejects becomes an
/// unsupported problem of the node named by its location, and marks that
/// node: the importer accepted the node but built IR that Anvil's ops do
/// not take (e.g. an element type the model should not have used), which
/// the user still sees as a node-level report.
mlir::LogicalResult verifyImported(mlir::ModuleOp module, ImportResult &result);

} // namespace anvil

#endif // ANVIL_IMPORT_IMPORT_H
