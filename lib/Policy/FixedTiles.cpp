//===- FixedTiles.cpp - The first tiling policy ---------------------------===//

#include "anvil/Policy/FixedTiles.h"

#include "llvm/Support/MathExtras.h"

#include <algorithm>

using namespace anvil::policy;

int64_t anvil::policy::productLocalBytes(const ProductTiles &t,
                                         const ProductProblem &problem) {
  int64_t operands = t.tm * t.tk + t.tk * t.tn, tile = t.tm * t.tn * 4;
  // i8: two pairs of i8 staging buffers, the i32 sum beside the f32 tile,
  // and the tile's scales.
  if (problem.quantized)
    return operands * 2 + 2 * tile + (t.tm + t.tn) * 4;
  // Two pairs of f32 staging buffers, DPE-type copies of one pair, and the
  // accumulator.
  return operands * (2 * 4 + problem.inputBytes) + tile;
}

ProductTiles anvil::policy::chooseProductTiles(const ProductProblem &problem) {
  int64_t depth = problem.tileRowBytes / problem.inputBytes;
  ProductTiles t{2 * problem.tileRows, 2 * problem.tileRows, 4 * depth};
  auto tooBig = [&] {
    return productLocalBytes(t, problem) > problem.localBytes;
  };
  while (tooBig() && t.tk > depth)
    t.tk /= 2;
  while (tooBig() && t.tm > problem.tileRows) {
    t.tm /= 2;
    t.tn /= 2;
  }
  return t;
}

/// The tile of the last loop split, below `outer` tiles of the loops split
/// before it: the one whose waves over `numPEs` PEs take the fewest
/// iterations of the loop; among those, one that gives every PE a task,
/// then the largest (fewer, larger tasks).
static int64_t lastSplitTile(int64_t extent, int64_t outer, int64_t numPEs) {
  int64_t best = 1, bestCycles = 0;
  bool bestFills = false;
  // Larger tiles make fewer tasks than PEs: one wave, only longer.
  int64_t largest = llvm::divideCeil(extent, llvm::divideCeil(numPEs, outer));
  for (int64_t tile = 1; tile <= largest; ++tile) {
    int64_t tasks = outer * llvm::divideCeil(extent, tile);
    int64_t cycles = llvm::divideCeil(tasks, numPEs) * tile;
    bool fills = tasks >= numPEs;
    if (tile == 1 || cycles < bestCycles ||
        (cycles == bestCycles && (fills || !bestFills))) {
      best = tile;
      bestCycles = cycles;
      bestFills = fills;
    }
  }
  return best;
}

TaskGrid anvil::policy::chooseTaskGrid(llvm::ArrayRef<int64_t> extents,
                                       llvm::ArrayRef<bool> splittable,
                                       int64_t numPEs) {
  TaskGrid grid;
  grid.tileSizes.assign(extents.begin(), extents.end());
  grid.tilesPerLoop.assign(extents.size(), 1);
  numPEs = std::max<int64_t>(numPEs, 1);
  // Tiles of the loops split so far.
  int64_t outer = 1;
  for (size_t d = 0; d < extents.size() && outer < numPEs; ++d) {
    int64_t extent = extents[d];
    if (!splittable[d] || extent <= 1)
      continue;
    int64_t need = llvm::divideCeil(numPEs, outer);
    int64_t tile = extent <= need ? 1 : lastSplitTile(extent, outer, numPEs);
    grid.tileSizes[d] = tile;
    grid.tilesPerLoop[d] = llvm::divideCeil(extent, tile);
    outer *= grid.tilesPerLoop[d];
  }
  for (int64_t tiles : grid.tilesPerLoop)
    grid.tasks *= tiles;
  grid.pes = std::min(grid.tasks, numPEs);
  return grid;
}
