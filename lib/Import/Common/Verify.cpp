//===- Verify.cpp - Verifying an imported module --------------------------===//
#include "anvil/Import/Import.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Verifier.h"

using namespace mlir;

std::string anvil::nodeNameOf(Location loc) {
  std::string name;
  loc->walk([&](Location l) {
    if (auto named = dyn_cast<NameLoc>(l)) {
      name = named.getName().str();
      return WalkResult::interrupt();
    }
    return WalkResult::advance();
  });
  return name;
}

LogicalResult anvil::verifyImported(ModuleOp module, ImportResult &result) {
  std::vector<Problem> found;
  ScopedDiagnosticHandler handler(module.getContext(), [&](Diagnostic &diag) {
    if (diag.getSeverity() != DiagnosticSeverity::Error)
      return success();
    Problem p;
    p.nodeName = nodeNameOf(diag.getLocation());
    p.reason = "Anvil's IR for this node does not verify: " + diag.str();
    found.push_back(std::move(p));
    return success();
  });
  if (succeeded(verify(module)))
    return success();
  for (Problem &p : found) {
    for (NodeStatus &node : result.nodes)
      if (node.nodeName == p.nodeName && !p.nodeName.empty()) {
        p.opType = node.opType;
        p.domain = node.domain;
        p.opset = node.opset;
        node.kind = NodeStatus::Kind::Unsupported;
        node.reason = p.reason;
      }
    result.problems.push_back(std::move(p));
  }
  return failure();
}
