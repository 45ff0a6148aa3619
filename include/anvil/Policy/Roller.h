//===- Roller.h - Tiles by construction -------------------------*- C++ -*-===//
//
// The tiling policy of the Roller pass (docs/Roller.md): instead of
// searching a space of tiles, it constructs a few. A tile starts at the
// machine's native shapes (the DPE's rows and pass depth, the source
// level's transaction) and grows, one aligned step at a time, along the
// axis that saves the most traffic per byte of local memory it adds, until
// the next step no longer fits the PE's local memory or the tile is
// compute-bound; then its reduction depth grows to fill. Tiles that leave
// PEs without work are shrunk until every PE has a task, tiles that pad a
// ragged shape by too much are set aside, and the cost model the mechanism
// hands over ranks what is left, each with its best SRAM staging.
//
// Today Roller decides DPE products (matmuls, batched matmuls, and the
// convolutions lowered to them); task grids of vector-core kernels and the
// host's blocks are still FixedTiles' (FixedTiles.h).
//
// Depends on LLVMSupport and the machine description only.
//
//===----------------------------------------------------------------------===//

#ifndef ANVIL_POLICY_ROLLER_H
#define ANVIL_POLICY_ROLLER_H

#include "anvil/Policy/Tiling.h"

namespace anvil::policy {

/// The aligned steps of a product's tiles: C rows in the DPE's rows, C
/// columns in the source level's transactions of the loaded type, the
/// reduction in whole DPE passes and whole transactions.
struct TileSteps {
  int64_t m = 1, n = 1, k = 1;
};
TileSteps productTileSteps(const target::TargetDesc &machine,
                           const ProductProblem &problem);

/// The tiles Roller constructs for `problem`, each with the staging `cost`
/// prices fastest, before ranking.
llvm::SmallVector<ProductTiles>
constructProductTiles(const target::TargetDesc &machine,
                      const ProductProblem &problem);

/// Roller's candidates for `problem`, fastest by `cost` first, at most
/// `keep`.
llvm::SmallVector<RankedTiles>
rollerProductTiles(const target::TargetDesc &machine,
                   const ProductProblem &problem, ProductCost cost,
                   int64_t keep);

/// Roller as a TilingPolicy ("roller").
std::unique_ptr<TilingPolicy> createRoller();

} // namespace anvil::policy

#endif // ANVIL_POLICY_ROLLER_H
