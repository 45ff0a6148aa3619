//===- RollerTest.cpp - Roller's constructed product tiles ----------------===//

#include "anvil/Policy/Roller.h"

#include "anvil/Policy/FixedTiles.h"
#include "anvil/Target/KernelCost.h"

#include "llvm/Support/MathExtras.h"

#include <gtest/gtest.h>

using namespace anvil::policy;
using namespace anvil::target;

namespace {

TargetDesc machine(llvm::StringRef name) {
  llvm::Expected<TargetDesc> desc =
      loadTargetDesc((ANVIL_TEST_TARGETS_DIR "/" + name + ".json").str());
  EXPECT_TRUE(static_cast<bool>(desc));
  return desc ? *desc : TargetDesc{};
}

/// An f32 product run on the f16 DPE, both operands stageable.
ProductProblem f16Product(int64_t m, int64_t n, int64_t k) {
  ProductProblem p;
  p.m = m;
  p.n = n;
  p.k = k;
  p.stagedBytesA = m * k * dtypeBytes(DType::F32);
  p.stagedBytesB = k * n * dtypeBytes(DType::F32);
  return p;
}

int64_t tasks(const ProductProblem &p, const ProductTiles &t) {
  return p.batches * llvm::divideCeil(p.m, t.tm) * llvm::divideCeil(p.n, t.tn);
}

/// The kernel's cost as DPEKernel prices it (without the staging copies'
/// block shapes, which do not matter here).
double kernelCost(const TargetDesc &desc, const ProductProblem &p,
                  const ProductTiles &t) {
  ProductKernel kernel;
  kernel.input = p.input;
  kernel.loadedA = p.loadedA;
  kernel.loadedB = p.loadedB;
  kernel.batches = p.batches;
  kernel.m = p.m;
  kernel.n = p.n;
  kernel.k = p.k;
  kernel.tm = t.tm;
  kernel.tn = t.tn;
  kernel.tk = t.tk;
  kernel.buffers = t.buffers;
  kernel.pes = std::min(tasks(p, t), desc.numPEs());
  if (t.stageA)
    kernel.stagingA = {p.m, 1, p.k};
  if (t.stageB)
    kernel.stagingB = {p.k, 1, p.n};
  return static_cast<double>(
      kernelCycles(desc, productBodyCycles(desc, kernel)));
}

TEST(RollerTest, StepsAreTheNativeTileAndTheTransaction) {
  TargetDesc v1 = machine("mtia-v1");
  TileSteps f16 = productTileSteps(v1, f16Product(64, 64, 64));
  // 32 DPE rows; 64-byte DRAM transactions of f16 (the narrower of the
  // loaded f32 and the DPE's f16, which a staged copy holds) along N and
  // K, a whole number of 16-element passes.
  EXPECT_EQ(f16.m, 32);
  EXPECT_EQ(f16.n, 32);
  EXPECT_EQ(f16.k, 32);
  ProductProblem i8 = f16Product(64, 64, 64);
  i8.input = i8.loadedA = i8.loadedB = DType::I8;
  TileSteps q = productTileSteps(v1, i8);
  EXPECT_EQ(q.n, 64);
  EXPECT_EQ(q.k, 64);
}

TEST(RollerTest, ConstructedTilesAreAlignedAndFitLocalMemory) {
  for (llvm::StringRef name : {"mtia-v1", "mtia-2i"}) {
    TargetDesc desc = machine(name);
    int64_t local = desc.level(MemoryLevel::Local).capacityBytes;
    for (ProductProblem p : {f16Product(1024, 1024, 1024),
                             f16Product(1, 1000, 512),
                             f16Product(3136, 64, 576)}) {
      TileSteps step = productTileSteps(desc, p);
      llvm::SmallVector<ProductTiles> tiles = constructProductTiles(desc, p);
      ASSERT_FALSE(tiles.empty()) << name.str();
      for (const ProductTiles &t : tiles) {
        EXPECT_EQ(t.tm % step.m, 0);
        EXPECT_EQ(t.tn % step.n, 0);
        EXPECT_EQ(t.tk % step.k, 0);
        ProductTiles leanest = t;
        leanest.stageA = leanest.stageB = true;
        EXPECT_LE(productLocalBytes(leanest, p), local);
      }
    }
  }
}

TEST(RollerTest, TheLargeProductGrowsBeyondTheFixedTiles) {
  TargetDesc v1 = machine("mtia-v1");
  ProductProblem p = f16Product(1024, 1024, 1024);
  auto cost = [&](const ProductTiles &t) { return kernelCost(v1, p, t); };
  llvm::SmallVector<RankedTiles> ranked = rollerProductTiles(v1, p, cost, 10);
  ASSERT_FALSE(ranked.empty());
  EXPECT_LE(ranked.size(), 10u);
  const ProductTiles &best = ranked.front().tiles;
  // More reuse than 64 x 64 C tiles, still a task for every PE.
  EXPECT_GT(best.tm * best.tn, 64 * 64);
  EXPECT_GE(tasks(p, best), v1.numPEs());
  ProductTiles fixed =
      withFixedStaging(v1, p, chooseProductTiles(v1, p.input));
  EXPECT_LT(ranked.front().cycles, cost(fixed));
}

TEST(RollerTest, CandidatesAreRankedByTheGivenCost) {
  TargetDesc v1 = machine("mtia-v1");
  ProductProblem p = f16Product(512, 512, 512);
  // A cost that prefers the deepest slices and then the narrowest tiles:
  // the ranking follows it, whatever the machine would say.
  auto cost = [&](const ProductTiles &t) {
    return 1e6 / t.tk + t.tm * t.tn + (t.stageA || t.stageB ? 1 : 0);
  };
  llvm::SmallVector<RankedTiles> ranked = rollerProductTiles(v1, p, cost, 4);
  ASSERT_EQ(ranked.size(), 4u);
  for (size_t i = 1; i < ranked.size(); ++i)
    EXPECT_LE(ranked[i - 1].cycles, ranked[i].cycles);
  for (const RankedTiles &r : ranked)
    EXPECT_EQ(r.cycles, cost(r.tiles));
  // No way to run a constructed shape that fits local memory is cheaper
  // than the first.
  int64_t local = v1.level(MemoryLevel::Local).capacityBytes;
  for (ProductTiles t : constructProductTiles(v1, p))
    for (int ways = 0; ways < 8; ++ways) {
      t.stageA = ways & 1;
      t.stageB = ways & 2;
      t.buffers = ways & 4 ? 3 : 2;
      if (productLocalBytes(t, p) <= local)
        EXPECT_GE(cost(t), ranked.front().cycles);
    }
}

TEST(RollerTest, ASmallProductIsSpreadOverThePEs) {
  TargetDesc v1 = machine("mtia-v1");
  ProductProblem p = f16Product(64, 64, 64);
  auto cost = [&](const ProductTiles &t) { return kernelCost(v1, p, t); };
  ProductTiles best = rollerProductTiles(v1, p, cost, 10).front().tiles;
  // The fixed 64 x 64 tile is one task; Roller's shrunk tiles make more.
  EXPECT_GT(tasks(p, best), 1);
}

TEST(RollerTest, NothingIsStagedWhereTheKernelMayNotStage) {
  TargetDesc v1 = machine("mtia-v1");
  ProductProblem p = f16Product(1024, 1024, 1024);
  p.stagedBytesA = p.stagedBytesB = 0;
  auto cost = [&](const ProductTiles &t) { return kernelCost(v1, p, t); };
  for (const RankedTiles &r : rollerProductTiles(v1, p, cost, 10))
    EXPECT_FALSE(r.tiles.stageA || r.tiles.stageB);
}

TEST(RollerTest, ARaggedShapeIsPaddedAsLittleAsTheStepsAllow) {
  TargetDesc v1 = machine("mtia-v1");
  // 100 rows: multiples of 32 pad to 128, the least the steps allow; a
  // C tile of 96 rows would pad to 192.
  ProductProblem p = f16Product(100, 256, 256);
  auto cost = [&](const ProductTiles &t) { return kernelCost(v1, p, t); };
  for (const RankedTiles &r : rollerProductTiles(v1, p, cost, 3))
    EXPECT_EQ(llvm::divideCeil(128, r.tiles.tm) * r.tiles.tm, 128)
        << r.tiles.tm;
}

/// A host of `cores` cores with `lanes` f32 lanes and three cache levels,
/// the third shared by all cores.
HostDesc cpu(int64_t lanes, int64_t l1, int64_t l2, int64_t l3,
             int64_t cores = 8) {
  HostDesc h;
  h.cores = cores;
  h.vectorLanes = lanes;
  h.vectorRegisters = 32;
  h.caches = {{1, l1, 64, 1}, {2, l2, 64, 1}, {3, l3, 64, cores}};
  return h;
}

constexpr int64_t KiB = 1024, MiB = 1024 * KiB;

TEST(RollerHostTest, EachBlockFitsItsCacheLevel) {
  HostDesc h = cpu(16, 48 * KiB, MiB, 32 * MiB);
  KernelTile tile = gemmKernelTile(h);
  CacheBlocks b = rollerGemmCacheBlocks(h, 600, 3000, 4096);
  int64_t f32 = sizeof(float);
  EXPECT_LE(b.kc * (tile.cols + 2 * tile.rows) * f32, 48 * KiB);
  EXPECT_LE(b.mc * b.kc * f32, MiB / 2);
  EXPECT_LE(b.kc * b.nc * f32, 32 * MiB / 8 / 2);
  EXPECT_EQ(b.mc % tile.rows, 0);
  EXPECT_EQ(b.nc % tile.cols, 0);
  // Balanced: 4096 deep in 15 slices of 274 (at most 279 fit), 600 rows
  // in 2 blocks of 300, 3000 columns in 2 of 1504.
  EXPECT_EQ(b.kc, 274);
  EXPECT_EQ(b.mc, 300);
  EXPECT_EQ(b.nc, 1504);
}

TEST(RollerHostTest, ARaggedDepthIsCutIntoEqualSlices) {
  // At most 279 deep: 576 is 3 slices of 192, not 279 + 279 + 18.
  EXPECT_EQ(rollerGemmCacheBlocks(cpu(16, 48 * KiB, MiB, 32 * MiB), 64, 3136,
                                  576)
                .kc,
            192);
}

TEST(RollerHostTest, TheSliversFollowTheFirstLevelAndTheVectorWidth) {
  auto kc = [](HostDesc h) {
    return rollerGemmCacheBlocks(h, 1024, 1024, 8192).kc;
  };
  int64_t wide48 = kc(cpu(16, 48 * KiB, MiB, 32 * MiB));
  int64_t wide32 = kc(cpu(16, 32 * KiB, MiB, 32 * MiB));
  int64_t narrow32 = kc(cpu(8, 32 * KiB, MiB, 32 * MiB));
  EXPECT_LT(wide32, wide48);
  // An AVX2 sliver of B is half as wide, so it may be deeper.
  EXPECT_GT(narrow32, wide32);
}

TEST(RollerHostTest, WithoutCachesTheKernelKeepsItsOwnBlocks) {
  HostDesc h = cpu(16, 48 * KiB, MiB, 32 * MiB);
  h.caches.clear();
  CacheBlocks b = rollerGemmCacheBlocks(h, 600, 3000, 4096);
  EXPECT_EQ(b.mc, 0);
  EXPECT_EQ(b.kc, 0);
  EXPECT_EQ(b.nc, 0);
}

} // namespace
