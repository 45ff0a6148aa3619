//===- Roller.cpp - Tiles by construction ---------------------------------===//

#include "anvil/Policy/Roller.h"
#include "anvil/Policy/FixedTiles.h"
#include "anvil/Target/CostModel.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/MathExtras.h"

#include <algorithm>
#include <numeric>
#include <optional>
#include <tuple>
#include <utility>

using namespace anvil::policy;
using namespace anvil::target;
using llvm::ArrayRef;
using llvm::divideCeil;
using llvm::SmallVector;

TileSteps anvil::policy::productTileSteps(const TargetDesc &machine,
                                          const ProductProblem &problem) {
  // Elements of a transaction at DRAM, where every operand starts (a
  // staged copy in SRAM has transactions no larger), of the narrower of
  // the loaded type and the DPE's, which a staged copy holds.
  int64_t narrowest = std::min({dtypeBytes(problem.loadedA),
                                dtypeBytes(problem.loadedB),
                                dtypeBytes(problem.input)});
  int64_t transaction = std::max<int64_t>(
      machine.level(MemoryLevel::DRAM).transactionBytes / narrowest, 1);
  int64_t passDepth =
      std::max<int64_t>(machine.dpe.tileRowBytes / dtypeBytes(problem.input),
                        1);
  return {machine.dpe.tileRows, transaction,
          std::lcm(passDepth, transaction)};
}

namespace {

int64_t roundUp(int64_t value, int64_t step) {
  return divideCeil(value, step) * step;
}

/// Which operands a kernel of `t` may stage: one that more than one tile
/// reads and whose copy fits the SRAM.
std::pair<bool, bool> stageable(const TargetDesc &machine,
                                const ProductProblem &p,
                                const ProductTiles &t) {
  int64_t sram = machine.level(MemoryLevel::SRAM).capacityBytes;
  return {p.stagedBytesA > 0 && p.stagedBytesA <= sram &&
              divideCeil(p.n, t.tn) > 1,
          p.stagedBytesB > 0 && p.stagedBytesB <= sram &&
              divideCeil(p.m, t.tm) > 1};
}

bool sameShape(const ProductTiles &a, const ProductTiles &b) {
  return a.tm == b.tm && a.tn == b.tn && a.tk == b.tk;
}

/// One product's construction: its extents padded to the steps, and the
/// measures the growth and the shrinking compare tiles by.
class Construction {
public:
  Construction(const TargetDesc &machine, const ProductProblem &problem)
      : machine(machine), p(problem),
        step(productTileSteps(machine, problem)),
        paddedM(roundUp(std::max<int64_t>(problem.m, 1), step.m)),
        paddedN(roundUp(std::max<int64_t>(problem.n, 1), step.n)),
        paddedK(roundUp(std::max<int64_t>(problem.k, 1), step.k)),
        local(machine.level(MemoryLevel::Local).capacityBytes) {}

  SmallVector<ProductTiles> run() const {
    SmallVector<ProductTiles> tiles;
    for (const ProductTiles &grown : growthPath()) {
      fillDepth(grown, tiles);
      if (tasks(grown) < machine.numPEs())
        fillDepth(scaledOut(grown), tiles);
    }
    return tiles;
  }

  /// The share of a tile's work that pads the extents beyond their steps.
  double paddingWaste(const ProductTiles &t) const {
    double covered = static_cast<double>(roundUp(paddedM, t.tm)) *
                     static_cast<double>(roundUp(paddedN, t.tn)) *
                     static_cast<double>(roundUp(paddedK, t.tk));
    return covered / (static_cast<double>(paddedM) * paddedN * paddedK) - 1;
  }

private:
  int64_t tasks(const ProductTiles &t) const {
    return p.batches * divideCeil(p.m, t.tm) * divideCeil(p.n, t.tn);
  }

  /// Whether `t` fits local memory with the operands that may be staged
  /// staged (the least it can take; the stagings that do not fit are
  /// dropped when they are priced).
  bool fits(ProductTiles t) const {
    std::tie(t.stageA, t.stageB) = stageable(machine, p, t);
    return productLocalBytes(t, p) <= local;
  }

  /// Bytes of an element of an operand read as `loaded` as it arrives,
  /// staged where the kernel may stage it.
  int64_t landedBytes(DType loaded, int64_t stagedBytes) const {
    return dtypeBytes(landedType(p.input, loaded, stagedBytes > 0));
  }

  /// Bytes of A and B all the tasks read: A once per column of C tiles,
  /// B once per row of them.
  double traffic(const ProductTiles &t) const {
    double a = static_cast<double>(p.m) * p.k * divideCeil(p.n, t.tn) *
               landedBytes(p.loadedA, p.stagedBytesA);
    double b = static_cast<double>(p.k) * p.n * divideCeil(p.m, t.tm) *
               landedBytes(p.loadedB, p.stagedBytesB);
    return static_cast<double>(p.batches) * (a + b);
  }

