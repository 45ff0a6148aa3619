//===- FixedTiles.cpp - The first tiling policy ---------------------------===//

#include "anvil/Policy/FixedTiles.h"
#include "anvil/Policy/Roller.h"

#include "llvm/Support/MathExtras.h"

#include <algorithm>
#include <optional>

using namespace anvil::policy;
using namespace anvil::target;
using llvm::ArrayRef;
using llvm::SmallVector;

DType anvil::policy::landedType(DType input, DType loaded, bool staged) {
  return staged ? input : loaded;
}

int64_t anvil::policy::productLocalBytes(const ProductTiles &t,
                                         const ProductProblem &problem) {
  int64_t f32 = dtypeBytes(DType::F32), tile = t.tm * t.tn * f32;
  auto operand = [&](int64_t slice, DType loaded, bool staged) {
    DType landed = landedType(problem.input, loaded, staged);
    int64_t bytes = t.buffers * slice * dtypeBytes(landed);
    if (landed != problem.input)
      bytes += 2 * slice * dtypeBytes(problem.input);
    return bytes;
  };
  int64_t bytes = operand(t.tm * t.tk, problem.loadedA, t.stageA) +
                  operand(t.tk * t.tn, problem.loadedB, t.stageB) + tile;
  // i8: the i32 sum beside the f32 tile, and the tile's scales.
  if (problem.input == DType::I8)
    bytes += tile + (t.tm + t.tn) * f32;
  // C stored narrower: the tile converted on its way out (and in).
  if (problem.stored != DType::F32)
    bytes += t.tm * t.tn * dtypeBytes(problem.stored);
  if (problem.rowBias)
    bytes += t.tm * f32;
  bytes += problem.epilogueTiles * tile + problem.epilogueColumns * t.tn * f32;
  return bytes;
}

ProductTiles anvil::policy::chooseProductTiles(const TargetDesc &machine,
                                               DType input) {
  int64_t rows = machine.dpe.tileRows;
  int64_t depth = machine.dpe.tileRowBytes / dtypeBytes(input);
  int64_t local = machine.level(MemoryLevel::Local).capacityBytes;
  ProductProblem unstaged;
  unstaged.input = input;
  unstaged.loadedA = unstaged.loadedB = input == DType::I8 ? input : DType::F32;
  ProductTiles t{2 * rows, 2 * rows, 4 * depth};
  auto tooBig = [&] { return productLocalBytes(t, unstaged) > local; };
  while (tooBig() && t.tk > depth)
    t.tk /= 2;
  while (tooBig() && t.tm > rows) {
    t.tm /= 2;
    t.tn /= 2;
  }
  return t;
}

ProductTiles anvil::policy::withFixedStaging(const TargetDesc &machine,
                                             const ProductProblem &problem,
                                             ProductTiles tiles) {
  int64_t free = machine.level(MemoryLevel::SRAM).capacityBytes;
  auto fits = [&](int64_t bytes) {
    if (bytes <= 0 || bytes > free)
      return false;
    free -= bytes;
    return true;
  };
  tiles.stageA =
      llvm::divideCeil(problem.n, tiles.tn) > 1 && fits(problem.stagedBytesA);
  tiles.stageB =
      llvm::divideCeil(problem.m, tiles.tm) > 1 && fits(problem.stagedBytesB);
  return tiles;
}

TilingPolicy::~TilingPolicy() = default;

llvm::StringRef anvil::policy::convAlgorithmName(ConvAlgorithm algorithm) {
  return algorithm == ConvAlgorithm::Winograd ? "winograd" : "im2col";
}

std::optional<ConvAlgorithm>
anvil::policy::parseConvAlgorithm(llvm::StringRef name) {
  if (name == "im2col")
    return ConvAlgorithm::Im2col;
  if (name == "winograd")
    return ConvAlgorithm::Winograd;
  return std::nullopt;
}

bool anvil::policy::convAlgorithmApplies(ConvAlgorithm algorithm,
                                         const ConvProblem &p) {
  if (algorithm == ConvAlgorithm::Im2col)
    return true;
  // F(4x4, 3x3): three taps each way, consecutive, every position.
  constexpr int64_t kTaps = 3;
  return p.constantFilters && p.kh == kTaps && p.kw == kTaps &&
         p.strideH == 1 && p.strideW == 1 && p.dilationH == 1 &&
         p.dilationW == 1;
}

TaskGrid anvil::policy::gridOfTiles(ArrayRef<int64_t> extents,
                                    ArrayRef<int64_t> tileSizes,
                                    int64_t numPEs) {
  TaskGrid grid;
  grid.tileSizes.assign(tileSizes.begin(), tileSizes.end());
  for (auto [extent, tile] : llvm::zip(extents, tileSizes)) {
    grid.tilesPerLoop.push_back(llvm::divideCeil(extent, tile));
    grid.tasks *= grid.tilesPerLoop.back();
  }
  grid.pes = std::min(grid.tasks, std::max<int64_t>(numPEs, 1));
  return grid;
}

