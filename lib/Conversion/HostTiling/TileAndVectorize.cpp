//===- TileAndVectorize.cpp - Fixed host tiling and vectorization ---------===//
//
// Contractions and convolutions tiled in the register block the tiling
// policy chooses (anvil/Policy/Tiling.h), clamped to divisors of each loop
// extent so that every tile is static and the vectorizer needs no masks.
// Roller replaces the choice of sizes; the mechanics (tileUsingSCF,
// linalg::vectorize) stay upstream's.
//
//===----------------------------------------------------------------------===//

#include "anvil/Conversion/HostDescription.h"
#include "anvil/Conversion/Products.h"

#include "anvil/Conversion/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Dialect/Vector/Transforms/LoweringPatterns.h"
#include "mlir/Dialect/Vector/Transforms/VectorRewritePatterns.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace anvil {
#define GEN_PASS_DEF_HOSTTILEANDVECTORIZE
#include "anvil/Conversion/Passes.h.inc"
} // namespace anvil

using namespace mlir;

namespace {

/// The largest divisor of `extent` that is at most `target`.
int64_t divisorTile(int64_t extent, int64_t target) {
  for (int64_t t = std::min(extent, target); t > 1; --t)
    if (extent % t == 0)
      return t;
  return 1;
}

struct HostTileAndVectorizePass
    : anvil::impl::HostTileAndVectorizeBase<HostTileAndVectorizePass> {
  using HostTileAndVectorizeBase::HostTileAndVectorizeBase;

  /// f32 lanes of a vector, rows and reduction depth of a register block.
  struct Block {
    int64_t width = 0, rows = 0, depth = 0;
  } block;

  /// Tile sizes per loop of `op` (0 = untiled), or empty to leave it alone.
  SmallVector<int64_t> tileSizes(linalg::LinalgOp op) const {
    SmallVector<int64_t> r = op.getStaticLoopRanges();
    if (llvm::any_of(r, ShapedType::isDynamic) ||
        (leaveGemmOps && anvil::isStaticF32Product(op)))
      return {};
    int64_t rows = block.rows, cols = 2 * block.width, red = block.depth;
    if (isa<linalg::MatmulOp>(op))
      return {divisorTile(r[0], rows), divisorTile(r[1], cols),
              divisorTile(r[2], red)};
    if (isa<linalg::BatchMatmulOp>(op))
      return {1, divisorTile(r[1], rows), divisorTile(r[2], cols),
              divisorTile(r[3], red)};
    // (n, f, oh, ow, c, kh, kw): one output row and one kernel row per tile
    // so that the tile decomposes into a vectorizable 1-D convolution. Its
    // contraction runs FMAs along the filters, so the filters take one
    // vector width and output columns up to twice the row tile (feature
    // maps are 7, 14, 28, ... wide; 4 would leave 1 for the odd ones).
    if (isa<linalg::Conv2DNchwFchwOp>(op))
      return {1,
              divisorTile(r[1], block.width),
              1,
              divisorTile(r[3], 2 * rows),
              divisorTile(r[4], red),
              1,
              r[6]};
    return {};
  }

  /// Tiles `op` with `sizes` (0 = untiled) using loops of `type`; returns
  /// the tiled op, or null when upstream tiling does not apply.
  Operation *tile(IRRewriter &rewriter, Operation *op, ArrayRef<int64_t> sizes,
                  scf::SCFTilingOptions::LoopType type) {
    if (llvm::all_of(sizes, [](int64_t s) { return s == 0; }))
      return op;
    scf::SCFTilingOptions options;
    options.setTileSizes(getAsIndexOpFoldResult(&getContext(), sizes));
    options.setLoopType(type);
    rewriter.setInsertionPoint(op);
    FailureOr<scf::SCFTilingResult> tiled =
        scf::tileUsingSCF(rewriter, cast<TilingInterface>(op), options);
    if (failed(tiled) || tiled->tiledOps.size() != 1)
      return nullptr;
    rewriter.replaceOp(op, tiled->replacements);
    return tiled->tiledOps.front();
  }

  /// Parallel dimensions become one scf.forall (the work the host's threads
  /// share); reduction dimensions are tiled inside it with scf.for. Returns
  /// the tiles.
  SmallVector<Operation *> tileTargets(func::FuncOp func) {
    SmallVector<linalg::LinalgOp> targets;
    func.walk([&](linalg::LinalgOp op) {
      if (!tileSizes(op).empty())
        targets.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    SmallVector<Operation *> tiles;
    for (linalg::LinalgOp op : targets) {
      SmallVector<int64_t> sizes = tileSizes(op);
      SmallVector<int64_t> parallel(sizes.size(), 0),
          reduction(sizes.size(), 0);
      for (auto [i, iterator] : llvm::enumerate(op.getIteratorTypesArray()))
        (linalg::isParallelIterator(iterator) ? parallel : reduction)[i] =
            sizes[i];
      // Tiling is an optimization: an op it cannot handle stays whole.
      Operation *tiled = tile(rewriter, op, parallel,
                              scf::SCFTilingOptions::LoopType::ForallOp);
      if (!tiled)
        continue;
      if (Operation *inner = tile(rewriter, tiled, reduction,
                                  scf::SCFTilingOptions::LoopType::ForOp))
        tiled = inner;
      tiles.push_back(tiled);
    }
    return tiles;
  }

  void vectorizeTiles(func::FuncOp func) {
    SmallVector<linalg::LinalgOp> candidates;
    func.walk([&](linalg::LinalgOp op) {
      if (!isa<linalg::MatmulOp, linalg::BatchMatmulOp, linalg::Conv1DNcwFcwOp>(
              op))
        return;
      if (!op.hasPureTensorSemantics() ||
          llvm::any_of(op.getStaticLoopRanges(), ShapedType::isDynamic))
        return;
      // Only tiles: a whole untiled contraction would become one huge vector.
      if (op.getStaticLoopRanges().size() > 0 &&
          ShapedType::getNumElements(op.getStaticLoopRanges()) >
              block.rows * 2 * block.width * block.depth * 3)
        return;
      candidates.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    for (linalg::LinalgOp op : candidates) {
      rewriter.setInsertionPoint(op);
      FailureOr<linalg::VectorizationResult> result =
          linalg::vectorize(rewriter, op);
      if (succeeded(result))
        rewriter.replaceOp(op, result->replacements);
    }
  }

  /// The register block in use: each option where it is given, the rest
  /// the tiling policy's for the host description the module carries.
  LogicalResult chooseBlock() {
    block = {vectorWidth, rowTile, reductionTile};
    if (block.width > 0 && block.rows > 0 && block.depth > 0)
      return success();
    FailureOr<anvil::HostTiling> decide =
        anvil::hostTilingOf(getOperation(), tiling);
    if (failed(decide))
      return failure();
    anvil::policy::RegisterBlock chosen =
        decide->policy->registerBlock(decide->host);
    if (block.width <= 0)
      block.width = chosen.width;
    if (block.rows <= 0)
      block.rows = chosen.rows;
    if (block.depth <= 0)
      block.depth = chosen.depth;
    return success();
  }

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    if (failed(chooseBlock()))
      return signalPassFailure();
    SmallVector<Operation *> tiles = tileTargets(func);
    // Only the tiles become 1-D convolutions: an untiled convolution with a
    // unit window and a 1x1 image (a squeeze-and-excitation block's) is the
    // GEMM kernel's, and decomposed and vectorized whole it would unroll
    // into a scalar FMA per input and output channel.
    RewritePatternSet decompose(&getContext());
    linalg::populateDecomposeConvolutionPatterns(decompose);
    if (failed(applyOpPatternsGreedily(tiles, std::move(decompose))))
      return signalPassFailure();
    vectorizeTiles(func);
    RewritePatternSet cleanup(&getContext());
    vector::populateVectorTransferPermutationMapLoweringPatterns(cleanup);
    vector::populateVectorReductionToContractPatterns(cleanup);
    vector::TransferReadOp::getCanonicalizationPatterns(cleanup, &getContext());
    vector::TransferWriteOp::getCanonicalizationPatterns(cleanup,
                                                         &getContext());
    if (failed(applyPatternsGreedily(func, std::move(cleanup))))
      return signalPassFailure();
  }
};

} // namespace
