//===- FixedTiles.h - The first tiling policy -------------------*- C++ -*-===//
//
// The tiling seam's first implementation, which Roller replaces: how a
// product is cut into DPE tiles, how a vector-core kernel's iteration space
// is cut into tasks over the PEs, and the host's thread blocks and register
// blocks. The decisions are pure functions of the problem's shape and the
// machine's figures, so that they can be tested alone; the passes that
// carry them out (lib/Conversion/LinalgToMTIA, lib/Conversion/HostTiling)
// record them on the IR they emit.
//
// Depends on LLVMSupport and the machine description only.
//
//===----------------------------------------------------------------------===//

#ifndef ANVIL_POLICY_FIXEDTILES_H
#define ANVIL_POLICY_FIXEDTILES_H

#include "anvil/Policy/Tiling.h"

namespace anvil::policy {

/// 2 x 2 of `machine`'s native DPE tiles of C and 4 native slices deep,
/// halved (depth first, then C) until the kernel's buffers fit its local
/// memory.
ProductTiles chooseProductTiles(const target::TargetDesc &machine,
                                target::DType input);

/// `tiles` with today's staging: A staged in SRAM where more than one
/// column of C tiles reads it, then B where more than one row of tiles
/// does, as far as the SRAM holds them.
ProductTiles withFixedStaging(const target::TargetDesc &machine,
                              const ProductProblem &problem,
                              ProductTiles tiles);

/// Among the grids that cut the loops marked `splittable` (the parallel
/// ones whose tiles write disjoint outputs) outermost first, one iteration
/// a tile, until there are at least `numPEs` tasks (after each loop cut,
/// and, at the last loop, with each tile size that still gives every PE a
/// task or runs one wave): the one that runs fastest by `cost` among those
/// that give every PE a task, or among all when none does. On a tie, the
/// one with fewer tasks. Without `cost`, a grid costs its waves times its
/// tasks' iterations. Reduction loops are never cut.
TaskGrid chooseTaskGrid(llvm::ArrayRef<int64_t> extents,
                        llvm::ArrayRef<bool> splittable, int64_t numPEs,
                        GridCost cost = nullptr);

/// The host's GEMM kernel tile on `host`: anvil-c/Kernels.h's rows by its
/// vectors of `host`'s lanes.
KernelTile gemmKernelTile(const target::HostDesc &host);

/// Thread blocks of a host product with a rows x cols output: blocks of
/// rows, or of columns when there are too few rows for two blocks, in at
/// most four blocks a core, each at least as many kernel tiles along its cut
/// as a vector has lanes; rows a multiple of the kernel tile's, columns of
/// a vector's lanes.
ThreadBlocks chooseGemmBlocks(const target::HostDesc &host, int64_t rows,
                              int64_t cols);

/// Channels per thread block of a host depthwise convolution: at least a
/// register block's rows of channels a block, at most four blocks a core.
int64_t chooseDepthwiseBlockChannels(const target::HostDesc &host,
                                     int64_t channels);

/// The parallel iterations host threads share: a register block's rows for
/// each of the blocks a product may be cut into.
int64_t chooseParallelIterations(const target::HostDesc &host);

/// The host's register block: a vector's lanes wide, a quarter of the
/// vector registers in rows (two vectors of accumulators a row take half of
/// them), half of them in reduction elements (which bounds the fully
/// unrolled code of a tile).
RegisterBlock chooseRegisterBlock(const target::HostDesc &host);

/// The decisions above as a TilingPolicy ("fixed-tiles"); the policies
/// that replace some of them derive from it.
class FixedTiles : public TilingPolicy {
public:
  llvm::StringRef name() const override { return "fixed-tiles"; }
  llvm::SmallVector<RankedTiles> productTiles(const target::TargetDesc &machine,
                                              const ProductProblem &problem,
                                              ProductCost cost,
                                              int64_t keep) const override;
  TaskGrid taskGrid(llvm::ArrayRef<int64_t> extents,
                    llvm::ArrayRef<bool> splittable, int64_t numPEs,
                    GridCost cost) const override;
  ThreadBlocks gemmBlocks(const target::HostDesc &host, int64_t rows,
                          int64_t cols) const override;
  /// The kernel's own cache blocks (all 0): the runtime's GEMM keeps the
  /// blocking it was written with.
  CacheBlocks gemmCacheBlocks(const target::HostDesc &host, int64_t rows,
                              int64_t cols, int64_t depth) const override;
  int64_t depthwiseBlockChannels(const target::HostDesc &host,
                                 int64_t channels) const override;
  int64_t parallelIterations(const target::HostDesc &host) const override;
  /// Every loop nest and call is shared by the threads (0).
  int64_t minParallelBytes(const target::HostDesc &host) const override;
  RegisterBlock registerBlock(const target::HostDesc &host) const override;
  /// Always im2col (or the 1 x 1 in-place product): the first algorithm.
  ConvAlgorithm convAlgorithm(const target::HostDesc &host,
                              const ConvProblem &problem) const override;
};

std::unique_ptr<TilingPolicy> createFixedTiles();

} // namespace anvil::policy

#endif // ANVIL_POLICY_FIXEDTILES_H