  /// Traffic saved per byte of local memory added, going from `from` to
  /// `to`: Roller's data-reuse score.
  double reuseScore(const ProductTiles &from, const ProductTiles &to) const {
    double added = static_cast<double>(productLocalBytes(to, p) -
                                       productLocalBytes(from, p));
    return (traffic(from) - traffic(to)) / std::max(added, 1.0);
  }

  /// The smallest aligned size above `size` that cuts `extent` into fewer
  /// tiles (growing by less saves nothing), or 0 when there is none.
  static int64_t grown(int64_t size, int64_t step, int64_t extent,
                       int64_t padded) {
    int64_t count = divideCeil(extent, size);
    for (int64_t s = size + step; s <= padded; s += step)
      if (static_cast<int64_t>(divideCeil(extent, s)) < count)
        return s;
    return 0;
  }

  /// The largest aligned size below `size` that cuts `extent` into more
  /// tiles, or 0 when `size` is a single step.
  static int64_t shrunk(int64_t size, int64_t step, int64_t extent) {
    int64_t count = divideCeil(extent, size);
    for (int64_t s = size - step; s >= step; s -= step)
      if (static_cast<int64_t>(divideCeil(extent, s)) > count)
        return s;
    return 0;
  }

  /// Whether a slice's loads take no longer than its product, or its
  /// conversion where the SE converts slices (which overlaps the product),
  /// when every PE with a task loads beside it: growing the tile further
  /// would only take parallelism away. Operands are read from staged
  /// copies in SRAM where the kernel may stage them.
  bool computeBound(const ProductTiles &t) const {
    int64_t converting = 0;
    if (landedType(p.input, p.loadedA, p.stagedBytesA > 0) != p.input)
      converting += t.tm * t.tk;
    if (landedType(p.input, p.loadedB, p.stagedBytesB > 0) != p.input)
      converting += t.tk * t.tn;
    int64_t compute =
        std::max(dpeCycles(machine, p.input, t.tm, t.tk, t.tn),
                 seCycles(machine, p.input, converting));
    int64_t sharers = std::min(tasks(t), machine.numPEs());
    auto load = [&](DType loaded, int64_t staged, int64_t rows,
                    int64_t cols) {
      MemoryLevel level = staged > 0 ? MemoryLevel::SRAM : MemoryLevel::DRAM;
      return dmaTransferCycles(
          machine, level,
          dmaBytesMoved(machine, level, rows,
                        cols * landedBytes(loaded, staged)),
          sharers);
    };
    return load(p.loadedA, p.stagedBytesA, t.tm, t.tk) +
               load(p.loadedB, p.stagedBytesB, t.tk, t.tn) <=
           compute;
  }

  /// The smallest aligned tile, grown one step at a time along the C axis
  /// with the best reuse score while the step fits local memory, until it
  /// is compute-bound: every tile on the way.
  SmallVector<ProductTiles> growthPath() const {
    ProductTiles t{std::min(step.m, paddedM), std::min(step.n, paddedN),
                   std::min(step.k, paddedK)};
    SmallVector<ProductTiles> path;
    if (!fits(t))
      return path;
    path.push_back(t);
    while (!computeBound(t)) {
      std::optional<ProductTiles> best;
      double bestScore = 0;
      ProductTiles taller = t, wider = t;
      taller.tm = grown(t.tm, step.m, p.m, paddedM);
      wider.tn = grown(t.tn, step.n, p.n, paddedN);
      for (const ProductTiles &next : {taller, wider}) {
        if (next.tm == 0 || next.tn == 0 || !fits(next))
          continue;
        double score = reuseScore(t, next);
        if (!best || score > bestScore) {
          best = next;
          bestScore = score;
        }
      }
      if (!best)
        break;
      t = *best;
      path.push_back(t);
    }
    return path;
  }

  /// `t` with its reduction depth doubled from one step while it fits,
  /// and the whole reduction in one slice where that fits: each into `out`
  /// unless already there.
  void fillDepth(ProductTiles t, SmallVector<ProductTiles> &out) const {
    auto add = [&](const ProductTiles &tile) {
      if (fits(tile) && llvm::none_of(out, [&](const ProductTiles &o) {
            return sameShape(o, tile);
          }))
        out.push_back(tile);
    };
    for (t.tk = std::min(step.k, paddedK); t.tk < paddedK && fits(t);
         t.tk *= 2)
      add(t);
    t.tk = paddedK;
    add(t);
  }

  /// `t` shrunk, the larger of its C sides first, until every PE has a
  /// task or both sides are one step.
  ProductTiles scaledOut(ProductTiles t) const {
    while (tasks(t) < machine.numPEs()) {
      int64_t rows = shrunk(t.tm, step.m, p.m);
      int64_t cols = shrunk(t.tn, step.n, p.n);
      if (rows && (t.tm >= t.tn || !cols))
        t.tm = rows;
      else if (cols)
        t.tn = cols;
      else
        break;
    }
    return t;
  }

