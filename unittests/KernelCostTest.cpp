//===- KernelCostTest.cpp - Predicted time of tasks and kernels ------------===//
//
// The kernel-level cost model's properties. How close its predictions come
// to the simulator's measurements is checked kernel by kernel on whole
// models (bench/calibrate.py, the cost-model-calibration tests).
//
//===----------------------------------------------------------------------===//

#include "anvil/Target/CostModel.h"
#include "anvil/Target/KernelCost.h"

#include "TestTargets.h"

#include <gtest/gtest.h>

using namespace anvil::target;

namespace {

TargetDesc load(const char *name) { return anvil::test::loadTarget(name); }

/// An f32 product converted to f16, in 64 x 64 x 64 tiles.
ProductKernel product(int64_t m, int64_t n, int64_t k, int64_t pes) {
  ProductKernel p;
  p.m = m;
  p.n = n;
  p.k = k;
  p.tm = p.tn = p.tk = 64;
  p.pes = pes;
  return p;
}

TEST(KernelCostTest, KernelAddsLaunchAndBarrier) {
  TargetDesc v1 = load("mtia-v1");
  EXPECT_EQ(kernelCycles(v1, 1000),
            v1.costs.launchCycles + 1000 + v1.costs.barrierCycles);
}

TEST(KernelCostTest, SharersFollowTheTimeSpentTransferring) {
  EXPECT_EQ(expectedSharers(1, 100, 100), 1);
  EXPECT_EQ(expectedSharers(64, 100, 100), 64);
  // PEs that start together overlap halfway between independent phases
  // (busy share) and lockstep (all): 1 + 64 * (1 + 0.5) / 2.
  EXPECT_EQ(expectedSharers(65, 50, 100), 49);
  EXPECT_EQ(expectedSharers(65, 0, 100), 33);
  // More transfer time than the period still means every PE.
  EXPECT_EQ(expectedSharers(8, 300, 100), 8);
}

TEST(KernelCostTest, TasksRunInWavesOverThePEs) {
  TargetDesc v1 = load("mtia-v1");
  // 16 tiles on 16 PEs, then 32 tiles on the same 16 PEs: two waves.
  int64_t one = productBodyCycles(v1, product(256, 256, 512, 16));
  int64_t two = productBodyCycles(v1, product(512, 256, 512, 16));
  EXPECT_GT(two, one * 17 / 10);
  EXPECT_LT(two, one * 23 / 10);
}

TEST(KernelCostTest, DeeperReductionsCostMore) {
  TargetDesc v2 = load("mtia-2i");
  int64_t shallow = productBodyCycles(v2, product(128, 128, 256, 4));
  int64_t deep = productBodyCycles(v2, product(128, 128, 1024, 4));
  EXPECT_GT(deep, shallow * 3);
}

TEST(KernelCostTest, NoFasterThanDRAMBandwidthAllows) {
  TargetDesc v1 = load("mtia-v1");
  ProductKernel p = product(2048, 2048, 2048, 64);
  // Every C tile reads its rows of A and columns of B from DRAM.
  double bytes = (2048.0 / 64) * (2048.0 / 64) * 2 * 64 * 2048 * 4;
  EXPECT_GE(productBodyCycles(v1, p),
            bytes / v1.bytesPerCycle(MemoryLevel::DRAM));
}

TEST(KernelCostTest, StagingInSRAMRelievesDRAM) {
  TargetDesc v1 = load("mtia-v1");
  ProductKernel direct = product(1024, 1024, 1024, 64);
  ProductKernel staged = direct;
  // A and B copied to SRAM in 64 x 64 steps first, then read from there.
  staged.stagingA = staged.stagingB = {16 * 16, 64, 64};
  EXPECT_LT(productBodyCycles(v1, staged), productBodyCycles(v1, direct));
}

TEST(KernelCostTest, QuantizedProductsSkipTheConversion) {
  TargetDesc v1 = load("mtia-v1");
  ProductKernel f16 = product(256, 256, 1024, 4);
  ProductKernel i8 = f16;
  i8.input = i8.loadedA = i8.loadedB = DType::I8;
  i8.quantized = true;
  i8.tk = 128;
  EXPECT_LT(productBodyCycles(v1, i8), productBodyCycles(v1, f16));
}

} // namespace
