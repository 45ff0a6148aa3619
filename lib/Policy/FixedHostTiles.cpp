//===- FixedHostTiles.cpp - The first tiling policy on the host -----------===//
//
// The host's share of the fixed tiling policy: how products and depthwise
// convolutions are cut into blocks that the cores' threads share, which
// loops the threads share, and the register block of vectorized loops.
// Every size is a multiple of the host description's figures (cores, vector
// lanes and registers) or of the runtime kernel's register tile.
//
//===----------------------------------------------------------------------===//

#include "anvil/Policy/FixedTiles.h"

#include "anvil-c/Kernels.h"

#include "llvm/Support/MathExtras.h"

#include <algorithm>

using namespace anvil::policy;
using anvil::target::HostDesc;

/// Blocks a core may take: more than one, so that a core that starts late
/// or is shared with other work leaves less behind for the others.
static constexpr int64_t kBlocksPerCore = 4;

static int64_t maxBlocks(const HostDesc &host) {
  return kBlocksPerCore * std::max<int64_t>(host.cores, 1);
}

/// `wanted` blocks, at least 1 and at most maxBlocks.
static int64_t clampedBlocks(const HostDesc &host, int64_t wanted) {
  return std::clamp<int64_t>(wanted, 1, maxBlocks(host));
}

/// Elements per block to cut `extent` into `blocks`, a multiple of `unit`.
static int64_t blockSize(int64_t extent, int64_t blocks, int64_t unit) {
  return llvm::alignTo(llvm::divideCeil(extent, blocks), unit);
}

KernelTile anvil::policy::gemmKernelTile(const HostDesc &host) {
  return {ANVIL_SGEMM_TILE_ROWS, ANVIL_SGEMM_TILE_VECTORS * host.vectorLanes};
}

ThreadBlocks anvil::policy::chooseGemmBlocks(const HostDesc &host,
                                             int64_t rows, int64_t cols) {
  KernelTile tile = gemmKernelTile(host);
  // Each block packs the operand it shares with the others once (B for a
  // block of rows, A for a block of columns): lanes kernel tiles of work
  // along the cut keep that packing small beside the block's products.
  int64_t minRows = tile.rows * host.vectorLanes;
  int64_t minCols = tile.cols * host.vectorLanes;
  int64_t rowBlocks = clampedBlocks(host, rows / minRows);
  int64_t colBlocks = rowBlocks > 1 ? 1 : clampedBlocks(host, cols / minCols);
  // Rows in whole kernel tiles; columns in whole vectors, which a kernel
  // tile of two vectors splits at most in half.
  return {blockSize(rows, rowBlocks, tile.rows),
          blockSize(cols, colBlocks, host.vectorLanes)};
}

int64_t anvil::policy::chooseDepthwiseBlockChannels(const HostDesc &host,
                                                    int64_t channels) {
  int64_t minChannels = chooseRegisterBlock(host).rows;
  return blockSize(channels, clampedBlocks(host, channels / minChannels), 1);
}

int64_t anvil::policy::chooseParallelIterations(const HostDesc &host) {
  return maxBlocks(host) * chooseRegisterBlock(host).rows;
}

RegisterBlock anvil::policy::chooseRegisterBlock(const HostDesc &host) {
  return {host.vectorLanes, std::max<int64_t>(host.vectorRegisters / 4, 1),
          std::max<int64_t>(host.vectorRegisters / 2, 1)};
}