  const TargetDesc &machine;
  const ProductProblem &p;
  TileSteps step;
  int64_t paddedM, paddedN, paddedK, local;
};

/// The ways a kernel of `t` may run that fit local memory: each staging
/// (none, A or B alone where more than one tile reads it, both where the
/// SRAM holds both) with double and triple buffers.
SmallVector<ProductTiles> variants(const TargetDesc &machine,
                                   const ProductProblem &p, ProductTiles t) {
  int64_t local = machine.level(MemoryLevel::Local).capacityBytes;
  int64_t sram = machine.level(MemoryLevel::SRAM).capacityBytes;
  auto [a, b] = stageable(machine, p, t);
  SmallVector<ProductTiles> out;
  for (bool stageA : {false, true})
    for (bool stageB : {false, true}) {
      if ((stageA && !a) || (stageB && !b) ||
          (stageA && stageB && p.stagedBytesA + p.stagedBytesB > sram))
        continue;
      t.stageA = stageA;
      t.stageB = stageB;
      for (int64_t buffers : {2, 3}) {
        t.buffers = buffers;
        if (productLocalBytes(t, p) <= local)
          out.push_back(t);
      }
    }
  return out;
}

/// The candidates whose padding waste is within the smallest of Roller's
/// bounds (0, 0.1, 0.2, ...) that keeps at least `keep` of them, or all.
SmallVector<ProductTiles> boundWaste(const Construction &c,
                                     ArrayRef<ProductTiles> tiles,
                                     int64_t keep) {
  SmallVector<double> wastes;
  for (const ProductTiles &t : tiles)
    wastes.push_back(c.paddingWaste(t));
  int64_t wanted = std::min<int64_t>(keep, tiles.size());
  for (double bound = 0;; bound += 0.1) {
    SmallVector<ProductTiles> kept;
    for (auto [t, waste] : llvm::zip(tiles, wastes))
      if (waste <= bound + 1e-9)
        kept.push_back(t);
    if (static_cast<int64_t>(kept.size()) >= wanted)
      return kept;
  }
}

/// Roller's products; the first policy's task grids and host blocks until
/// Roller decides those too.
class Roller : public FixedTiles {
public:
  llvm::StringRef name() const override { return "roller"; }
  SmallVector<RankedTiles> productTiles(const TargetDesc &machine,
                                        const ProductProblem &problem,
                                        ProductCost cost,
                                        int64_t keep) const override {
    return rollerProductTiles(machine, problem, cost, keep);
  }
  CacheBlocks gemmCacheBlocks(const HostDesc &host, int64_t rows,
                              int64_t cols, int64_t depth) const override {
    return rollerGemmCacheBlocks(host, rows, cols, depth);
  }
  int64_t minParallelBytes(const HostDesc &host) const override {
    return rollerMinParallelBytes(host);
  }
  ConvAlgorithm convAlgorithm(const HostDesc &host,
                              const ConvProblem &problem) const override {
    return rollerConvAlgorithm(host, problem);
  }
};

} // namespace

SmallVector<ProductTiles>
anvil::policy::constructProductTiles(const TargetDesc &machine,
                                     const ProductProblem &problem) {
  return Construction(machine, problem).run();
}

SmallVector<RankedTiles>
anvil::policy::rollerProductTiles(const TargetDesc &machine,
                                  const ProductProblem &problem,
                                  ProductCost cost, int64_t keep) {
  Construction construction(machine, problem);
  SmallVector<ProductTiles> constructed = construction.run();
  // Not even the smallest aligned tile fits local memory: the first
  // policy's tiles, halved to fit, are all there is.
  if (constructed.empty())
    constructed.push_back(chooseProductTiles(machine, problem.input));
  SmallVector<RankedTiles> ranked;
  for (const ProductTiles &shape :
       boundWaste(construction, constructed, std::max<int64_t>(keep, 1))) {
    std::optional<RankedTiles> best;
    for (const ProductTiles &t : variants(machine, problem, shape)) {
      double cycles = cost(t);
      if (!best || cycles < best->cycles)
        best = RankedTiles{t, cycles};
    }
    if (best)
      ranked.push_back(*best);
  }
  if (ranked.empty()) {
    ProductTiles fixed = withFixedStaging(
        machine, problem, chooseProductTiles(machine, problem.input));
    ranked.push_back({fixed, cost(fixed)});
  }
  // Fastest first; among equals, the one that takes less local memory.
  llvm::stable_sort(ranked, [&](const RankedTiles &a, const RankedTiles &b) {
    if (a.cycles != b.cycles)
      return a.cycles < b.cycles;
    return productLocalBytes(a.tiles, problem) <
           productLocalBytes(b.tiles, problem);
  });
  if (static_cast<int64_t>(ranked.size()) > keep)
    ranked.resize(std::max<int64_t>(keep, 1));
  return ranked;
}

std::unique_ptr<TilingPolicy> anvil::policy::createRoller() {
  return std::make_unique<Roller>();
}
