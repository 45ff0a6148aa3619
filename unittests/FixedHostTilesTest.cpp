//===- FixedHostTilesTest.cpp - The first tiling policy on the host -------===//

#include "anvil/Policy/FixedTiles.h"

#include "anvil-c/Kernels.h"

#include <gtest/gtest.h>

using namespace anvil::policy;
using anvil::target::HostDesc;

namespace {

HostDesc host(int64_t cores, int64_t lanes, int64_t registers) {
  HostDesc h;
  h.cores = cores;
  h.vectorLanes = lanes;
  h.vectorRegisters = registers;
  return h;
}

TEST(FixedHostTilesTest, TheKernelTileIsTheRuntimeKernels) {
  KernelTile avx512 = gemmKernelTile(host(2, 16, 32));
  EXPECT_EQ(avx512.rows, ANVIL_SGEMM_TILE_ROWS);
  EXPECT_EQ(avx512.cols, ANVIL_SGEMM_TILE_VECTORS * 16);
  EXPECT_EQ(gemmKernelTile(host(2, 8, 16)).cols, ANVIL_SGEMM_TILE_VECTORS * 8);
}

TEST(FixedHostTilesTest, ManyRowsSplitIntoRowBlocksOfKernelTiles) {
  // 2 AVX-512 cores: at most 8 blocks, each at least 16 kernel tiles of 6
  // rows (96); 3136 rows make 8 blocks of 392, rounded up to 396.
  ThreadBlocks b = chooseGemmBlocks(host(2, 16, 32), 3136, 64);
  EXPECT_EQ(b.rows, 396);
  EXPECT_EQ(b.cols, 64);
}

TEST(FixedHostTilesTest, FewRowsSplitTheColumns) {
  // 64 rows are less than two row blocks: the 3136 columns split into
  // blocks of at least 16 kernel tiles of 32 columns (512): 6 of 523,
  // rounded up to whole vectors, 528.
  ThreadBlocks b = chooseGemmBlocks(host(2, 16, 32), 64, 3136);
  EXPECT_GE(b.rows, 64);
  EXPECT_EQ(b.cols, 528);
}

TEST(FixedHostTilesTest, BlocksFollowTheCores) {
  // 300 rows on 2 AVX-512 cores make 3 blocks of 96 or more: 100, rounded
  // up to 102.
  ThreadBlocks b = chooseGemmBlocks(host(2, 16, 32), 300, 64);
  EXPECT_EQ(b.rows, 102);
  // 2 cores allow 8 blocks, 16 cores 64: 6000 rows make 62 of 97, rounded
  // up to 102.
  EXPECT_EQ(chooseGemmBlocks(host(2, 16, 32), 6000, 64).rows, 750);
  EXPECT_EQ(chooseGemmBlocks(host(16, 16, 32), 6000, 64).rows, 102);
}

TEST(FixedHostTilesTest, SmallProductsStayWhole) {
  ThreadBlocks b = chooseGemmBlocks(host(8, 8, 16), 10, 20);
  EXPECT_GE(b.rows, 10);
  EXPECT_GE(b.cols, 20);
}

TEST(FixedHostTilesTest, DepthwiseChannelsFollowTheRegisterBlock) {
  // AVX-512: register blocks of 8 rows; 96 channels make 12 blocks by size,
  // at most 8 on 2 cores, of 12 channels.
  EXPECT_EQ(chooseDepthwiseBlockChannels(host(2, 16, 32), 96), 12);
  EXPECT_EQ(chooseDepthwiseBlockChannels(host(2, 16, 32), 8), 8);
  // AVX2: rows of 4; 24 channels make 6 blocks.
  EXPECT_EQ(chooseDepthwiseBlockChannels(host(2, 8, 16), 24), 4);
}

TEST(FixedHostTilesTest, ParallelLoopsAndRegisterBlocksFollowTheMachine) {
  EXPECT_EQ(chooseParallelIterations(host(2, 16, 32)), 64);
  EXPECT_EQ(chooseParallelIterations(host(4, 8, 16)), 64);
  RegisterBlock avx512 = chooseRegisterBlock(host(2, 16, 32));
  EXPECT_EQ(avx512.width, 16);
  EXPECT_EQ(avx512.rows, 8);
  EXPECT_EQ(avx512.depth, 16);
  RegisterBlock avx2 = chooseRegisterBlock(host(2, 8, 16));
  EXPECT_EQ(avx2.width, 8);
  EXPECT_EQ(avx2.rows, 4);
  EXPECT_EQ(avx2.depth, 8);
}

TEST(FixedHostTilesTest, FixedTilesAnswersWithTheseDecisions) {
  std::unique_ptr<TilingPolicy> policy = createTilingPolicy("fixed-tiles");
  ASSERT_TRUE(policy);
  HostDesc h = host(2, 16, 32);
  EXPECT_EQ(policy->gemmBlocks(h, 3136, 64).rows,
            chooseGemmBlocks(h, 3136, 64).rows);
  EXPECT_EQ(policy->depthwiseBlockChannels(h, 96), 12);
  EXPECT_EQ(policy->parallelIterations(h), 64);
  EXPECT_EQ(policy->registerBlock(h).rows, 8);
}

} // namespace
