//===- RollerHost.cpp - Roller's cache blocks for the host's GEMM ---------===//
//
// The host GEMM (anvil_sgemm_blocked) runs three loops around its register
// tile, each reusing one panel from one cache level: the kc-long sliver of
// B that every MR rows of A pass over (first level), the mc x kc block of A
// that every NR columns of B pass over (second), the kc x nc block of B
// that every mc rows pass over (third). As Roller does on the accelerator,
// each panel is grown until it fills its level's share, innermost first
// (kc bounds the other two), then balanced over the extent it cuts, so a
// ragged extent makes equal blocks rather than full ones and a sliver.
//
//===----------------------------------------------------------------------===//

#include "anvil/Policy/FixedTiles.h"
#include "anvil/Policy/Roller.h"

#include "llvm/Support/MathExtras.h"

#include <algorithm>

using namespace anvil::policy;
using anvil::target::CacheDesc;
using anvil::target::HostDesc;

static constexpr int64_t kF32Bytes = sizeof(float);

/// Bytes of `level` one core may fill: its capacity, shared by the cores
/// that share one instance of it (each thread packs its own blocks).
static int64_t coreShare(const HostDesc &host, int64_t level) {
  const CacheDesc *cache = host.cache(level);
  if (!cache || cache->capacityBytes <= 0)
    return 0;
  return cache->capacityBytes / std::max<int64_t>(cache->sharedByCores, 1);
}

/// `extent` cut into the fewest blocks of at most `largest` elements, all
/// of one size, a multiple of `step` (at least one step).
static int64_t balanced(int64_t extent, int64_t largest, int64_t step) {
  largest = std::max(largest / step * step, step);
  int64_t blocks = llvm::divideCeil(std::max<int64_t>(extent, 1), largest);
  return llvm::alignTo(llvm::divideCeil(std::max<int64_t>(extent, 1), blocks),
                       step);
}

int64_t anvil::policy::rollerMinParallelBytes(const HostDesc &host) {
  return coreShare(host, 1);
}

CacheBlocks anvil::policy::rollerGemmCacheBlocks(const HostDesc &host,
                                                 int64_t rows, int64_t cols,
                                                 int64_t depth) {
  KernelTile tile = gemmKernelTile(host);
  int64_t l1 = coreShare(host, 1), l2 = coreShare(host, 2),
          l3 = coreShare(host, 3);
  CacheBlocks blocks;
  if (l1 == 0)
    return blocks;
  // The sliver of B stays while the slivers of A stream past it: the one
  // being multiplied and the next, which the hardware fetches meanwhile.
  int64_t kcLargest = l1 / ((tile.cols + 2 * tile.rows) * kF32Bytes);
  blocks.kc = balanced(depth, kcLargest, 1);
  int64_t panelRow = blocks.kc * kF32Bytes;
  // Half of a level for the reused block; the other half holds what
  // streams through it (B's slivers in the second level, A's block and
  // C's rows in the third).
  if (l2 > 0)
    blocks.mc = balanced(rows, l2 / 2 / panelRow, tile.rows);
  if (l3 > 0)
    blocks.nc = balanced(cols, l3 / 2 / panelRow, tile.cols);
  return blocks;
}