/// Tasks of `grid` as cut so far, with `tilesPerLoop` updated.
static TaskGrid withTile(TaskGrid grid, ArrayRef<int64_t> extents, size_t loop,
                         int64_t tile) {
  grid.tileSizes[loop] = tile;
  grid.tilesPerLoop[loop] = llvm::divideCeil(extents[loop], tile);
  grid.tasks = 1;
  for (int64_t tiles : grid.tilesPerLoop)
    grid.tasks *= tiles;
  return grid;
}

/// Waves times each task's iterations: the cost of a grid when the caller
/// gives none.
static double iterationWaves(const TaskGrid &grid) {
  double iterations = 1;
  for (int64_t tile : grid.tileSizes)
    iterations *= tile;
  return llvm::divideCeil(grid.tasks, grid.pes) * iterations;
}

/// The grids chooseTaskGrid considers.
static SmallVector<TaskGrid> candidateGrids(ArrayRef<int64_t> extents,
                                            ArrayRef<bool> splittable,
                                            int64_t numPEs) {
  TaskGrid grid;
  grid.tileSizes.assign(extents.begin(), extents.end());
  grid.tilesPerLoop.assign(extents.size(), 1);
  SmallVector<TaskGrid> grids{grid};
  for (size_t d = 0; d < extents.size() && grid.tasks < numPEs; ++d) {
    if (!splittable[d] || extents[d] <= 1)
      continue;
    int64_t need = llvm::divideCeil(numPEs, grid.tasks);
    if (extents[d] <= need) {
      grid = withTile(grid, extents, d, 1);
      grids.push_back(grid);
      continue;
    }
    // The last loop cut: larger tiles than this make fewer tasks than PEs
    // in one wave, only longer.
    auto largest = static_cast<int64_t>(llvm::divideCeil(extents[d], need));
    for (int64_t tile = 1; tile <= largest; ++tile)
      grids.push_back(withTile(grid, extents, d, tile));
    break;
  }
  for (TaskGrid &g : grids)
    g.pes = std::min(g.tasks, numPEs);
  return grids;
}

TaskGrid anvil::policy::chooseTaskGrid(ArrayRef<int64_t> extents,
                                       ArrayRef<bool> splittable,
                                       int64_t numPEs, GridCost cost) {
  numPEs = std::max<int64_t>(numPEs, 1);
  std::optional<TaskGrid> best;
  double bestCycles = 0;
  for (const TaskGrid &grid : candidateGrids(extents, splittable, numPEs)) {
    double cycles = cost ? cost(grid) : iterationWaves(grid);
    // A grid that leaves PEs idle loses to one that does not, whatever it
    // costs: the first policy keeps the whole machine busy, and spending
    // fewer PEs where the cost model finds it faster is Roller's call.
    auto fills = [&](const TaskGrid &g) { return g.tasks >= numPEs; };
    bool better =
        !best || (fills(grid) != fills(*best)
                      ? fills(grid)
                      : cycles < bestCycles ||
                            (cycles == bestCycles && grid.tasks < best->tasks));
    if (better) {
      best = grid;
      bestCycles = cycles;
    }
  }
  return *best;
}

SmallVector<RankedTiles> FixedTiles::productTiles(const TargetDesc &machine,
                                                  const ProductProblem &problem,
                                                  ProductCost cost,
                                                  int64_t) const {
  ProductTiles tiles = withFixedStaging(
      machine, problem, chooseProductTiles(machine, problem.input));
  return {{tiles, cost(tiles)}};
}
TaskGrid FixedTiles::taskGrid(ArrayRef<int64_t> extents,
                              ArrayRef<bool> splittable, int64_t numPEs,
                              GridCost cost) const {
  return chooseTaskGrid(extents, splittable, numPEs, cost);
}
ThreadBlocks FixedTiles::gemmBlocks(const HostDesc &host, int64_t rows,
                                    int64_t cols) const {
  return chooseGemmBlocks(host, rows, cols);
}
CacheBlocks FixedTiles::gemmCacheBlocks(const HostDesc &, int64_t, int64_t,
                                        int64_t) const {
  return {};
}
int64_t FixedTiles::depthwiseBlockChannels(const HostDesc &host,
                                           int64_t channels) const {
  return chooseDepthwiseBlockChannels(host, channels);
}
int64_t FixedTiles::parallelIterations(const HostDesc &host) const {
  return chooseParallelIterations(host);
}
int64_t FixedTiles::minParallelBytes(const HostDesc &) const { return 0; }
RegisterBlock FixedTiles::registerBlock(const HostDesc &host) const {
  return chooseRegisterBlock(host);
}

ConvAlgorithm FixedTiles::convAlgorithm(const HostDesc &,
                                        const ConvProblem &) const {
  return ConvAlgorithm::Im2col;
}

std::unique_ptr<TilingPolicy> anvil::policy::createFixedTiles() {
  return std::make_unique<FixedTiles>();
}

std::unique_ptr<TilingPolicy>
anvil::policy::createTilingPolicy(llvm::StringRef name) {
  if (name == "fixed-tiles")
    return createFixedTiles();
  if (name == "roller")
    return createRoller();
  return nullptr;
}
