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

#include "anvil-c/Kernels.h"
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

/// Vector FMAs of an m x n x k product on the GEMM kernel, which computes
/// whole register tiles of C.
static double productVectorOps(const HostDesc &host, int64_t m, int64_t n,
                               int64_t k) {
  KernelTile tile = gemmKernelTile(host);
  return double(llvm::alignTo(m, tile.rows)) * llvm::alignTo(n, tile.cols) * k /
         std::max<int64_t>(host.vectorLanes, 1);
}

double anvil::policy::hostConvCost(const HostDesc &host, const ConvProblem &p,
                                   ConvAlgorithm algorithm) {
  double lanes = std::max<int64_t>(host.vectorLanes, 1);
  int64_t pixels = p.outH * p.outW;
  int64_t depth = p.channels * p.kh * p.kw;
  if (algorithm == ConvAlgorithm::Im2col)
    // The patches written into the im2col buffer, then packed by the
    // kernel.
    return productVectorOps(host, p.filters, pixels, depth) +
           2 * depth * pixels / lanes;
  constexpr int64_t kTile = ANVIL_WINOGRAD_TILE, kWindow = kTile + 2,
                    kPoints = ANVIL_WINOGRAD_POINTS;
  int64_t tiles =
      llvm::divideCeil(p.outH, kTile) * llvm::divideCeil(p.outW, kTile);
  // Elements each transform computes per tile and channel (input: the
  // six rows' phases down, then the 36 points across) or filter (output:
  // four phases of six rows across, 16 down, 16 interleaved and
  // finished), each a sum of about kTile terms.
  int64_t inputElements = kWindow * kTile + kPoints;
  int64_t outputElements = kWindow * kTile + 2 * kTile * kTile;
  double transforms =
      double(kTile) *
      (p.channels * inputElements + p.filters * outputElements) * tiles / lanes;
  return kPoints * productVectorOps(host, p.filters, tiles, p.channels) +
         transforms;
}

ConvAlgorithm anvil::policy::rollerConvAlgorithm(const HostDesc &host,
                                                 const ConvProblem &problem) {
  ConvAlgorithm best = ConvAlgorithm::Im2col;
  if (convAlgorithmApplies(ConvAlgorithm::Winograd, problem) &&
      hostConvCost(host, problem, ConvAlgorithm::Winograd) <
          hostConvCost(host, problem, ConvAlgorithm::Im2col))
    best = ConvAlgorithm::Winograd;
  return best;
}
