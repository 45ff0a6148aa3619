//===- RammerTest.cpp - Rammer's schedules on kernels given by hand -------===//

#include "anvil/Policy/Rammer.h"

#include <gtest/gtest.h>

using namespace anvil::policy;

namespace {

const ScheduleMachine kMachine{64, 1000, 16000, 100};

KernelDemand kernel(int64_t pes, int64_t cycles,
                    llvm::SmallVector<int64_t, 4> after = {},
                    int64_t sram = 0) {
  return {pes, cycles, sram, after};
}

TEST(RammerTest, SerialRunsTheSegmentAsOneProgramInOrder) {
  auto serial = createRammer(RammerMode::Serial);
  EXPECT_EQ(serial->name(), "rammer-serial");
  auto slots = serial->schedule(
      {kernel(8, 20000), kernel(8, 20000), kernel(64, 30000, {0})}, kMachine);
  ASSERT_EQ(slots.size(), 3u);
  for (auto [i, slot] : llvm::enumerate(slots)) {
    EXPECT_EQ(slot.program, 0);
    EXPECT_EQ(slot.wave, static_cast<int64_t>(i));
    EXPECT_EQ(slot.firstPE, 0);
  }
}

TEST(RammerTest, IndependentKernelsShareAWaveOnDisjointPEs) {
  auto rammer = createRammer(RammerMode::Waves);
  // Two branches of 24 PEs each, a join that reads both, and a kernel that
  // depends on nothing but finds no room beside the join's 64 PEs.
  auto slots = rammer->schedule({kernel(24, 20000), kernel(24, 30000),
                                 kernel(64, 40000, {0, 1}), kernel(16, 17000)},
                                kMachine);
  ASSERT_EQ(slots.size(), 4u);
  EXPECT_EQ(slots[0].wave, 0);
  EXPECT_EQ(slots[0].firstPE, 0);
  EXPECT_EQ(slots[1].wave, 0);
  EXPECT_EQ(slots[1].firstPE, 24);
  EXPECT_EQ(slots[2].wave, 1);
  // The last kernel joins the branches' wave, on the PEs they leave.
  EXPECT_EQ(slots[3].wave, 0);
  EXPECT_EQ(slots[3].firstPE, 48);
  for (const KernelSlot &slot : slots)
    EXPECT_EQ(slot.program, 0);
}

TEST(RammerTest, AKernelFollowsWhatItDependsOnAndStagingMustFit) {
  auto rammer = createRammer(RammerMode::Waves);
  auto slots =
      rammer->schedule({kernel(8, 20000, {}, 600), kernel(8, 20000, {}, 600),
                        kernel(8, 20000, {1})},
                       kMachine);
  // The second kernel's staging does not fit beside the first's.
  EXPECT_EQ(slots[1].wave, 1);
  // The third depends on the second: a wave after it, though wave 0 has
  // room.
  EXPECT_EQ(slots[2].wave, 2);
}

TEST(RammerTest, AProgramCostsOneLaunchAndItsWavesLongestKernels) {
  // Kernel cycles include their own launch and barrier (16100 here).
  std::vector<KernelDemand> kernels{kernel(8, 20100), kernel(8, 26100),
                                    kernel(64, 17100)};
  std::vector<KernelSlot> slots{{0, 0, 0, 8}, {0, 0, 8, 8}, {0, 1, 0, 64}};
  EXPECT_EQ(predictProgramCycles(kernels, slots, kMachine),
            16000 + (10000 + 100) + (1000 + 100));
}

/// A vector kernel before it is formed: `cycles` under each cap from the
/// machine's 64 PEs down to 1 (halving), taking `pes` uncapped.
OpenKernel open(std::vector<int64_t> cycles, int64_t pes = 64,
                llvm::SmallVector<int64_t, 4> after = {}) {
  OpenKernel kernel;
  int64_t cap = 64;
  for (int64_t c : cycles) {
    kernel.capCycles.push_back({cap, c});
    cap /= 2;
  }
  kernel.pes = pes;
  kernel.dependsOn = after;
  return kernel;
}

TEST(RammerTest, KernelsOfALevelShareThePEsWhereThatIsShorter) {
  auto rammer = createRammer(RammerMode::Waves);
  // Three latency-bound kernels (hardly slower on fewer PEs) of one level,
  // then one that reads them all: apart 3 x (600 + 100), side by side on
  // 16 PEs each (64 / 3, the widest cap within) 650 + 100.
  std::vector<int64_t> small{600, 610, 650, 700, 800, 1000, 1500};
  auto caps = rammer->capPEs(
      {open(small), open(small), open(small), open(small, 64, {0, 1, 2})},
      kMachine);
  EXPECT_EQ(caps, (llvm::SmallVector<int64_t>{16, 16, 16, 0}));
}

TEST(RammerTest, KernelsThatScaleKeepTheMachine) {
  auto rammer = createRammer(RammerMode::Waves);
  // Halving the PEs more than doubles the time: side by side (2200 + one
  // barrier) is longer than one after another (2 x (1000 + a barrier)).
  std::vector<int64_t> scaling{1000, 2200, 4400, 8800, 17600, 35200, 70400};
  auto caps = rammer->capPEs({open(scaling), open(scaling)}, kMachine);
  EXPECT_EQ(caps, (llvm::SmallVector<int64_t>{0, 0}));
}

TEST(RammerTest, KernelsThatFitTogetherAndProductsAreNotCapped) {
  auto rammer = createRammer(RammerMode::Waves);
  std::vector<int64_t> small{600, 600, 600, 600, 700, 800, 900};
  // Two kernels of 8 PEs already share a wave.
  EXPECT_EQ(rammer->capPEs({open(small, 8), open(small, 8)}, kMachine),
            (llvm::SmallVector<int64_t>{0, 0}));
  // A product (no caps) beside a vector kernel leaves the vector kernel
  // alone among the kernels with caps to choose.
  OpenKernel product;
  EXPECT_EQ(rammer->capPEs({product, open(small)}, kMachine),
            (llvm::SmallVector<int64_t>{0, 0}));
  // One after another, nothing is capped.
  auto serial = createRammer(RammerMode::Serial);
  EXPECT_EQ(serial->capPEs({open(small), open(small)}, kMachine),
            (llvm::SmallVector<int64_t>{0, 0}));
}

} // namespace
