//===- PolicyRoomsTest.cpp - The rooms and their first policies -----------===//

#include "anvil/Policy/Rooms.h"
#include "anvil/Policy/Schedule.h"
#include "anvil/Policy/Tiling.h"

#include <gtest/gtest.h>

using namespace anvil::policy;

namespace {

TEST(PolicyRoomsTest, DisablingAPassSelectsItsRoomsFirstImplementation) {
  auto all = choosePolicies({"welder", "roller", "rammer", "grinder"});
  ASSERT_TRUE(static_cast<bool>(all));
  EXPECT_EQ(*all, (llvm::SmallVector<std::string, 4>{"one-op-per-kernel",
                                                     "fixed-tiles", "in-order",
                                                     "host-driven"}));
  auto none = choosePolicies({});
  ASSERT_TRUE(static_cast<bool>(none));
  EXPECT_EQ(*none, (llvm::SmallVector<std::string, 4>{"welder", "roller",
                                                      "rammer", "grinder"}));
  auto unknown = choosePolicies({"roller", "tvm"});
  ASSERT_FALSE(static_cast<bool>(unknown));
  EXPECT_NE(llvm::toString(unknown.takeError()).find("'tvm'"),
            std::string::npos);
}

TEST(PolicyRoomsTest, EveryRoomsFirstImplementationIsRegistered) {
  for (const Room &room : rooms()) {
    if (room.decision == "tiling")
      EXPECT_TRUE(createTilingPolicy(room.first));
    if (room.decision == "scheduler")
      EXPECT_TRUE(createScheduler(room.first));
    if (room.decision == "placement")
      EXPECT_TRUE(createControlFlowPlacement(room.first));
  }
  EXPECT_TRUE(createScheduler("rammer"));
  EXPECT_FALSE(createScheduler("grinder"));
  EXPECT_TRUE(createTilingPolicy("roller"));
}

TEST(PolicyRoomsTest, InOrderRunsEachKernelAsAJobOfItsOwn) {
  auto inOrder = createScheduler("in-order");
  ScheduleMachine machine{64, 1 << 20, 1000, 100};
  auto slots = inOrder->schedule(
      {{4, 100, 0, {}}, {64, 50, 0, {}}, {200, 10, 0, {}}}, machine);
  ASSERT_EQ(slots.size(), 3u);
  for (auto [i, slot] : llvm::enumerate(slots)) {
    EXPECT_EQ(slot.program, static_cast<int64_t>(i));
    EXPECT_EQ(slot.wave, 0);
    EXPECT_EQ(slot.firstPE, 0);
  }
  EXPECT_EQ(slots[0].pes, 4);
  // No kernel gets more PEs than the machine has.
  EXPECT_EQ(slots[2].pes, 64);
}

TEST(PolicyRoomsTest, HostDrivenKeepsControlFlowOnTheHost) {
  auto hostDriven = createControlFlowPlacement("host-driven");
  ScheduleMachine machine{64, 1 << 20, 16000, 100};
  EXPECT_EQ(hostDriven->place({true, 3, 128, true}, machine),
            ControlPlace::Host);
  EXPECT_EQ(hostDriven->place({false, 1, -1, true}, machine),
            ControlPlace::Host);
  EXPECT_EQ(controlPlaceName(ControlPlace::Device), "device");
}

TEST(PolicyRoomsTest, GrinderMovesWhatTheDeviceCanRunWhereItPays) {
  auto grinder = createControlFlowPlacement("grinder");
  ScheduleMachine machine{64, 1 << 20, 16000, 100};
  // A loop of five kernels: a barrier each on the device against a launch
  // per iteration on the host.
  EXPECT_EQ(grinder->place({true, 5, 64, true}, machine), ControlPlace::Device);
  // What the lowering cannot move stays on the host.
  EXPECT_EQ(grinder->place({true, 5, 64, false}, machine), ControlPlace::Host);
  // A branch whose untaken kernels' barriers cost more than the launches
  // the host would spend.
  ScheduleMachine slowBarriers{64, 1 << 20, 1000, 400};
  EXPECT_EQ(grinder->place({false, 10, -1, true}, slowBarriers),
            ControlPlace::Host);
  EXPECT_EQ(grinder->place({false, 2, -1, true}, slowBarriers),
            ControlPlace::Device);
}

TEST(PolicyRoomsTest, FixedTilesAnswersThroughTheInterface) {
  auto fixed = createTilingPolicy("fixed-tiles");
  TaskGrid grid =
      fixed->taskGrid({1, 64, 56, 56}, {true, true, true, true}, 64, nullptr);
  EXPECT_EQ(grid.tasks, 64);
  EXPECT_EQ(grid.pes, 64);
  TaskGrid decided = gridOfTiles({1, 64, 56, 56}, {1, 8, 56, 56}, 64);
  EXPECT_EQ(decided.tasks, 8);
  EXPECT_EQ(decided.pes, 8);
}

} // namespace
