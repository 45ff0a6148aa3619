//===- FixedTilesTest.cpp - The first tiling policy's decisions -----------===//

#include "anvil/Policy/FixedTiles.h"

#include "llvm/Support/MathExtras.h"

#include <cmath>

#include <gtest/gtest.h>

using namespace anvil::policy;
using namespace anvil::target;

namespace {

/// mtia-v1: 32 x 32-byte native DPE tiles, 128 KiB of local memory;
/// `localKiB` replaces its local memory.
TargetDesc v1(int64_t localKiB = 128) {
  llvm::Expected<TargetDesc> desc =
      loadTargetDesc(ANVIL_TEST_TARGETS_DIR "/mtia-v1.json");
  EXPECT_TRUE(static_cast<bool>(desc));
  TargetDesc machine = desc ? *desc : TargetDesc{};
  machine.memory[static_cast<int>(MemoryLevel::Local)].capacityBytes =
      localKiB * 1024;
  return machine;
}

/// A product whose operands are read from DRAM, f32 unless quantized.
ProductProblem unstaged(DType input) {
  ProductProblem p;
  p.input = input;
  p.loadedA = p.loadedB = input == DType::I8 ? input : DType::F32;
  return p;
}

TEST(FixedTilesTest, ProductTilesAreTwoByTwoNativeTilesFourSlicesDeep) {
  ProductTiles f16 = chooseProductTiles(v1(), DType::F16);
  EXPECT_EQ(f16.tm, 64);
  EXPECT_EQ(f16.tn, 64);
  EXPECT_EQ(f16.tk, 64);
  // i8 slices are twice as deep: a row of the native tile holds 32 of them.
  ProductTiles i8 = chooseProductTiles(v1(), DType::I8);
  EXPECT_EQ(i8.tk, 128);
  EXPECT_LE(productLocalBytes(i8, unstaged(DType::I8)), 128 * 1024);
}

TEST(FixedTilesTest, ProductTilesHalveDepthFirstUntilTheyFit) {
  ProductTiles t = chooseProductTiles(v1(40), DType::F16);
  // 64 x 64 x 64 takes 112 KiB (two f32 slices and two f16 copies of each
  // operand, and the f32 tile); a 32-deep slice 64 KiB; a 16-deep one (the
  // native depth) 40 KiB.
  EXPECT_EQ(t.tm, 64);
  EXPECT_EQ(t.tk, 16);
  EXPECT_LE(productLocalBytes(t, unstaged(DType::F16)), 40 * 1024);
  t = chooseProductTiles(v1(20), DType::F16);
  EXPECT_EQ(t.tm, 32);
  EXPECT_EQ(t.tk, 16);
}

TEST(FixedTilesTest, ANarrowCTakesItsOwnCopyOfTheTile) {
  // An f16 model's product: A and B arrive in f16 (no conversion copies);
  // the f32 sums are converted into an f16 tile on their way out.
  ProductTiles t{64, 64, 64};
  ProductProblem p;
  p.loadedA = p.loadedB = DType::F16;
  int64_t f32C = productLocalBytes(t, p);
  EXPECT_EQ(f32C, 2 * (64 * 64 * 2) * 2 + 64 * 64 * 4);
  p.stored = DType::F16;
  EXPECT_EQ(productLocalBytes(t, p), f32C + 64 * 64 * 2);
}

TEST(FixedTilesTest, BatchOneUsesEveryPEThroughTheChannels) {
  // An NCHW elementwise op at batch 1: the channels give the tasks.
  TaskGrid g = chooseTaskGrid({1, 64, 56, 56}, {true, true, true, true}, 64);
  EXPECT_EQ(g.pes, 64);
  EXPECT_EQ(g.tasks, 64);
  EXPECT_EQ(g.tileSizes, (llvm::SmallVector<int64_t>{1, 1, 56, 56}));
}

TEST(FixedTilesTest, FewChannelsSplitTheNextLoopsToo) {
  // The first convolution's im2col (c, kh, kw, oh, ow) = (3, 7, 7, 112,
  // 112): three channels alone would use three PEs.
  TaskGrid g =
      chooseTaskGrid({3, 7, 7, 112, 112}, {true, true, true, true, true}, 64);
  EXPECT_EQ(g.pes, 64);
  EXPECT_GE(g.tasks, 64);
  EXPECT_EQ(g.tileSizes[0], 1);
  EXPECT_EQ(g.tileSizes[1], 1);
  EXPECT_EQ(g.tileSizes[4], 112);
}

TEST(FixedTilesTest, TheLastSplitTakesTheLargestTileWithoutAnExtraWave) {
  // 200 rows over 64 PEs: at best 4 rows a PE. Tiles of 2 give 100 tasks
  // in two waves (4 rows) on every PE; tiles of 4 as long on 50 PEs; tiles
  // of 3 would give 67 tasks, three PEs of which run a second wave (6
  // rows).
  TaskGrid g = chooseTaskGrid({200, 768}, {true, true}, 64);
  EXPECT_EQ(g.tileSizes[0], 2);
  EXPECT_EQ(g.tasks, 100);
  EXPECT_EQ(g.pes, 64);
  // 10000 rows: 157 a PE, one task each.
  g = chooseTaskGrid({10000}, {true}, 64);
  EXPECT_EQ(g.tileSizes[0], 157);
  EXPECT_EQ(g.tasks, 64);
}

TEST(FixedTilesTest, ReductionLoopsAreNeverSplit) {
  // A row softmax's max over 12 heads of 128 x 128: rows parallel, columns
  // reduced. 12 x 128 rows take at best 24 a PE; tiles of 8 rows do that
  // in 192 tasks (three waves).
  TaskGrid g = chooseTaskGrid({1, 12, 128, 128}, {true, true, true, false}, 64);
  EXPECT_EQ(g.tileSizes, (llvm::SmallVector<int64_t>{1, 1, 8, 128}));
  EXPECT_EQ(g.tasks, 192);
  EXPECT_EQ(g.pes, 64);
  // A full reduction runs on one PE.
  g = chooseTaskGrid({1000}, {false}, 64);
  EXPECT_EQ(g.tasks, 1);
  EXPECT_EQ(g.pes, 1);
}

TEST(FixedTilesTest, EveryPEGetsATaskEvenWhenFewerWouldBeFaster) {
  // 100 rows of 4: one row a task makes two waves, two rows a task one
  // wave on 50 PEs. With 400 cycles to start each task (a DRAM latency)
  // the single wave is faster, but it leaves 14 PEs idle: the first policy
  // keeps every PE busy.
  auto latency = [](const TaskGrid &g) {
    double iterations = 1;
    for (int64_t tile : g.tileSizes)
      iterations *= tile;
    return llvm::divideCeil(g.tasks, g.pes) * (400 + iterations);
  };
  TaskGrid g = chooseTaskGrid({100, 4}, {true, true}, 64, latency);
  EXPECT_EQ(g.tileSizes[0], 1);
  EXPECT_EQ(g.tasks, 100);
  EXPECT_EQ(g.pes, 64);
}

TEST(FixedTilesTest, TheCostChoosesAmongGridsThatFillTheMachine) {
  // 256 rows: 1, 2, 3 or 4 rows a task all give every PE a task; the cost
  // picks among them.
  auto latency = [](const TaskGrid &g) {
    return llvm::divideCeil(g.tasks, g.pes) * (400.0 + g.tileSizes[0]);
  };
  TaskGrid g = chooseTaskGrid({256}, {true}, 64, latency);
  EXPECT_EQ(g.tileSizes[0], 4);
  EXPECT_EQ(g.tasks, 64);
  auto preferTwo = [](const TaskGrid &g) {
    return std::abs(static_cast<double>(g.tileSizes[0] - 2));
  };
  g = chooseTaskGrid({256}, {true}, 64, preferTwo);
  EXPECT_EQ(g.tileSizes[0], 2);
  EXPECT_EQ(g.tasks, 128);
  EXPECT_EQ(g.pes, 64);
}

TEST(FixedTilesTest, SmallOpsGetOneTaskPerPEOfWork) {
  TaskGrid g = chooseTaskGrid({1, 10}, {true, true}, 64);
  EXPECT_EQ(g.tasks, 10);
  EXPECT_EQ(g.pes, 10);
  g = chooseTaskGrid({}, {}, 64);
  EXPECT_EQ(g.tasks, 1);
  EXPECT_EQ(g.pes, 1);
}

} // namespace
