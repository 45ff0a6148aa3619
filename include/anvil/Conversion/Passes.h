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
/// On a program of several kernels: each wave's kernels and model nodes
/// (comma separated) and the cost model's cycles for its longest kernel
/// as a job of its own, which label its waves in reports. Its PEs call
/// kMTIAWaveMark(index) on entering each wave; anvil-mtia-job-entries
/// makes that anvil_mtia_wave(kernels, nodes, predicted).
inline constexpr llvm::StringLiteral kMTIAWaveKernelsAttr =
    "anvil.wave_kernels";
inline constexpr llvm::StringLiteral kMTIAWaveNodesAttr = "anvil.wave_nodes";
inline constexpr llvm::StringLiteral kMTIAWaveCyclesAttr = "anvil.wave_cycles";
inline constexpr llvm::StringLiteral kMTIAWaveMark = "anvil_mtia_wave_mark";
} // namespace anvil

#endif // ANVIL_CONVERSION_PASSES_H
