//===- Decisions.h - Where MTIA kernels record their decisions --*- C++ -*-===//
//
// The attributes a DPE kernel records the tiling policy's decision in, on
// its launch, for tests and readers of the IR. The same attributes written
// on a linalg op beforehand are carried out instead of asking the policy
// (a replayed decision: anvil-opt tests, bench/operators.py --exhaustive,
// anvil-compile --roller-measure).
//
//===----------------------------------------------------------------------===//

#ifndef ANVIL_TARGET_MTIA_DECISIONS_H
#define ANVIL_TARGET_MTIA_DECISIONS_H

#include "llvm/ADT/StringRef.h"

namespace anvil::mtia {

/// A DPE kernel's C tile and slice depth (tm, tn, tk), and a vector-core
/// kernel's task box (one size per loop of its op).
constexpr llvm::StringLiteral kProductTilesAttr = "anvil.product_tiles";
constexpr llvm::StringLiteral kTaskTilesAttr = "anvil.task_tiles";
/// Whether a product's kernel reads A, B from copies staged in SRAM.
constexpr llvm::StringLiteral kProductStagingAttr = "anvil.product_staging";
/// How many slices of each operand a product's kernel keeps in local
/// memory (2: double buffering; 3: the DMA two slices ahead).
constexpr llvm::StringLiteral kProductBuffersAttr = "anvil.product_buffers";
/// The tiling policy's ranked candidates for a product's kernel, each
/// [tm, tn, tk, buffers, stage A, stage B, predicted cycles], the decision
/// first.
constexpr llvm::StringLiteral kProductCandidatesAttr =
    "anvil.product_candidates";
/// On a product op whose candidates were measured (anvil-compile
/// --roller-measure): each candidate measured, in the policy's order, as
/// [tm, tn, tk, buffers, stage A, stage B, predicted cycles, simulated
/// cycles].
constexpr llvm::StringLiteral kProductMeasuredAttr = "anvil.product_measured";

} // namespace anvil::mtia

#endif // ANVIL_TARGET_MTIA_DECISIONS_H
