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
// On the host it sizes the cache blocks of each GEMM call from the host
// description's caches the same way: the reused panel of each loop fills
// its cache level's share, and the blocks are balanced over the extents.
//
// Today Roller decides DPE products (matmuls, batched matmuls, and the
// convolutions lowered to them) and the host GEMM's cache blocks; task
// grids of vector-core kernels and the host's thread blocks are still
// FixedTiles' (FixedTiles.h).
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

/// The cache blocks of a host GEMM call over a rows x cols block of C
/// summed over `depth`: kc so that the kernel's kc-long sliver of B and
/// two of A fill the first-level data cache, mc so that an mc x kc block
/// of A fills half of the second level, nc so that a kc x nc block of B
/// fills half of a core's share of the third; each then balanced over its
/// extent in whole kernel tiles. A size whose cache the description lacks
/// is left to the kernel (0).
CacheBlocks rollerGemmCacheBlocks(const target::HostDesc &host, int64_t rows,
                                  int64_t cols, int64_t depth);

/// The bytes below which a host loop nest or call runs on one thread: a
/// core's share of the first-level data cache. What fits there is one
/// tile of that level, already in the calling core's cache when the op
/// before it wrote it; waking the other cores for it costs more than its
/// work (0 where the description has no first level).
int64_t rollerMinParallelBytes(const target::HostDesc &host);

/// The host's estimated vector operations of one image of `problem`
/// computed by `algorithm` (which must apply): the products' FMAs in whole
/// register tiles of the GEMM kernel, plus the elements the algorithm
/// writes and reads around them (the im2col buffer and its packing, or
/// the Winograd transforms' arithmetic).
double hostConvCost(const target::HostDesc &host, const ConvProblem &problem,
                    ConvAlgorithm algorithm);

/// The algorithm of least hostConvCost among those that apply.
ConvAlgorithm rollerConvAlgorithm(const target::HostDesc &host,
                                  const ConvProblem &problem);

/// Roller as a TilingPolicy ("roller").
std::unique_ptr<TilingPolicy> createRoller();

} // namespace anvil::policy

#endif // ANVIL_POLICY_ROLLER_H
