//===- Passes.h - Anvil conversion passes -----------------------*- C++ -*-===//
#ifndef ANVIL_CONVERSION_PASSES_H
#define ANVIL_CONVERSION_PASSES_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Pass/Pass.h"

namespace anvil {
#define GEN_PASS_DECL
#include "anvil/Conversion/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "anvil/Conversion/Passes.h.inc"

/// Names the declaration anvil-mtia-to-calls calls for a launch of PE
/// program P (`anvil_mtia_job__P`), until anvil-mtia-job-entries replaces
/// the call with anvil_mtia_job_run.
inline constexpr llvm::StringLiteral kMTIAJobPrefix = "anvil_mtia_job__";
/// On a PE program: the kernel it came from and that kernel's model nodes
/// (comma separated), which label its job in reports and traces.
inline constexpr llvm::StringLiteral kMTIAKernelAttr = "anvil.kernel";
inline constexpr llvm::StringLiteral kMTIANodesAttr = "anvil.nodes";
/// On a launch and its PE program: the cycles the cost model predicts for
/// the job, launch and closing barrier included, which the simulator's
/// report sets beside the measured ones (anvil/Target/CostModel.h).
inline constexpr llvm::StringLiteral kMTIAPredictedCyclesAttr =
    "anvil.predicted_cycles";
} // namespace anvil

#endif // ANVIL_CONVERSION_PASSES_H
